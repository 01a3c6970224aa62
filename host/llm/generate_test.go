package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmeval"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

func loadPrompts(t testing.TB) *prompts.Set {
	t.Helper()
	set, err := prompts.Load(prompts.WithFS(llmeval.FS()))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

type env struct {
	gen *llm.Generator
	srv *llmtest.Server
	reg *prometheus.Registry
	rec *memRecorder
}

type memRecorder struct {
	mu   sync.Mutex
	recs []*llm.Record
}

func (m *memRecorder) RecordGeneration(_ context.Context, r *llm.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

func (m *memRecorder) last() *llm.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.recs) == 0 {
		return nil
	}
	return m.recs[len(m.recs)-1]
}

// setup starts a fake server of format with script and a generator
// configured for it; tune adjusts the configuration.
func setup(t *testing.T, format string, script llmtest.Script, tune func(*config.LLMConfig)) *env {
	t.Helper()
	srv := llmtest.New(format, script)
	t.Cleanup(srv.Close)
	cfg := config.LLMConfig{
		Provider: format, Model: "test-model", BaseURL: srv.BaseURL(), APIKeyEnv: "TEST_LLM_KEY",
		Timeout: 2 * time.Second, Budget: 5 * time.Second, MaxAttempts: 3,
	}
	if tune != nil {
		tune(&cfg)
	}
	e := &env{srv: srv, reg: prometheus.NewRegistry(), rec: &memRecorder{}}
	var err error
	e.gen, err = llm.New(cfg, loadPrompts(t),
		llm.WithMetrics(llm.NewMetrics(e.reg)), llm.WithRecorder(e.rec),
		llm.WithGetenv(func(name string) string {
			if name == "TEST_LLM_KEY" {
				return "sk-test-123"
			}
			return ""
		}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var pushVars = json.RawMessage(`{"item":"크루아상","store":"강남점","discount":30,"segment":"VIP"}`)

const goodPush = `{"headline":"크루아상 저녁 한정 혜택","push_text":"강남점 갓 구운 크루아상, 오늘 저녁 30% 할인으로 만나보세요.","action_line":"쿠폰 받기"}`

func pushRequest() *llm.Request {
	return &llm.Request{Prompt: "eval.push_copy", Locale: "ko", Vars: pushVars, Validate: func(out json.RawMessage) []string {
		if !strings.Contains(string(out), "크루아상") {
			return []string{"the item 크루아상 is the hook: name it in headline or push_text"}
		}
		return nil
	}}
}

func generate(t *testing.T, e *env, req *llm.Request) *llm.Result {
	t.Helper()
	res, err := e.gen.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOpenAIValid(t *testing.T) {
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.OK(goodPush)), nil)
	res := generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeLLM || res.Reason != "" || res.Attempts != 1 || string(res.Output) != goodPush {
		t.Fatalf("result %+v", res)
	}
	if res.Provider != "openai" || res.Prompt != "eval.push_copy@v1" || res.Model != "test-model" {
		t.Errorf("provenance %s %s %s", res.Provider, res.Prompt, res.Model)
	}
	r := e.srv.Requests()[0]
	if got := r.Header.Get("Authorization"); got != "Bearer sk-test-123" {
		t.Errorf("Authorization %q", got)
	}
	if r.Model != "test-model" || r.MaxTokens != 2048 {
		t.Errorf("model %q max tokens %d", r.Model, r.MaxTokens)
	}
	// The system prompt carries the negative instructions from the lists.
	for _, w := range []string{"폐기", "재고 처리", "waste", "expir…"} {
		if !strings.Contains(r.System, w) {
			t.Errorf("system prompt lacks banned word %q:\n%s", w, r.System)
		}
	}
	if !strings.Contains(r.LastUser(), "크루아상") {
		t.Errorf("user message %q", r.LastUser())
	}
	// response_format json_schema, strict (the schema is closed and fully required).
	var rf struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(r.ResponseFormat, &rf); err != nil {
		t.Fatal(err)
	}
	if rf.Type != "json_schema" || !rf.JSONSchema.Strict || rf.JSONSchema.Name != "eval_push_copy_v1" || !strings.Contains(string(rf.JSONSchema.Schema), `"push_text"`) {
		t.Errorf("response_format %s", r.ResponseFormat)
	}
	if rec := e.rec.last(); rec == nil || rec.Outcome != llm.OutcomeLLM || rec.Prompt != "eval.push_copy@v1" || string(rec.Output) != goodPush {
		t.Errorf("record %+v", rec)
	}
	if n := counter(t, e.reg, "crumb_llm_generations_total", map[string]string{"prompt": "eval.push_copy@v1", "outcome": "llm", "reason": ""}); n != 1 {
		t.Errorf("generations counter %v", n)
	}
}

func TestRepairs(t *testing.T) {
	bannedSpaced := strings.Replace(goodPush, "오늘 저녁", "폐 기 직전", 1)
	bannedMixed := strings.Replace(goodPush, "저녁 한정 혜택", "ZERO WaStE", 1)
	bannedWide := strings.Replace(goodPush, "저녁 한정 혜택", "ＷＡＳＴＥ", 1)
	cases := []struct {
		name       string
		first      string
		reason     string
		errorNames string // in the re-ask
	}{
		{"invalid json", goodPush[:40], llm.ReasonInvalidJSON, "not valid JSON"},
		{"wrong type", strings.Replace(goodPush, `"쿠폰 받기"`, `42`, 1), llm.ReasonSchema, `field "action_line"`},
		{"missing field", `{"headline":"크루아상","push_text":"크루아상 특가"}`, llm.ReasonSchema, "action_line"},
		{"extra field", strings.Replace(goodPush, `{`, `{"emoji":"🥐",`, 1), llm.ReasonSchema, "emoji"},
		{"too long", strings.Replace(goodPush, `쿠폰 받기`, strings.Repeat("쿠폰", 20), 1), llm.ReasonSchema, "action_line"},
		{"banned spaced", bannedSpaced, llm.ReasonGuard, `"폐 기"`},
		{"banned mixed case", bannedMixed, llm.ReasonGuard, `"WaStE"`},
		{"banned full width", bannedWide, llm.ReasonGuard, `"ＷＡＳＴＥ"`},
		{"business rule", `{"headline":"오늘 저녁 특가","push_text":"갓 구운 빵을 만나보세요.","action_line":"쿠폰 받기"}`, llm.ReasonValidator, "hook"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.OK(c.first), llmtest.OK(goodPush)), nil)
			res := generate(t, e, pushRequest())
			if res.Outcome != llm.OutcomeRepaired || res.Reason != c.reason || res.Attempts != 2 || string(res.Output) != goodPush {
				t.Fatalf("result %+v", res)
			}
			reqs := e.srv.Requests()
			second := reqs[1]
			if n := len(second.Messages); n != 3 || second.Messages[1].Role != "assistant" || second.Messages[1].Content != c.first {
				t.Fatalf("re-ask conversation %+v", second.Messages)
			}
			if !strings.Contains(second.LastUser(), c.errorNames) || !strings.Contains(second.LastUser(), "직전 답변에 다음 문제가 있습니다") {
				t.Errorf("re-ask does not list the error (%q):\n%s", c.errorNames, second.LastUser())
			}
			if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], c.errorNames) {
				t.Errorf("problems %q", res.Problems)
			}
		})
	}
}

