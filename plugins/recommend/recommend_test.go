package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/ort/orttest"
	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/edge/server"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

var fixtureProducts = []tools.Product{
	{ID: "P01", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Tags: []string{"butter", "flaky", "morning"}},
	{ID: "P02", Name: "아메리카노", NameEN: "Americano", Category: "beverage", Tags: []string{"coffee", "hot"}},
	{ID: "P03", Name: "우유", NameEN: "Milk", Category: "beverage", Tags: []string{"dairy"}},
	{ID: "P04", Name: "식빵", NameEN: "White bread", Category: "bread", Tags: []string{"loaf", "sandwich"}},
	{ID: "P05", Name: "딸기잼", NameEN: "Strawberry jam", Category: "spread", Tags: []string{"sweet", "fruit"}},
	{ID: "P06", Name: "치즈케이크", NameEN: "Cheesecake", Category: "cake", Tags: []string{"cheese", "sweet", "dessert"}},
	{ID: "P07", Name: "티라미수", NameEN: "Tiramisu", Category: "cake", Tags: []string{"coffee", "sweet", "dessert"}},
	{ID: "P08", Name: "바게트", NameEN: "Baguette", Category: "bread", Tags: []string{"loaf", "crusty"}},
	{ID: "P09", Name: "소금빵", NameEN: "Salt bread", Category: "bread", Tags: []string{"butter", "salty"}},
	{ID: "P10", Name: "카페라떼", NameEN: "Cafe latte", Category: "beverage", Tags: []string{"coffee", "dairy", "hot"}},
	{ID: "P11", Name: "초코쿠키", NameEN: "Chocolate cookie", Category: "cookie", Tags: []string{"sweet", "chocolate"}},
	{ID: "P12", Name: "버터", NameEN: "Butter", Category: "spread", Tags: []string{"butter", "dairy"}},
}

// habits are baskets people buy: croissant with americano, milk and bread with jam, baguette
// with butter; cake lovers (members 12345 and the 2xxxx) buy cakes and lattes.
var habits = [][]string{
	{"P01", "P02"}, {"P01", "P02", "P09"}, {"P03", "P04", "P05"}, {"P04", "P05"}, {"P08", "P12"}, {"P09", "P02"},
}

var cakeHabits = [][]string{{"P06", "P10"}, {"P07", "P10"}, {"P06", "P07"}}

// fixture makes 120 members with 6 baskets each over 60 days, seeded, plus member 12345.
func fixture(start time.Time) *plugintest.Host {
	r := rand.New(rand.NewPCG(3, 4))
	var customers, orders, items []any
	n := 0
	addOrder := func(member string, at time.Time, basket []string) {
		n++
		id := fmt.Sprintf("O%05d", n)
		orders = append(orders, tools.Order{ID: id, CustomerID: member, StoreID: "S01", At: at})
		for _, p := range basket {
			items = append(items, tools.OrderItem{OrderID: id, ProductID: p, Quantity: 1, Price: 3000})
		}
	}
	for m := 0; m < 120; m++ {
		id := fmt.Sprintf("%d", 20000+m)
		g := []string{"F", "M"}[m%2]
		customers = append(customers, tools.Customer{ID: id, Gender: g, AgeBand: []string{"20s", "30s", "40s"}[m%3], HomeStoreID: "S01"})
		for b := 0; b < 6; b++ {
			basket := habits[r.IntN(len(habits))]
			if m%4 == 0 {
				basket = cakeHabits[r.IntN(len(cakeHabits))]
			}
			if r.IntN(5) == 0 {
				basket = append(slices.Clone(basket), fixtureProducts[r.IntN(len(fixtureProducts))].ID)
			}
			addOrder(id, start.Add(time.Duration(b*10+m%10)*24*time.Hour), basket)
		}
	}
	customers = append(customers, tools.Customer{ID: "12345", Gender: "F", AgeBand: "30s", HomeStoreID: "S01"})
	for b := 0; b < 5; b++ {
		addOrder("12345", start.Add(time.Duration(b*7)*24*time.Hour), cakeHabits[b%len(cakeHabits)])
	}
	products := make([]any, len(fixtureProducts))
	for i, p := range fixtureProducts {
		products[i] = p
	}
	return &plugintest.Host{Datasets: map[string][]any{
		tools.DatasetProducts: products, tools.DatasetCustomers: customers,
		tools.DatasetOrders: orders, tools.DatasetOrderItems: items,
	}}
}

