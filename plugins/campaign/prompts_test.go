package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// promptsDir holds the host's prompt templates; the campaign prompts are
// campaign.event_plan@v1 and campaign.push_copy@v1.
const promptsDir = "../../prompts"

// TestPromptFiles checks that the prompt templates in prompts/ fit what
// the plugin sends: the variables of a real call (written to
// prompts/testdata/llm/<ref>.vars.json with -update, which the prompts
// package renders in its golden test) have the same keys, and the
// reference schemas name the same fields as the plugin's derived ones.
func TestPromptFiles(t *testing.T) {
	host := fixture(t)
	plan(t, host, "ko", `{"store":"강남점","season":"크리스마스","purpose":"신규 고객 유치","budget":3000000}`)
	push(t, Plugin(), host, "ko", `{"store_id":"S01","product_id":"P018","product_name":"크루아상","segment":"vip","discount_pct":30,"ewr":21.5}`)
	reqs := map[string]tools.GenerateRequest{}
	for _, g := range host.Generations() {
		if _, ok := reqs[g.Prompt]; !ok {
			reqs[g.Prompt] = g
		}
	}
	for _, prompt := range []string{promptEventPlan, promptPushCopy} {
		t.Run(prompt, func(t *testing.T) {
			ref := prompt + "@v1"
			req, ok := reqs[prompt]
			if !ok {
				t.Fatalf("no generation request for %s", prompt)
			}
			for _, loc := range []string{"ko", "en"} {
				if _, err := os.Stat(filepath.Join(promptsDir, "llm", ref+"."+loc+".tmpl")); err != nil {
					t.Errorf("the host has no template for %s: %v", prompt, err)
				}
			}
			varsPath := filepath.Join(promptsDir, "testdata", "llm", ref+".vars.json")
			if *update {
				var v any
				if err := json.Unmarshal(req.Vars, &v); err != nil {
					t.Fatal(err)
				}
				b, _ := json.MarshalIndent(v, "", "  ")
				if err := os.WriteFile(varsPath, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			file, err := os.ReadFile(varsPath)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if got, want := keyPaths(t, req.Vars), keyPaths(t, file); !slices.Equal(got, want) {
				t.Errorf("the plugin sends vars %v, the template's example has %v: update the templates and go test -update", got, want)
			}
			ref_, err := os.ReadFile(filepath.Join(promptsDir, "llm", ref+".schema.json"))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := keyPaths(t, schemaShape(t, req.Schema)), keyPaths(t, schemaShape(t, ref_)); !slices.Equal(got, want) {
				t.Errorf("the plugin's schema has fields %v, prompts' reference schema %v", got, want)
			}
		})
	}
}

// keyPaths lists the dotted key paths of a JSON document (arrays by their
// first element), sorted.
func keyPaths(t *testing.T, raw []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				out = append(out, prefix+k)
				walk(prefix+k+".", e)
			}
		case []any:
			if len(x) > 0 {
				walk(prefix+"[].", x[0])
			}
		}
	}
	walk("", v)
	slices.Sort(out)
	return out
}

// schemaShape reduces a JSON schema to its properties and required lists,
// as a document keyPaths can list.
func schemaShape(t *testing.T, raw []byte) []byte {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	var shape func(s map[string]any) map[string]any
	shape = func(s map[string]any) map[string]any {
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for k, p := range props {
			ps, _ := p.(map[string]any)
			name := k
			if !slices.Contains(req, any(k)) {
				name += "?"
			}
			if items, ok := ps["items"].(map[string]any); ok {
				ps = items
			}
			out[name] = shape(ps)
		}
		return out
	}
	b, _ := json.Marshal(shape(s))
	return b
}