func TestProseAroundJSON(t *testing.T) {
	for _, text := range []string{
		"Sure! Here it is:\n" + goodPush + "\nEnjoy.",
		"```json\n" + goodPush + "\n```",
	} {
		e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.OK(text)), nil)
		res := generate(t, e, pushRequest())
		if res.Outcome != llm.OutcomeLLM || string(res.Output) != goodPush {
			t.Errorf("%q: result %+v", text, res)
		}
	}
}

func TestAlwaysInvalidFallsBack(t *testing.T) {
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(
		llmtest.OK(`{"headline": 1}`),
		llmtest.OK(strings.Replace(goodPush, "저녁 한정 혜택", "재고처리", 1)),
		llmtest.OK(`not json at all`),
	), nil)
	res := generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeFallback || res.Attempts != 3 || e.srv.Count() != 3 {
		t.Fatalf("result %+v after %d calls", res, e.srv.Count())
	}
	if res.Reason != llm.ReasonInvalidJSON || len(res.Problems) != 3 || !strings.Contains(res.Problems[1], "재고 처리") {
		t.Errorf("reason %q problems %q", res.Reason, res.Problems)
	}
	want := `{"headline":"크루아상 오늘 저녁 특가","push_text":"강남점에서 갓 구운 크루아상을 30% 할인된 가격에 만나보세요.","action_line":"지금 쿠폰 받기"}`
	if string(res.Output) != want {
		t.Errorf("fallback %s\nwant %s", res.Output, want)
	}
}

