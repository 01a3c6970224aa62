package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
)

// Tool is one capability a plugin offers: a description and a Run method.
type Tool interface {
	Info() ToolInfo
	// Run executes the tool. Args have been validated against the input
	// schema by the host. A failure the user can act on (unknown store, no
	// data for that day) is returned as a Result with Failure set; an error
	// means a fault in the plugin or the host.
	Run(ctx context.Context, call *Call, args json.RawMessage) (*Result, error)
}

// CallInfo says who is calling and when.
type CallInfo struct {
	RequestID      string
	User           string
	Role           string
	Locale         string // ko or en
	ConversationID string
	// Now is the host's clock at the call; tools use it instead of time.Now
	// so that answers are reproducible.
	Now time.Time
}

// Call is the context of one tool invocation inside a plugin.
type Call struct {
	CallInfo
	// Host is the HostAPI, limited to the plugin's capabilities.
	Host HostAPI
}

// Result is what a tool returns.
type Result struct {
	Output  json.RawMessage `json:"output,omitempty"`
	Display *Display        `json:"display,omitempty"`
	// Failure, when set, says why the tool could not answer, in words the
	// user can act on.
	Failure string `json:"failure,omitempty"`
}

// Failure is an error a tool returns for a problem the user can act on; the
// host shows its message instead of treating it as a fault.
type Failure struct{ Reason string }

func (f *Failure) Error() string { return f.Reason }

// Failf returns a *Failure with a formatted reason.
func Failf(format string, args ...any) error {
	return &Failure{Reason: fmt.Sprintf(format, args...)}
}

// ToolOption configures a tool made with NewTool.
type ToolOption func(*ToolInfo)

// WithIntent declares an intent the tool serves, with example utterances.
func WithIntent(name string, examples ...string) ToolOption {
	return func(ti *ToolInfo) { ti.Intents = append(ti.Intents, Intent{Name: name, Examples: examples}) }
}

// WithSubIntent declares a finer intent the tool serves, the canonical
// intent it refines (its parent), and example utterances: stock_lookup
// refines knowledge_qa. The host tells it from its siblings to choose the
// tool, and answers with the parent as the reply's intent.
func WithSubIntent(name, parent string, examples ...string) ToolOption {
	return func(ti *ToolInfo) {
		ti.Intents = append(ti.Intents, Intent{Name: name, Parent: parent, Examples: examples})
	}
}

// WithDescription gives the tool's description in another language (ko),
// for help texts; the description passed to NewTool is the English one.
func WithDescription(locale, description string) ToolOption {
	return func(ti *ToolInfo) {
		if ti.Descriptions == nil {
			ti.Descriptions = map[string]string{}
		}
		ti.Descriptions[locale] = description
	}
}

// NewTool makes a typed tool: In and Out are structs whose JSON schemas,
// derived with their json and jsonschema tags, become the tool's input and
// output schemas. Fields without omitempty are required. When Out
// implements Displayer the tool's result carries its display.
func NewTool[In, Out any](name, description string, fn func(ctx context.Context, call *Call, in In) (Out, error), opts ...ToolOption) Tool {
	in, err := schemaFor[In]()
	if err != nil {
		panic(fmt.Sprintf("tools: tool %s: input schema: %v", name, err))
	}
	out, err := schemaFor[Out]()
	if err != nil {
		panic(fmt.Sprintf("tools: tool %s: output schema: %v", name, err))
	}
	t := &typedTool[In, Out]{
		info: ToolInfo{Name: name, Description: description, InputSchema: in, OutputSchema: out},
		fn:   fn,
	}
	for _, o := range opts {
		o(&t.info)
	}
	return t
}

func schemaFor[T any]() (json.RawMessage, error) {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

type typedTool[In, Out any] struct {
	info ToolInfo
	fn   func(context.Context, *Call, In) (Out, error)
}

func (t *typedTool[In, Out]) Info() ToolInfo { return t.info }

func (t *typedTool[In, Out]) Run(ctx context.Context, call *Call, args json.RawMessage) (*Result, error) {
	var in In
	if len(bytes.TrimSpace(args)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(args))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return &Result{Failure: fmt.Sprintf("arguments of %s: %v", t.info.Name, err)}, nil
		}
	}
	out, err := t.fn(ctx, call, in)
	if err != nil {
		if f, ok := errors.AsType[*Failure](err); ok {
			return &Result{Failure: f.Reason}, nil
		}
		return nil, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode result of %s: %w", t.info.Name, err)
	}
	res := &Result{Output: raw}
	if d, ok := any(out).(Displayer); ok {
		res.Display = d.Display(call.Locale)
	}
	return res, nil
}
