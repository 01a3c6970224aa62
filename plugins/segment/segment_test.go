package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// today is the synthetic brand's now.
var today = time.Date(2026, 11, 20, 12, 0, 0, 0, seoul)

// planted is a customer type of the synthetic brand: how many, when they
// ordered (days ago, from and to), how often, how much and which category.
type planted struct {
	prefix        string
	n             int
	from, to      int // days ago of the first and last order
	every         int // days between orders; 0 for one order
	units         int // units per order
	category      string
	hour, weekday int
}

var types = []planted{
	{"VIP", 40, 300, 1, 4, 6, "cake", 18, 6},
	{"REG", 80, 300, 10, 20, 2, "bread", 8, 1},
	{"NEW", 40, 10, 0, 0, 2, "pastry", 12, 3},
	{"RISK", 40, 400, 100, 6, 3, "pastry", 9, 2},
	{"DORM", 60, 400, 250, 80, 1, "bread", 15, 4},
}

// synthetic builds a brand with the planted customer types: 3 stores, 9
// products in 3 categories; 70 % of a type's units are of its category.
func synthetic(seed uint64) *plugintest.Host {
	r := rand.New(rand.NewPCG(seed, 11))
	var st, pr, cu, or, it []any
	for i := range 3 {
		st = append(st, tools.Store{ID: fmt.Sprintf("S%d", i+1), Name: fmt.Sprintf("매장%d점", i+1), NameEN: fmt.Sprintf("Store %d", i+1)})
	}
	cats := []string{"bread", "pastry", "cake"}
	var byCat = map[string][]tools.Product{}
	for j := range 9 {
		p := tools.Product{ID: fmt.Sprintf("P%d", j+1), Name: fmt.Sprintf("빵%d", j+1), NameEN: fmt.Sprintf("Item %d", j+1), Category: cats[j%3], Price: 3000 + 1000*(j%3)}
		pr = append(pr, p)
		byCat[p.Category] = append(byCat[p.Category], p)
	}
	orderN := 0
	for _, t := range types {
		for i := range t.n {
			id := fmt.Sprintf("%s%03d", t.prefix, i+1)
			cu = append(cu, tools.Customer{ID: id})
			first := t.from - r.IntN(max(1, t.from/10)+1)
			last := t.to + r.IntN(5)
			for d := first; d >= last; {
				at := today.AddDate(0, 0, -d)
				at = time.Date(at.Year(), at.Month(), at.Day(), t.hour+r.IntN(2), r.IntN(60), 0, 0, seoul)
				if at.After(today) {
					at = today.Add(-time.Hour)
				}
				orderN++
				oid := fmt.Sprintf("O%06d", orderN)
				total := 0
				for range t.units + r.IntN(2) {
					cat := t.category
					if r.Float64() > 0.7 {
						cat = cats[r.IntN(3)]
					}
					p := byCat[cat][r.IntN(3)]
					it = append(it, tools.OrderItem{OrderID: oid, ProductID: p.ID, Quantity: 1, Price: p.Price})
					total += p.Price
				}
				or = append(or, tools.Order{ID: oid, CustomerID: id, StoreID: fmt.Sprintf("S%d", 1+r.IntN(3)), At: at, Total: total})
				if t.every == 0 {
					break
				}
				d -= t.every/2 + r.IntN(t.every+1)
			}
		}
	}
	return &plugintest.Host{Datasets: map[string][]any{
		tools.DatasetStores: st, tools.DatasetProducts: pr, tools.DatasetCustomers: cu, tools.DatasetOrders: or, tools.DatasetOrderItems: it,
	}}
}

func call(host tools.HostAPI, locale string) *tools.Call {
	return &tools.Call{CallInfo: tools.CallInfo{Now: today, Locale: locale}, Host: host}
}

// trained returns a segmenter with a trained model of the synthetic brand.
func trained(t testing.TB) (*segmenter, *plugintest.Host) {
	t.Helper()
	host := synthetic(1)
	s := newSegmenter()
	out, err := s.train(context.Background(), call(host, "en"), TrainInput{})
	if err != nil {
		t.Fatal(err)
	}
	if tt, ok := t.(*testing.T); ok {
		tt.Logf("trained: k=%d sizes %v names %v in %.0f ms", out.Metrics.K, out.Metrics.Sizes, out.Metrics.Names, out.Metrics.FitMillis)
	}
	return s, host
}

func TestNoModel(t *testing.T) {
	s := newSegmenter()
	for _, loc := range []string{"en", "ko"} {
		_, err := s.summary(context.Background(), call(synthetic(1), loc), SummaryInput{})
		if err == nil || !strings.Contains(err.Error(), "crumb tools call segment.train") {
			t.Fatalf("%s: %v", loc, err)
		}
	}
}

