package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/ml/gmm"
	"github.com/crumb-dev/crumb/tools"
)

// Version is the plugin's version.
const Version = "1.0.0"

// modelKey is the artifact key of the trained model.
const modelKey = "model"

// K range searched by BIC, and the restarts of every fit.
const (
	kMin     = 2
	kMax     = 8
	restarts = 3
)

// segmenter holds the plugin's state: the latest model and every
// customer's RFM and segment, loaded on first use and updated by
// order_placed, so that the next question sees each new order.
type segmenter struct {
	mu      sync.Mutex
	st      *state
	checked time.Time
	// clock is the wall clock, used only to decide when to look for a
	// newer artifact; answers use the call's Now.
	clock func() time.Time
}

func newSegmenter() *segmenter { return &segmenter{clock: time.Now} }

// Plugin returns the segment plugin's definition.
func Plugin() tools.Plugin {
	s := newSegmenter()
	return tools.Plugin{
		Name:        "segment",
		Version:     Version,
		Description: "Customer segments from RFM with a Gaussian mixture: VIP, loyal, new, at risk, dormant; what each segment buys; re-grading on every order.",
		Tools: []tools.Tool{
			tools.NewTool("segment_summary", "Customer segments: size, share, mean recency, frequency and spend, and revenue share of each.", s.summary,
				tools.WithDescription("ko", "고객 세그먼트별 규모, 최근성·빈도·구매액 평균과 매출 비중을 보여줍니다."),
				tools.WithIntent("segment_insight",
					"세그먼트 요약해줘", "고객 세그먼트 보여줘", "고객 등급별 현황", "고객군 분포 알려줘", "VIP 고객은 몇 명이야?",
					"show customer segments", "summarize the customer segments", "how many VIP customers do we have?", "customer segment sizes",
					"세그먼트별 인원", "고객 분류 결과", "segment revenue share", "how many customers in each segment",
					"number of dormant customers", "count of VIP customers",
				)),
			tools.NewTool("segment_profile", "What one segment buys: top products and categories by lift over all customers, preferred hours, weekdays and stores, basket size.", s.profile,
				tools.WithDescription("ko", "한 세그먼트가 무엇을 사는지 보여줍니다: 평균보다 많이 사는 상품과 분류, 자주 오는 시간·요일·매장, 장바구니 크기."),
				tools.WithIntent("segment_insight",
					"VIP 고객들의 특징은?", "VIP 고객은 뭘 사?", "단골 고객은 어떤 상품을 좋아해?", "신규 고객 특징 알려줘", "휴면 고객 프로필",
					"what do VIPs buy?", "profile of loyal customers", "what do new customers buy?", "when do VIP customers come?",
					"VIP 고객이 자주 사는 상품", "단골 고객 구매 패턴", "VIP 평균 구매 금액", "신규 고객 방문 시간대",
					"what do loyal customers usually order?", "VIP average spend", "which stores do VIPs visit?", "top products for VIP customers", "who are our best customers?",
					"highest spending customers", "what do our biggest spenders buy?",
				)),
			tools.NewTool("customers_at_risk", "Customers in the at-risk segment (bought often, not lately), with their probability, last order and spend.", s.atRisk,
				tools.WithDescription("ko", "이탈 위험 고객(자주 샀지만 요즘 오지 않는 고객)과 그 확률, 마지막 주문, 구매액을 보여줍니다."),
				tools.WithIntent("segment_insight",
					"이탈 위험 고객은 몇 명이야?", "이탈 위험 고객 목록", "곧 떠날 것 같은 고객은?", "이탈 고객 알려줘",
					"which customers are at risk?", "how many customers might churn?", "list at-risk customers",
					"이탈 가능 고객", "최근 안 오는 단골", "churn risk customers", "customers who stopped coming",
				)),
			tools.NewTool("compare_segments", "Compares two segments side by side: size, RFM, revenue share, basket and favourite categories.", s.compare,
				tools.WithDescription("ko", "두 세그먼트를 나란히 비교합니다: 규모, RFM, 매출 비중, 장바구니, 선호 분류."),
				tools.WithIntent("segment_insight",
					"VIP와 단골 고객 비교해줘", "신규 고객과 휴면 고객 차이는?", "VIP랑 일반 고객 비교",
					"compare VIP and loyal customers", "how do new customers differ from dormant ones?", "compare at-risk and loyal segments",
					"VIP랑 단골 차이", "compare loyal and dormant customers", "VIP vs regular",
				)),
			tools.NewTool("order_placed", "Records a new order: updates the customer's RFM and re-assigns their segment at once.", s.orderPlaced),
			tools.NewTool("train", "Fits the segment model (Gaussian mixture, k by BIC over 2..8) on all orders and keeps it as a new artifact version.", s.train),
			tools.NewTool("evaluate", "Evaluates the segmentation: BIC curve, chosen k, segments, stability across seeds, VIP profile, K-Means (k = 5) beside it, fit times.", s.evaluate),
		},
		Capabilities: tools.Capabilities{
			Datasets:       []string{tools.DatasetCustomers, tools.DatasetOrders, tools.DatasetOrderItems, tools.DatasetProducts, tools.DatasetStores},
			Artifacts:      true,
			KnowledgeWrite: []string{collection},
		},
	}
}

