package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// Outcomes of a generation (the same words as tools.Generation's).
const (
	OutcomeLLM      = tools.OutcomeLLM      // the model's first answer passed every check
	OutcomeRepaired = tools.OutcomeRepaired // an answer passed after re-asking with the errors
	OutcomeFallback = tools.OutcomeFallback // the fallback was used; Reason says why
)

// Reasons: why the model's answer was not used (fallback), what had to be
// repaired (repaired), or what was retried (llm). They label metrics, so
// they are a fixed set; Result.Detail says the rest in words.
const (
	ReasonNoProvider      = "no_provider"      // template mode
	ReasonInvalidJSON     = "invalid_json"     // the answer was not JSON
	ReasonSchema          = "schema"           // the JSON broke the schema
	ReasonGuard           = "guard"            // a banned word
	ReasonValidator       = "validator"        // a business rule
	ReasonTimeout         = "timeout"          // a call ran out of time
	ReasonRateLimited     = "rate_limited"     // 429, or the local rate limit had no room within the budget
	ReasonProviderDown    = "provider_down"    // 5xx
	ReasonProviderError   = "provider_error"   // another refusal (401, 400 …) or a network error
	ReasonBadResponse     = "bad_response"     // a 200 whose body is not the API's format
	ReasonBreakerOpen     = "breaker_open"     // the circuit breaker is open: no call made
	ReasonBudget          = "budget"           // no time left in the budget for another attempt
	ReasonCanceled        = "canceled"         // the caller gave up
	ReasonFallbackInvalid = "fallback_invalid" // the fallback failed its own checks (an error)
)

// ErrFallbackInvalid is wrapped by Generate's error when the fallback
// itself fails the schema, the guard or the validator: a bug in the
// template or the caller's fallback, which the error names.
var ErrFallbackInvalid = errors.New("fallback fails its own checks")

// Request asks for one structured output.
type Request struct {
	// Prompt is a prompt ref: campaign.push_copy@v1, or the id alone for
	// its highest version.
	Prompt string
	// Locale is ko or en (empty: ko).
	Locale string
	// Vars are the prompt's variables: a map, a struct or JSON.
	Vars any
	// Schema is the output's JSON schema; empty for the prompt's own.
	Schema json.RawMessage
	// Validate checks business rules on an output that passed the schema
	// and the guard, returning what is wrong in words a model can act on.
	Validate func(output json.RawMessage) []string
	// Guard replaces the generator's banned-word guard (Guard.Allowing).
	Guard *Guard
	// Fallback builds the output when the model fails or none is
	// configured. When nil, FallbackTemplate's (or else Prompt's) fallback
	// block is rendered with Vars.
	Fallback func(ctx context.Context) (json.RawMessage, error)
	// FallbackTemplate is the ref of a prompt whose fallback block to use.
	FallbackTemplate string
	// MaxAttempts bounds the calls to the model; 0 means llm.max_attempts.
	MaxAttempts int
	// RequestID and ConversationID go to the Recorder; RequestID defaults
	// to the request id in ctx (tools.WithRequestID).
	RequestID      string
	ConversationID string
}