func TestEventPlanCounts(t *testing.T) {
	set := loadPrompts(t)
	_ = set
	plan := func(n int, dupe bool) string {
		var ps []string
		i := 0
		for _, b := range []string{"low", "medium", "high"} {
			for _, c := range []string{"online", "offline"} {
				if dupe && i == 1 {
					c = "online"
				}
				cost := map[string]int{"low": 300000, "medium": 1000000, "high": 3000000}[b]
				ps = append(ps, fmt.Sprintf(`{"budget":%q,"type":%q,"title":"t%d","prize":"쿠폰","participation":"방문","expectedParticipants":100,"cost":%d,"roi":200}`, b, c, i, cost))
				i++
			}
		}
		for len(ps) < n {
			ps = append(ps, ps[0])
		}
		return `{"trends":{"industry":"a","location":"b","season":"c"},"recommendations":[` + strings.Join(ps[:n], ",") + `]}`
	}
	vars := json.RawMessage(`{"store":"강남점","region":"서울","purpose":"신규 고객","season":"겨울","past_events":[],"trends":{"industry":"a","location":"b","season":"c"},"plans":[]}`)
	for _, c := range []struct {
		name, first, reason string
	}{
		{"five plans", plan(5, false), llm.ReasonSchema},
		{"seven plans", plan(7, false), llm.ReasonSchema},
		{"a pair twice", plan(6, true), llm.ReasonValidator},
		{"float cost", strings.Replace(plan(6, false), `"cost":300000`, `"cost":300000.5`, 1), llm.ReasonSchema},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, llmtest.Anthropic, llmtest.Sequence(llmtest.OK(c.first), llmtest.OK(plan(6, false))), nil)
			res := generate(t, e, &llm.Request{Prompt: "eval.event_plan@v1", Locale: "en", Vars: vars, Validate: llmeval.ValidatePlans})
			if res.Outcome != llm.OutcomeRepaired || res.Reason != c.reason {
				t.Fatalf("result %+v", res)
			}
			var doc struct{ Recommendations []json.RawMessage }
			if err := json.Unmarshal(res.Output, &doc); err != nil || len(doc.Recommendations) != 6 {
				t.Errorf("output %s", res.Output)
			}
		})
	}
}

func TestAnthropic(t *testing.T) {
	e := setup(t, llmtest.Anthropic, llmtest.Sequence(llmtest.OK(goodPush)), nil)
	res := generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeLLM || string(res.Output) != goodPush || res.Model != "test-model" {
		t.Fatalf("result %+v", res)
	}
	r := e.srv.Requests()[0]
	if r.Header.Get("x-api-key") != "sk-test-123" || r.Header.Get("anthropic-version") != "2023-06-01" {
		t.Errorf("headers %v", r.Header)
	}
	// JSON through the prefill: the conversation ends with the assistant's "{".
	if n := len(r.Messages); n != 2 || r.Messages[1].Role != "assistant" || r.Messages[1].Content != "{" {
		t.Errorf("messages %+v", r.Messages)
	}
	if !strings.Contains(r.System, `"push_text"`) || !strings.Contains(r.System, "폐기") {
		t.Errorf("system prompt should carry the schema and the banned words:\n%s", r.System)
	}
	if r.MaxTokens != 2048 {
		t.Errorf("max_tokens %d", r.MaxTokens)
	}
}

