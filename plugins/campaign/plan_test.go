package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// plan runs event_plan and decodes its output; the fake host checks the
// fallback against the schema and the plugin's validator, as the host does.
func plan(t *testing.T, host *plugintest.Host, locale, args string) (*tools.Result, PlanOutput) {
	t.Helper()
	res := run(t, Plugin(), host, locale, "event_plan", args)
	if res.Failure != "" {
		t.Fatalf("event_plan %s: %s", args, res.Failure)
	}
	var out PlanOutput
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	return res, out
}

func corpusByID(t *testing.T) map[string]pastEvent {
	byID := map[string]pastEvent{}
	for _, d := range corpus(t) {
		e, _ := eventFromHit(tools.KnowledgeHit{DocID: d.ID, Title: d.Title, Metadata: d.Metadata})
		byID[d.ID] = e
	}
	return byID
}

// TestEventPlanFallbackTracesToPastEvents checks that in template mode
// every plan is a past event of the corpus — same title, prize and way to
// take part, in the caller's language, same channel — with its own numbers
// when its cost fits the plan's band and numbers scaled into the band
// otherwise; and that no unused event of the channel would have fitted a
// slot better.
func TestEventPlanFallbackTracesToPastEvents(t *testing.T) {
	byID := corpusByID(t)
	for _, c := range []struct {
		name, locale, args string
		season             string
		// wantBasis are events that must be among the six (nearest by
		// occasion, district and cost).
		wantBasis []string
	}{
		{"gangnam christmas", "ko", `{"store":"강남점","season":"크리스마스","purpose":"신규 고객 유치"}`, "winter",
			// Christmas events, and for high-online the Gangnam store's own
			// new-customer event beats a Christmas event elsewhere.
			[]string{"evt-2024-winter-s01-xmas-cake-earlybird", "evt-2023-winter-s06-xmas-cookie-class", "evt-2024-winter-s08-xmas-market-popup", "evt-2025-winter-s01-membership-challenge"}},
		{"hongdae summer en", "en", `{"store":"Hongdae","season":"summer","budget":2000000}`, "summer", nil},
		{"yeouido chuseok", "ko", `{"store":"S03","season":"추석","budget":3000000,"purpose":"sales"}`, "autumn",
			[]string{"evt-2024-autumn-s05-chuseok-kakao-gift", "evt-2023-autumn-s01-chuseok-corporate"}},
		{"gangnam 50만원 offline", "ko", `{"store":"강남","budget":500000,"channel":"offline"}`, "winter", nil},
		{"cafe spring no store", "en", `{"season":"spring","industry":"카페","budget":1000000}`, "spring", nil},
		{"big budget", "ko", `{"store":"잠실점","season":"여름","budget":50000000}`, "summer", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			host := fixture(t)
			_, out := plan(t, host, c.locale, c.args)
			if out.Outcome != tools.OutcomeFallback || out.Season != c.season || out.Locale != c.locale {
				t.Errorf("outcome %s, season %s, locale %s; want fallback, %s, %s", out.Outcome, out.Season, out.Locale, c.season, c.locale)
			}
			if len(out.Recommendations) != 6 || len(out.Basis) != 6 {
				t.Fatalf("%d plans from %d events, want 6 from 6", len(out.Recommendations), len(out.Basis))
			}
			basis := map[string]PastEvent{}
			used := map[string]bool{}
			for _, b := range out.Basis {
				basis[b.UsedFor] = b
				if used[b.ID] {
					t.Errorf("event %s used twice", b.ID)
				}
				used[b.ID] = true
			}
			for i, r := range out.Recommendations {
				want := slots[i].budget + "-" + slots[i].typ
				if r.ID != want || r.Budget+"-"+r.Type != want {
					t.Errorf("plan %d is %s (%s-%s), want %s in the seed's order", i, r.ID, r.Budget, r.Type, want)
				}
				b, ok := basis[r.ID]
				e, known := byID[b.ID]
				if !ok || !known {
					t.Fatalf("%s: based on %q, which is not a corpus event", r.ID, b.ID)
				}
				if r.Title != e.titleIn(c.locale) || r.Prize != e.prizeIn(c.locale) || r.Participation != e.participationIn(c.locale) || e.channel != r.Type {
					t.Errorf("%s = %+v, does not carry %s's title, prize, participation (%s) and channel", r.ID, r, e.id, c.locale)
				}
				band, _ := out.Bands.of(r.Budget)
				if r.Cost < band.Min || r.Cost > band.Max {
					t.Errorf("%s costs %d, outside its band %+v", r.ID, r.Cost, band)
				}
				inBand := e.cost >= band.Min && e.cost <= band.Max
				if inBand == b.Adapted || (inBand && (r.Cost != e.cost || r.ExpectedParticipants != e.participants || r.ROI != e.roi)) {
					t.Errorf("%s: event %s costs %d (band %+v), adapted=%v, plan %d/%d/%d%%: an event inside the band keeps its numbers, one outside is scaled",
						r.ID, e.id, e.cost, band, b.Adapted, r.Cost, r.ExpectedParticipants, r.ROI)
				}
				if b.Adapted && (r.Cost > e.cost) != (r.ExpectedParticipants > e.participants) {
					t.Errorf("%s: cost %d→%d but participants %d→%d: they should move together", r.ID, e.cost, r.Cost, e.participants, r.ExpectedParticipants)
				}
			}
			for _, id := range c.wantBasis {
				if !used[id] {
					t.Errorf("the plans do not use %s, one of the nearest events; used %v", id, out.Basis)
				}
			}
			// Greedy nearest assignment: an event no slot uses never fits a
			// slot better than that slot's event.
			p := profileOf(out)
			for _, b := range out.Basis {
				level, typ, _ := strings.Cut(b.UsedFor, "-")
				sl := slots[slotIndex(level, typ)]
				anchor := float64(out.TotalBudget) * anchorPct[sl.budget] / 100
				chosen := similarity(p, withRank(byID[b.ID], 0), anchor)
				for _, e := range byID {
					if e.channel == sl.typ && !used[e.id] && similarity(p, withRank(e, 0), anchor) > chosen+0.3 {
						t.Errorf("%s: %s (unused) fits better than %s", b.UsedFor, e.id, b.ID)
					}
				}
			}
		})
	}
}

