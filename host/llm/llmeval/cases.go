package llmeval

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
)

// evalCase is one scripted generation.
type evalCase struct {
	id        string
	format    string
	prompt    string
	locale    string
	vars      json.RawMessage
	validate  func(json.RawMessage) []string
	steps     []llmtest.Step
	behaviour string // of the first answer
}

func (c *evalCase) request(*llm.Guard) *llm.Request {
	return &llm.Request{Prompt: c.prompt, Locale: c.locale, Vars: c.vars, Validate: c.validate, RequestID: "eval-" + c.id}
}

// scenario builds the variables, a good answer and bad answers of one
// prompt.
type scenario struct {
	prompt   string
	vars     func(r *rand.Rand, locale string) map[string]any
	good     func(r *rand.Rand, locale string, vars map[string]any) map[string]any
	validate func(vars map[string]any) func(json.RawMessage) []string
	// text names the string fields where bad words can be put.
	text []string
	// extra are scenario-only bad answers.
	extra map[string]func(good map[string]any) any
}

var (
	itemsKO    = []string{"크루아상", "소금빵", "단팥빵", "바게트", "치즈케이크", "우유식빵"}
	itemsEN    = []string{"Croissant", "Salt bread", "Red bean bun", "Baguette", "Cheesecake", "Milk loaf"}
	storesKO   = []string{"강남점", "홍대점", "잠실점", "판교점"}
	storesEN   = []string{"Gangnam", "Hongdae", "Jamsil", "Pangyo"}
	segmentsKO = []string{"VIP", "이탈 위험 고객", "신규 고객", "단골 고객"}
	segmentsEN = []string{"VIP", "At-risk customers", "New customers", "Regulars"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func localized(locale string, ko, en []string, i int) string {
	if locale == "ko" {
		return ko[i%len(ko)]
	}
	return en[i%len(en)]
}

var pushScenario = scenario{
	prompt: "eval.push_copy@v1",
	vars: func(r *rand.Rand, locale string) map[string]any {
		i := r.IntN(100)
		return map[string]any{
			"item":     localized(locale, itemsKO, itemsEN, i),
			"store":    localized(locale, storesKO, storesEN, i/7),
			"discount": pick(r, []int{20, 30, 40}),
			"segment":  localized(locale, segmentsKO, segmentsEN, i/3),
		}
	},
	good: func(r *rand.Rand, locale string, v map[string]any) map[string]any {
		if locale == "ko" {
			return map[string]any{
				"headline":    fmt.Sprintf("%s 저녁 한정 혜택", v["item"]),
				"push_text":   fmt.Sprintf("%s 갓 구운 %s, 오늘 저녁 %v%% 할인으로 만나보세요.", v["store"], v["item"], v["discount"]),
				"action_line": "쿠폰 받기",
			}
		}
		return map[string]any{
			"headline":    fmt.Sprintf("%s, tonight only", v["item"]),
			"push_text":   fmt.Sprintf("Fresh %s at %s: %v%% off this evening.", v["item"], v["store"], v["discount"]),
			"action_line": "Get the coupon",
		}
	},
	validate: func(v map[string]any) func(json.RawMessage) []string {
		item := fmt.Sprint(v["item"])
		return func(out json.RawMessage) []string {
			var p struct{ Headline, PushText string }
			var m map[string]string
			if err := json.Unmarshal(out, &m); err != nil {
				return []string{"not an object of strings"}
			}
			p.Headline, p.PushText = m["headline"], m["push_text"]
			if !strings.Contains(strings.ToLower(p.Headline+" "+p.PushText), strings.ToLower(item)) {
				return []string{fmt.Sprintf("the item %q is the hook: name it in headline or push_text", item)}
			}
			return nil
		}
	},
	text: []string{"headline", "push_text"},
}

type plan struct {
	Budget               string `json:"budget"`
	Type                 string `json:"type"`
	Title                string `json:"title"`
	Prize                string `json:"prize"`
	Participation        string `json:"participation"`
	ExpectedParticipants int    `json:"expectedParticipants"`
	Cost                 int    `json:"cost"`
	ROI                  int    `json:"roi"`
}

var (
	budgets  = []string{"low", "medium", "high"}
	channels = []string{"online", "offline"}
	// bandCost is a cost inside each budget band, in won.
	bandCost = map[string]int{"low": 300000, "medium": 1200000, "high": 4500000}
)

func plans(r *rand.Rand, locale, tag string) []plan {
	var out []plan
	for _, b := range budgets {
		for _, c := range channels {
			title := fmt.Sprintf("%s %s %s 이벤트", tag, b, c)
			prize, how := "커피 쿠폰", "매장 방문 시 스탬프 적립"
			if locale == "en" {
				title, prize, how = fmt.Sprintf("%s %s %s event", tag, b, c), "Coffee coupon", "Collect a stamp in store"
			}
			out = append(out, plan{Budget: b, Type: c, Title: title, Prize: prize, Participation: how,
				ExpectedParticipants: 100 + r.IntN(300), Cost: bandCost[b] + r.IntN(50)*1000, ROI: 120 + r.IntN(400)})
		}
	}
	return out
}

var planScenario = scenario{
	prompt: "eval.event_plan@v1",
	vars: func(r *rand.Rand, locale string) map[string]any {
		past := plans(r, locale, "지난")
		trends := map[string]any{"industry": "베이커리는 겨울에 따뜻한 음료 세트가 인기입니다.", "location": "직장인 유동 인구가 많습니다.", "season": "연말 선물 수요가 큽니다."}
		if locale == "en" {
			trends = map[string]any{"industry": "Bakeries sell warm drink sets in winter.", "location": "Many office workers pass by.", "season": "Year-end gifts are in demand."}
		}
		return map[string]any{
			"store": localized(locale, storesKO, storesEN, r.IntN(4)), "region": "서울", "purpose": "신규 고객 유치",
			"season": "겨울", "past_events": past, "trends": trends, "plans": past,
		}
	},
	good: func(r *rand.Rand, locale string, v map[string]any) map[string]any {
		return map[string]any{"trends": v["trends"], "recommendations": plans(r, locale, "새")}
	},
	validate: func(map[string]any) func(json.RawMessage) []string { return ValidatePlans },
	text:     []string{"recommendations.0.title", "trends.season"},
	extra: map[string]func(good map[string]any) any{
		"five_plans": func(g map[string]any) any {
			g["recommendations"] = recs(g)[:5]
			return g
		},
		"seven_plans": func(g map[string]any) any {
			g["recommendations"] = append(recs(g), recs(g)[0])
			return g
		},
		"duplicate_combo": func(g map[string]any) any {
			recs(g)[1].(map[string]any)["type"] = recs(g)[0].(map[string]any)["type"]
			return g
		},
		"cost_out_of_band": func(g map[string]any) any {
			recs(g)[0].(map[string]any)["cost"] = 9000000
			return g
		},
		"float_cost": func(g map[string]any) any {
			recs(g)[0].(map[string]any)["cost"] = 300000.5
			return g
		},
	},
}

func recs(g map[string]any) []any { return g["recommendations"].([]any) }

// ValidatePlans checks the business rules of six event plans (seeds/003):
// each budget × channel pair exactly once, and each cost inside its
// budget's band (low ≤ 500,000 won, medium 500,000–2,000,000, high ≥
// 2,000,000).
func ValidatePlans(out json.RawMessage) []string {
	var doc struct {
		Recommendations []plan `json:"recommendations"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return []string{"recommendations: " + err.Error()}
	}
	var msgs []string
	seen := map[string]int{}
	for i, p := range doc.Recommendations {
		seen[p.Budget+"/"+p.Type]++
		lo, hi := 0, 500000
		switch p.Budget {
		case "medium":
			lo, hi = 500000, 2000000
		case "high":
			lo, hi = 2000000, 1<<62
		}
		if p.Cost < lo || p.Cost > hi {
			msgs = append(msgs, fmt.Sprintf("recommendations[%d]: cost %d is outside the %s budget band %d–%d won", i, p.Cost, p.Budget, lo, min(hi, 99999999)))
		}
	}
	for _, b := range budgets {
		for _, c := range channels {
			if n := seen[b+"/"+c]; n != 1 {
				msgs = append(msgs, fmt.Sprintf("%s budget × %s: %d plans, want exactly 1 (six plans: low/medium/high × online/offline)", b, c, n))
			}
		}
	}
	return msgs
}

var answerScenario = scenario{
	prompt: "chat.answer@v1",
	vars: func(r *rand.Rand, locale string) map[string]any {
		i, n := r.IntN(100), 1+r.IntN(40)
		item, store := localized(locale, itemsKO, itemsEN, i), localized(locale, storesKO, storesEN, i/5)
		q, fb := fmt.Sprintf("%s %s 재고 몇 개야?", store, item), fmt.Sprintf("%s의 %s 재고는 %d개입니다 (14:00 기준).", store, item, n)
		if locale == "en" {
			q, fb = fmt.Sprintf("How many %s are in stock at %s?", item, store), fmt.Sprintf("%s has %d %s in stock (as of 14:00).", store, n, item)
		}
		return map[string]any{"question": q, "tool": "stock_on_hand",
			"result": map[string]any{"store": store, "product": item, "quantity": n, "as_of": "14:00"}, "fallback": fb}
	},
	good: func(r *rand.Rand, locale string, v map[string]any) map[string]any {
		res := v["result"].(map[string]any)
		if locale == "ko" {
			return map[string]any{"text": fmt.Sprintf("%s의 %s 재고는 14:00 기준 %d개예요.", res["store"], res["product"], res["quantity"])}
		}
		return map[string]any{"text": fmt.Sprintf("As of 14:00, %s has %d %s.", res["store"], res["quantity"], res["product"])}
	},
	validate: func(v map[string]any) func(json.RawMessage) []string {
		raw, _ := json.Marshal(v["result"])
		return llm.GroundedText(raw, fmt.Sprint(v["question"]))
	},
	text: []string{"text"},
	extra: map[string]func(good map[string]any) any{
		"ungrounded_number": func(g map[string]any) any {
			g["text"] = fmt.Sprint(g["text"]) + " 9999"
			return g
		},
	},
}

var scenarios = []scenario{pushScenario, planScenario, answerScenario}

// contentBehaviours are bad answers every scenario can give.
var contentBehaviours = []string{"invalid_json", "prose_around", "code_fence", "wrong_types", "missing_field",
	"extra_field", "too_long", "banned_plain", "banned_spaced", "banned_mixed", "banned_fullwidth", "empty_object"}

// transportBehaviours are failures of the API itself.
var transportBehaviours = []string{"http500", "http503", "http529", "http429_short", "http429_long", "http401",
	"hang", "slow_body", "malformed_envelope", "empty_response"}

var bannedKO = map[string][]string{
	"banned_plain":     {"폐기 전 마지막 기회", "떨이 세일", "재고 처리 특가"},
	"banned_spaced":    {"폐 기 직전", "재고-처리 특가", "떨 이 세일", "유통기한 임박 특가"},
	"banned_mixed":     {"WaStE 없는 저녁", "LeftOver 빵", "CLEARANCE 세일"},
	"banned_fullwidth": {"ＷＡＳＴＥ 제로", "ｌｅｆｔｏｖｅｒ 할인"},
}

var bannedEN = map[string][]string{
	"banned_plain":     {"before it goes to waste", "leftover bread", "clearance sale"},
	"banned_spaced":    {"no w a s t e tonight", "l.e.f.t.o.v.e.r rolls", "was-te free"},
	"banned_mixed":     {"ZERO WaStE", "LeftOvers!", "Expired? Never"},
	"banned_fullwidth": {"ＷＡＳＴＥ free", "ｅｘｐｉｒｅｄ soon"},
}

// newCase draws one case.
func newCase(r *rand.Rand, i int) *evalCase {
	sc := scenarios[r.IntN(len(scenarios))]
	locale := pick(r, []string{"ko", "en"})
	format := pick(r, []string{llmtest.OpenAI, llmtest.Anthropic, llmtest.Ollama})
	vars := sc.vars(r, locale)
	rawVars, _ := json.Marshal(vars)
	c := &evalCase{id: strconv.Itoa(i), format: format, prompt: sc.prompt, locale: locale, vars: rawVars, validate: sc.validate(vars)}
	behaviours := append(append([]string{}, contentBehaviours...), transportBehaviours...)
	for k := range sc.extra {
		behaviours = append(behaviours, k)
	}
	slices.Sort(behaviours)
	// A quarter of first answers are good; the rest misbehave.
	first := "valid"
	if r.IntN(4) != 0 {
		first = pick(r, behaviours)
	}
	c.behaviour = first
	c.steps = append(c.steps, step(r, sc, locale, vars, first))
	// Later answers are good with probability 0.6.
	for len(c.steps) < 4 && first != "valid" {
		b := "valid"
		if r.IntN(10) >= 6 {
			b = pick(r, behaviours)
		}
		c.steps = append(c.steps, step(r, sc, locale, vars, b))
		if b == "valid" {
			break
		}
	}
	return c
}

// step builds the server's answer for one behaviour.
func step(r *rand.Rand, sc scenario, locale string, vars map[string]any, b string) llmtest.Step {
	// A deep copy as plain JSON values, so that changes never reach vars.
	var good map[string]any
	raw, _ := json.Marshal(sc.good(r, locale, vars))
	_ = json.Unmarshal(raw, &good)
	enc := func(v any) string {
		raw, _ := json.Marshal(v)
		return string(raw)
	}
	switch b {
	case "valid":
		return llmtest.OK(enc(good))
	case "invalid_json":
		s := enc(good)
		return llmtest.OK(s[:len(s)/2])
	case "prose_around":
		return llmtest.OK("Sure! Here is the JSON you asked for:\n" + enc(good) + "\nLet me know if you want changes.")
	case "code_fence":
		return llmtest.OK("```json\n" + enc(good) + "\n```")
	case "wrong_types":
		if _, ok := good["recommendations"]; ok {
			recs(good)[2].(map[string]any)["cost"] = "1,200,000원"
		} else {
			good[sc.text[0]] = 12345
		}
		return llmtest.OK(enc(good))
	case "missing_field":
		keys := slices.Sorted(maps.Keys(good))
		delete(good, keys[0])
		return llmtest.OK(enc(good))
	case "extra_field":
		good["note"] = "extra"
		return llmtest.OK(enc(good))
	case "too_long":
		setText(good, sc.text[0], strings.Repeat("아주 맛있는 빵 ", 60))
		return llmtest.OK(enc(good))
	case "banned_plain", "banned_spaced", "banned_mixed", "banned_fullwidth":
		words := bannedEN[b]
		if locale == "ko" {
			words = bannedKO[b]
		}
		f := pick(r, sc.text)
		setText(good, f, pick(r, words)+" "+getText(good, f))
		return llmtest.OK(enc(good))
	case "empty_object":
		return llmtest.OK("{}")
	case "http500":
		return llmtest.Status(http.StatusInternalServerError)
	case "http503":
		return llmtest.Status(http.StatusServiceUnavailable)
	case "http529":
		return llmtest.Status(529)
	case "http429_short":
		return llmtest.RateLimited("0.05")
	case "http429_long":
		return llmtest.RateLimited("120")
	case "http401":
		return llmtest.Status(http.StatusUnauthorized)
	case "hang":
		return llmtest.Hang()
	case "slow_body":
		return llmtest.Step{Kind: llmtest.KindSlow, Content: enc(good), Interval: 40 * time.Millisecond}
	case "malformed_envelope":
		return llmtest.Step{Kind: llmtest.KindMalformed}
	case "empty_response":
		return llmtest.Step{Kind: llmtest.KindEmpty}
	}
	if f, ok := sc.extra[b]; ok {
		return llmtest.OK(enc(f(good)))
	}
	panic("llmeval: unknown behaviour " + b)
}

// setText sets a string field by a dotted path (recommendations.0.title).
func setText(doc map[string]any, path, s string) {
	switch path {
	case "recommendations.0.title":
		recs(doc)[0].(map[string]any)["title"] = s
	case "trends.season":
		doc["trends"].(map[string]any)["season"] = s
	default:
		doc[path] = s
	}
}

func getText(doc map[string]any, path string) string {
	switch path {
	case "recommendations.0.title":
		return fmt.Sprint(recs(doc)[0].(map[string]any)["title"])
	case "trends.season":
		return fmt.Sprint(doc["trends"].(map[string]any)["season"])
	}
	return fmt.Sprint(doc[path])
}