func TestAnthropicErrors(t *testing.T) {
	e := setup(t, llmtest.Anthropic, llmtest.Sequence(llmtest.Status(529), llmtest.Status(529), llmtest.Status(529)), nil)
	res := generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeFallback || res.Reason != llm.ReasonProviderDown || res.Attempts != 3 {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Detail, "529") || !strings.Contains(res.Detail, "Overloaded") {
		t.Errorf("detail %q should carry the status and the API's message", res.Detail)
	}
	e = setup(t, llmtest.Anthropic, llmtest.Sequence(llmtest.Status(http.StatusUnauthorized)), nil)
	res = generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeFallback || res.Reason != llm.ReasonProviderError || res.Attempts != 1 {
		t.Fatalf("401 must not be retried: %+v", res)
	}
	if !strings.Contains(res.Detail, "invalid x-api-key") || !strings.Contains(res.Detail, "llm.api_key_env") {
		t.Errorf("detail %q should say how to fix it", res.Detail)
	}
}

func TestOllama(t *testing.T) {
	e := setup(t, llmtest.Ollama, llmtest.Sequence(llmtest.OK(goodPush)), nil)
	res := generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeLLM || string(res.Output) != goodPush {
		t.Fatalf("result %+v", res)
	}
	r := e.srv.Requests()[0]
	if !strings.Contains(string(r.ResponseFormat), `"push_text"`) || r.MaxTokens != 2048 {
		t.Errorf("format %s num_predict %d: want the JSON schema", r.ResponseFormat, r.MaxTokens)
	}
	e = setup(t, llmtest.Ollama, llmtest.Sequence(llmtest.Status(http.StatusNotFound)), nil)
	res = generate(t, e, pushRequest())
	if res.Outcome != llm.OutcomeFallback || res.Attempts != 1 || !strings.Contains(res.Detail, "not found") || !strings.Contains(res.Detail, "llm.model") {
		t.Errorf("404: %+v", res)
	}
}

func TestTemplateMode(t *testing.T) {
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	if gen.Mode() != "template" {
		t.Errorf("mode %q", gen.Mode())
	}
	res, err := gen.Generate(context.Background(), pushRequest())
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != llm.OutcomeFallback || res.Reason != llm.ReasonNoProvider || res.Attempts != 0 || res.Provider != "template" {
		t.Errorf("result %+v", res)
	}
	en := pushRequest()
	en.Locale, en.Vars = "en", json.RawMessage(`{"item":"Croissant","store":"Gangnam","discount":30,"segment":"VIP"}`)
	en.Validate = nil
	res, err = gen.Generate(context.Background(), en)
	if err != nil || !strings.Contains(string(res.Output), "Freshly baked Croissant at Gangnam, 30% off") {
		t.Errorf("en fallback %s %v", res.Output, err)
	}
}

func TestFallbackMustPassItsChecks(t *testing.T) {
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	req := pushRequest()
	req.Vars = json.RawMessage(`{"item":"떨이 크루아상","store":"강남점","discount":30,"segment":"VIP"}`)
	_, err = gen.Generate(context.Background(), req)
	if !errors.Is(err, llm.ErrFallbackInvalid) || !strings.Contains(err.Error(), "eval.push_copy") || !strings.Contains(err.Error(), "떨이") {
		t.Errorf("err = %v, want ErrFallbackInvalid naming the template and the word", err)
	}
	req = pushRequest()
	req.Fallback = func(context.Context) (json.RawMessage, error) { return json.RawMessage(`{"headline":"x"}`), nil }
	_, err = gen.Generate(context.Background(), req)
	if !errors.Is(err, llm.ErrFallbackInvalid) || !strings.Contains(err.Error(), "fallback function") || !strings.Contains(err.Error(), "push_text") {
		t.Errorf("err = %v", err)
	}
	req.Fallback = func(context.Context) (json.RawMessage, error) { return json.RawMessage(goodPush), nil }
	res, err := gen.Generate(context.Background(), req)
	if err != nil || string(res.Output) != goodPush {
		t.Errorf("caller's fallback: %v %s", err, res.Output)
	}
}