// profileOf rebuilds the profile a plan was made for.
func profileOf(o PlanOutput) profile {
	p := profile{storeID: o.Store, region: o.Region, industry: o.Industry, purpose: o.Purpose, season: o.Season, occasion: o.Occasion, locale: o.Locale, budget: o.TotalBudget}
	for _, s := range demoStores {
		if s.ID == o.Store || (o.Store == "" && "서울 "+s.District == o.Region) {
			p.district, p.area = s.District, s.Area
		}
	}
	return p
}

// withRank sets the search rank; the invariant above allows for the
// bonus a search rank gives (at most 0.3).
func withRank(e pastEvent, r float64) pastEvent { e.rank = r; return e }

func TestEventPlanDisplay(t *testing.T) {
	host := fixture(t)
	res, out := plan(t, host, "ko", `{"store":"강남점","budget":500000,"channel":"offline","season":"winter"}`)
	d := res.Display
	if d == nil || len(d.Cards) != 6 || len(d.Tables) != 1 || len(d.Tables[0].Rows) != 6 {
		t.Fatalf("display %+v: want 6 cards and a table of 6 rows", d)
	}
	for i, card := range d.Cards {
		if card.Kind != "event_plan" || card.Title == "" || len(card.Fields) < 5 {
			t.Errorf("card %d = %+v: want an event_plan card with title and fields", i, card)
		}
		if wantOffline := i < 3; strings.HasSuffix(card.Subtitle, "오프라인") != wantOffline {
			t.Errorf("card %d %q: offline plans come first when channel is offline", i, card.Subtitle)
		}
	}
	for _, want := range []string{"강남점", "500,000원", "업종:", "지역:", "시즌:", "서울 강남구"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text %q lacks %q", d.Text, want)
		}
	}
	if !strings.Contains(d.Tables[0].Title, "20,000원–99,999원") {
		t.Errorf("table title %q: want the low band of a ₩500,000 budget", d.Tables[0].Title)
	}
	_ = out
}

