package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/crumb-dev/crumb/host/intent"
)

// IntentPrompt is the prompt of IntentFallback.
const IntentPrompt = "chat.intent"

// ErrTemplateMode means no language model is configured.
var ErrTemplateMode = errors.New("no language model is configured")

// IntentFallback asks the model for an utterance's intent when the offline
// classifier is unsure (intent.Fallback). Its answer must name one of the
// intents offered; without a model, or when the model fails, it returns an
// error and the classifier keeps its own answer.
type IntentFallback struct {
	Generator *Generator
}

// ClassifyIntent implements intent.Fallback.
func (f IntentFallback) ClassifyIntent(ctx context.Context, text string, defs []intent.Def) (string, float64, error) {
	if f.Generator == nil || f.Generator.Mode() == "template" {
		return "", 0, ErrTemplateMode
	}
	names := make([]string, len(defs))
	list := make([]map[string]any, len(defs))
	for i, d := range defs {
		names[i] = d.Name
		list[i] = map[string]any{"name": d.Name, "description": d.Description, "examples": d.Examples[:min(3, len(d.Examples))]}
	}
	locale := intent.DetectLocale(text)
	type answer struct {
		Intent     string  `json:"intent"`
		Confidence float64 `json:"confidence"`
	}
	res, err := f.Generator.Generate(ctx, &Request{
		Prompt: IntentPrompt, Locale: locale, Vars: map[string]any{"text": text, "intents": list},
		Validate: func(out json.RawMessage) []string {
			var a answer
			if err := json.Unmarshal(out, &a); err != nil {
				return []string{err.Error()}
			}
			if !slices.Contains(names, a.Intent) {
				return []string{fmt.Sprintf("intent %q is not in the list: answer with one of %v", a.Intent, names)}
			}
			return nil
		},
	})
	if err != nil {
		return "", 0, err
	}
	if res.Outcome == OutcomeFallback {
		return "", 0, fmt.Errorf("the model gave no usable intent: %s", res.Reason)
	}
	var a answer
	if err := json.Unmarshal(res.Output, &a); err != nil {
		return "", 0, err
	}
	return a.Intent, a.Confidence, nil
}