var fixtureStart = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// addBaskets adds a member's orders on day, an hour apart, with ids prefix0, prefix1, ….
func addBaskets(host *plugintest.Host, prefix, member string, day time.Time, baskets [][]string) {
	ds := host.Datasets
	for i, basket := range baskets {
		id := fmt.Sprintf("%s%d", prefix, i)
		ds[tools.DatasetOrders] = append(ds[tools.DatasetOrders], tools.Order{ID: id, CustomerID: member, StoreID: "S01", At: day.Add(time.Duration(i) * time.Hour)})
		for _, pr := range basket {
			ds[tools.DatasetOrderItems] = append(ds[tools.DatasetOrderItems], tools.OrderItem{OrderID: id, ProductID: pr, Quantity: 1})
		}
	}
}

func call(host tools.HostAPI, locale string) *tools.Call {
	return &tools.Call{CallInfo: tools.CallInfo{Locale: locale, Now: fixtureStart.AddDate(0, 3, 0)}, Host: host}
}

func trained(t *testing.T) (*recommender, *plugintest.Host) {
	t.Helper()
	host := fixture(fixtureStart)
	p := newRecommender()
	out, err := p.train(context.Background(), call(host, "en"), TrainIn{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != 1 || out.Mode != "full" || out.Members != 121 || out.Items != 12 {
		t.Fatalf("first training: %+v", out)
	}
	return p, host
}

func recNames(recs []Recommendation) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.NameEN)
	}
	return out
}