// TestEventPlanGolden pins the template-mode answers a user sees.
func TestEventPlanGolden(t *testing.T) {
	for _, c := range []struct{ name, locale, args string }{
		{"gangnam_christmas.ko", "ko", `{"store":"강남점","season":"크리스마스","purpose":"신규 고객 유치"}`},
		{"winter.en", "en", `{"season":"winter"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, _ := plan(t, fixture(t), c.locale, c.args)
			var out any
			if err := json.Unmarshal(res.Output, &out); err != nil {
				t.Fatal(err)
			}
			golden(t, "event_plan."+c.name+".json", map[string]any{"output": out, "display": res.Display})
		})
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, got)
	}
}

// validPlan is a plan that passes every check: the fallback for a
// ₩6,000,000 budget.
func validPlan(t *testing.T) map[string]any {
	t.Helper()
	host := fixture(t)
	plan(t, host, "ko", `{"store":"S01","season":"winter"}`)
	gens := host.Generations()
	var doc map[string]any
	if err := json.Unmarshal(gens[len(gens)-1].Fallback, &doc); err != nil {
		t.Fatal(err)
	}
	if errs := validatePlan(mustJSON(t, doc)); len(errs) > 0 {
		t.Fatalf("the fallback fails the validator: %v", errs)
	}
	return doc
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func recsOf(doc map[string]any) []any { return doc["recommendations"].([]any) }
func rec(doc map[string]any, i int) map[string]any {
	return recsOf(doc)[i].(map[string]any)
}

// TestValidatePlanRejects feeds the validator one kind of bad plan at a
// time and checks that it names the problem.
func TestValidatePlanRejects(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(doc map[string]any)
		raw    string // used instead of the mutated plan when set
		want   string
	}{
		{"five plans", func(d map[string]any) { d["recommendations"] = recsOf(d)[:5] }, "", "got 5 plans, want exactly 6"},
		{"seven plans", func(d map[string]any) { d["recommendations"] = append(recsOf(d), rec(d, 0)) }, "", "got 7 plans"},
		{"a combination twice", func(d map[string]any) { rec(d, 5)["type"] = "online" }, "", "high-online appears 2 times"},
		{"a combination missing", func(d map[string]any) { rec(d, 5)["budget"] = "medium"; rec(d, 5)["cost"] = 1500000 }, "", "the high-offline plan is missing"},
		{"cost above its band", func(d map[string]any) { rec(d, 0)["cost"] = 2500000 }, "", "cost: 2500000 won is outside the low band 240000–1199999 won"},
		{"cost below its band", func(d map[string]any) { rec(d, 4)["cost"] = 1000000 }, "", "outside the high band"},
		{"cost as a string", func(d map[string]any) { rec(d, 1)["cost"] = "250000" }, "", `cost: "250000" is a string`},
		{"cost with a unit", func(d map[string]any) { rec(d, 1)["cost"] = "25만원" }, "", "want an integer number without quotes or units"},
		{"fractional participants", func(d map[string]any) { rec(d, 2)["expectedParticipants"] = 180.5 }, "", "expectedParticipants: 180.5: write a whole number"},
		{"roi missing", func(d map[string]any) { delete(rec(d, 3), "roi") }, "", "roi: missing"},
		{"zero participants", func(d map[string]any) { rec(d, 3)["expectedParticipants"] = 0 }, "", "want at least 1"},
		{"empty title", func(d map[string]any) { rec(d, 0)["title"] = "  " }, "", "title is empty"},
		{"title too long", func(d map[string]any) { rec(d, 0)["title"] = strings.Repeat("가", 31) }, "", "title has 31 characters: at most 30"},
		{"prize too long", func(d map[string]any) { rec(d, 0)["prize"] = strings.Repeat("상", 21) }, "", "prize has 21 characters: at most 20"},
		{"banned word", func(d map[string]any) { rec(d, 0)["prize"] = "폐기 직전 빵 증정" }, "", `banned words "폐기"`},
		{"banned word spaced", func(d map[string]any) { rec(d, 1)["title"] = "재 고 처 리 세일" }, "", `banned words "재고 처리"`},
		{"banned word in a trend", func(d map[string]any) { d["trends"].(map[string]any)["season"] = "Less W.A.S.T.E in winter" }, "", `trends.season uses banned words "waste"`},
		{"unknown budget level", func(d map[string]any) { rec(d, 0)["budget"] = "tiny" }, "", "budget: tiny, want low, medium or high"},
		{"unknown type", func(d map[string]any) { rec(d, 0)["type"] = "hybrid" }, "", "type: hybrid, want online or offline"},
		{"no trends", func(d map[string]any) { delete(d, "trends") }, "", "trends: want an object"},
		{"no total budget", func(d map[string]any) { delete(d, "totalBudget") }, "", "totalBudget: copy the total budget"},
		{"prose around the JSON", nil, "Here is the plan: {\"totalBudget\": 6000000}", "not JSON"},
		{"an array", nil, `[1,2,3]`, "must be a JSON object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := []byte(c.raw)
			if c.raw == "" {
				doc := validPlan(t)
				c.mutate(doc)
				raw = mustJSON(t, doc)
			}
			errs := validatePlan(raw)
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, c.want) }) {
				t.Errorf("errors %q: want one containing %q", errs, c.want)
			}
		})
	}
}

// TestPlanSchema checks the schema the host validates generated plans
// with: the fallback passes; five plans, a string cost and another total
// budget do not.
func TestPlanSchema(t *testing.T) {
	raw, err := planSchema(6_000_000)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tools.CompileSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc := validPlan(t)
	if err := s.Validate(mustJSON(t, doc)); err != nil {
		t.Fatalf("the fallback fails the schema: %v", err)
	}
	for name, mutate := range map[string]func(map[string]any){
		"five plans":         func(d map[string]any) { d["recommendations"] = recsOf(d)[:5] },
		"cost string":        func(d map[string]any) { rec(d, 0)["cost"] = "250000" },
		"other total budget": func(d map[string]any) { d["totalBudget"] = 9_000_000 },
		"unknown field":      func(d map[string]any) { d["note"] = "x" },
		"bad type enum":      func(d map[string]any) { rec(d, 0)["type"] = "both" },
	} {
		d := validPlan(t)
		mutate(d)
		if err := s.Validate(mustJSON(t, d)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// TestEventPlanUsesModelOutput checks the path with a language model: a
// checked output from the host is what the user gets, put in the seed's
// order with ids; an output a careless host let through is replaced by the
// fallback; a host without a generator still gets the fallback.
func TestEventPlanUsesModelOutput(t *testing.T) {
	host := fixture(t)
	host.GenerateFunc = func(_ context.Context, req *tools.GenerateRequest) (*tools.Generation, error) {
		var d map[string]any
		if err := json.Unmarshal(req.Fallback, &d); err != nil {
			return nil, err
		}
		recs := recsOf(d)
		slices.Reverse(recs)
		for _, r := range recs {
			r.(map[string]any)["title"] = "모델 " + r.(map[string]any)["title"].(string)
		}
		if errs := validatePlan(mustJSON(t, d)); len(errs) > 0 {
			return nil, fmt.Errorf("test model output invalid: %v", errs)
		}
		return &tools.Generation{Output: mustJSON(t, d), Outcome: tools.OutcomeRepaired, Attempts: 2}, nil
	}
	_, out := plan(t, host, "ko", `{"store":"S01","season":"winter"}`)
	if out.Outcome != tools.OutcomeRepaired || !strings.HasPrefix(out.Recommendations[0].Title, "모델 ") || out.Recommendations[0].ID != "low-online" || out.Recommendations[5].ID != "high-offline" {
		t.Errorf("got %s %+v: want the model's plans in the seed's order", out.Outcome, out.Recommendations)
	}
	gens := host.Generations()
	req := gens[len(gens)-1]
	if req.Prompt != promptEventPlan || req.Validator != validatorEventPlan || req.Locale != "ko" {
		t.Errorf("request %s/%s/%s: want %s, %s, ko", req.Prompt, req.Validator, req.Locale, promptEventPlan, validatorEventPlan)
	}
	var vars struct {
		Similar []struct{ ID string } `json:"similar_events"`
		Budget  int                   `json:"budget"`
	}
	if err := json.Unmarshal(req.Vars, &vars); err != nil || len(vars.Similar) != 6 || vars.Budget != defaultBudget {
		t.Errorf("vars %s: want the six past events and the budget for the prompt", req.Vars)
	}

	host.GenerateFunc = func(context.Context, *tools.GenerateRequest) (*tools.Generation, error) {
		return &tools.Generation{Output: json.RawMessage(`{"totalBudget":6000000,"trends":{"industry":"a","location":"b","season":"c"},"recommendations":[]}`), Outcome: tools.OutcomeLLM, Attempts: 1}, nil
	}
	_, out = plan(t, host, "ko", `{"store":"S01","season":"winter"}`)
	if out.Outcome != tools.OutcomeFallback || !strings.Contains(out.Reason, "want exactly 6") || len(out.Recommendations) != 6 {
		t.Errorf("unchecked bad output: %s %q, %d plans; want the fallback and the reason", out.Outcome, out.Reason, len(out.Recommendations))
	}

	host.GenerateFunc = func(context.Context, *tools.GenerateRequest) (*tools.Generation, error) {
		return nil, fmt.Errorf("%w: this host has no generator", tools.ErrNotFound)
	}
	_, out = plan(t, host, "en", `{"season":"autumn"}`)
	if out.Outcome != tools.OutcomeFallback || !strings.Contains(out.Reason, "could not generate") {
		t.Errorf("no generator: %s %q; want the fallback", out.Outcome, out.Reason)
	}

	host.GenerateFunc = func(context.Context, *tools.GenerateRequest) (*tools.Generation, error) {
		return nil, errors.New("connection reset")
	}
	p := Plugin()
	if _, err := p.Tools[0].Run(context.Background(), &tools.Call{CallInfo: tools.CallInfo{Locale: "ko", Now: today}, Host: host}, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("host fault: %v; want it returned as an error", err)
	}
}

func TestEventPlanFailures(t *testing.T) {
	for _, c := range []struct{ name, locale, args, want string }{
		{"budget too small", "ko", `{"budget":50000}`, "100,000원에서"},
		{"budget too small en", "en", `{"budget":50000}`, "want 100000 to"},
		{"unknown store", "ko", `{"store":"부산점"}`, "매장 목록"},
		{"unknown season", "en", `{"season":"rainbow unicorn"}`, "season \"rainbow unicorn\""},
		{"unknown channel", "en", `{"channel":"tv"}`, "want online or offline"},
		{"unknown locale", "ko", `{"locale":"fr"}`, "want ko or en"},
		{"unknown field", "ko", `{"stor":"S01"}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, Plugin(), fixture(t), c.locale, "event_plan", c.args)
			if !strings.Contains(res.Failure, c.want) {
				t.Errorf("failure %q: want it to contain %q", res.Failure, c.want)
			}
		})
	}
	t.Run("empty knowledge base", func(t *testing.T) {
		host := fixture(t)
		host.Knowledge = nil
		res := run(t, Plugin(), host, "ko", "event_plan", `{}`)
		if !strings.Contains(res.Failure, "knowledge/docs/events") {
			t.Errorf("failure %q: want it to say where the past events come from", res.Failure)
		}
	})
}