func TestCallerMistakes(t *testing.T) {
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		req  *llm.Request
		want string
	}{
		{&llm.Request{Prompt: "nope"}, "no such prompt"},
		{&llm.Request{Prompt: "eval.push_copy", Locale: "fr"}, "want ko or en"},
		{&llm.Request{Prompt: "eval.push_copy", Schema: json.RawMessage(`{"type":`)}, "output schema"},
		{&llm.Request{Prompt: "eval.push_copy", Vars: json.RawMessage(`{"item":"x"}`)}, "store"},
	} {
		if _, err := gen.Generate(context.Background(), c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want it to mention %q", c.req, err, c.want)
		}
	}
}

// TestProviderDown: 500s, hangs, slow bodies and 429s never keep an answer
// past the budget; the breaker opens and later generations fall back at
// once, without calling the provider.
func TestProviderDown(t *testing.T) {
	const budget = 1500 * time.Millisecond
	slack := 500 * time.Millisecond // scheduling on a loaded machine
	tune := func(c *config.LLMConfig) {
		c.Timeout, c.Budget, c.BreakerFailures, c.BreakerCooldown = 300*time.Millisecond, budget, 3, time.Hour
	}
	t.Run("500s open the breaker", func(t *testing.T) {
		e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.Status(500)), tune)
		res := generate(t, e, pushRequest())
		if res.Outcome != llm.OutcomeFallback || res.Reason != llm.ReasonProviderDown || res.Attempts != 3 {
			t.Fatalf("result %+v", res)
		}
		if !strings.Contains(res.Detail, "HTTP 500") || !strings.Contains(res.Detail, "Sorry about that") {
			t.Errorf("detail %q", res.Detail)
		}
		if e.gen.BreakerState() != "open" {
			t.Fatalf("breaker %s after 3 failures", e.gen.BreakerState())
		}
		calls := e.srv.Count()
		res = generate(t, e, pushRequest())
		if res.Outcome != llm.OutcomeFallback || res.Reason != llm.ReasonBreakerOpen || res.Attempts != 0 || e.srv.Count() != calls {
			t.Errorf("with the breaker open: %+v, calls %d → %d", res, calls, e.srv.Count())
		}
		if g := gauge(t, e.reg, "crumb_llm_breaker_state", map[string]string{"provider": "openai"}); g != 2 {
			t.Errorf("breaker gauge %v", g)
		}
	})
	for _, c := range []struct {
		name   string
		step   llmtest.Step
		reason string
	}{
		{"hang", llmtest.Hang(), llm.ReasonTimeout},
		{"slow body", llmtest.Step{Kind: llmtest.KindSlow, Content: goodPush, Interval: 30 * time.Millisecond}, llm.ReasonTimeout},
		{"slow headers", llmtest.Step{Kind: llmtest.KindOK, Content: goodPush, Delay: time.Minute}, llm.ReasonTimeout},
		{"429 beyond the budget", llmtest.RateLimited("120"), llm.ReasonRateLimited},
		{"malformed envelope", llmtest.Step{Kind: llmtest.KindMalformed}, llm.ReasonBadResponse},
	} {
		for _, format := range []string{llmtest.OpenAI, llmtest.Anthropic, llmtest.Ollama} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				t.Parallel() // each waits for time-outs, with its own server and generator
				e := setup(t, format, llmtest.Sequence(c.step), tune)
				t0 := time.Now()
				res := generate(t, e, pushRequest())
				took := time.Since(t0)
				if res.Outcome != llm.OutcomeFallback || res.Reason != c.reason {
					t.Fatalf("result %+v", res)
				}
				if took > budget+slack {
					t.Errorf("answered after %s; the budget is %s", took, budget)
				}
				if !strings.Contains(string(res.Output), "크루아상 오늘 저녁 특가") {
					t.Errorf("output %s", res.Output)
				}
			})
		}
	}
	t.Run("429 with a short Retry-After is retried", func(t *testing.T) {
		e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.RateLimited("0.05"), llmtest.OK(goodPush)), tune)
		res := generate(t, e, pushRequest())
		if res.Outcome != llm.OutcomeLLM || res.Attempts != 2 || res.Reason != llm.ReasonRateLimited {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("a 500 then a good answer", func(t *testing.T) {
		e := setup(t, llmtest.Anthropic, llmtest.Sequence(llmtest.Status(500), llmtest.OK(goodPush)), tune)
		res := generate(t, e, pushRequest())
		if res.Outcome != llm.OutcomeLLM || res.Attempts != 2 || e.gen.BreakerState() != "closed" {
			t.Errorf("result %+v breaker %s", res, e.gen.BreakerState())
		}
	})
}

