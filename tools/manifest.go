package tools

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// Manifest is what a plugin says about itself in Describe.
type Manifest struct {
	Name         string       `json:"name"`
	Version      string       `json:"version"`
	Description  string       `json:"description,omitempty"`
	Tools        []ToolInfo   `json:"tools"`
	Capabilities Capabilities `json:"capabilities"`
}

// ToolInfo describes one tool: what it does, the JSON schemas of its input and
// output, and the intents it serves with example utterances.
type ToolInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Descriptions are the description in other languages, by locale (ko).
	Descriptions map[string]string `json:"descriptions,omitempty"`
	InputSchema  json.RawMessage   `json:"input_schema"`
	OutputSchema json.RawMessage   `json:"output_schema"`
	Intents      []Intent          `json:"intents,omitempty"`
}

// Intent is a kind of request a tool answers, with example utterances in
// Korean and English that the host's router learns from.
type Intent struct {
	Name string `json:"name"`
	// Parent is the canonical intent (waste_forecast, knowledge_qa, …) that
	// this finer intent refines, or empty when Name is canonical itself.
	// The host learns the finer intent and answers with the parent in a
	// reply's intent field, the finer one beside it.
	Parent   string   `json:"parent,omitempty"`
	Examples []string `json:"examples"`
}

// Capabilities is everything a plugin may reach through the HostAPI. The host
// refuses the rest with ErrPermission.
type Capabilities struct {
	// Datasets the plugin may read (see the Dataset… constants).
	Datasets []string `json:"datasets,omitempty"`
	// Artifacts allows keeping artifacts (trained models) in the host.
	Artifacts bool `json:"artifacts,omitempty"`
	// Push allows queueing pushes to customers (EnqueuePush).
	Push bool `json:"push,omitempty"`
	// KnowledgeRead lists the knowledge collections the plugin may search.
	KnowledgeRead []string `json:"knowledge_read,omitempty"`
	// KnowledgeWrite lists the collections it may write (and search).
	KnowledgeWrite []string `json:"knowledge_write,omitempty"`
	// Generate allows structured generation through the host (Generate).
	Generate bool `json:"generate,omitempty"`
}

// AllowsDataset reports whether the capabilities include dataset name.
func (c Capabilities) AllowsDataset(name string) bool {
	return slices.Contains(c.Datasets, name)
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate checks that the manifest is well formed: names present and
// unique, schemas valid JSON, datasets known.
func (m *Manifest) Validate() error {
	if !namePattern.MatchString(m.Name) {
		return fmt.Errorf("plugin name %q: want lower case letters, digits and _ (e.g. catalog)", m.Name)
	}
	if m.Version == "" {
		return fmt.Errorf("plugin %s: version is empty", m.Name)
	}
	seen := map[string]bool{}
	for _, t := range m.Tools {
		if !namePattern.MatchString(t.Name) {
			return fmt.Errorf("plugin %s: tool name %q: want lower case letters, digits and _", m.Name, t.Name)
		}
		if seen[t.Name] {
			return fmt.Errorf("plugin %s: tool %s declared twice", m.Name, t.Name)
		}
		seen[t.Name] = true
		for what, s := range map[string]json.RawMessage{"input": t.InputSchema, "output": t.OutputSchema} {
			if !json.Valid(s) {
				return fmt.Errorf("plugin %s: tool %s: %s schema is not valid JSON", m.Name, t.Name, what)
			}
		}
		for _, in := range t.Intents {
			if !namePattern.MatchString(in.Name) {
				return fmt.Errorf("plugin %s: tool %s: intent name %q: want lower case letters, digits and _", m.Name, t.Name, in.Name)
			}
			if in.Parent != "" && (!namePattern.MatchString(in.Parent) || in.Parent == in.Name) {
				return fmt.Errorf("plugin %s: tool %s: intent %s: parent %q: want another intent's name, e.g. knowledge_qa", m.Name, t.Name, in.Name, in.Parent)
			}
		}
	}
	for _, d := range m.Capabilities.Datasets {
		if !slices.Contains(Datasets, d) {
			return fmt.Errorf("plugin %s: capability dataset %q is unknown (known: %v)", m.Name, d, Datasets)
		}
	}
	return nil
}
