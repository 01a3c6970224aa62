package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

func push(t testing.TB, p tools.Plugin, host tools.HostAPI, locale, args string) (*tools.Result, PushOutput) {
	t.Helper()
	res := run(t, p, host, locale, "push_copy", args)
	if res.Failure != "" {
		t.Fatalf("push_copy %s: %s", args, res.Failure)
	}
	var out PushOutput
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	return res, out
}

// assertCleanPush checks a push as a customer would get it: within the
// locale's limits, naming the item, no banned word (spaced, mixed case or
// full width included, as bannedIn folds them).
func assertCleanPush(t testing.TB, out PushOutput, item, locale, ctx string) {
	t.Helper()
	lim := map[string][3]int{"ko": {20, 60, 16}, "en": {40, 120, 32}}[locale]
	for i, f := range []string{out.Headline, out.PushText, out.ActionLine} {
		if strings.TrimSpace(f) == "" || runes(f) > lim[i] {
			t.Errorf("%s: part %d %q: empty or longer than %d", ctx, i, f, lim[i])
		}
		if b := bannedIn(f); len(b) > 0 {
			t.Errorf("%s: %q uses banned words %v", ctx, f, b)
		}
	}
	if !strings.Contains(fold(out.Headline+" "+out.PushText), fold(item)) {
		t.Errorf("%s: %q / %q does not name the item %q", ctx, out.Headline, out.PushText, item)
	}
}

// TestPushCopyFallbackEverywhere writes the template push for every
// product, segment, locale, store and discount and checks each one, and
// that the host received the request the pipeline relies on.
func TestPushCopyFallbackEverywhere(t *testing.T) {
	host := fixture(t)
	p := Plugin()
	n := 0
	for _, pr := range demoProducts {
		for _, locale := range []string{"ko", "en"} {
			item := pr.Name
			if locale == "en" {
				item = pr.NameEN
			}
			for _, seg := range segments {
				for _, pct := range []int{0, 10, 50} {
					for _, s := range demoStores {
						args := fmt.Sprintf(`{"store_id":%q,"product_id":%q,"segment":%q,"locale":%q,"discount_pct":%d,"ewr":18.5}`, s.ID, pr.ID, seg, locale, pct)
						_, out := push(t, p, host, "ko", args)
						assertCleanPush(t, out, item, locale, args)
						if out.Outcome != tools.OutcomeFallback || out.Reason == "" {
							t.Errorf("%s: outcome %q reason %q; want fallback with its reason", args, out.Outcome, out.Reason)
						}
						if pct > 0 && !strings.Contains(out.Headline+out.PushText, fmt.Sprint(pct, "%")) {
							t.Errorf("%s: %q / %q does not state the %d%% discount", args, out.Headline, out.PushText, pct)
						}
						n++
					}
				}
			}
		}
	}
	gens := host.Generations()
	if len(gens) != n {
		t.Fatalf("%d generations for %d pushes", len(gens), n)
	}
	req := gens[0]
	if req.Prompt != promptPushCopy || req.Validator != validatorPushCopy {
		t.Errorf("request %s/%s: want %s, %s", req.Prompt, req.Validator, promptPushCopy, validatorPushCopy)
	}
	var vars map[string]any
	if err := json.Unmarshal(req.Vars, &vars); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"item", "segment", "segment_label", "discount_pct", "offer", "ewr", "limits", "locale"} {
		if _, ok := vars[k]; !ok {
			t.Errorf("prompt vars lack %q: %s", k, req.Vars)
		}
	}
}

