package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// modelHost stands in for the host's generator in front of a language
// model: it offers scripted candidates, checks each against the request's
// schema and the plugin's validator — called back over the plugin's own
// gRPC connection, as the real host does — and falls back to the plugin's
// fallback when none passes.
type modelHost struct {
	*plugintest.Host
	client     *tools.Client
	candidates map[string][]string // by prompt id
	rejected   [][]string
}

func (m *modelHost) generate(ctx context.Context, req *tools.GenerateRequest) (*tools.Generation, error) {
	s, err := tools.CompileSchema(req.Schema)
	if err != nil {
		return nil, err
	}
	check := func(out json.RawMessage) []string {
		if err := s.Validate(out); err != nil {
			return []string{err.Error()}
		}
		errs, err := m.client.Validate(ctx, req.Validator, out)
		if err != nil {
			return []string{err.Error()}
		}
		return errs
	}
	for i, c := range m.candidates[req.Prompt] {
		errs := check(json.RawMessage(c))
		if len(errs) == 0 {
			return &tools.Generation{Output: json.RawMessage(c), Outcome: map[bool]string{true: tools.OutcomeLLM, false: tools.OutcomeRepaired}[i == 0], Attempts: i + 1}, nil
		}
		m.rejected = append(m.rejected, errs)
	}
	if errs := check(req.Fallback); len(errs) > 0 {
		return nil, fmt.Errorf("the fallback fails: %v", errs)
	}
	return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback, Reason: "no language model", Attempts: len(m.candidates[req.Prompt])}, nil
}

