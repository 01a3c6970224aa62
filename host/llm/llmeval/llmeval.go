// Package llmeval is the adversarial evaluation of structured generation
// (`crumb eval llm`): it runs many generations against fake OpenAI,
// Anthropic and Ollama servers (package llmtest) that answer with invalid
// JSON, prose around the JSON, wrong types, five or seven plans, banned
// words (plain, spaced out, in mixed case, full-width), 429s, 5xx, hangs
// and slow bodies, and checks every delivered output again, independently:
// the goal is that none fails its schema, the guard or its validator.
package llmeval

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

//go:embed evaldata/llm/*
var evaldata embed.FS

// FS holds the evaluation's prompts (eval.event_plan@v1, eval.push_copy@v1)
// laid out for prompts.WithFS.
func FS() fs.FS {
	sub, _ := fs.Sub(evaldata, "evaldata")
	return sub
}

// Options configure a run.
type Options struct {
	// Cases is the number of generations (default 1000).
	Cases int
	// Seed makes the run reproducible.
	Seed uint64
	// Concurrency is the number of generations in flight (default 16).
	Concurrency int
	// LLM is the generator configuration; zero values get evaluation
	// defaults (short time-outs so that hangs cost little).
	LLM config.LLMConfig
}

// Report is the outcome of a run.
type Report struct {
	Cases    int            `json:"cases"`
	Calls    int            `json:"provider_calls"`
	Outcomes map[string]int `json:"outcomes"`
	// Delivered outputs that fail, checked again after Generate returned.
	// The goal is 0 for each.
	FailSchema    int `json:"delivered_failing_schema"`
	FailGuard     int `json:"delivered_failing_guard"`
	FailValidator int `json:"delivered_failing_validator"`
	Errors        int `json:"errors"`
	// SharePassed is llm / cases, ShareRepaired repaired / cases,
	// ShareFallback fallback / cases.
	SharePassed   float64 `json:"share_llm"`
	ShareRepaired float64 `json:"share_repaired"`
	ShareFallback float64 `json:"share_fallback"`
	// Latencies of Generate, milliseconds.
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	// BudgetMS is the configured budget of one generation.
	BudgetMS   float64 `json:"budget_ms"`
	OverBudget int     `json:"over_budget"`
	// Reasons counts fallback reasons.
	Reasons map[string]int `json:"fallback_reasons"`
	// Behaviours breaks outcomes down by the first step's behaviour.
	Behaviours []BehaviourRow `json:"behaviours"`
	// ByFormat breaks outcomes down by wire format.
	ByFormat map[string]map[string]int `json:"by_format"`
	// Failures describes the first few delivered outputs that failed.
	Failures []string `json:"failures,omitempty"`
	Seconds  float64  `json:"seconds"`
}

// BehaviourRow is one behaviour's outcomes.
type BehaviourRow struct {
	Behaviour string `json:"behaviour"`
	Cases     int    `json:"cases"`
	LLM       int    `json:"llm"`
	Repaired  int    `json:"repaired"`
	Fallback  int    `json:"fallback"`
	Errors    int    `json:"errors"`
}

type caseKey struct{}

// caseTransport tags each request with the case it belongs to, so that one
// fake server can script many conversations at once.
type caseTransport struct{ base http.RoundTripper }

func (t caseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if id, ok := r.Context().Value(caseKey{}).(string); ok {
		r = r.Clone(r.Context())
		r.Header.Set("X-Eval-Case", id)
	}
	return t.base.RoundTrip(r)
}

