package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// Schema is a compiled JSON schema that validates tool arguments and results.
type Schema struct {
	resolved *jsonschema.Resolved
}

// CompileSchema compiles a JSON schema document.
func CompileSchema(raw json.RawMessage) (*Schema, error) {
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	r, err := s.Resolve(nil)
	if err != nil {
		return nil, fmt.Errorf("resolve schema: %w", err)
	}
	return &Schema{resolved: r}, nil
}

// ValidationError says which field of a document broke its schema and how.
type ValidationError struct {
	Field   string // dotted path such as "store" or "items[].qty"; empty for the whole document
	Problem string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Problem)
}

// Validate checks doc against the schema. An empty doc counts as {}. The
// error is a *ValidationError naming the field and what was expected.
func (s *Schema) Validate(doc json.RawMessage) error {
	if len(bytes.TrimSpace(doc)) == 0 {
		doc = json.RawMessage("{}")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return &ValidationError{Problem: fmt.Sprintf("not valid JSON: %v", err)}
	}
	v = plainNumbers(v)
	if err := s.resolved.Validate(v); err != nil {
		return explain(err.Error())
	}
	return nil
}

// plainNumbers turns json.Number into int64 when integral and float64
// otherwise, so that "integer" checks see 3 rather than 3.0.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	}
	return v
}

// explain turns jsonschema-go's nested "validating /properties/a: …" message
// into the innermost field and its problem.
func explain(msg string) *ValidationError {
	msg = strings.TrimPrefix(msg, "validating root: ")
	path := ""
	for {
		rest, ok := strings.CutPrefix(msg, "validating ")
		if !ok {
			break
		}
		p, problem, ok := strings.Cut(rest, ": ")
		if !ok {
			break
		}
		path, msg = p, problem
	}
	field := strings.ReplaceAll(path, "/properties/", ".")
	field = strings.ReplaceAll(field, "/items", "[]")
	field = strings.TrimPrefix(field, ".")
	problem := msg
	switch {
	case strings.HasPrefix(msg, "required: missing properties: "):
		problem = "missing required " + strings.TrimPrefix(msg, "required: missing properties: ")
	case strings.HasPrefix(msg, "unexpected additional properties "):
		names := strings.TrimPrefix(msg, "unexpected additional properties ")
		problem = "unknown field, not in the schema"
		var list []string
		if json.Unmarshal([]byte(names), &list) == nil && len(list) > 0 {
			field = strings.TrimPrefix(field+"."+list[0], ".")
			if len(list) > 1 {
				problem = fmt.Sprintf("unknown fields %s, not in the schema", names)
			}
		}
	case strings.HasPrefix(msg, "type: "):
		problem = "wrong type: " + strings.TrimPrefix(msg, "type: ")
	}
	return &ValidationError{Field: field, Problem: problem}
}
