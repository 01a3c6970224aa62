package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Provider is a language model behind an API. Implementations must be safe
// for concurrent use.
type Provider interface {
	// Complete sends one conversation and returns the model's text. A
	// failure of the API (status, network, time-out) is a *ProviderError.
	Complete(ctx context.Context, c *Completion) (*Reply, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context, c *Completion) (*Reply, error)

// Complete calls f.
func (f ProviderFunc) Complete(ctx context.Context, c *Completion) (*Reply, error) { return f(ctx, c) }

// Message is one turn of a conversation with the model.
type Message struct {
	Role    string // user or assistant
	Content string
}

// Completion is one call to a model.
type Completion struct {
	System   string
	Messages []Message
	// Schema is the JSON schema the answer must follow; SchemaName names it
	// for providers that want a name (OpenAI).
	Schema     json.RawMessage
	SchemaName string
	MaxTokens  int
}

// Reply is a model's answer.
type Reply struct {
	Text  string
	Model string
}

// ProviderConfig is what a provider is built from.
type ProviderConfig struct {
	Name     string // the registered name, for errors and metrics
	Model    string
	BaseURL  string
	APIKey   string
	JSONMode string // schema, object or off
	// HTTPClient makes every request; it carries no overall timeout (each
	// call has its own deadline).
	HTTPClient *http.Client
}

// Factory builds a provider.
type Factory func(cfg ProviderConfig) (Provider, error)

// Registry maps provider names to factories. Register panics on an empty
// or duplicate name, like database/sql.Register; tests build their own
// registry instead of changing a shared one.
type Registry struct {
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a factory under name.
func (r *Registry) Register(name string, f Factory) {
	if name == "" || f == nil {
		panic("llm: Register with an empty name or nil factory")
	}
	if _, dup := r.factories[name]; dup {
		panic("llm: Register called twice for provider " + name)
	}
	r.factories[name] = f
}

// Names lists the registered providers.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Lookup returns the factory of name.
func (r *Registry) Lookup(name string) (Factory, bool) {
	f, ok := r.factories[name]
	return f, ok
}

// Providers returns a new registry holding the built-in providers: openai
// (and every OpenAI-compatible server), anthropic and ollama.
func Providers() *Registry {
	r := NewRegistry()
	r.Register("openai", newOpenAI)
	r.Register("anthropic", newAnthropic)
	r.Register("ollama", newOllama)
	return r
}

// ProviderError is a failed call to a provider's API.
type ProviderError struct {
	Provider string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// RetryAfter is the wait the provider asked for (429, 503), 0 if none.
	RetryAfter time.Duration
	// Timeout is set when the call ran out of time.
	Timeout bool
	// Malformed is set when the API answered 200 with a body that is not
	// its wire format (not the model's text being bad: the envelope).
	Malformed bool
	Err       error
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.Provider)
	switch {
	case e.Timeout:
		b.WriteString("timed out")
	case e.Malformed:
		b.WriteString("malformed response")
	case e.Status != 0:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	default:
		b.WriteString("request failed")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		b.WriteString(" — check the API key in the environment variable named by llm.api_key_env")
	case e.Status == http.StatusNotFound:
		b.WriteString(" — check llm.model and llm.base_url")
	case e.Status == http.StatusBadRequest:
		b.WriteString(" — if the server rejects the JSON-schema response format, set llm.json_mode to object or off")
	}
	return b.String()
}

func (e *ProviderError) Unwrap() error { return e.Err }

// reason is the metric label of the failure.
func (e *ProviderError) reason() string {
	switch {
	case e.Timeout:
		return ReasonTimeout
	case e.Malformed:
		return ReasonBadResponse
	case e.Status == http.StatusTooManyRequests:
		return ReasonRateLimited
	case e.Status >= 500:
		return ReasonProviderDown
	default:
		return ReasonProviderError
	}
}

// retryable says whether asking again may help: time-outs, 429 and 5xx,
// not a bad key or a bad request.
func (e *ProviderError) retryable() bool {
	return e.Timeout || e.Status == 0 || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// callInfo collects what the HTTP layer saw during one provider call;
// langchaingo's clients turn a status into an error string, and the
// Retry-After header is lost on the way.
type callInfo struct {
	status     int
	retryAfter time.Duration
}

type callInfoKey struct{}

// observingTransport records the status and Retry-After of each response
// into the callInfo of the request's context.
type observingTransport struct {
	base http.RoundTripper
}

func (t observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if info, ok := req.Context().Value(callInfoKey{}).(*callInfo); ok && resp != nil {
		info.status = resp.StatusCode
		info.retryAfter = parseRetryAfter(resp.Header, time.Now())
	}
	return resp, err
}

// observe wraps the client so that provider errors can carry the status.
func observe(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{}
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cc := *c
	cc.Transport = observingTransport{base: base}
	return &cc
}

// parseRetryAfter reads retry-after-ms (OpenAI), then Retry-After in
// seconds or as an HTTP date.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// call runs one provider call with a callInfo in the context and turns a
// failure into a *ProviderError.
func call(ctx context.Context, name string, fn func(ctx context.Context) (*Reply, error)) (*Reply, error) {
	info := &callInfo{}
	reply, err := fn(context.WithValue(ctx, callInfoKey{}, info))
	if err == nil {
		return reply, nil
	}
	var pe *ProviderError
	if errors.As(err, &pe) {
		return nil, pe
	}
	pe = &ProviderError{Provider: name, Status: info.status, RetryAfter: info.retryAfter, Err: err}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		pe.Timeout = true
	}
	if info.status == http.StatusOK && !pe.Timeout {
		pe.Status, pe.Malformed = 0, true
	}
	return nil, pe
}
