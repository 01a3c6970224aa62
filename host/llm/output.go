package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// problem is one thing wrong with an output, with its reason code.
type problem struct {
	code string
	text string
}

func problemTexts(ps []problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.text
	}
	return out
}

// checker holds the checks every candidate output passes, the model's and
// the fallback's alike: schema, guard, business validator.
type checker struct {
	schema   *tools.Schema
	guard    *Guard
	validate func(json.RawMessage) []string
}

// parseAndCheck finds the JSON in a model's text and checks it.
func (c *checker) parseAndCheck(text string) (json.RawMessage, []problem) {
	out, err := extractJSON(text)
	if err != nil {
		return nil, []problem{{ReasonInvalidJSON, err.Error()}}
	}
	return c.check(out)
}

// check runs the schema, the guard and (when the schema holds) the
// validator. All problems are reported together, so that one re-ask can
// fix them all; the first one's code is the reason.
func (c *checker) check(out json.RawMessage) (json.RawMessage, []problem) {
	var ps []problem
	schemaOK := true
	if err := c.schema.Validate(out); err != nil {
		ps = append(ps, problem{ReasonSchema, "schema: " + err.Error()})
		schemaOK = false
	}
	for _, v := range c.guard.CheckJSON(out) {
		ps = append(ps, problem{ReasonGuard, v.String()})
	}
	// Validators may rely on the schema's shape; they run whenever it holds.
	if !schemaOK || c.validate == nil {
		return out, ps
	}
	for _, msg := range safeValidate(c.validate, out) {
		ps = append(ps, problem{ReasonValidator, msg})
	}
	return out, ps
}

func safeValidate(v func(json.RawMessage) []string, out json.RawMessage) (msgs []string) {
	defer func() {
		if r := recover(); r != nil {
			msgs = []string{fmt.Sprintf("the validator panicked: %v", r)}
		}
	}()
	return v(out)
}

// extractJSON returns the JSON value (object or array) in a model's text:
// the whole text when it is JSON, else the first value that decodes after
// a code fence or prose. Models wrap JSON in ```json fences and sentences
// even in JSON mode; the value inside is still checked like any other.
func extractJSON(text string) (json.RawMessage, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, errors.New("the answer is empty: answer with one JSON object")
	}
	if (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		return compact([]byte(t)), nil
	}
	var firstErr error
	tries := 0
	for i := 0; i < len(t) && tries < 32; i++ {
		if t[i] != '{' && t[i] != '[' {
			continue
		}
		tries++
		dec := json.NewDecoder(strings.NewReader(t[i:]))
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == nil {
			return compact(v), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		return nil, fmt.Errorf("the answer is not JSON (no { found): %.80q…: answer with one JSON object and nothing else", t)
	}
	return nil, fmt.Errorf("the answer is not valid JSON (%v): answer with one complete JSON object and nothing else", firstErr)
}

func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