// TestPushCopyVariety checks that a thousand pushes are not one text: the
// same item and segment reads differently across stores, and the choice is
// stable for the same store, item and segment.
func TestPushCopyVariety(t *testing.T) {
	host := fixture(t)
	p := Plugin()
	distinct := map[string]bool{}
	total := 0
	for _, pr := range demoProducts {
		for _, seg := range segments {
			perStore := map[string]bool{}
			for _, s := range demoStores {
				args := fmt.Sprintf(`{"store_id":%q,"product_id":%q,"product_name":%q,"segment":%q,"discount_pct":30}`, s.ID, pr.ID, pr.Name, seg)
				_, out := push(t, p, host, "ko", args)
				_, again := push(t, p, host, "ko", args)
				if again.Headline != out.Headline || again.PushText != out.PushText {
					t.Errorf("%s: two calls differ: %q vs %q", args, out.Headline, again.Headline)
				}
				perStore[out.Headline+"|"+out.PushText] = true
				distinct[out.Headline+"|"+out.PushText] = true
				total++
			}
			if len(perStore) < 2 {
				t.Errorf("%s %s: the 12 stores all get the same push", pr.Name, seg)
			}
		}
	}
	if len(distinct)*4 < total {
		t.Errorf("%d distinct pushes out of %d: want at least a quarter distinct", len(distinct), total)
	}
}

// TestValidatePushRejects feeds the push validator one kind of bad push at
// a time.
func TestValidatePushRejects(t *testing.T) {
	c := newCampaign()
	good := pushDoc{Item: "크루아상", Locale: "ko", Headline: "오늘 저녁 크루아상 30% 할인", PushText: "퇴근길에 들러 보세요. 크루아상을 30% 할인으로 드려요.", ActionLine: "쿠폰 받기"}
	if errs := c.validatePush(mustJSON(t, good)); len(errs) > 0 {
		t.Fatalf("a good push is rejected: %v", errs)
	}
	goodEN := pushDoc{Item: "Croissant", Locale: "en", Headline: "Tonight: Croissant at 30% off", PushText: "Drop by this evening and enjoy Croissant at 30% off.", ActionLine: "See the offer"}
	if errs := c.validatePush(mustJSON(t, goodEN)); len(errs) > 0 {
		t.Fatalf("a good English push is rejected: %v", errs)
	}
	for _, tc := range []struct {
		name   string
		mutate func(d *pushDoc)
		want   string
	}{
		{"폐기", func(d *pushDoc) { d.PushText = "폐기 전에 크루아상 30% 할인!" }, `"폐기"`},
		{"폐 기 spaced", func(d *pushDoc) { d.Headline = "폐 기 전 크루아상" }, `"폐기"`},
		{"폐-기 punctuated", func(d *pushDoc) { d.Headline = "크루아상 폐-기 임박" }, `"폐기"`},
		{"재고 처리 joined", func(d *pushDoc) { d.PushText = "크루아상 재고처리 특가" }, `"재고 처리"`},
		{"재 고 처 리 spaced", func(d *pushDoc) { d.PushText = "크루아상 재 고 처 리 특가" }, `"재고 처리"`},
		{"떨이", func(d *pushDoc) { d.PushText = "마감 떨이! 크루아상" }, `"떨이"`},
		{"유통기한 임박", func(d *pushDoc) { d.PushText = "유통기한 임박 크루아상 할인" }, `"유통기한"`},
		{"waste in English", func(d *pushDoc) { *d = goodEN; d.PushText = "Help us cut waste: Croissant at 30% off" }, `"waste"`},
		{"W.A.S.T.E", func(d *pushDoc) { *d = goodEN; d.Headline = "No W.A.S.T.E: Croissant" }, `"waste"`},
		{"w a s t e", func(d *pushDoc) { *d = goodEN; d.Headline = "No w a s t e Croissant" }, `"waste"`},
		{"wa ste", func(d *pushDoc) { *d = goodEN; d.Headline = "Zero wa ste Croissant" }, `"waste"`},
		{"full width", func(d *pushDoc) { *d = goodEN; d.Headline = "ＷＡＳＴＥ-free Croissant" }, `"waste"`},
		{"Cyrillic a", func(d *pushDoc) { *d = goodEN; d.Headline = "Less wаste Croissant" }, `"waste"`},
		{"Leftover", func(d *pushDoc) { *d = goodEN; d.PushText = "Leftover Croissant at 30% off" }, `"leftover"`},
		{"left-over", func(d *pushDoc) { *d = goodEN; d.PushText = "Left-over Croissant at 30% off" }, `"left over"`},
		{"left over", func(d *pushDoc) { *d = goodEN; d.PushText = "Croissant left over from today, 30% off" }, `"left over"`},
		{"wasted", func(d *pushDoc) { *d = goodEN; d.PushText = "Nothing gets wasted: Croissant at 30% off" }, `"waste"`},
		{"ㅍㅖㄱㅣ jamo", func(d *pushDoc) { d.Headline = "ㅍㅖㄱㅣ 전 크루아상" }, `"폐기"`},
		{"CLEARANCE", func(d *pushDoc) { *d = goodEN; d.Headline = "CLEARANCE: Croissant" }, `"clearance"`},
		{"expired", func(d *pushDoc) { *d = goodEN; d.PushText = "Nearly expired? Never. Croissant 30% off" }, `"expir*"`},
		{"headline too long", func(d *pushDoc) { d.Headline = "오늘 저녁 단 하루만 크루아상 30% 할인 이벤트" }, "characters: at most 20"},
		{"English headline too long", func(d *pushDoc) { *d = goodEN; d.Headline = strings.Repeat("Croissant ", 5) }, "at most 40"},
		{"item missing", func(d *pushDoc) {
			d.Headline = "오늘 저녁 30% 할인"
			d.PushText = "퇴근길에 들러 보세요."
		}, "is the hook"},
		{"empty action", func(d *pushDoc) { d.ActionLine = " " }, "action_line is empty"},
		{"unknown locale", func(d *pushDoc) { d.Locale = "fr" }, "locale \"fr\""},
		{"no item", func(d *pushDoc) { d.Item = "" }, "item is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			tc.mutate(&d)
			errs := c.validatePush(mustJSON(t, d))
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors %q: want one containing %q", errs, tc.want)
			}
		})
	}
	if errs := c.validatePush([]byte(`Sure! {"headline":"x"}`)); len(errs) == 0 {
		t.Errorf("prose around the JSON is accepted")
	}
}

