package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/tools"
)

// SegmentRow summarises one segment.
type SegmentRow struct {
	Segment      string  `json:"segment"`
	SegmentKO    string  `json:"segment_ko"`
	Key          string  `json:"key"`
	Customers    int     `json:"customers"`
	Share        float64 `json:"share"`
	RecencyDays  float64 `json:"recency_days"`
	Frequency    float64 `json:"frequency"`
	Monetary     float64 `json:"monetary"`
	Revenue      float64 `json:"revenue"`
	RevenueShare float64 `json:"revenue_share"`
}

// segmentRows summarises every segment of st as of now, by hard
// assignment.
func segmentRows(st *state, now time.Time) []SegmentRow {
	rows := make([]SegmentRow, len(st.art.Names))
	for i, n := range st.art.Names {
		rows[i] = SegmentRow{Segment: n.EN, SegmentKO: n.KO, Key: n.Key}
	}
	var n, rev float64
	for _, c := range st.b.Customers {
		r := c.rfm(now)
		row := &rows[c.Seg]
		row.Customers++
		row.RecencyDays += r[0]
		row.Frequency += r[1]
		row.Revenue += r[2]
		n++
		rev += r[2]
	}
	for i := range rows {
		r := &rows[i]
		if r.Customers > 0 {
			k := float64(r.Customers)
			r.RecencyDays, r.Frequency, r.Monetary = r.RecencyDays/k, r.Frequency/k, r.Revenue/k
		}
		if n > 0 {
			r.Share = float64(r.Customers) / n
		}
		if rev > 0 {
			r.RevenueShare = r.Revenue / rev
		}
	}
	return rows
}

// SummaryInput takes no arguments.
type SummaryInput struct{}

// SummaryOutput is the segment summary.
type SummaryOutput struct {
	ModelVersion int          `json:"model_version"`
	Customers    int          `json:"customers"`
	Segments     []SegmentRow `json:"segments"`
}

func segmentTable(rows []SegmentRow, ko bool) tools.Table {
	t := tools.Table{Title: "Customer segments", Columns: []string{"Segment", "Customers", "Share %", "Recency (days)", "Orders", "Spend (KRW)", "Revenue share %"}}
	if ko {
		t = tools.Table{Title: "고객 세그먼트", Columns: []string{"세그먼트", "고객 수", "비중 %", "최근 구매(일 전)", "주문 수", "구매액(원)", "매출 비중 %"}}
	}
	for _, r := range rows {
		name := r.Segment
		if ko {
			name = r.SegmentKO
		}
		t.Rows = append(t.Rows, []any{name, r.Customers, round1(100 * r.Share), round1(r.RecencyDays), round1(r.Frequency), round0(r.Monetary), round1(100 * r.RevenueShare)})
	}
	return t
}

func round1(v float64) float64 { return float64(int64(v*10+0.5*sign(v))) / 10 }
func round0(v float64) float64 { return float64(int64(v + 0.5*sign(v))) }
func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// Display shows a table and a bar chart of the sizes.
func (o *SummaryOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	d := &tools.Display{Tables: []tools.Table{segmentTable(o.Segments, ko)}}
	ch := tools.Chart{Kind: "bar", Title: "Customers by segment", Unit: "customers"}
	se := tools.Series{Name: "customers"}
	if ko {
		ch.Title, ch.Unit, se.Name = "세그먼트별 고객 수", "명", "고객 수"
	}
	var parts []string
	for _, r := range o.Segments {
		name := r.Segment
		if ko {
			name = r.SegmentKO
		}
		ch.Labels = append(ch.Labels, name)
		se.Values = append(se.Values, float64(r.Customers))
		if ko {
			parts = append(parts, fmt.Sprintf("%s %d명(매출 %.0f%%)", name, r.Customers, 100*r.RevenueShare))
		} else {
			parts = append(parts, fmt.Sprintf("%s %d (%.0f%% of revenue)", name, r.Customers, 100*r.RevenueShare))
		}
	}
	ch.Series = []tools.Series{se}
	d.Charts = []tools.Chart{ch}
	if ko {
		d.Text = fmt.Sprintf("고객 %d명이 %d개 세그먼트로 나뉩니다: %s.", o.Customers, len(o.Segments), strings.Join(parts, ", "))
	} else {
		d.Text = fmt.Sprintf("%d customers in %d segments: %s.", o.Customers, len(o.Segments), strings.Join(parts, ", "))
	}
	return d
}