func TestRateLimitHolds(t *testing.T) {
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.OK(goodPush)), func(c *config.LLMConfig) {
		c.RatePerMinute, c.Burst, c.Timeout, c.Budget = 1, 2, 200*time.Millisecond, 400*time.Millisecond
	})
	var outcomes []string
	for range 5 {
		res := generate(t, e, pushRequest())
		outcomes = append(outcomes, res.Outcome+"/"+res.Reason)
	}
	if e.srv.Count() != 2 {
		t.Errorf("%d calls reached the provider; the burst is 2 and the rate 1/min", e.srv.Count())
	}
	want := "llm/ llm/ fallback/rate_limited fallback/rate_limited fallback/rate_limited"
	if got := strings.Join(outcomes, " "); got != want {
		t.Errorf("outcomes %s, want %s", got, want)
	}
}

func TestConcurrent(t *testing.T) {
	e := setup(t, llmtest.OpenAI, func(r *llmtest.Request) llmtest.Step {
		if strings.Contains(r.LastUser(), "문제") {
			return llmtest.OK(goodPush)
		}
		return llmtest.OK(strings.Replace(goodPush, "저녁 한정 혜택", "떨 이", 1))
	}, func(c *config.LLMConfig) { c.Burst = 100 })
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.gen.Generate(context.Background(), pushRequest())
			if err == nil && (res.Outcome != llm.OutcomeRepaired || res.Reason != llm.ReasonGuard) {
				err = fmt.Errorf("result %+v", res)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestRecorderGetsRequestID(t *testing.T) {
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(llmtest.Status(500)), func(c *config.LLMConfig) { c.MaxAttempts = 1 })
	ctx := tools.WithRequestID(context.Background(), "req-42")
	req := pushRequest()
	req.ConversationID = "conv-1"
	if _, err := e.gen.Generate(ctx, req); err != nil {
		t.Fatal(err)
	}
	rec := e.rec.last()
	if rec.RequestID != "req-42" || rec.ConversationID != "conv-1" || rec.Outcome != llm.OutcomeFallback || rec.Reason != llm.ReasonProviderDown || rec.Attempts != 1 || len(rec.Problems) != 1 {
		t.Errorf("record %+v", rec)
	}
}

func TestNewErrors(t *testing.T) {
	set := loadPrompts(t)
	dir := t.TempDir()
	for _, c := range []struct {
		cfg  config.LLMConfig
		want string
	}{
		{config.LLMConfig{Provider: "gemini", Model: "x"}, "want openai, anthropic or ollama"},
		{config.LLMConfig{Provider: "openai"}, "llm.model is empty"},
		{config.LLMConfig{Provider: "openai", Model: "gpt-4o-mini"}, "OPENAI_API_KEY"},
		{config.LLMConfig{Provider: "anthropic", Model: "claude"}, "ANTHROPIC_API_KEY"},
		{config.LLMConfig{Provider: "openai", Model: "m", BaseURL: "localhost"}, "absolute URL"},
		{config.LLMConfig{Timeout: time.Minute, Budget: time.Second}, "longer than llm.budget"},
		{config.LLMConfig{BannedDir: filepath.Join(dir, "nope")}, "llm.banned_dir"},
	} {
		_, err := llm.New(c.cfg, set, llm.WithGetenv(func(string) string { return "" }))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.cfg, err, c.want)
		}
	}
	// A local OpenAI-compatible server needs no key.
	if _, err := llm.New(config.LLMConfig{Provider: "openai", Model: "qwen", BaseURL: "http://localhost:8000/v1"}, set, llm.WithGetenv(func(string) string { return "" })); err != nil {
		t.Errorf("vLLM without a key: %v", err)
	}
}

func TestBannedDirOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ko.txt"), []byte("# 우리 매장 금지어\n특가\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gen, err := llm.New(config.LLMConfig{BannedDir: dir}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	if ms := gen.Guard().Check("오늘만 특 가"); len(ms) != 1 {
		t.Errorf("override word not caught: %v", ms)
	}
	if ms := gen.Guard().Check("폐기"); len(ms) != 0 {
		t.Errorf("the replaced ko list still applies: %v", ms)
	}
	if ms := gen.Guard().Check("waste"); len(ms) != 1 {
		t.Errorf("the en list must stay: %v", ms)
	}
	// The fallback now uses a banned word: a hard error naming the template.
	if _, err := gen.Generate(context.Background(), pushRequest()); !errors.Is(err, llm.ErrFallbackInvalid) {
		t.Errorf("err %v", err)
	}
}

func TestChatAnswer(t *testing.T) {
	result := json.RawMessage(`{"store":"강남점","product":"크루아상","quantity":3,"as_of":"14:00","rate":0.124}`)
	in := llm.ChatAnswerInput{Locale: "ko", Question: "오늘 폐기될 크루아상은?", Tool: "waste_forecast", Result: result,
		Fallback: "강남점 크루아상 폐기 위험: 재고 3개 (14:00 기준)."}
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	text, res, err := gen.ChatAnswer(context.Background(), in)
	if err != nil || text != in.Fallback || res.Outcome != llm.OutcomeFallback {
		t.Fatalf("template mode: %q %+v %v", text, res, err)
	}
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(
		llmtest.OK(`{"text":"강남점 크루아상은 14:00 기준 7개 남았고 떨이 판매가 필요해요."}`),
		llmtest.OK(`{"text":"강남점 크루아상은 14:00 기준 3개이고 폐기율은 12.4%예요."}`),
	), nil)
	text, res, err = e.gen.ChatAnswer(context.Background(), in)
	if err != nil || res.Outcome != llm.OutcomeRepaired || !strings.Contains(text, "12.4%") {
		t.Fatalf("%q %+v %v", text, res, err)
	}
	reask := e.srv.Requests()[1].LastUser()
	if !strings.Contains(reask, "7") || !strings.Contains(reask, "떨이") {
		t.Errorf("the re-ask should name the invented number and the banned word:\n%s", reask)
	}
	if strings.Contains(reask, `"폐기"`) {
		t.Errorf("폐기 was in the question; it is allowed:\n%s", reask)
	}
}