// TestBannedInNoFalseAlarms checks that ordinary copy is not flagged.
func TestBannedInNoFalseAlarms(t *testing.T) {
	for _, s := range []string{
		"Just a lemon tart tonight", "First alert: Croissant at 30% off", "오늘 저녁 크루아상 30% 할인", "마감 전까지 특가예요",
		"Cheesecake, a special price", "폐점 시간까지 기다릴게요", "재고 있어요? 네, 있어요",
		"Wasteland is a poem", "Now a steal: Croissant", "Dumplings? No, Croissant",
	} {
		if b := bannedIn(s); len(b) > 0 {
			t.Errorf("bannedIn(%q) = %v; want none", s, b)
		}
	}
}

// TestBannedListsMatchHost checks that the plugin's banned words include
// every entry of the host's lists (prompts/banned), so that a template
// fallback never fails the host's guard. A failure means the host's list
// grew: copy the new entries into bannedTerms.
func TestBannedListsMatchHost(t *testing.T) {
	paths, _ := filepath.Glob("../../prompts/banned/*.txt")
	if len(paths) == 0 {
		t.Skip("no host banned lists")
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			w, _, _ := strings.Cut(line, "#")
			if w = strings.TrimSpace(w); w == "" {
				continue
			}
			if !slices.Contains(bannedTerms, w) {
				t.Errorf("%s: %q is not in bannedTerms (guard.go)", p, w)
			}
			probe := strings.TrimSuffix(w, "*")
			if strings.HasSuffix(w, "*") {
				probe += "ed"
			}
			if len(bannedIn("오늘 "+probe+" 특가")) == 0 {
				t.Errorf("%s: %q is not caught in a sentence", p, w)
			}
		}
	}
}