// TestPluginSubprocess runs the real plugin binary under go-plugin, as the
// host does: its manifest, an event plan and pushes in template mode, and a
// model's bad candidates refused by the plugin's validators over gRPC.
func TestPluginSubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/campaign")
	m := &modelHost{Host: fixture(t)}
	m.Validators = nil // the validators run in the subprocess
	m.GenerateFunc = m.generate
	c, _ := plugintest.Start(t, bin, m)
	m.client = c
	ctx := context.Background()

	man, err := c.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var toolNames []string
	intents := map[string][]string{}
	for _, ti := range man.Tools {
		toolNames = append(toolNames, ti.Name)
		for _, in := range ti.Intents {
			intents[in.Name] = append(intents[in.Name], in.Examples...)
		}
	}
	if !slices.Equal(toolNames, []string{"event_plan", "push_copy", "push_copy_batch"}) || !man.Capabilities.Generate ||
		!slices.Contains(man.Capabilities.KnowledgeRead, "events") {
		t.Errorf("manifest %+v: want the three tools, generation and the events collection", man)
	}
	// The examples are tuned by whoever owns the intent classifier
	// (intents.go); both languages must be there.
	for _, intent := range []string{"event_plan", "push_copy"} {
		ko := 0
		for _, ex := range intents[intent] {
			if hasHangul(ex) {
				ko++
			}
		}
		if ko < 3 || len(intents[intent])-ko < 3 {
			t.Errorf("intent %s: %d Korean and %d English examples, want at least 3 of each", intent, ko, len(intents[intent])-ko)
		}
	}
	var planSchema struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(man.Tools[0].InputSchema, &planSchema)
	for _, p := range []string{"store", "season", "budget", "purpose"} {
		if _, ok := planSchema.Properties[p]; !ok {
			t.Errorf("event_plan input lacks %q, which the host's slot filler maps", p)
		}
	}

	invoke := func(tool, locale, args string) *tools.Result {
		t.Helper()
		res, err := c.Invoke(ctx, &tools.Invocation{Tool: tool, Args: json.RawMessage(args), CallInfo: tools.CallInfo{Locale: locale, Now: today, RequestID: "t1"}})
		if err != nil {
			t.Fatalf("%s %s: %v", tool, args, err)
		}
		if res.Failure != "" {
			t.Fatalf("%s %s: %s", tool, args, res.Failure)
		}
		return res
	}

	// Template mode: the plans come from the corpus through the knowledge
	// search served back by the host.
	res := invoke("event_plan", "ko", `{"store":"강남점","season":"겨울","budget":500000}`)
	var out PlanOutput
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	byID := corpusByID(t)
	if out.Outcome != tools.OutcomeFallback || len(out.Recommendations) != 6 || len(res.Display.Cards) != 6 {
		t.Fatalf("plan %s with %d plans, %d cards; want six fallback plans", out.Outcome, len(out.Recommendations), len(res.Display.Cards))
	}
	for i, r := range out.Recommendations {
		if e, ok := byID[out.Basis[i].ID]; !ok || e.title != r.Title || out.Basis[i].UsedFor != r.ID || e.season != "winter" {
			t.Errorf("%s %q: not the winter corpus event %s", r.ID, r.Title, out.Basis[i].ID)
		}
	}

	// A model that first answers five plans with a banned word, then six
	// good ones: the validator in the subprocess refuses the first.
	good := map[string]any{"totalBudget": 500000, "trends": map[string]string{"industry": "베이커리 겨울 트렌드", "location": "강남 오피스 상권", "season": "연말 선물 수요"}}
	var recs []map[string]any
	for i, sl := range slots {
		band, _ := bandsFor(500000).of(sl.budget)
		recs = append(recs, map[string]any{"budget": sl.budget, "type": sl.typ, "title": fmt.Sprintf("겨울 이벤트 %d", i+1), "prize": "음료 쿠폰",
			"participation": "앱에서 응모", "expectedParticipants": 100 + i, "cost": band.Min, "roi": 200})
	}
	good["recommendations"] = recs
	bad := map[string]any{"totalBudget": 500000, "trends": good["trends"], "recommendations": recs[:5]}
	recs0 := map[string]any{}
	for k, v := range recs[0] {
		recs0[k] = v
	}
	recs0["title"] = "재고 처리 세일"
	badBanned := map[string]any{"totalBudget": 500000, "trends": good["trends"], "recommendations": append([]map[string]any{recs0}, recs[1:]...)}
	m.candidates = map[string][]string{promptEventPlan: {string(mustJSON(t, bad)), string(mustJSON(t, badBanned)), string(mustJSON(t, good))}}
	res = invoke("event_plan", "ko", `{"store":"강남점","season":"겨울","budget":500000}`)
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	if out.Outcome != tools.OutcomeRepaired || out.Recommendations[0].Title != "겨울 이벤트 1" {
		t.Errorf("got %s %q: want the third candidate, repaired", out.Outcome, out.Recommendations[0].Title)
	}
	if len(m.rejected) != 2 || !strings.Contains(strings.Join(m.rejected[0], " "), "6") || !strings.Contains(strings.Join(m.rejected[1], " "), `"재고 처리"`) {
		t.Errorf("rejections %q: want the schema's count error and the validator's banned word", m.rejected)
	}

	// Pushes, one and in a batch, in both languages.
	m.candidates = map[string][]string{promptPushCopy: {`{"item":"크루아상","locale":"ko","headline":"크루아상 떨 이","push_text":"크루아상 30%","action_line":"받기"}`}}
	res = invoke("push_copy", "ko", `{"store_id":"S01","product_id":"P018","product_name":"크루아상","segment":"vip","locale":"ko","discount_pct":30,"ewr":21.5}`)
	var p PushOutput
	if err := json.Unmarshal(res.Output, &p); err != nil {
		t.Fatal(err)
	}
	assertCleanPush(t, p, "크루아상", "ko", "subprocess push")
	if p.Outcome != tools.OutcomeFallback || !strings.Contains(strings.Join(m.rejected[len(m.rejected)-1], " "), `"떨이"`) {
		t.Errorf("push %+v, last rejection %q: want the spaced banned word refused and the template used", p, m.rejected[len(m.rejected)-1])
	}
	var raw map[string]any
	_ = json.Unmarshal(res.Output, &raw)
	if keys := sortedKeys(raw); !slices.Equal(keys, []string{"action_line", "headline", "outcome", "push_text", "reason"}) {
		t.Errorf("push output keys %v: the pipeline's contract is headline, push_text, action_line, outcome, reason", keys)
	}
	m.candidates = nil
	var items []PushInput
	for i := range 200 {
		pr := demoProducts[i%len(demoProducts)]
		items = append(items, PushInput{StoreID: demoStores[i%12].ID, ProductID: pr.ID, Segment: segments[i%len(segments)], Locale: []string{"ko", "en"}[i%2], DiscountPct: 30})
	}
	res = invoke("push_copy_batch", "ko", string(mustJSON(t, PushBatchInput{Items: items})))
	var batch PushBatchOutput
	if err := json.Unmarshal(res.Output, &batch); err != nil {
		t.Fatal(err)
	}
	if batch.Written != 200 {
		t.Fatalf("batch wrote %d of 200: %+v", batch.Written, batch.Items[0])
	}
	for i, r := range batch.Items {
		pr := demoProducts[i%len(demoProducts)]
		item := map[bool]string{true: pr.Name, false: pr.NameEN}[i%2 == 0]
		assertCleanPush(t, PushOutput{Headline: r.Headline, PushText: r.PushText, ActionLine: r.ActionLine}, item, items[i].Locale, fmt.Sprint("batch ", i))
	}

	// A validator the plugin does not have is an error the host can act on.
	if _, err := c.Validate(ctx, "nope", []byte(`{}`)); err == nil || !errors.Is(err, tools.ErrNotFound) && !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown validator: %v", err)
	}
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