func TestRecommendChatQuestions(t *testing.T) {
	p, host := trained(t)
	ctx := context.Background()

	// "what goes well with croissants?"
	out, err := p.recommend(ctx, call(host, "en"), RecommendIn{Product: "croissants"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Model != "guest" || out.Recommendations[0].NameEN != "Americano" || out.Recommendations[0].Source != "co_purchase" {
		t.Errorf("croissant: %s %v", out.Model, recNames(out.Recommendations))
	}
	d := out.Display("en")
	if !strings.Contains(d.Text, "Croissant (크루아상) goes well with Americano (아메리카노)") || d.Tables[0].Columns[2] != "상품" {
		t.Errorf("English answer: %q %v", d.Text, d.Tables[0].Columns)
	}

	// "회원 12345한테 추천할 상품 알려줘"
	out, err = p.recommend(ctx, call(host, "ko"), RecommendIn{MemberID: "12345", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if out.Model != "member" || !out.MemberKnown || len(out.Recommendations) != 3 {
		t.Fatalf("member 12345: %+v", out)
	}
	top := recNames(out.Recommendations)
	if !slices.Contains(top, "Cheesecake") && !slices.Contains(top, "Tiramisu") && !slices.Contains(top, "Cafe latte") {
		t.Errorf("member 12345, a cake lover, got %v", top)
	}
	d = out.Display("ko")
	if !strings.HasPrefix(d.Text, "회원 12345님께 추천할 상품은") || d.Tables[0].Title != "추천 상품" || d.Tables[0].Rows[0][4] != "회원 모델" {
		t.Errorf("Korean member answer: %q %+v", d.Text, d.Tables[0])
	}

	// "장바구니에 우유랑 식빵 있으면 뭘 추천해?"
	out, err = p.recommend(ctx, call(host, "ko"), RecommendIn{Cart: []string{"우유", "식빵"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Recommendations[0].Name != "딸기잼" || slices.ContainsFunc(out.Recommendations, func(r Recommendation) bool { return r.Name == "우유" || r.Name == "식빵" }) {
		t.Errorf("milk and bread: %v", recNames(out.Recommendations))
	}
	if d := out.Display("ko"); !strings.Contains(d.Text, "장바구니(우유 (Milk), 식빵 (White bread))에 더하면 좋은 상품은 딸기잼 (Strawberry jam)") {
		t.Errorf("Korean cart answer: %q", d.Text)
	}

	// A member with a cart: never recommended back.
	out, _ = p.recommend(ctx, call(host, "en"), RecommendIn{MemberID: "12345", Cart: []string{"P06"}})
	if slices.Contains(recNames(out.Recommendations), "Cheesecake") {
		t.Errorf("member with cheesecake in the cart got it back: %v", recNames(out.Recommendations))
	}
	// An unknown member with a cart gets basket recommendations and is told so.
	out, _ = p.recommend(ctx, call(host, "en"), RecommendIn{MemberID: "99999", Cart: []string{"baguette"}})
	if out.Model != "guest" || out.Recommendations[0].NameEN != "Butter" || !strings.Contains(out.Display("en").Text, "not known to the member model") {
		t.Errorf("unknown member: %s %v %q", out.Model, recNames(out.Recommendations), out.Display("en").Text)
	}
}

func TestRecommendFailures(t *testing.T) {
	ctx := context.Background()
	host := fixture(fixtureStart)
	p := newRecommender()
	if _, err := p.recommend(ctx, call(host, "ko"), RecommendIn{Product: "크루아상"}); err == nil || !strings.Contains(err.Error(), "crumb recommend train") {
		t.Errorf("before training: %v", err)
	}
	p, host = trained(t)
	for _, tc := range []struct {
		in     RecommendIn
		locale string
		want   string
	}{
		{RecommendIn{}, "ko", "회원 번호"},
		{RecommendIn{}, "en", "a member id"},
		{RecommendIn{Product: "김치찌개"}, "ko", "상품을 찾을 수 없어요"},
		{RecommendIn{Product: "pizza"}, "en", "unknown product"},
		{RecommendIn{MemberID: "99999"}, "en", "no purchases"},
	} {
		_, err := p.recommend(ctx, call(host, tc.locale), tc.in)
		var f *tools.Failure
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errorsAs(err, &f) {
			t.Errorf("%+v (%s): %v, want a failure mentioning %q", tc.in, tc.locale, err, tc.want)
		}
	}
}

func errorsAs(err error, f **tools.Failure) bool {
	x, ok := err.(*tools.Failure)
	*f = x
	return ok
}

func TestTrainPublishesBundleAndFineTunes(t *testing.T) {
	p, host := trained(t)
	ctx := context.Background()
	a, err := host.GetArtifact(ctx, bundleKey, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(a.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Require(reco.FileGuest, reco.FileMember, reco.FileFloat, reco.FileInt8, reco.FileProbes); err != nil {
		t.Fatal(err)
	}
	var meta struct {
		SHA256 string `json:"sha256"`
	}
	json.Unmarshal(a.Metadata, &meta)
	if meta.SHA256 != b.SHA256 || b.Manifest.Version != 1 || !strings.Contains(string(b.Manifest.Metrics), `"mode": "full"`) {
		t.Errorf("artifact metadata %s, manifest %+v", a.Metadata, b.Manifest)
	}

	// A day later: new baskets, and a new member.
	day := fixtureStart.AddDate(0, 3, 1)
	addBaskets(host, "N", "30001", day, [][]string{{"P01", "P02"}, {"P06", "P07"}})
	c := call(host, "en")
	c.Now = day.Add(12 * time.Hour)
	out, err := p.train(ctx, c, TrainIn{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Mode != "fine-tune" || out.Version != 2 || out.NewBaskets != 2 || out.Members != 122 || out.Member.Examples == 0 {
		t.Errorf("fine-tune: %+v", out)
	}
	rec, err := p.recommend(ctx, c, RecommendIn{MemberID: "30001"})
	if err != nil || rec.Model != "member" || rec.BundleVersion != 2 {
		t.Errorf("the new member after fine-tuning: %+v %v", rec, err)
	}
	// Retraining from scratch on request.
	if out, err := p.train(ctx, c, TrainIn{Full: true, Epochs: 1}); err != nil || out.Mode != "full" || out.Version != 3 {
		t.Errorf("full retrain: %+v %v", out, err)
	}
}

// TestBundleRunsOnEdge loads the trained bundle into crumb-edge's server: its ONNX graphs must
// reproduce the plugin's probes (float and int8).
func TestBundleRunsOnEdge(t *testing.T) {
	orttest.Init(t)
	_, host := trained(t)
	a, _ := host.GetArtifact(context.Background(), bundleKey, 0)
	for _, form := range []string{"int8", "float32"} {
		s, err := server.New(server.Options{Dir: t.TempDir(), Form: form})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Install(a.Data); err != nil {
			t.Fatal(err)
		}
		m := s.Models()
		if !m.MemberEnabled() || m.ProbeErr > 1e-4 {
			t.Errorf("%s: member enabled %v (%s), probe error %g", form, m.MemberEnabled(), m.MemberReason, m.ProbeErr)
		}
		ans, err := m.Recommend(reco.Request{UserID: "12345", Cart: []string{"P06"}}, 5)
		if err != nil || ans.Model != "member-"+form || slices.Contains(ans.Recommendations, "P06") {
			t.Errorf("%s: %+v %v", form, ans, err)
		}
		s.Close()
	}
}

func TestEvaluate(t *testing.T) {
	host := fixture(fixtureStart)
	p := newRecommender()
	out, err := p.evaluate(context.Background(), call(host, "en"), EvalIn{Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if out.Cases == 0 || len(out.Scores) < 4 || out.Scores[0].Method != "popularity" {
		t.Fatalf("evaluation: %+v", out)
	}
	// Ten of twelve items are nearly all of them: the reciprocal rank tells the models apart.
	pop, guest := out.Scores[0].MRR10, out.Scores[1].MRR10
	if guest <= pop*1.2 {
		t.Errorf("guest MRR@10 %.3f does not beat popularity %.3f on data made of co-purchase habits", guest, pop)
	}
	if ort.LibPath("") != "" && (out.ONNX.Skipped != "" || out.ONNX.FloatMaxAbsErr > 1e-4) {
		t.Errorf("ONNX check: %+v", out.ONNX)
	}
}

func TestTokens(t *testing.T) {
	got := tokens(tools.Product{NameEN: "WHITE HANGING HEART T-LIGHT HOLDER", Name: "WHITE HANGING HEART T-LIGHT HOLDER", Category: "candle", Tags: []string{"Gift"}})
	want := []string{"gift", "cat:candle", "white", "hanging", "heart", "light", "holder"}
	if !slices.Equal(got, want) {
		t.Errorf("tokens = %v, want %v", got, want)
	}
}

// TestPluginGRPC calls the tools over the real gRPC path in process.
func TestPluginGRPC(t *testing.T) {
	c := plugintest.Connect(t, Plugin(), fixture(fixtureStart))
	ctx := context.Background()
	res, err := c.Invoke(ctx, &tools.Invocation{Tool: "train", Args: json.RawMessage(`{}`), CallInfo: tools.CallInfo{Locale: "ko", Now: fixtureStart.AddDate(0, 3, 0)}})
	if err != nil || res.Failure != "" {
		t.Fatalf("train: %v %s", err, res.Failure)
	}
	if !strings.Contains(res.Display.Text, "추천 번들 v1을 게시했어요") {
		t.Errorf("train display: %q", res.Display.Text)
	}
	res, err = c.Invoke(ctx, &tools.Invocation{Tool: "recommend", Args: json.RawMessage(`{"product":"크루아상"}`), CallInfo: tools.CallInfo{Locale: "ko"}})
	if err != nil || res.Failure != "" || !strings.Contains(res.Display.Text, "크루아상 (Croissant)와(과) 함께 사면 좋은 상품은 아메리카노 (Americano)") {
		t.Errorf("recommend: %v %+v", err, res)
	}
}

// TestPluginSubprocess runs the real plugin binary, as the host does.
func TestPluginSubprocess(t *testing.T) {
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/recommend")
	c, _ := plugintest.Start(t, bin, fixture(fixtureStart))
	ctx := context.Background()
	m, err := c.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var intents []string
	for _, tool := range m.Tools {
		for _, in := range tool.Intents {
			intents = append(intents, tool.Name+":"+in.Name)
		}
	}
	if !slices.Equal(intents, []string{"recommend:product_recommend"}) {
		t.Errorf("intents = %v", intents)
	}
	res, err := c.Invoke(ctx, &tools.Invocation{Tool: "train", Args: json.RawMessage(`{"epochs":1}`), CallInfo: tools.CallInfo{Locale: "en", Now: fixtureStart.AddDate(0, 3, 0)}})
	if err != nil || res.Failure != "" {
		t.Fatalf("train: %v %+v", err, res)
	}
	res, err = c.Invoke(ctx, &tools.Invocation{Tool: "recommend", Args: json.RawMessage(`{"member_id":"12345","cart":["latte"]}`), CallInfo: tools.CallInfo{Locale: "en"}})
	if err != nil || res.Failure != "" || !strings.Contains(string(res.Output), `"model":"member"`) {
		t.Errorf("recommend: %v %+v", err, res)
	}
}

func TestRepeatScores(t *testing.T) {
	h := &history{baskets: []basket{{items: []int32{0, 1}}, {items: []int32{0}}, {items: []int32{2}}}}
	// Newest first: {2} weighs 1, {0} 0.5, {0 1} 0.25; total 1.75.
	items, scores := repeatScores(h, []int{0, 1, 2}, 0.5, 5)
	if want := []int32{2, 0, 1}; !slices.Equal(items, want) {
		t.Fatalf("items %v, want %v", items, want)
	}
	for i, want := range []float32{0.571, 0.429, 0.143} {
		if math.Abs(float64(scores[i]-want)) > 1e-6 {
			t.Errorf("score of item %d = %v, want %v", items[i], scores[i], want)
		}
	}
	// Without decay it is the share of baskets: item 0 is in two of three.
	items, scores = repeatScores(h, []int{0, 1, 2}, 1, 1)
	if !slices.Equal(items, []int32{0}) || math.Abs(float64(scores[0])-0.667) > 1e-6 {
		t.Errorf("decay 1, top 1: %v %v", items, scores)
	}
	if items, _ := repeatScores(h, nil, 0.5, 5); items != nil {
		t.Errorf("no baskets: %v", items)
	}
}

// TestRecommendAddsRepeat: the member path ranks with the bundle's repeat blend added to the
// graph's scores.
func TestRecommendAddsRepeat(t *testing.T) {
	p, host := trained(t)
	ctx := context.Background()
	c := call(host, "en")
	before, err := p.recommend(ctx, c, RecommendIn{MemberID: "12345", Limit: 3})
	if err != nil || before.Model != "member" {
		t.Fatalf("%+v %v", before, err)
	}
	// Give member 12345 a strong repeat score for the item the graph ranks last.
	l := p.cur
	u, _ := l.spec.User("12345")
	q, _ := l.spec.Query(reco.Request{UserID: "12345"})
	scores, _ := l.member.Scores(input(q))
	last := reco.TopK(scores, nil, len(scores))[len(scores)-1].Item
	u.RepeatItems, u.RepeatScores = []int32{int32(last)}, []float32{1}
	l.spec.RepeatWeight = 1000
	after, err := p.recommend(ctx, c, RecommendIn{MemberID: "12345", Limit: 3})
	if err != nil || after.Model != "member" || after.Recommendations[0].ID != l.spec.Items[last] {
		t.Errorf("with the repeat blend the first recommendation should be %s: %+v %v (before %+v)", l.spec.Items[last], after, err, before.Recommendations)
	}
}