// countingHost counts dataset reads.
type countingHost struct {
	*plugintest.Host
	reads atomic.Int64
}

func (h *countingHost) ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(json.RawMessage) error) error {
	h.reads.Add(1)
	return h.Host.ReadDataset(ctx, q, fn)
}

// TestPushCopyReads checks the pipeline's fast path: a push with the
// product's name reads no dataset; with a product id the catalogue is read
// once and then reused.
func TestPushCopyReads(t *testing.T) {
	host := &countingHost{Host: fixture(t)}
	p := Plugin()
	for i := range 50 {
		push(t, p, host, "ko", fmt.Sprintf(`{"store_id":"S%02d","product_id":"P018","product_name":"크루아상","segment":"vip","discount_pct":30}`, i%12+1))
	}
	if n := host.reads.Load(); n != 0 {
		t.Errorf("%d dataset reads for pushes with product_name; want none", n)
	}
	for range 50 {
		_, out := push(t, p, host, "en", `{"store_id":"S01","product_id":"P029","segment":"new"}`)
		assertCleanPush(t, out, "Strawberry Cream Cake", "en", "P029")
	}
	if n := host.reads.Load(); n != 2 {
		t.Errorf("%d dataset reads for 50 pushes by product id; want 2 (stores and products, once)", n)
	}
}

