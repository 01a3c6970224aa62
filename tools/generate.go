package tools

import (
	"context"
	"encoding/json"
)

// Generator asks the host for structured generation: the host renders one
// of its prompts, asks its language model for JSON matching the schema,
// checks it (schema, banned words, the plugin's validator), re-asks with
// the errors, and falls back to the given output when the model fails or
// none is configured. Text reaches users only this way.
type Generator interface {
	Generate(ctx context.Context, req *GenerateRequest) (*Generation, error)
}

// GenerateRequest asks for one structured output.
type GenerateRequest struct {
	// Prompt is the id of a prompt template in the host's prompts,
	// such as "campaign.push_copy".
	Prompt string `json:"prompt"`
	// Locale is ko or en.
	Locale string `json:"locale"`
	// Vars are the template's variables (a JSON object).
	Vars json.RawMessage `json:"vars,omitempty"`
	// Schema is the JSON schema the output must satisfy.
	Schema json.RawMessage `json:"schema"`
	// Fallback is the output to use when the model fails or is not
	// configured; it must pass the same checks. The plugin builds it from
	// its own data (past events, templates), so it is grounded.
	Fallback json.RawMessage `json:"fallback"`
	// Validator names one of the plugin's validators (Plugin.Validators)
	// that the host calls on every candidate output; empty means none.
	Validator string `json:"validator,omitempty"`
}

// Outcomes of a generation.
const (
	OutcomeLLM      = "llm"      // the model's first answer passed every check
	OutcomeRepaired = "repaired" // a later answer passed after re-asking with the errors
	OutcomeFallback = "fallback" // the fallback was used; Reason says why
)

// Generation is the checked output and how it was obtained.
type Generation struct {
	Output   json.RawMessage `json:"output"`
	Outcome  string          `json:"outcome"`
	Reason   string          `json:"reason,omitempty"`
	Attempts int             `json:"attempts"`
}

// Validator checks a generated output against a plugin's business rules
// and returns what is wrong, in words a model can fix; nil when valid.
type Validator func(output json.RawMessage) []string