// Result is a checked output and how it was obtained.
type Result struct {
	Output  json.RawMessage `json:"output"`
	Outcome string          `json:"outcome"`
	// Reason is one of the Reason constants: for fallback why the model's
	// answer was not used, for repaired what the first answer got wrong;
	// empty when the first answer passed.
	Reason string `json:"reason,omitempty"`
	// Detail says the reason in words ("HTTP 503 …", the schema error).
	Detail string `json:"detail,omitempty"`
	// Problems lists what was wrong with each rejected answer, in order.
	Problems []string `json:"problems,omitempty"`
	// Attempts counts the calls that reached the provider.
	Attempts int           `json:"attempts"`
	Prompt   string        `json:"prompt"` // the ref used
	Provider string        `json:"provider"`
	Model    string        `json:"model,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Generation converts the result to the tools contract's form.
func (r *Result) Generation() *tools.Generation {
	reason := r.Reason
	if r.Detail != "" {
		reason += ": " + r.Detail
	}
	return &tools.Generation{Output: r.Output, Outcome: r.Outcome, Reason: reason, Attempts: r.Attempts}
}

// Generator runs structured generations. It is safe for concurrent use.
type Generator struct {
	cfg      config.LLMConfig
	prompts  *prompts.Set
	guard    *Guard
	mode     string
	provider Provider
	limiter  *rate.Limiter
	breaker  *gobreaker.CircuitBreaker[*Reply]
	metrics  *Metrics
	recorder Recorder
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	schemas map[string]*tools.Schema
}

// Option configures New.
type Option func(*options)

type options struct {
	metrics  *Metrics
	recorder Recorder
	log      *slog.Logger
	registry *Registry
	provider Provider
	http     *http.Client
	getenv   func(string) string
	now      func() time.Time
}

// WithMetrics sets the Prometheus metrics (default: unregistered ones).
func WithMetrics(m *Metrics) Option { return func(o *options) { o.metrics = m } }

// WithRecorder records every generation (the host's SQL log).
func WithRecorder(r Recorder) Option { return func(o *options) { o.recorder = r } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegistry sets where providers are looked up (default Providers()).
func WithRegistry(r *Registry) Option { return func(o *options) { o.registry = r } }

// WithProvider uses p instead of building the configured provider;
// cfg.Provider still names it (for metrics and Mode) and must be set.
func WithProvider(p Provider) Option { return func(o *options) { o.provider = p } }

// WithHTTPClient sets the HTTP client of the built-in providers.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.http = c } }

// WithGetenv sets how the API key's environment variable is read
// (default os.Getenv).
func WithGetenv(f func(string) string) Option { return func(o *options) { o.getenv = f } }

// WithClock sets the clock that stamps records (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New returns a generator for cfg (zero values take their defaults) over
// the prompt set. Nothing is sent over the network here.
func New(cfg config.LLMConfig, set *prompts.Set, opts ...Option) (*Generator, error) {
	if set == nil {
		return nil, errors.New("llm: a prompt set is required (prompts.Load())")
	}
	o := options{getenv: os.Getenv, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.BannedDir != "" {
		var err error
		if set, err = withBannedDir(set, cfg.BannedDir); err != nil {
			return nil, err
		}
	}
	g := &Generator{
		cfg: cfg, prompts: set, guard: GuardFromPrompts(set), mode: "template",
		metrics: o.metrics, recorder: o.recorder, log: o.log, now: o.now,
		schemas: map[string]*tools.Schema{},
	}
	if g.metrics == nil {
		g.metrics = NewMetrics(nil)
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Provider == "" {
		if o.provider != nil {
			return nil, errors.New("llm: WithProvider needs llm.provider set to name it")
		}
		return g, nil
	}
	g.mode = cfg.Provider
	g.provider = o.provider
	if g.provider == nil {
		reg := o.registry
		if reg == nil {
			reg = Providers()
		}
		factory, ok := reg.Lookup(cfg.Provider)
		if !ok {
			return nil, fmt.Errorf("llm.provider %q: not registered (known: %s)", cfg.Provider, strings.Join(reg.Names(), ", "))
		}
		pc := ProviderConfig{Name: cfg.Provider, Model: cfg.Model, BaseURL: cfg.BaseURL, JSONMode: cfg.JSONMode, HTTPClient: o.http}
		if cfg.APIKeyEnv != "" {
			pc.APIKey = o.getenv(cfg.APIKeyEnv)
		}
		p, err := factory(pc)
		if err != nil {
			return nil, fmt.Errorf("llm provider %s: %w", cfg.Provider, err)
		}
		g.provider = p
	}
	g.limiter = rate.NewLimiter(rate.Limit(float64(cfg.RatePerMinute)/60), cfg.Burst)
	g.metrics.breaker.WithLabelValues(cfg.Provider).Set(0)
	g.breaker = gobreaker.NewCircuitBreaker[*Reply](gobreaker.Settings{
		Name:        cfg.Provider,
		MaxRequests: 1,
		Timeout:     cfg.BreakerCooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(cfg.BreakerFailures) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			g.metrics.breaker.WithLabelValues(name).Set(float64(to))
			g.log.Warn("llm circuit breaker", "provider", name, "from", from.String(), "to", to.String())
		},
		// The caller giving up says nothing about the provider.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
	})
	return g, nil
}

// withBannedDir replaces the set's banned lists with dir's <locale>.txt.
func withBannedDir(set *prompts.Set, dir string) (*prompts.Set, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("llm.banned_dir %q: not a directory (it should hold ko.txt and/or en.txt, one banned word per line)", dir)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		return nil, fmt.Errorf("llm.banned_dir %q: no <locale>.txt files (ko.txt, en.txt)", dir)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("llm.banned_dir: %w", err)
		}
		words, err := prompts.ParseBanned(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("llm.banned_dir: read %s: %w", f, err)
		}
		set = set.WithBanned(strings.TrimSuffix(filepath.Base(f), ".txt"), words)
	}
	return set, nil
}

// Mode is "template" without a provider, else the provider's name.
func (g *Generator) Mode() string { return g.mode }

// Model is the configured model ("" in template mode).
func (g *Generator) Model() string {
	if g.provider == nil {
		return ""
	}
	return g.cfg.Model
}

// Prompts returns the prompt set in use (with any banned-word override).
func (g *Generator) Prompts() *prompts.Set { return g.prompts }

// Guard returns the banned-word guard.
func (g *Generator) Guard() *Guard { return g.guard }

// Config returns the configuration in force, defaults applied.
func (g *Generator) Config() config.LLMConfig { return g.cfg }

// BreakerState is closed, half-open or open ("" in template mode).
func (g *Generator) BreakerState() string {
	if g.breaker == nil {
		return ""
	}
	return g.breaker.State().String()
}

// Generate produces one checked output for req; see the package doc. The
// error is for the caller's own mistakes (unknown prompt, no schema, bad
// variables) and for a fallback that fails its own checks; a failing
// model is not an error, it is the fallback outcome.
func (g *Generator) Generate(ctx context.Context, req *Request) (*Result, error) {
	start := time.Now()
	res := &Result{Provider: g.mode, Model: g.Model()}
	p, err := g.prompts.Prompt(req.Prompt)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	res.Prompt = p.Ref()
	locale := req.Locale
	switch locale {
	case "":
		locale = "ko"
	case "ko", "en":
	default:
		return nil, fmt.Errorf("generate %s: locale %q: want ko or en", res.Prompt, req.Locale)
	}
	schemaRaw := req.Schema
	if len(schemaRaw) == 0 {
		schemaRaw = p.Schema
	}
	if len(schemaRaw) == 0 {
		return nil, fmt.Errorf("generate %s: no output schema: write llm/%s.schema.json in prompts or pass Request.Schema", res.Prompt, res.Prompt)
	}
	schema, err := g.compile(schemaRaw)
	if err != nil {
		return nil, fmt.Errorf("generate %s: output schema: %w", res.Prompt, err)
	}
	guard := req.Guard
	if guard == nil {
		guard = g.guard
	}
	chk := &checker{schema: schema, guard: guard, validate: req.Validate}
	in := prompts.Input{Locale: locale, Vars: req.Vars, Schema: schemaRaw}

	budget, cancel := context.WithTimeout(ctx, g.cfg.Budget)
	defer cancel()

	if g.provider == nil {
		res.Reason, res.Detail = ReasonNoProvider, "template mode: no llm.provider configured"
	} else {
		rendered, err := g.prompts.RenderPrompt(req.Prompt, in)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		if g.attempts(budget, start, req, rendered, in, chk, res) {
			return g.finish(ctx, req, res, start), nil
		}
	}

	// The fallback runs on the caller's context: the budget's remainder
	// was kept for it, and it is local work.
	out, err := g.fallback(ctx, req, in)
	if err != nil {
		if errors.Is(err, prompts.ErrNoFallback) {
			err = fmt.Errorf("%w: write a {{define \"fallback\"}} block in prompts llm/%s.%s.tmpl, or pass Request.Fallback", err, res.Prompt, locale)
		}
		g.fail(ctx, req, res, start, err.Error())
		return nil, fmt.Errorf("generate %s: fallback: %w", res.Prompt, err)
	}
	if _, problems := chk.check(out); len(problems) > 0 {
		why := strings.Join(problemTexts(problems), "; ")
		g.fail(ctx, req, res, start, fmt.Sprintf("%s (%s): %s", ErrFallbackInvalid, g.fallbackName(req), why))
		return nil, fmt.Errorf("generate %s: %w: the fallback from %s: %s", res.Prompt, ErrFallbackInvalid, g.fallbackName(req), why)
	}
	res.Output, res.Outcome = out, OutcomeFallback
	return g.finish(ctx, req, res, start), nil
}

// attempts asks the model until an answer passes or attempts, time or the
// provider run out; it reports whether res now holds a passing output.
// On failure res.Reason is why the last try failed; on repair it is what
// the first bad answer got wrong.
func (g *Generator) attempts(budget context.Context, start time.Time, req *Request, rendered *prompts.Rendered, in prompts.Input, chk *checker, res *Result) bool {
	maxAttempts := req.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = g.cfg.MaxAttempts
	}
	// Keep a slice of the budget (or of the caller's deadline, if sooner)
	// for the fallback.
	end := start.Add(g.cfg.Budget)
	if d, ok := budget.Deadline(); ok && d.Before(end) {
		end = d
	}
	reserve := min(max(end.Sub(start)/10, 50*time.Millisecond), time.Second)
	llmCtx, cancel := context.WithDeadline(budget, end.Add(-reserve))
	defer cancel()

	var firstBad, lastCode, lastDetail string
	var firstDetail string
	fail := func(code, detail string) bool {
		res.Reason, res.Detail = code, detail
		return false
	}
	msgs := []Message{{Role: "user", Content: rendered.User}}
	for calls := 0; calls < maxAttempts; {
		if llmCtx.Err() != nil {
			if budget.Err() != nil && errors.Is(context.Cause(budget), context.Canceled) {
				return fail(ReasonCanceled, "the caller canceled the request")
			}
			if lastCode == "" {
				return fail(ReasonBudget, fmt.Sprintf("no time left in the %s budget for a call", g.cfg.Budget))
			}
			return fail(lastCode, lastDetail+fmt.Sprintf("; no time left in the %s budget for another attempt", g.cfg.Budget))
		}
		if err := g.limiter.Wait(llmCtx); err != nil {
			if budget.Err() != nil && errors.Is(context.Cause(budget), context.Canceled) {
				return fail(ReasonCanceled, "the caller canceled the request")
			}
			g.metrics.calls.WithLabelValues(g.mode, ReasonRateLimited).Inc()
			return fail(ReasonRateLimited, fmt.Sprintf("the local rate limit (%d calls/min, burst %d) has no room within the %s budget", g.cfg.RatePerMinute, g.cfg.Burst, g.cfg.Budget))
		}
		callCtx, cancelCall := context.WithTimeout(llmCtx, g.cfg.Timeout)
		t0 := time.Now()
		reply, err := g.breaker.Execute(func() (*Reply, error) {
			return g.provider.Complete(callCtx, &Completion{
				System: rendered.System, Messages: msgs, Schema: rendered.Schema,
				SchemaName: strings.NewReplacer(".", "_", "@", "_").Replace(rendered.Ref), MaxTokens: g.cfg.MaxTokens,
			})
		})
		cancelCall()
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			g.metrics.calls.WithLabelValues(g.mode, ReasonBreakerOpen).Inc()
			return fail(ReasonBreakerOpen, fmt.Sprintf("the circuit breaker for %s is open after %d consecutive failed calls; it lets a call through again after %s", g.mode, g.cfg.BreakerFailures, g.cfg.BreakerCooldown))
		}
		calls++
		res.Attempts++
		g.metrics.callLatency.WithLabelValues(g.mode).Observe(time.Since(t0).Seconds())
		if err != nil {
			var pe *ProviderError
			if !errors.As(err, &pe) {
				pe = &ProviderError{Provider: g.mode, Err: err}
			}
			if budget.Err() != nil && errors.Is(context.Cause(budget), context.Canceled) {
				return fail(ReasonCanceled, "the caller canceled the request")
			}
			lastCode, lastDetail = pe.reason(), pe.Error()
			g.metrics.calls.WithLabelValues(g.mode, lastCode).Inc()
			res.Problems = append(res.Problems, lastDetail)
			if !pe.retryable() {
				return fail(lastCode, lastDetail)
			}
			wait := pe.RetryAfter
			if wait > 0 {
				if dl, _ := llmCtx.Deadline(); time.Until(dl) < wait {
					return fail(lastCode, lastDetail+fmt.Sprintf("; the wait it asks for does not fit the %s budget", g.cfg.Budget))
				}
			} else {
				// A short back-off, doubling, so that a struggling provider
				// is not hit again at once.
				wait = min(100*time.Millisecond<<(calls-1), time.Second)
			}
			select {
			case <-time.After(wait):
			case <-llmCtx.Done():
			}
			continue // the same conversation again
		}
		g.metrics.calls.WithLabelValues(g.mode, "ok").Inc()
		if reply.Model != "" {
			res.Model = reply.Model
		}
		out, problems := chk.parseAndCheck(reply.Text)
		if len(problems) == 0 {
			res.Output = out
			switch {
			case firstBad != "":
				res.Outcome, res.Reason, res.Detail = OutcomeRepaired, firstBad, firstDetail
			default:
				// Passed at the first answer, perhaps after retried calls.
				res.Outcome, res.Reason, res.Detail = OutcomeLLM, lastCode, lastDetail
			}
			return true
		}
		texts := problemTexts(problems)
		lastCode, lastDetail = problems[0].code, strings.Join(texts, "; ")
		if firstBad == "" {
			firstBad, firstDetail = lastCode, lastDetail
		}
		res.Problems = append(res.Problems, lastDetail)
		repair, err := g.prompts.RenderRepair(req.Prompt, prompts.Input{Locale: in.Locale, Vars: in.Vars, Schema: in.Schema, Errors: texts})
		if err != nil {
			g.log.Error("render repair", "prompt", rendered.Ref, "err", err)
			repair = "Fix these problems and answer with the JSON object only:\n- " + strings.Join(texts, "\n- ")
		}
		msgs = append(msgs, Message{Role: "assistant", Content: truncate(reply.Text, 8000)}, Message{Role: "user", Content: repair})
	}
	return fail(lastCode, lastDetail+fmt.Sprintf(" (after %d attempts)", res.Attempts))
}

func (g *Generator) fallback(ctx context.Context, req *Request, in prompts.Input) (json.RawMessage, error) {
	if req.Fallback != nil {
		out, err := req.Fallback(ctx)
		if err != nil {
			return nil, err
		}
		if !json.Valid(out) {
			return nil, fmt.Errorf("%w (%s): not valid JSON: %.200s", ErrFallbackInvalid, g.fallbackName(req), out)
		}
		return compact(out), nil
	}
	ref := req.FallbackTemplate
	if ref == "" {
		ref = req.Prompt
	}
	return g.prompts.RenderFallback(ref, in)
}

func (g *Generator) fallbackName(req *Request) string {
	switch {
	case req.Fallback != nil:
		return "the caller's fallback function"
	case req.FallbackTemplate != "":
		return "template " + req.FallbackTemplate + " (fallback block)"
	}
	return "template " + req.Prompt + " (fallback block)"
}

// finish records a successful generation and returns it.
func (g *Generator) finish(ctx context.Context, req *Request, res *Result, start time.Time) *Result {
	res.Duration = time.Since(start)
	g.metrics.generations.WithLabelValues(res.Prompt, res.Outcome, res.Reason).Inc()
	g.metrics.latency.WithLabelValues(res.Prompt, res.Outcome).Observe(res.Duration.Seconds())
	g.record(ctx, req, res)
	if res.Outcome != OutcomeLLM && res.Reason != ReasonNoProvider {
		g.log.InfoContext(ctx, "generation", "prompt", res.Prompt, "outcome", res.Outcome, "reason", res.Reason, "detail", res.Detail, "attempts", res.Attempts, "ms", res.Duration.Milliseconds())
	}
	return res
}

// fail records a generation whose fallback failed.
func (g *Generator) fail(ctx context.Context, req *Request, res *Result, start time.Time, detail string) {
	res.Duration = time.Since(start)
	res.Outcome, res.Reason, res.Detail = "error", ReasonFallbackInvalid, detail
	g.metrics.generations.WithLabelValues(res.Prompt, res.Outcome, res.Reason).Inc()
	g.metrics.latency.WithLabelValues(res.Prompt, res.Outcome).Observe(res.Duration.Seconds())
	g.record(ctx, req, res)
	g.log.ErrorContext(ctx, "generation failed", "prompt", res.Prompt, "detail", detail)
}

func (g *Generator) record(ctx context.Context, req *Request, res *Result) {
	if g.recorder == nil {
		return
	}
	id := req.RequestID
	if id == "" {
		id = tools.RequestIDFrom(ctx)
	}
	rec := &Record{
		RequestID: id, ConversationID: req.ConversationID, Prompt: res.Prompt, Locale: req.Locale,
		Outcome: res.Outcome, Reason: res.Reason, Detail: res.Detail, Problems: res.Problems,
		Attempts: res.Attempts, Provider: res.Provider, Model: res.Model, Duration: res.Duration,
		Output: res.Output, At: g.now(),
	}
	// Recording must not fail the answer; a canceled ctx must not lose it.
	if err := g.recorder.RecordGeneration(context.WithoutCancel(ctx), rec); err != nil {
		g.log.ErrorContext(ctx, "record generation", "prompt", res.Prompt, "err", err)
	}
}

// compile compiles a schema once per distinct document.
func (g *Generator) compile(raw json.RawMessage) (*tools.Schema, error) {
	key := string(raw)
	g.mu.Lock()
	defer g.mu.Unlock()
	if s, ok := g.schemas[key]; ok {
		return s, nil
	}
	s, err := tools.CompileSchema(raw)
	if err != nil {
		return nil, err
	}
	if len(g.schemas) >= 256 { // plugins may send many; keep memory bounded
		clear(g.schemas)
	}
	g.schemas[key] = s
	return s, nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