func (s *segmenter) summary(ctx context.Context, call *tools.Call, _ SummaryInput) (*SummaryOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, call)
	if err != nil {
		return nil, err
	}
	return &SummaryOutput{ModelVersion: st.version, Customers: len(st.b.Customers), Segments: segmentRows(st, call.Now)}, nil
}

// segmentArg resolves a segment name or fails listing the known ones.
func segmentArg(st *state, q, locale string) (int, error) {
	if i := findSegment(q, st.art.Names); i >= 0 {
		return i, nil
	}
	var known []string
	for _, n := range st.art.Names {
		known = append(known, n.KO+" ("+n.EN+")")
	}
	if locale == "ko" {
		return -1, tools.Failf("%q 세그먼트를 찾을 수 없어요. 세그먼트: %s", q, strings.Join(known, ", "))
	}
	return -1, tools.Failf("unknown segment %q; segments: %s", q, strings.Join(known, ", "))
}

// Lift is how much more a segment buys (or comes at) something than all
// customers: its share in the segment over its share overall.
type Lift struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	NameEN   string  `json:"name_en"`
	Share    float64 `json:"share"`     // share of the segment's units (orders for hours, weekdays, stores)
	AllShare float64 `json:"all_share"` // the same over all customers
	Lift     float64 `json:"lift"`
}

// ProfileInput names a segment.
type ProfileInput struct {
	Segment string `json:"segment" jsonschema:"segment name in Korean or English, e.g. VIP, 단골, at risk"`
}

// ProfileOutput is what a segment buys and when.
type ProfileOutput struct {
	Segment       SegmentRow `json:"segment"`
	TopProducts   []Lift     `json:"top_products"`
	TopCategories []Lift     `json:"top_categories"`
	Hours         []Lift     `json:"hours"`
	Weekdays      []Lift     `json:"weekdays"`
	Stores        []Lift     `json:"stores"`
	BasketUnits   float64    `json:"basket_units"`     // mean units per order
	AllBasket     float64    `json:"all_basket_units"` // the same over all customers
	OrderValue    float64    `json:"order_value"`      // mean order total, KRW
}

type tally struct {
	seg, all map[string]float64
	segN     float64
	allN     float64
}

func newTally() *tally { return &tally{seg: map[string]float64{}, all: map[string]float64{}} }

func (t *tally) add(key string, v float64, in bool) {
	t.all[key] += v
	t.allN += v
	if in {
		t.seg[key] += v
		t.segN += v
	}
}