// state is the model with every customer graded by it.
type state struct {
	version  int
	art      *Artifact
	b        *brand
	gradedOn string // day (Seoul) the customers were last graded for
}

// grade re-assigns c with the mixture as of now.
func (st *state) grade(c *customer, now time.Time) {
	var z [3]float64
	st.art.Scaler.features(c.rfm(now), z[:])
	c.Proba = st.art.model.Proba(z[:], c.Proba)
	c.Seg = argmax(c.Proba)
}

// gradeAll re-assigns every customer when the day has changed since the
// last grading, so that recency follows the calendar.
func (st *state) gradeAll(now time.Time) {
	day := now.In(seoul).Format(tools.DateLayout)
	if day == st.gradedOn {
		return
	}
	for _, c := range st.b.Customers {
		st.grade(c, now)
	}
	st.gradedOn = day
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// load returns the state for the latest model, loading the datasets when
// the artifact version changed. Answering never fits: without a model it
// is a failure that says how to train one. The caller holds s.mu.
func (s *segmenter) load(ctx context.Context, call *tools.Call) (*state, error) {
	if s.st != nil && s.clock().Sub(s.checked) < time.Minute {
		s.st.gradeAll(call.Now)
		return s.st, nil
	}
	a, err := call.Host.GetArtifact(ctx, modelKey, 0)
	if errors.Is(err, tools.ErrNotFound) {
		if call.Locale == "ko" {
			return nil, tools.Failf("아직 학습된 고객 세그먼트 모델이 없어요: `crumb tools call segment.train` 으로 먼저 학습해 주세요.")
		}
		return nil, tools.Failf("no customer segment model has been trained yet: run `crumb tools call segment.train` first")
	}
	if err != nil {
		return nil, fmt.Errorf("get segment model: %w", err)
	}
	if s.st == nil || s.st.version != a.Version {
		art, err := decodeArtifact(a.Data)
		if err != nil {
			return nil, tools.Failf("the segment model v%d cannot be read (%v): retrain it with `crumb tools call segment.train`", a.Version, err)
		}
		b, err := loadBrand(ctx, call.Host, call.Now)
		if err != nil {
			return nil, err
		}
		s.st = &state{version: a.Version, art: art, b: b}
	}
	s.checked = s.clock()
	s.st.gradeAll(call.Now)
	return s.st, nil
}

// fitted is a model fitted on a brand.
type fitted struct {
	cs     []*customer // in ID order, rows of Z
	scaler *Scaler
	Z      [][]float64
	model  *gmm.Model
	bics   []float64
	names  []SegmentName
	took   time.Duration
}

// fitBrand fits the mixture on every customer who ordered, choosing k by
// BIC, and names the components.
func fitBrand(b *brand, now time.Time, seed uint64) (*fitted, error) {
	ids := b.ids()
	f := &fitted{cs: make([]*customer, len(ids))}
	for i, id := range ids {
		f.cs[i] = b.Customers[id]
	}
	var err error
	f.scaler, f.Z, err = fitScaler(f.cs, now)
	if err != nil {
		return nil, tools.Failf("cannot segment customers: %v", err)
	}
	if len(f.cs) < 4*kMax {
		return nil, tools.Failf("cannot segment customers: only %d customers ordered by %s, at least %d are needed", len(f.cs), now.Format(tools.DateLayout), 4*kMax)
	}
	t0 := time.Now()
	f.model, f.bics, err = gmm.SelectK(f.Z, kMin, kMax, gmm.Options{Seed: seed, Restarts: restarts})
	if err != nil {
		return nil, fmt.Errorf("fit segments: %w", err)
	}
	f.took = time.Since(t0)
	f.names = componentNames(f.model, f.scaler)
	return f, nil
}

func componentNames(m *gmm.Model, sc *Scaler) []SegmentName {
	cents := make([][3]float64, m.K())
	for c := range cents {
		cents[c] = sc.original(m.Means[c])
	}
	return nameSegments(cents, m.Weights)
}

// artifact returns the fitted model as an artifact, with the assignments of
// the snapshot it was fitted on.
func (f *fitted) artifact(now time.Time) *Artifact {
	a := &Artifact{Scaler: *f.scaler, Names: f.names, TrainedAsOf: now, model: f.model}
	for i, c := range f.cs {
		p := f.model.Proba(f.Z[i], nil)
		a.Assignments = append(a.Assignments, Assignment{CustomerID: c.ID, Segment: argmax(p), Proba: p})
	}
	return a
}

// TrainInput configures train.
type TrainInput struct {
	Seed uint64 `json:"seed,omitempty" jsonschema:"random seed of the fit (default 1)"`
}

// TrainOutput reports the stored model.
type TrainOutput struct {
	Version int     `json:"version"`
	Metrics Metrics `json:"metrics"`
	// ProfilesWritten counts the segment profiles written to the
	// knowledge base (one per segment and locale; 0 without one).
	ProfilesWritten int `json:"profiles_written"`
}

// Display shows the training result.
func (o *TrainOutput) Display(locale string) *tools.Display {
	d := &tools.Display{}
	if locale == "ko" {
		d.Text = fmt.Sprintf("고객 %d명으로 세그먼트 모델 v%d 을 학습했어요: BIC 로 k = %d 를 골랐습니다 (%.0f ms).", o.Metrics.Customers, o.Version, o.Metrics.K, o.Metrics.FitMillis)
	} else {
		d.Text = fmt.Sprintf("Trained segment model v%d on %d customers: k = %d chosen by BIC (%.0f ms).", o.Version, o.Metrics.Customers, o.Metrics.K, o.Metrics.FitMillis)
	}
	t := tools.Table{Title: "BIC", Columns: []string{"k", "BIC"}}
	for _, b := range o.Metrics.BIC {
		t.Rows = append(t.Rows, []any{b.K, b.BIC})
	}
	d.Tables = []tools.Table{t}
	return d
}

func (s *segmenter) train(ctx context.Context, call *tools.Call, in TrainInput) (*TrainOutput, error) {
	seed := in.Seed
	if seed == 0 {
		seed = 1
	}
	b, err := loadBrand(ctx, call.Host, call.Now)
	if err != nil {
		return nil, err
	}
	f, err := fitBrand(b, call.Now, seed)
	if err != nil {
		return nil, err
	}
	art := f.artifact(call.Now)
	m := Metrics{Customers: len(f.cs), K: f.model.K(), Names: f.names, FitMillis: ms(f.took), Seed: seed, Sizes: make([]int, f.model.K())}
	for i, v := range f.bics {
		m.BIC = append(m.BIC, KBIC{K: kMin + i, BIC: v})
	}
	for _, a := range art.Assignments {
		m.Sizes[a.Segment]++
	}
	data, err := art.marshal()
	if err != nil {
		return nil, err
	}
	meta, _ := json.Marshal(m)
	stored, err := call.Host.PutArtifact(ctx, &tools.Artifact{Key: modelKey, Data: data, Metadata: meta})
	if err != nil {
		return nil, fmt.Errorf("store segment model: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &state{version: stored.Version, art: art, b: b}
	st.gradeAll(call.Now)
	s.st, s.checked = st, s.clock()
	docs, err := publishProfiles(ctx, call, st, call.Now)
	if err != nil {
		return nil, fmt.Errorf("write segment profiles to the knowledge base: %w", err)
	}
	return &TrainOutput{Version: stored.Version, Metrics: m, ProfilesWritten: docs}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// OrderItemInput is one line of a new order.
type OrderItemInput struct {
	ProductID string  `json:"product_id"`
	Quantity  int     `json:"quantity"`
	Price     float64 `json:"price,omitempty"`
}

// OrderInput is a new order.
type OrderInput struct {
	CustomerID string           `json:"customer_id"`
	StoreID    string           `json:"store_id,omitempty"`
	At         *time.Time       `json:"at,omitempty" jsonschema:"when the order was placed (RFC 3339); the call's time when absent"`
	Total      float64          `json:"total" jsonschema:"order total, KRW"`
	Items      []OrderItemInput `json:"items,omitempty"`
}

// OrderOutput is the customer's new standing.
type OrderOutput struct {
	CustomerID  string      `json:"customer_id"`
	RecencyDays float64     `json:"recency_days"`
	Orders      int         `json:"orders"`
	Spend       float64     `json:"spend"`
	Before      *SegmentRef `json:"before,omitempty"` // nil for a first order
	After       SegmentRef  `json:"after"`
	Changed     bool        `json:"changed"`
	Micros      float64     `json:"update_us"` // time to update and re-assign
}

// SegmentRef is a segment and the customer's probability of it.
type SegmentRef struct {
	Segment     string  `json:"segment"`
	SegmentKO   string  `json:"segment_ko"`
	Key         string  `json:"key"`
	Probability float64 `json:"probability"`
}

// Display says where the customer is now.
func (o *OrderOutput) Display(locale string) *tools.Display {
	if locale == "ko" {
		if o.Changed && o.Before != nil {
			return &tools.Display{Text: fmt.Sprintf("고객 %s: %s → %s (확률 %.0f%%), 주문 %d회, 누적 %.0f원.", o.CustomerID, o.Before.SegmentKO, o.After.SegmentKO, 100*o.After.Probability, o.Orders, o.Spend)}
		}
		return &tools.Display{Text: fmt.Sprintf("고객 %s: %s (확률 %.0f%%), 주문 %d회, 누적 %.0f원.", o.CustomerID, o.After.SegmentKO, 100*o.After.Probability, o.Orders, o.Spend)}
	}
	if o.Changed && o.Before != nil {
		return &tools.Display{Text: fmt.Sprintf("Customer %s moved from %s to %s (p = %.2f): %d orders, %.0f KRW.", o.CustomerID, o.Before.Segment, o.After.Segment, o.After.Probability, o.Orders, o.Spend)}
	}
	return &tools.Display{Text: fmt.Sprintf("Customer %s is %s (p = %.2f): %d orders, %.0f KRW.", o.CustomerID, o.After.Segment, o.After.Probability, o.Orders, o.Spend)}
}

func (st *state) ref(c *customer) SegmentRef {
	n := st.art.Names[c.Seg]
	return SegmentRef{Segment: n.EN, SegmentKO: n.KO, Key: n.Key, Probability: c.Proba[c.Seg]}
}

func (s *segmenter) orderPlaced(ctx context.Context, call *tools.Call, in OrderInput) (*OrderOutput, error) {
	if in.CustomerID == "" {
		return nil, tools.Failf("customer_id is empty: say whose order it is")
	}
	if in.Total < 0 {
		return nil, tools.Failf("total %v: must not be negative", in.Total)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, call)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	at := call.Now
	if in.At != nil {
		at = *in.At
	}
	c := st.b.Customers[in.CustomerID]
	var before *SegmentRef
	if c == nil {
		c = &customer{ID: in.CustomerID}
		st.b.Customers[c.ID] = c
	} else {
		r := st.ref(c)
		before = &r
	}
	c.addOrder(in.StoreID, at, in.Total)
	for _, it := range in.Items {
		c.addItem(it.ProductID, float64(it.Quantity))
	}
	now := call.Now
	if at.After(now) {
		now = at
	}
	st.grade(c, now)
	took := time.Since(t0)
	r := c.rfm(now)
	out := &OrderOutput{CustomerID: c.ID, RecencyDays: r[0], Orders: c.Orders, Spend: c.Spend, Before: before, After: st.ref(c), Micros: float64(took.Nanoseconds()) / 1000}
	out.Changed = before == nil || before.Key != out.After.Key
	return out, nil
}