func TestTrainFindsVIPs(t *testing.T) {
	s, host := trained(t)
	// A fresh segmenter loads the artifact.
	s2 := newSegmenter()
	c := call(host, "ko")
	sum, err := s2.summary(context.Background(), c, SummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", sum.Display("ko").Text)
	st := s2.st
	vip := findSegment("vip", st.art.Names)
	if vip < 0 {
		t.Fatalf("no VIP segment in %v", st.art.Names)
	}
	in := 0
	for id, cu := range st.b.Customers {
		if strings.HasPrefix(id, "VIP") && cu.Seg == vip {
			in++
		}
	}
	if in < 32 {
		t.Fatalf("%d of 40 planted VIPs in the VIP segment", in)
	}
	seg := func(prefix string) map[string]int {
		m := map[string]int{}
		for id, cu := range st.b.Customers {
			if strings.HasPrefix(id, prefix) {
				m[st.art.Names[cu.Seg].Key]++
			}
		}
		return m
	}
	for _, p := range []string{"VIP", "REG", "NEW", "RISK", "DORM"} {
		t.Logf("%s → %v", p, seg(p))
	}
	if m := seg("RISK"); m["at_risk"] < 30 {
		t.Errorf("planted at-risk customers: %v", m)
	}
	if m := seg("DORM"); m["dormant"] < 45 {
		t.Errorf("planted dormant customers: %v", m)
	}
	_ = s
}

func TestProfileVIP(t *testing.T) {
	s, host := trained(t)
	for _, q := range []string{"VIP", "vip", "VIP 고객", "vips"} {
		p, err := s.profile(context.Background(), call(host, "ko"), ProfileInput{Segment: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if p.Segment.Key != "vip" || len(p.TopCategories) == 0 || p.TopCategories[0].ID != "cake" || p.TopCategories[0].Lift <= 1 {
			t.Fatalf("%q: %+v / %+v", q, p.Segment, p.TopCategories)
		}
		if q == "VIP" {
			d := p.Display("ko")
			t.Logf("%s", d.Text)
			if !strings.Contains(d.Text, "케이크 카테고리를 평균보다") || len(d.Tables) < 3 {
				t.Fatalf("display: %+v", d)
			}
			t.Logf("%s", p.Display("en").Text)
		}
	}
	for _, q := range []string{"platinum", "우주인", ""} {
		_, err := s.profile(context.Background(), call(host, "ko"), ProfileInput{Segment: q})
		if err == nil || !strings.Contains(err.Error(), "세그먼트를 찾을 수 없어요") {
			t.Fatalf("%q: %v", q, err)
		}
	}
	if _, err := s.compare(context.Background(), call(host, "en"), CompareInput{A: "VIP", B: "nobody"}); err == nil || !strings.Contains(err.Error(), "unknown segment") {
		t.Fatalf("compare unknown: %v", err)
	}
	cmp, err := s.compare(context.Background(), call(host, "en"), CompareInput{A: "VIP", B: "dormant"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", cmp.Display("en").Text)
}

func TestOrderPlacedMovesDormant(t *testing.T) {
	s, host := trained(t)
	ctx := context.Background()
	before, err := s.summary(ctx, call(host, "en"), SummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	counts := func(o *SummaryOutput) map[string]int {
		m := map[string]int{}
		for _, r := range o.Segments {
			m[r.Key] = r.Customers
		}
		return m
	}
	c0 := counts(before)
	id := "DORM001"
	if k := s.st.art.Names[s.st.b.Customers[id].Seg].Key; k != "dormant" {
		t.Skipf("%s starts in %s", id, k)
	}
	var last *OrderOutput
	for i := range 12 {
		at := today.AddDate(0, 0, -12+i)
		last, err = s.orderPlaced(ctx, call(host, "en"), OrderInput{CustomerID: id, StoreID: "S1", At: &at, Total: 60000,
			Items: []OrderItemInput{{ProductID: "P3", Quantity: 5}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%s (%.1f µs)", last.Display("en").Text, last.Micros)
	if last.After.Key == "dormant" || last.Orders < 12 {
		t.Fatalf("after a burst of orders: %+v", last)
	}
	after, err := s.summary(ctx, call(host, "en"), SummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	c1 := counts(after)
	if c1["dormant"] != c0["dormant"]-1 || c1[last.After.Key] != c0[last.After.Key]+1 {
		t.Fatalf("summary before %v after %v", c0, c1)
	}
	// A first order from an unknown customer makes them a customer.
	nw, err := s.orderPlaced(ctx, call(host, "ko"), OrderInput{CustomerID: "X1", Total: 8000})
	if err != nil || nw.Before != nil || nw.Orders != 1 {
		t.Fatalf("new customer: %+v %v", nw, err)
	}
	t.Logf("%s", nw.Display("ko").Text)
	if _, err := s.orderPlaced(ctx, call(host, "en"), OrderInput{Total: 1}); err == nil {
		t.Fatal("order without a customer accepted")
	}
}

func TestAtRisk(t *testing.T) {
	s, host := trained(t)
	out, err := s.atRisk(context.Background(), call(host, "ko"), AtRiskInput{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count < 30 || len(out.Customers) != 5 {
		t.Fatalf("at risk: %d, listed %d", out.Count, len(out.Customers))
	}
	t.Logf("%s", out.Display("ko").Text)
}

func TestNameSegments(t *testing.T) {
	got := nameSegments([][3]float64{
		{3, 40, 900000},   // VIP
		{10, 8, 90000},    // regular: lower half of F and M
		{5, 1, 8000},      // new
		{120, 30, 500000}, // at risk
		{300, 1.2, 7000},  // dormant
		{4, 30, 700000},   // second best recent: loyal
	}, []float64{.1, .2, .1, .2, .3, .1})
	var keys []string
	for _, n := range got {
		keys = append(keys, n.Key)
	}
	want := "vip regular new at_risk dormant loyal"
	if strings.Join(keys, " ") != want {
		t.Fatalf("names %v, want %s", keys, want)
	}
	// Two dormant components are told apart by value, not by number.
	got = nameSegments([][3]float64{
		{3, 40, 900000}, {300, 1.2, 7000}, {280, 1.1, 9000}, {5, 5, 8000},
	}, []float64{.2, .3, .3, .2})
	if got[2].Key != "dormant_high" || got[1].Key != "dormant_low" || got[2].KO != "휴면 · 고가치" || got[1].EN != "Dormant · low value" {
		t.Fatalf("repeated names: %+v", got)
	}
	if i := findSegment("dormant", got); i != 2 && i != 1 {
		t.Errorf("findSegment(dormant) = %d, want one of the dormant components", i)
	}
	if baseKey("at_risk_high") != "at_risk" || baseKey("regular_mid_2") != "regular" || baseKey("at_risk") != "at_risk" {
		t.Error("baseKey")
	}
}

func TestEvaluate(t *testing.T) {
	s := newSegmenter()
	out, err := s.evaluate(context.Background(), call(synthetic(2), "en"), EvaluateInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.K < 2 || len(out.BIC) != 7 || len(out.Stability.ARI) != 4 || out.VIP == nil {
		t.Fatalf("evaluate: %+v", out)
	}
	raw, _ := json.Marshal(out.Stability)
	t.Logf("%s\n%s", out.Display("en").Text, raw)
}

// TestSubprocess runs the real plugin binary: train, then the summary.
func TestSubprocess(t *testing.T) {
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/segment")
	host := synthetic(3)
	c, _ := plugintest.Start(t, bin, host)
	inv := func(tool, args string) *tools.Result {
		t.Helper()
		res, err := c.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(args), CallInfo: tools.CallInfo{Locale: "ko", Now: today}})
		if err != nil || res.Failure != "" {
			t.Fatalf("%s: %v %s", tool, err, res.Failure)
		}
		return res
	}
	inv("train", `{}`)
	res := inv("segment_summary", `{}`)
	var out SummaryOutput
	if err := json.Unmarshal(res.Output, &out); err != nil || out.Customers != 260 || res.Display == nil || len(res.Display.Charts) != 1 {
		t.Fatalf("summary: %v %+v", err, out)
	}
	t.Logf("%s", res.Display.Text)
}

func BenchmarkOrderPlaced(b *testing.B) {
	s, host := trained(b)
	ctx := context.Background()
	c := call(host, "en")
	in := OrderInput{CustomerID: "REG001", StoreID: "S1", Total: 9000, Items: []OrderItemInput{{ProductID: "P1", Quantity: 2}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.orderPlaced(ctx, c, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestProfilesInKnowledge checks that training writes one profile per
// segment and locale, tagged with its segment, that a retrain replaces
// them, and that a search scoped to one segment finds only its material.
func TestProfilesInKnowledge(t *testing.T) {
	s, host := trained(t)
	docs := host.Knowledge[collection]
	k := len(s.st.art.Names)
	if len(docs) != 2*k {
		t.Fatalf("%d profile documents for %d segments, want %d", len(docs), k, 2*k)
	}
	var vipKO tools.KnowledgeDoc
	for _, d := range docs {
		if d.Metadata["segment"] == "" || d.Metadata["doc_type"] != "segment_profile" {
			t.Errorf("%s: metadata %v", d.ID, d.Metadata)
		}
		if d.ID == "segment-profile-vip-ko" {
			vipKO = d
		}
	}
	if !strings.Contains(vipKO.Text, "VIP 고객은") || !strings.Contains(vipKO.Text, "많이 사는 분류: 케이크") {
		t.Errorf("VIP profile (ko):\n%s", vipKO.Text)
	}
	hits, err := host.SearchKnowledge(context.Background(), &tools.KnowledgeQuery{
		Collections: []string{collection}, Text: "what do they buy", Where: map[string]string{"segment": "vip"}, Limit: 10,
	})
	if err != nil || len(hits) != 2 {
		t.Fatalf("VIP-scoped search: %d hits, %v; want the two VIP profiles", len(hits), err)
	}
	for _, h := range hits {
		if h.Metadata["segment"] != "vip" {
			t.Errorf("VIP-scoped search returned %s (%s)", h.DocID, h.Metadata["segment"])
		}
	}
	// A retrain replaces the profiles rather than adding to them.
	if _, err := s.train(context.Background(), call(host, "en"), TrainInput{Seed: 2}); err != nil {
		t.Fatal(err)
	}
	if n := len(host.Knowledge[collection]); n != 2*len(s.st.art.Names) {
		t.Errorf("after a retrain %d profile documents, want %d", n, 2*len(s.st.art.Names))
	}
}