func TestGroundedText(t *testing.T) {
	v := llm.GroundedText(json.RawMessage(`{"items":[{"name":"크루아상","qty":1200}],"rate":0.1234,"at":"2025-01-05"}`), "강남점 재고?")
	for text, bad := range map[string]bool{
		"크루아상 1,200개, 폐기율 12.34%예요.":   false,
		"1개 품목이에요.":                    false,
		"2025-01-05 기준이에요.":            false,
		"크루아상 1300개예요.":                true,
		"하나. 둘. 셋. 넷.":                 true,
		strings.Repeat("빵", 401) + ".": true,
	} {
		msgs := v(mustJSON(map[string]string{"text": text}))
		if (len(msgs) > 0) != bad {
			t.Errorf("%q: %q", text, msgs)
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func metric(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			return m
		}
	}
	return nil
}

func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	m := metric(t, reg, name, labels)
	if m == nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

func gauge(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	m := metric(t, reg, name, labels)
	if m == nil {
		return -1
	}
	return m.GetGauge().GetValue()
}

func TestStoreRecorder(t *testing.T) {
	ctx := tools.WithRequestID(context.Background(), "req-sql")
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t), llm.WithRecorder(llm.StoreRecorder(st)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := gen.Generate(ctx, pushRequest())
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GenerationsByRequest(ctx, "req-sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Outcome != llm.OutcomeFallback || got[0].Reason != llm.ReasonNoProvider ||
		got[0].Prompt != "eval.push_copy@v1" || got[0].Provider != "template" || string(got[0].Output) != string(res.Output) {
		t.Errorf("logged %+v", got)
	}
}

func TestPlugins(t *testing.T) {
	set, err := prompts.Load(prompts.WithFS(fstest.MapFS{
		"llm/campaign.copy@v1.ko.tmpl":     {Data: []byte(`{{define "system"}}s{{end}}{{define "user"}}{{.Vars.item}}{{end}}`)},
		"llm/campaign.copy@v1.schema.json": {Data: []byte(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}`)},
	}))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := llm.New(config.LLMConfig{}, set)
	if err != nil {
		t.Fatal(err)
	}
	p := llm.Plugins{Generator: gen}
	req := &tools.GenerateRequest{Prompt: "campaign.copy", Locale: "ko", Vars: json.RawMessage(`{"item":"빵"}`), Fallback: json.RawMessage(`{"text":"빵 특가"}`)}
	g, err := p.Generate(context.Background(), "campaign", req, func(out json.RawMessage) []string { return nil })
	if err != nil || g.Outcome != tools.OutcomeFallback || string(g.Output) != `{"text":"빵 특가"}` || !strings.HasPrefix(g.Reason, "no_provider") {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := p.Generate(context.Background(), "segment", req, nil); !errors.Is(err, tools.ErrPermission) {
		t.Errorf("another plugin's prompt: %v", err)
	}
	bad := *req
	bad.Fallback = json.RawMessage(`{"text":"재고 떨이"}`)
	if _, err := p.Generate(context.Background(), "campaign", &bad, nil); !errors.Is(err, tools.ErrInvalid) || !errors.Is(err, llm.ErrFallbackInvalid) {
		t.Errorf("banned fallback: %v", err)
	}
	rules := func(out json.RawMessage) []string { return []string{"always wrong"} }
	if _, err := p.Generate(context.Background(), "campaign", req, rules); err == nil || !strings.Contains(err.Error(), "always wrong") {
		t.Errorf("the plugin's validator applies to its fallback too: %v", err)
	}
	missing := *req
	missing.Prompt = "campaign.nope"
	if _, err := p.Generate(context.Background(), "campaign", &missing, nil); !errors.Is(err, tools.ErrNotFound) {
		t.Errorf("unknown prompt: %v", err)
	}
}

// Plugins is what the plugin supervisor takes as its Generator.
var _ pluginhost.Generator = llm.Plugins{}

func TestNoFallbackBlock(t *testing.T) {
	set, err := prompts.Load(prompts.WithFS(fstest.MapFS{
		"llm/x.bare@v1.en.tmpl":     {Data: []byte(`{{define "system"}}s{{end}}{{define "user"}}u{{end}}`)},
		"llm/x.bare@v1.schema.json": {Data: []byte(`{"type":"object"}`)},
	}))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := llm.New(config.LLMConfig{}, set)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gen.Generate(context.Background(), &llm.Request{Prompt: "x.bare", Locale: "en"})
	if !errors.Is(err, prompts.ErrNoFallback) || !strings.Contains(err.Error(), `{{define "fallback"}}`) {
		t.Errorf("err %v", err)
	}
}