func TestBands(t *testing.T) {
	b := bandsFor(defaultBudget)
	if b != (Bands{Band{240_000, 1_199_999}, Band{1_200_000, 2_999_999}, Band{3_000_000, 6_000_000}}) {
		t.Errorf("bands of ₩6M = %+v", b)
	}
	// The seed's example plans fall in the default bands.
	for level, costs := range map[string][]int{"low": {250_000, 300_000}, "medium": {1_500_000, 1_800_000}, "high": {5_000_000, 6_000_000}} {
		bd, _ := b.of(level)
		for _, c := range costs {
			if c < bd.Min || c > bd.Max {
				t.Errorf("seed %s cost %d outside %+v", level, c, bd)
			}
		}
	}
	for budget := minBudget; budget <= 20_000_000; budget += 77_777 {
		b := bandsFor(budget)
		if b.Low.Min < 1 || b.Low.Max+1 != b.Medium.Min || b.Medium.Max+1 != b.High.Min || b.High.Max != budget || b.Low.Min > b.Low.Max {
			t.Fatalf("bands of %d = %+v: want contiguous bands ending at the budget", budget, b)
		}
	}
}

func TestAdapt(t *testing.T) {
	e := pastEvent{cost: 300_000, participants: 200, roi: 400}
	band := Band{240_000, 1_199_999}
	if c, p, r, a := adapt(e, band, 540_000, 10_000); a || c != 300_000 || p != 200 || r != 400 {
		t.Errorf("in band: %d %d %d %v; want the event's own numbers", c, p, r, a)
	}
	up := Band{3_000_000, 6_000_000}
	c, p, r, a := adapt(e, up, 4_260_000, 10_000)
	if !a || c != 4_260_000 || p <= 200 || r >= 400 {
		t.Errorf("scaled up: %d %d %d %v; want the anchor cost, more participants, a lower ROI", c, p, r, a)
	}
	c, p, r, _ = adapt(e, Band{20_000, 99_999}, 45_000, 1_000)
	if c != 45_000 || p >= 200 || r <= 400 {
		t.Errorf("scaled down: %d %d %d; want fewer participants and a higher ROI", c, p, r)
	}
}

func TestParseSeason(t *testing.T) {
	for in, want := range map[string][2]string{
		"": {"autumn", ""}, "겨울": {"winter", ""}, "winter": {"winter", ""}, "크리스마스": {"winter", "christmas"},
		"추석": {"autumn", "chuseok"}, "설": {"winter", "seollal"}, "설날 연휴": {"winter", "seollal"}, "Valentine's Day": {"winter", "valentine"},
		"어린이날": {"spring", "childrens_day"}, "fall": {"autumn", ""}, "봄 개강": {"spring", "back_to_school"},
		"여름 휴가": {"summer", "summer_vacation"}, "10주년 기념": {"autumn", "anniversary"}, "설명회": {"", ""},
	} {
		s, o := parseSeason(in, time.October)
		if s != want[0] || o != want[1] {
			t.Errorf("parseSeason(%q) = %s, %s; want %s, %s", in, s, o, want[0], want[1])
		}
	}
}