// lifts returns the keys of the segment with at least minShare of its
// total, by lift (then share, then key), at most n.
func (t *tally) lifts(n int, minShare float64, name func(string) (string, string)) []Lift {
	var out []Lift
	if t.segN == 0 || t.allN == 0 {
		return nil
	}
	for k, v := range t.seg {
		sh := v / t.segN
		if sh < minShare {
			continue
		}
		all := t.all[k] / t.allN
		ko, en := name(k)
		out = append(out, Lift{ID: k, Name: ko, NameEN: en, Share: round3(sh), AllShare: round3(all), Lift: round3(sh / all)})
	}
	slices.SortFunc(out, func(a, b Lift) int {
		switch {
		case a.Lift != b.Lift:
			return cmpDesc(a.Lift, b.Lift)
		case a.Share != b.Share:
			return cmpDesc(a.Share, b.Share)
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func cmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

var weekdaysKO = []string{"일", "월", "화", "수", "목", "금", "토"}

// profileOf computes what segment seg buys.
func profileOf(st *state, seg int, now time.Time) *ProfileOutput {
	prod, cat, hour, wd, store := newTally(), newTally(), newTally(), newTally(), newTally()
	var segOrders, segUnits, segSpend, allOrders, allUnits float64
	for _, c := range st.b.Customers {
		in := c.Seg == seg
		for p, q := range c.Products {
			prod.add(p, q, in)
			category := st.b.Products[p].Category
			if category == "" {
				category = "other"
			}
			cat.add(category, q, in)
		}
		for h, n := range c.Hours {
			if n > 0 {
				hour.add(fmt.Sprintf("%02d", h), float64(n), in)
			}
		}
		for d, n := range c.Weekdays {
			if n > 0 {
				wd.add(fmt.Sprint(d), float64(n), in)
			}
		}
		for sid, n := range c.Stores {
			store.add(sid, float64(n), in)
		}
		allOrders += float64(c.Orders)
		allUnits += c.Items
		if in {
			segOrders += float64(c.Orders)
			segUnits += c.Items
			segSpend += c.Spend
		}
	}
	rows := segmentRows(st, now)
	out := &ProfileOutput{Segment: rows[seg]}
	out.TopProducts = prod.lifts(5, 0.02, func(id string) (string, string) {
		p, ok := st.b.Products[id]
		if !ok {
			return id, id
		}
		return p.Name, p.NameEN
	})
	out.TopCategories = cat.lifts(5, 0.02, func(id string) (string, string) { return names.CategoryKO(id), id })
	out.Hours = hour.lifts(3, 0.05, func(h string) (string, string) { return h + "시", h + ":00" })
	out.Weekdays = wd.lifts(3, 0.05, func(d string) (string, string) {
		var i int
		fmt.Sscan(d, &i)
		return weekdaysKO[i] + "요일", time.Weekday(i).String()
	})
	out.Stores = store.lifts(3, 0.05, func(id string) (string, string) {
		s, ok := st.b.Stores[id]
		if !ok {
			return id, id
		}
		return s.Name, s.NameEN
	})
	if segOrders > 0 {
		out.BasketUnits = round1(segUnits / segOrders)
		out.OrderValue = round0(segSpend / segOrders)
	}
	if allOrders > 0 {
		out.AllBasket = round1(allUnits / allOrders)
	}
	return out
}

func liftTable(title string, ls []Lift, ko bool) tools.Table {
	t := tools.Table{Title: title, Columns: []string{"Item", "Share %", "Share of all %", "Lift"}}
	if ko {
		t.Columns = []string{"항목", "비중 %", "전체 비중 %", "배수"}
	}
	for _, l := range ls {
		name := l.NameEN
		if ko {
			name = l.Name
		}
		t.Rows = append(t.Rows, []any{name, round1(100 * l.Share), round1(100 * l.AllShare), l.Lift})
	}
	return t
}

func liftName(l Lift, ko bool) string {
	if ko {
		return l.Name
	}
	return l.NameEN
}

// Display shows the profile: a grounded sentence and one table per aspect.
func (o *ProfileOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	r := o.Segment
	d := &tools.Display{}
	var b strings.Builder
	if ko {
		fmt.Fprintf(&b, "%s 고객 %d명(전체의 %.0f%%)은 평균 %.1f회 주문, %.0f원을 구매했고 매출의 %.0f%%를 차지합니다.", r.SegmentKO, r.Customers, 100*r.Share, r.Frequency, r.Monetary, 100*r.RevenueShare)
		if len(o.TopCategories) > 0 {
			fmt.Fprintf(&b, " %s 고객은 %s 카테고리를 평균보다 %.1f배 더 삽니다.", r.SegmentKO, o.TopCategories[0].Name, o.TopCategories[0].Lift)
		}
		if len(o.TopProducts) > 0 {
			fmt.Fprintf(&b, " 특히 %s(%.1f배).", o.TopProducts[0].Name, o.TopProducts[0].Lift)
		}
		if len(o.Hours) > 0 && len(o.Weekdays) > 0 {
			fmt.Fprintf(&b, " 주로 %s, %s에 옵니다.", o.Weekdays[0].Name, o.Hours[0].Name)
		}
		fmt.Fprintf(&b, " 한 번에 평균 %.1f개(전체 평균 %.1f개), %.0f원을 삽니다.", o.BasketUnits, o.AllBasket, o.OrderValue)
	} else {
		fmt.Fprintf(&b, "%s customers: %d (%.0f%% of customers), %.1f orders and %.0f KRW each on average, %.0f%% of revenue.", r.Segment, r.Customers, 100*r.Share, r.Frequency, r.Monetary, 100*r.RevenueShare)
		if len(o.TopCategories) > 0 {
			fmt.Fprintf(&b, " They buy %.1f× more %s than the average customer.", o.TopCategories[0].Lift, o.TopCategories[0].NameEN)
		}
		if len(o.TopProducts) > 0 {
			fmt.Fprintf(&b, " Above all %s (%.1f×).", o.TopProducts[0].NameEN, o.TopProducts[0].Lift)
		}
		if len(o.Hours) > 0 && len(o.Weekdays) > 0 {
			fmt.Fprintf(&b, " They come most on %s around %s.", o.Weekdays[0].NameEN, o.Hours[0].NameEN)
		}
		fmt.Fprintf(&b, " Basket: %.1f items (all customers %.1f), %.0f KRW.", o.BasketUnits, o.AllBasket, o.OrderValue)
	}
	d.Text = b.String()
	titles := []string{"Top products by lift", "Top categories by lift", "Preferred hours", "Preferred weekdays", "Preferred stores"}
	if ko {
		titles = []string{"많이 사는 상품 (배수)", "많이 사는 카테고리 (배수)", "선호 시간대", "선호 요일", "선호 매장"}
	}
	for i, ls := range [][]Lift{o.TopProducts, o.TopCategories, o.Hours, o.Weekdays, o.Stores} {
		if len(ls) > 0 {
			d.Tables = append(d.Tables, liftTable(titles[i], ls, ko))
		}
	}
	if len(o.TopCategories) > 0 {
		ch := tools.Chart{Kind: "bar", Title: titles[1], Unit: "×"}
		se := tools.Series{Name: "lift"}
		for _, l := range o.TopCategories {
			ch.Labels = append(ch.Labels, liftName(l, ko))
			se.Values = append(se.Values, l.Lift)
		}
		one := 1.0
		ch.Series, ch.Threshold = []tools.Series{se}, &one
		d.Charts = []tools.Chart{ch}
	}
	return d
}

func (s *segmenter) profile(ctx context.Context, call *tools.Call, in ProfileInput) (*ProfileOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, call)
	if err != nil {
		return nil, err
	}
	seg, err := segmentArg(st, in.Segment, call.Locale)
	if err != nil {
		return nil, err
	}
	return profileOf(st, seg, call.Now), nil
}

// AtRiskInput bounds the list.
type AtRiskInput struct {
	Limit int `json:"limit,omitempty" jsonschema:"how many customers to list (default 20)"`
}

// AtRiskCustomer is one customer of the at-risk segment.
type AtRiskCustomer struct {
	CustomerID  string  `json:"customer_id"`
	Probability float64 `json:"probability"`
	LastOrder   string  `json:"last_order"`
	RecencyDays float64 `json:"recency_days"`
	Orders      int     `json:"orders"`
	Spend       float64 `json:"spend"`
}

// AtRiskOutput lists the at-risk customers, biggest spenders first.
type AtRiskOutput struct {
	Count     int              `json:"count"`
	Segments  []string         `json:"segments"` // the at-risk segments' keys; empty when the model has none
	Spend     float64          `json:"spend"`    // their total past spend
	Customers []AtRiskCustomer `json:"customers"`
}

// Display shows the count and the table.
func (o *AtRiskOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	d := &tools.Display{}
	switch {
	case len(o.Segments) == 0 && ko:
		d.Text = "현재 모델에는 이탈 위험 세그먼트가 없어요."
		return d
	case len(o.Segments) == 0:
		d.Text = "The current model has no at-risk segment."
		return d
	case ko:
		d.Text = fmt.Sprintf("이탈 위험 고객은 %d명이며, 이들의 누적 구매액은 %.0f원입니다. 구매액 상위 %d명:", o.Count, o.Spend, len(o.Customers))
	default:
		d.Text = fmt.Sprintf("%d customers are at risk; they have spent %.0f KRW in all. Top %d by spend:", o.Count, o.Spend, len(o.Customers))
	}
	t := tools.Table{Title: "At-risk customers", Columns: []string{"Customer", "Probability", "Last order", "Days since", "Orders", "Spend (KRW)"}}
	if ko {
		t = tools.Table{Title: "이탈 위험 고객", Columns: []string{"고객", "확률", "마지막 주문", "경과 일수", "주문 수", "구매액(원)"}}
	}
	for _, c := range o.Customers {
		t.Rows = append(t.Rows, []any{c.CustomerID, c.Probability, c.LastOrder, c.RecencyDays, c.Orders, c.Spend})
	}
	d.Tables = []tools.Table{t}
	return d
}

func (s *segmenter) atRisk(ctx context.Context, call *tools.Call, in AtRiskInput) (*AtRiskOutput, error) {
	if in.Limit < 0 {
		return nil, tools.Failf("limit %d: must be positive", in.Limit)
	}
	limit := in.Limit
	if limit == 0 {
		limit = 20
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, call)
	if err != nil {
		return nil, err
	}
	risky := map[int]bool{}
	out := &AtRiskOutput{Segments: []string{}, Customers: []AtRiskCustomer{}}
	for i, n := range st.art.Names {
		if strings.HasPrefix(n.Key, "at_risk") {
			risky[i] = true
			out.Segments = append(out.Segments, n.Key)
		}
	}
	for _, c := range st.b.Customers {
		if !risky[c.Seg] {
			continue
		}
		out.Count++
		out.Spend += c.Spend
		r := c.rfm(call.Now)
		out.Customers = append(out.Customers, AtRiskCustomer{CustomerID: c.ID, Probability: round3(c.Proba[c.Seg]),
			LastOrder: c.Last.In(seoul).Format(tools.DateLayout), RecencyDays: round1(r[0]), Orders: c.Orders, Spend: c.Spend})
	}
	slices.SortFunc(out.Customers, func(a, b AtRiskCustomer) int {
		if a.Spend != b.Spend {
			return cmpDesc(a.Spend, b.Spend)
		}
		return strings.Compare(a.CustomerID, b.CustomerID)
	})
	if len(out.Customers) > limit {
		out.Customers = out.Customers[:limit]
	}
	return out, nil
}

// CompareInput names two segments.
type CompareInput struct {
	A string `json:"a" jsonschema:"first segment, e.g. VIP"`
	B string `json:"b" jsonschema:"second segment, e.g. 단골"`
}

// CompareOutput puts two profiles side by side.
type CompareOutput struct {
	A *ProfileOutput `json:"a"`
	B *ProfileOutput `json:"b"`
}

// Display shows one table with both segments.
func (o *CompareOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	a, b := o.A.Segment, o.B.Segment
	na, nb := a.Segment, b.Segment
	if ko {
		na, nb = a.SegmentKO, b.SegmentKO
	}
	top := func(p *ProfileOutput) string {
		if len(p.TopCategories) == 0 {
			return "-"
		}
		return fmt.Sprintf("%s (%.1f×)", liftName(p.TopCategories[0], ko), p.TopCategories[0].Lift)
	}
	labels := []string{"Customers", "Share %", "Recency (days)", "Orders", "Spend (KRW)", "Revenue share %", "Basket (items)", "Order value (KRW)", "Top category"}
	t := tools.Table{Title: "Segment comparison", Columns: []string{"", na, nb}}
	if ko {
		labels = []string{"고객 수", "비중 %", "최근 구매(일 전)", "주문 수", "구매액(원)", "매출 비중 %", "장바구니(개)", "객단가(원)", "대표 카테고리"}
		t.Title = "세그먼트 비교"
	}
	vals := func(p *ProfileOutput) []any {
		r := p.Segment
		return []any{r.Customers, round1(100 * r.Share), round1(r.RecencyDays), round1(r.Frequency), round0(r.Monetary), round1(100 * r.RevenueShare), p.BasketUnits, p.OrderValue, top(p)}
	}
	va, vb := vals(o.A), vals(o.B)
	for i, l := range labels {
		t.Rows = append(t.Rows, []any{l, va[i], vb[i]})
	}
	d := &tools.Display{Tables: []tools.Table{t}}
	ratio := 0.0
	if b.Monetary > 0 {
		ratio = a.Monetary / b.Monetary
	}
	if ko {
		d.Text = fmt.Sprintf("%s 고객(%d명)은 %s 고객(%d명)보다 1인당 %.1f배 구매했습니다: 평균 %.1f회 vs %.1f회 주문, 최근 구매 %.0f일 전 vs %.0f일 전.", na, a.Customers, nb, b.Customers, ratio, a.Frequency, b.Frequency, a.RecencyDays, b.RecencyDays)
	} else {
		d.Text = fmt.Sprintf("%s customers (%d) spent %.1f× as much each as %s customers (%d): %.1f vs %.1f orders, last order %.0f vs %.0f days ago.", na, a.Customers, ratio, nb, b.Customers, a.Frequency, b.Frequency, a.RecencyDays, b.RecencyDays)
	}
	return d
}

func (s *segmenter) compare(ctx context.Context, call *tools.Call, in CompareInput) (*CompareOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, call)
	if err != nil {
		return nil, err
	}
	a, err := segmentArg(st, in.A, call.Locale)
	if err != nil {
		return nil, err
	}
	b, err := segmentArg(st, in.B, call.Locale)
	if err != nil {
		return nil, err
	}
	return &CompareOutput{A: profileOf(st, a, call.Now), B: profileOf(st, b, call.Now)}, nil
}