// TestPushCopyChat checks the chat path: no product means the item with
// the most stock today, names are resolved, and no segment shows previews.
func TestPushCopyChat(t *testing.T) {
	host := fixture(t)
	res, out := push(t, Plugin(), host, "ko", `{}`)
	assertCleanPush(t, out, "크루아상", "ko", "no product")
	if len(res.Display.Cards) != 3 || res.Display.Cards[0].Kind != "push_preview" {
		t.Errorf("display %+v: want the push and two previews as push_preview cards", res.Display)
	}
	if !strings.Contains(res.Display.Cards[1].Fields[1].Value, "VIP") {
		t.Errorf("first preview %+v: want the VIP push", res.Display.Cards[1])
	}
	_, out = push(t, Plugin(), host, "en", `{"product":"소금빵","store":"강남점","segment":"at risk","discount_pct":20}`)
	assertCleanPush(t, out, "Salt Bread", "en", "salt bread")
	for in, want := range map[string]string{"VIP": "vip", "at risk": "at_risk", "이탈 위험": "at_risk", "vip_2": "vip", "Dormant": "dormant", "단골": "loyal", "": "all", "new customers": "new"} {
		if got, ok := parseSegment(in); !ok || got != want {
			t.Errorf("parseSegment(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, c := range []struct{ args, want string }{
		{`{"product_name":"크루아상","segment":"gold"}`, "고객군 \"gold\""},
		{`{"product_name":"크루아상","discount_pct":95}`, "0~90"},
		{`{"product":"마카롱 케이크 세트"}`, "상품을 찾을 수 없어요"},
		{`{"product_name":"아주아주아주아주아주아주아주 긴 이름의 크루아상"}`, "product_name"},
	} {
		if res := run(t, Plugin(), host, "ko", "push_copy", c.args); !strings.Contains(res.Failure, c.want) {
			t.Errorf("%s: failure %q; want %q", c.args, res.Failure, c.want)
		}
	}
	empty := fixture(t)
	empty.Datasets[tools.DatasetStock] = nil
	if res := run(t, Plugin(), empty, "en", "push_copy", `{}`); !strings.Contains(res.Failure, "name the product") {
		t.Errorf("no stock today: failure %q; want a request to name the product", res.Failure)
	}
}

// TestPushCopyModelOutput checks the path with a language model: a clean
// model push is used; one a careless host let through with a banned word is
// replaced by the template.
func TestPushCopyModelOutput(t *testing.T) {
	host := fixture(t)
	model := `{"item":"크루아상","locale":"ko","headline":"갓 구운 크루아상 30%","push_text":"오늘 저녁 크루아상 30% 할인, 놓치지 마세요!","action_line":"지금 받기"}`
	host.GenerateFunc = func(context.Context, *tools.GenerateRequest) (*tools.Generation, error) {
		return &tools.Generation{Output: json.RawMessage(model), Outcome: tools.OutcomeLLM, Attempts: 1}, nil
	}
	_, out := push(t, Plugin(), host, "ko", `{"product_name":"크루아상","segment":"vip","discount_pct":30}`)
	if out.Outcome != tools.OutcomeLLM || out.Headline != "갓 구운 크루아상 30%" {
		t.Errorf("got %+v: want the model's push", out)
	}
	model = `{"item":"크루아상","locale":"ko","headline":"폐 기 직전 크루아상","push_text":"오늘 크루아상 30% 할인","action_line":"지금 받기"}`
	_, out = push(t, Plugin(), host, "ko", `{"product_name":"크루아상","segment":"vip","discount_pct":30}`)
	if out.Outcome != tools.OutcomeFallback || strings.Contains(out.Headline, "폐") || !strings.Contains(out.Reason, "banned") {
		t.Errorf("got %+v: want the template and the reason", out)
	}
}

// TestPushSchema checks the per-request schema: the item and locale are
// fixed and the limits are the locale's.
func TestPushSchema(t *testing.T) {
	c := newCampaign()
	raw, err := c.pushSchema("ko", "크루아상")
	if err != nil {
		t.Fatal(err)
	}
	s, err := tools.CompileSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"item":"크루아상","locale":"ko","headline":"크루아상 30% 할인","push_text":"오늘 크루아상 30% 할인","action_line":"받기"}`
	if err := s.Validate([]byte(ok)); err != nil {
		t.Fatalf("valid push rejected: %v", err)
	}
	for name, doc := range map[string]string{
		"other item":    strings.Replace(ok, `"item":"크루아상"`, `"item":"식빵"`, 1),
		"long headline": strings.Replace(ok, `"headline":"크루아상 30% 할인"`, `"headline":"`+strings.Repeat("가", 21)+`"`, 1),
		"missing part":  strings.Replace(ok, `,"action_line":"받기"`, ``, 1),
		"extra field":   strings.Replace(ok, `}`, `,"emoji":"🥐"}`, 1),
	} {
		if err := s.Validate([]byte(doc)); err == nil {
			t.Errorf("%s: the schema accepts %s", name, doc)
		}
	}
}

func TestPushCopyBatch(t *testing.T) {
	host := fixture(t)
	var items []PushInput
	for i := range 1000 {
		pr := demoProducts[i%len(demoProducts)]
		items = append(items, PushInput{StoreID: demoStores[i%12].ID, ProductID: pr.ID, ProductName: pr.Name, Segment: segments[i%len(segments)], DiscountPct: 10 + i%5*10})
	}
	items[500] = PushInput{StoreID: "S01", ProductID: "P999", Segment: "vip"}
	res := run(t, Plugin(), host, "ko", "push_copy_batch", string(mustJSON(t, PushBatchInput{Items: items})))
	if res.Failure != "" {
		t.Fatal(res.Failure)
	}
	var out PushBatchOutput
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1000 || out.Written != 999 || out.Failed != 1 {
		t.Fatalf("%d items, %d written, %d failed; want 1000, 999, 1", len(out.Items), out.Written, out.Failed)
	}
	for i, r := range out.Items {
		if i == 500 {
			if !strings.Contains(r.Failure, "P999") {
				t.Errorf("item 500: failure %q; want the unknown product", r.Failure)
			}
			continue
		}
		in := items[i]
		if r.StoreID != in.StoreID || r.ProductID != in.ProductID || r.Segment != in.Segment {
			t.Errorf("result %d is for %s/%s/%s, want %s/%s/%s: results keep the input order", i, r.StoreID, r.ProductID, r.Segment, in.StoreID, in.ProductID, in.Segment)
		}
		assertCleanPush(t, PushOutput{Headline: r.Headline, PushText: r.PushText, ActionLine: r.ActionLine}, in.ProductName, "ko", fmt.Sprint("batch ", i))
	}
	res = run(t, Plugin(), host, "ko", "push_copy_batch", string(mustJSON(t, PushBatchInput{Items: make([]PushInput, 1001)})))
	if !strings.Contains(res.Failure, "at most 1000") {
		t.Errorf("1001 items: failure %q", res.Failure)
	}
}

// TestPushGolden pins pushes as a user sees them.
func TestPushGolden(t *testing.T) {
	host := fixture(t)
	var got []any
	for _, c := range []struct{ locale, args string }{
		{"ko", `{"store_id":"S01","product_id":"P018","product_name":"크루아상","segment":"vip","discount_pct":30,"ewr":21.5}`},
		{"ko", `{"store_id":"S04","product_id":"P029","segment":"dormant","discount_pct":20}`},
		{"en", `{"store_id":"S01","product_id":"P018","product_name":"Croissant","segment":"vip","discount_pct":30,"ewr":21.5}`},
		{"en", `{"store_id":"S12","product_id":"P035","segment":"new"}`},
		{"ko", `{}`},
	} {
		res, _ := push(t, Plugin(), host, c.locale, c.args)
		var out any
		if err := json.Unmarshal(res.Output, &out); err != nil {
			t.Fatal(err)
		}
		got = append(got, map[string]any{"locale": c.locale, "args": json.RawMessage(c.args), "output": out, "display": res.Display})
	}
	golden(t, "push_copy.json", got)
}

func TestTemplatesRender(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"{item|을를} 드려요", "크루아상"}: "크루아상을 드려요", {"{item|을를} 드려요", "우유"}: "우유를 드려요",
		{"{item|이가} 기다려요", "소금빵"}: "소금빵이 기다려요", {"{item|으로로} 시작", "바게트"}: "바게트로 시작",
		{"{item|으로로} 시작", "식빵"}: "식빵으로 시작", {"{item|으로로} 시작", "다쿠아즈 롤"}: "다쿠아즈 롤로 시작",
		{"{item|과와} 함께", "BLT 샌드위치"}: "BLT 샌드위치와 함께", {"{item} {offer}", "Milk"}: "Milk 30% off",
	} {
		got, err := render(in[0], in[1], "30% off")
		if err != nil || got != want {
			t.Errorf("render(%q, %q) = %q, %v; want %q", in[0], in[1], got, err, want)
		}
	}
	for _, bad := range []string{"{item", "{price}", "{item|에서}"} {
		if _, err := render(bad, "x", "y"); err == nil {
			t.Errorf("render(%q) accepted", bad)
		}
	}
}

func BenchmarkPushCopy(b *testing.B) {
	host := fixture(b)
	p := Plugin()
	args := []byte(`{"store_id":"S01","product_id":"P018","product_name":"크루아상","segment":"vip","discount_pct":30,"ewr":21.5}`)
	call := &tools.Call{CallInfo: tools.CallInfo{Locale: "ko", Now: today}, Host: host}
	for b.Loop() {
		if _, err := p.Tools[1].Run(context.Background(), call, args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPushCopyPluginOnly measures the plugin's own work per push: the
// host answers with the fallback at once.
func BenchmarkPushCopyPluginOnly(b *testing.B) {
	host := fixture(b)
	host.GenerateFunc = func(_ context.Context, req *tools.GenerateRequest) (*tools.Generation, error) {
		return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback}, nil
	}
	p := Plugin()
	args := []byte(`{"store_id":"S01","product_id":"P018","product_name":"크루아상","segment":"vip","discount_pct":30,"ewr":21.5}`)
	call := &tools.Call{CallInfo: tools.CallInfo{Locale: "ko", Now: today}, Host: host}
	for b.Loop() {
		if _, err := p.Tools[1].Run(context.Background(), call, args); err != nil {
			b.Fatal(err)
		}
	}
}