// Run runs the evaluation.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Cases <= 0 {
		o.Cases = 1000
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	cfg := o.LLM
	cfg.Model = cmpOr(cfg.Model, "eval-model")
	cfg.APIKeyEnv = "EVAL_KEY"
	if cfg.Timeout == 0 {
		cfg.Timeout = 300 * time.Millisecond
	}
	if cfg.Budget == 0 {
		cfg.Budget = 1500 * time.Millisecond
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute, cfg.Burst = 60000, 200
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = 8
	}
	if cfg.BreakerCooldown == 0 {
		cfg.BreakerCooldown = 300 * time.Millisecond
	}
	set, err := prompts.Load(prompts.WithFS(FS()))
	if err != nil {
		return nil, err
	}
	guard := llm.GuardFromPrompts(set)

	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	cases := make([]*evalCase, o.Cases)
	for i := range cases {
		cases[i] = newCase(rng, i)
	}
	byID := map[string]*evalCase{}
	for _, c := range cases {
		byID[c.id] = c
	}
	script := func(r *llmtest.Request) llmtest.Step {
		c := byID[r.Case]
		if c == nil {
			return llmtest.Status(http.StatusBadRequest)
		}
		return c.steps[min(r.N, len(c.steps)-1)]
	}
	servers := map[string]*llmtest.Server{}
	gens := map[string]*llm.Generator{}
	client := &http.Client{Transport: caseTransport{base: http.DefaultTransport}}
	for _, f := range []string{llmtest.OpenAI, llmtest.Anthropic, llmtest.Ollama} {
		srv := llmtest.New(f, script)
		defer srv.Close()
		servers[f] = srv
		c := cfg
		c.Provider, c.BaseURL = f, srv.BaseURL()
		g, err := llm.New(c, set, llm.WithHTTPClient(client), llm.WithGetenv(func(string) string { return "eval-key" }))
		if err != nil {
			return nil, err
		}
		gens[f] = g
	}

	schemas := map[string]*tools.Schema{}
	for _, ref := range []string{"eval.event_plan@v1", "eval.push_copy@v1", "chat.answer@v1"} {
		p, err := set.Prompt(ref)
		if err != nil {
			return nil, err
		}
		if schemas[ref], err = tools.CompileSchema(p.Schema); err != nil {
			return nil, err
		}
	}

	type outcome struct {
		c   *evalCase
		res *llm.Result
		err error
		dur time.Duration
	}
	results := make([]outcome, len(cases))
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.Concurrency)
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cctx := context.WithValue(ctx, caseKey{}, c.id)
			t0 := time.Now()
			res, err := gens[c.format].Generate(cctx, c.request(guard))
			results[i] = outcome{c: c, res: res, err: err, dur: time.Since(t0)}
		}()
	}
	wg.Wait()

	rep := &Report{Cases: len(cases), Outcomes: map[string]int{}, Reasons: map[string]int{},
		ByFormat: map[string]map[string]int{}, BudgetMS: ms(cfg.Budget), Seconds: time.Since(start).Seconds()}
	rows := map[string]*BehaviourRow{}
	var durs []float64
	for _, r := range results {
		durs = append(durs, ms(r.dur))
		if r.dur > cfg.Budget {
			rep.OverBudget++
		}
		row := rows[r.c.behaviour]
		if row == nil {
			row = &BehaviourRow{Behaviour: r.c.behaviour}
			rows[r.c.behaviour] = row
		}
		row.Cases++
		if rep.ByFormat[r.c.format] == nil {
			rep.ByFormat[r.c.format] = map[string]int{}
		}
		if r.err != nil {
			rep.Errors++
			row.Errors++
			rep.Outcomes["error"]++
			rep.ByFormat[r.c.format]["error"]++
			if len(rep.Failures) < 10 {
				rep.Failures = append(rep.Failures, fmt.Sprintf("case %s (%s): error %v", r.c.id, r.c.behaviour, r.err))
			}
			continue
		}
		rep.Outcomes[r.res.Outcome]++
		rep.ByFormat[r.c.format][r.res.Outcome]++
		switch r.res.Outcome {
		case llm.OutcomeLLM:
			row.LLM++
		case llm.OutcomeRepaired:
			row.Repaired++
		case llm.OutcomeFallback:
			row.Fallback++
			rep.Reasons[r.res.Reason]++
		}
		// Check the delivered output again, independently of Generate.
		fail := func(what string) {
			if len(rep.Failures) < 10 {
				rep.Failures = append(rep.Failures, fmt.Sprintf("case %s (%s, %s): %s: %s", r.c.id, r.c.behaviour, r.res.Outcome, what, r.res.Output))
			}
		}
		if err := schemas[r.c.prompt].Validate(r.res.Output); err != nil {
			rep.FailSchema++
			fail("schema: " + err.Error())
		}
		if vs := guard.CheckJSON(r.res.Output); len(vs) > 0 {
			rep.FailGuard++
			fail("guard: " + vs[0].String())
		}
		if r.c.validate != nil {
			if msgs := r.c.validate(r.res.Output); len(msgs) > 0 {
				rep.FailValidator++
				fail("validator: " + strings.Join(msgs, "; "))
			}
		}
	}
	for _, s := range servers {
		rep.Calls += s.Count()
	}
	n := float64(rep.Cases)
	rep.SharePassed = float64(rep.Outcomes[llm.OutcomeLLM]) / n
	rep.ShareRepaired = float64(rep.Outcomes[llm.OutcomeRepaired]) / n
	rep.ShareFallback = float64(rep.Outcomes[llm.OutcomeFallback]) / n
	sort.Float64s(durs)
	rep.P50MS, rep.P99MS, rep.MaxMS = quantile(durs, 0.5), quantile(durs, 0.99), durs[len(durs)-1]
	for _, r := range rows {
		rep.Behaviours = append(rep.Behaviours, *r)
	}
	slices.SortFunc(rep.Behaviours, func(a, b BehaviourRow) int { return strings.Compare(a.Behaviour, b.Behaviour) })
	return rep, nil
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Table writes the report as the text table `crumb eval llm` prints.
func (r *Report) Table() string {
	var b strings.Builder
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	fmt.Fprintf(&b, "generations           %d (%d provider calls, %.1fs)\n", r.Cases, r.Calls, r.Seconds)
	fmt.Fprintf(&b, "delivered, bad schema %d\n", r.FailSchema)
	fmt.Fprintf(&b, "delivered, banned     %d\n", r.FailGuard)
	fmt.Fprintf(&b, "delivered, bad rules  %d\n", r.FailValidator)
	fmt.Fprintf(&b, "errors                %d\n", r.Errors)
	fmt.Fprintf(&b, "llm                   %d (%s)\n", r.Outcomes[llm.OutcomeLLM], pct(r.SharePassed))
	fmt.Fprintf(&b, "repaired              %d (%s)\n", r.Outcomes[llm.OutcomeRepaired], pct(r.ShareRepaired))
	fmt.Fprintf(&b, "fallback              %d (%s)\n", r.Outcomes[llm.OutcomeFallback], pct(r.ShareFallback))
	fmt.Fprintf(&b, "latency p50 / p99     %.1f / %.1f ms (max %.1f, budget %.0f, over budget %d)\n", r.P50MS, r.P99MS, r.MaxMS, r.BudgetMS, r.OverBudget)
	var reasons []string
	for k := range r.Reasons {
		reasons = append(reasons, k)
	}
	slices.Sort(reasons)
	b.WriteString("fallback reasons     ")
	for _, k := range reasons {
		fmt.Fprintf(&b, " %s %d;", k, r.Reasons[k])
	}
	b.WriteString("\n\nBEHAVIOUR (first answer)      CASES  LLM  REPAIRED  FALLBACK  ERRORS\n")
	for _, row := range r.Behaviours {
		fmt.Fprintf(&b, "%-29s %5d %4d %9d %9d %7d\n", row.Behaviour, row.Cases, row.LLM, row.Repaired, row.Fallback, row.Errors)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "FAILURE: %s\n", f)
	}
	return b.String()
}

// MarshalJSON keeps the report's field order.
func (r *Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }
