package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/plugins/internal/stock"
	"github.com/crumb-dev/crumb/tools"
)

// DefaultThreshold is the EWR above which an item is at risk (seed: 12 %).
const DefaultThreshold = 12.0

// WasteInput selects the waste forecast.
type WasteInput struct {
	Store     string   `json:"store,omitempty" jsonschema:"store id or name (e.g. S01, 강남점, Gangnam); all stores when empty"`
	Product   string   `json:"product,omitempty" jsonschema:"only this product: id or name (e.g. P018, 크루아상)"`
	Category  string   `json:"category,omitempty" jsonschema:"only this category: bread, pastry, cake, sandwich, cookie or beverage"`
	Date      string   `json:"date,omitempty" jsonschema:"day, YYYY-MM-DD; today when empty"`
	Time      string   `json:"time,omitempty" jsonschema:"time of day, HH:MM; now when empty"`
	Threshold *float64 `json:"threshold,omitempty" jsonschema:"EWR percentage above which an item is at risk (default 12)"`
	Limit     int      `json:"limit,omitempty" jsonschema:"at most this many rows in the table and chart (default 15)"`
	Queue     bool     `json:"queue,omitempty" jsonschema:"queue a push for every item above the threshold (once per store, item and day)"`
}

// WasteRow is one store × product.
type WasteRow struct {
	StoreID   string `json:"store_id"`
	Store     string `json:"store"`
	StoreEN   string `json:"store_en"`
	ProductID string `json:"product_id"`
	Product   string `json:"product"`
	ProductEN string `json:"product_en"`
	// Production is today's production; Stock the latest stock count.
	Production int `json:"production"`
	Stock      int `json:"stock"`
	// PredictedDay is the day's forecast; PredictedRemaining the part of it
	// still to come after the time asked about.
	PredictedDay       float64 `json:"predicted_day"`
	PredictedRemaining float64 `json:"predicted_remaining"`
	// EWR = (stock − predicted remaining sales) / production × 100; absent
	// when nothing was produced.
	EWR     *float64 `json:"ewr,omitempty"`
	AtRisk  bool     `json:"at_risk"`
	Status  string   `json:"status"` // at_risk, ok, not_produced
	StockAt string   `json:"stock_at,omitempty"`
}

// WasteOutput is the waste forecast.
type WasteOutput struct {
	Date      string     `json:"date"`
	Time      string     `json:"time"`
	Threshold float64    `json:"threshold"`
	Store     string     `json:"store,omitempty"`
	StoreEN   string     `json:"store_en,omitempty"`
	Product   string     `json:"product,omitempty"`
	ProductEN string     `json:"product_en,omitempty"`
	Category  string     `json:"category,omitempty"`
	AtRisk    int        `json:"at_risk"`
	Rows      []WasteRow `json:"rows"`
	Queued    *QueueInfo `json:"queued,omitempty"`
	Model     string     `json:"model"`
	limit     int
}

// QueueInfo says what the push hand-off did.
type QueueInfo struct {
	Created  int `json:"created"`
	Existing int `json:"existing"`
}

func (f *forecaster) waste(ctx context.Context, call *tools.Call, in WasteInput) (*WasteOutput, error) {
	now := call.Now.In(seoul)
	d, clock, err := dayAndTime(now, in.Date, in.Time)
	if err != nil {
		return nil, err
	}
	threshold := DefaultThreshold
	if in.Threshold != nil {
		threshold = *in.Threshold
	}
	if threshold < 0 || threshold > 100 {
		return nil, tools.Failf("threshold %.1f is out of range: use 0 to 100 (percent)", threshold)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if d.After(today.AddDate(0, 0, 1)) || d.Before(today.AddDate(-2, 0, 0)) {
		return nil, failf(call.Locale, "%s: 폐기 예측은 오늘, 내일 또는 2년 안의 지난 날짜만 볼 수 있어요", "date %s: the waste forecast looks at today, tomorrow or a past day within two years", d.Format(tools.DateLayout))
	}
	m, version, err := f.model(ctx, call)
	if err != nil {
		return nil, err
	}
	h, err := loadHistory(ctx, call.Host, d.AddDate(0, 0, -1), 1)
	if err != nil {
		return nil, err
	}
	out := &WasteOutput{Date: d.Format(tools.DateLayout), Time: clock.Format("15:04"), Threshold: threshold,
		Model: fmt.Sprintf("v%d (trained on sales to %s)", version, m.Until), limit: cmp.Or(in.Limit, 15)}
	q := func(ds string) *tools.DatasetQuery {
		return &tools.DatasetQuery{Dataset: ds, From: out.Date, To: out.Date}
	}
	var storeFilter []string
	if in.Store != "" {
		s, err := names.Store(h.stores, in.Store, call.Locale)
		if err != nil {
			return nil, err
		}
		storeFilter = []string{s.ID}
		out.Store, out.StoreEN = s.Name, s.NameEN
	}
	prodQ := q(tools.DatasetProduction)
	prodQ.Stores = storeFilter
	if in.Product != "" {
		p, err := names.Product(h.products, in.Product, call.Locale)
		if err != nil {
			return nil, err
		}
		prodQ.Products = []string{p.ID}
		out.Product, out.ProductEN = p.Name, p.NameEN
	}
	if in.Category != "" {
		if !slices.ContainsFunc(h.products, func(p tools.Product) bool { return strings.EqualFold(p.Category, in.Category) }) {
			return nil, failf(call.Locale, "분류 %q 는 없어요: bread, pastry, cake, sandwich, cookie, beverage 중에서 골라 주세요", "category %q: use bread, pastry, cake, sandwich, cookie or beverage", in.Category)
		}
		out.Category = strings.ToLower(in.Category)
	}
	production, err := tools.ReadAll[tools.Production](ctx, call.Host, prodQ)
	if err != nil {
		return nil, err
	}
	if len(production) == 0 {
		return nil, failf(call.Locale, "%s 생산 기록이 아직 없어 폐기를 예측할 수 없어요. 그날 얼마나 팔릴지는 “내일 판매 예측 보여줘”처럼 물어봐 주세요",
			"no production recorded for %s yet, so there is no waste to forecast: ask for the demand forecast instead (\"demand forecast for tomorrow\")", out.Date)
	}
	stockQ := q(tools.DatasetStock)
	stockQ.Stores = storeFilter
	snaps, err := tools.ReadAll[tools.StockSnapshot](ctx, call.Host, stockQ)
	if err != nil {
		return nil, err
	}
	counts := map[[2]string]tools.StockSnapshot{}
	for _, sn := range stock.Latest(snaps, clock) {
		counts[[2]string{sn.StoreID, sn.ProductID}] = sn
	}
	curves, err := loadCurves(ctx, call.Host, storeFilter)
	if err != nil {
		return nil, err
	}
	origin := h.index(d)
	for _, p := range production {
		si, ok1 := h.storeIdx[p.StoreID]
		pi, ok2 := h.prodIdx[p.ProductID]
		if !ok1 || !ok2 {
			continue
		}
		st, pr := h.stores[si], h.products[pi]
		if out.Category != "" && !strings.EqualFold(pr.Category, out.Category) {
			continue
		}
		row := WasteRow{StoreID: st.ID, Store: st.Name, StoreEN: st.NameEN, ProductID: pr.ID, Product: pr.Name, ProductEN: pr.NameEN, Production: p.Quantity}
		// The remaining sales are those after the stock count, so that the
		// sales between the count and the time asked are not lost.
		countedAt := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, seoul)
		if sn, ok := counts[[2]string{p.StoreID, p.ProductID}]; ok {
			row.Stock = sn.Quantity
			row.StockAt = sn.At.In(seoul).Format("15:04")
			countedAt = sn.At.In(seoul)
		} else {
			row.Stock = p.Quantity // no count yet today: nothing sold
		}
		if p.Quantity <= 0 {
			row.Status = "not_produced"
			out.Rows = append(out.Rows, row)
			continue
		}
		if s := h.bySP[[2]int{si, pi}]; s != nil && origin < h.days {
			row.PredictedDay = m.forecast(h, s, origin, 1)[0].Point
		}
		share := curves.remaining(st.ID, pr.Category, countedAt)
		row.PredictedRemaining = round1(row.PredictedDay * share)
		row.PredictedDay = round1(row.PredictedDay)
		ewr := round1(EWR(row.Stock, row.PredictedRemaining, row.Production))
		row.EWR = &ewr
		row.AtRisk = ewr > threshold
		row.Status = "ok"
		if row.AtRisk {
			row.Status = "at_risk"
			out.AtRisk++
		}
		out.Rows = append(out.Rows, row)
	}
	slices.SortStableFunc(out.Rows, func(a, b WasteRow) int {
		return cmp.Or(-cmp.Compare(ewrOr(a), ewrOr(b)), cmp.Compare(a.StoreID, b.StoreID), cmp.Compare(a.ProductID, b.ProductID))
	})
	if in.Queue {
		out.Queued, err = f.queue(ctx, call, out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EWR is the expected waste rate in percent: the stock that the rest of the
// day's predicted sales will not clear, over the day's production. It is
// negative when the item is expected to sell out. production must be > 0.
func EWR(stock int, predictedRemaining float64, production int) float64 {
	return (float64(stock) - predictedRemaining) / float64(production) * 100
}

func ewrOr(r WasteRow) float64 {
	if r.EWR == nil {
		return math.Inf(-1)
	}
	return *r.EWR
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// dayAndTime resolves the day and time asked about, in Seoul.
func dayAndTime(now time.Time, date, clock string) (time.Time, time.Time, error) {
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if date != "" {
		var err error
		if d, err = time.Parse(tools.DateLayout, date); err != nil {
			return d, d, tools.Failf("date %q: want YYYY-MM-DD, e.g. %s", date, now.Format(tools.DateLayout))
		}
	}
	hh, mm := now.Hour(), now.Minute()
	if clock != "" {
		t, err := time.Parse("15:04", clock)
		if err != nil {
			return d, d, tools.Failf("time %q: want HH:MM, e.g. 16:30", clock)
		}
		hh, mm = t.Hour(), t.Minute()
	}
	at := time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, seoul)
	return d, at, nil
}

// curves are the intraday sales shares by store and category.
type curves map[[2]string][24]float64

func loadCurves(ctx context.Context, host tools.DatasetReader, stores []string) (curves, error) {
	rows, err := tools.ReadAll[tools.IntradayShare](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetIntraday, Stores: stores})
	if err != nil {
		return nil, err
	}
	c := curves{}
	for _, r := range rows {
		if r.Hour < 0 || r.Hour > 23 {
			continue
		}
		k := [2]string{r.StoreID, r.Category}
		v := c[k]
		v[r.Hour] += r.Share
		c[k] = v
	}
	return c, nil
}

// remaining is the share of the day's sales still to come after at: the
// rest of the current hour pro rata and every later hour. Without a curve
// for the store and category, sales are spread evenly over 07:00–22:00.
func (c curves) remaining(store, category string, at time.Time) float64 {
	shares, ok := c[[2]string{store, category}]
	if !ok {
		for h := 7; h < 22; h++ {
			shares[h] = 1.0 / 15
		}
	}
	total := 0.0
	for _, s := range shares {
		total += s
	}
	if total <= 0 {
		return 0
	}
	h, frac := at.Hour(), float64(at.Minute())/60
	rest := shares[h] * (1 - frac)
	for k := h + 1; k < 24; k++ {
		rest += shares[k]
	}
	return rest / total
}

// what names the product or category the forecast was narrowed to.
func (o *WasteOutput) what(ko bool) string {
	switch {
	case o.Product != "" && ko:
		return o.Product
	case o.Product != "":
		return o.ProductEN
	case o.Category != "" && ko:
		return names.CategoryKO(o.Category)
	case o.Category != "":
		return o.Category
	}
	return ""
}

// Display shows the waste forecast: a short answer, a table and a chart.
func (o *WasteOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	var risky []WasteRow
	for _, r := range o.Rows {
		if r.AtRisk {
			risky = append(risky, r)
		}
	}
	where := o.StoreEN
	if ko {
		where = o.Store
	}
	switch what := o.what(ko); {
	case what != "" && ko:
		where = orAll(where, "전 매장", ko) + " " + what
	case what != "":
		where = orAll(where, "all stores", ko) + " (" + what + ")"
	}
	names := func(rows []WasteRow) string {
		var parts []string
		for _, r := range rows[:min(3, len(rows))] {
			n := r.ProductEN
			if ko {
				n = r.Product
			}
			if o.Store == "" {
				s := r.StoreEN
				if ko {
					s = r.Store
				}
				n = s + " " + n
			}
			parts = append(parts, fmt.Sprintf("%s %.1f%%", n, *r.EWR))
		}
		return strings.Join(parts, ", ")
	}
	d := &tools.Display{}
	switch {
	case ko && len(risky) == 0:
		d.Text = fmt.Sprintf("%s %s 기준 예상 폐기율이 %.0f%%를 넘는 상품은 없습니다.", orAll(where, "전 매장", ko), o.Time, o.Threshold)
	case ko:
		d.Text = fmt.Sprintf("%s %s 기준 폐기 위험 상품은 %d개입니다 (예상 폐기율 %.0f%% 초과). 가장 높은 품목: %s.", orAll(where, "전 매장", ko), o.Time, len(risky), o.Threshold, names(risky))
	case len(risky) == 0:
		d.Text = fmt.Sprintf("No item at %s is expected to exceed a %.0f%% waste rate (as of %s).", orAll(where, "any store", ko), o.Threshold, o.Time)
	default:
		d.Text = fmt.Sprintf("%d items at %s are at risk of waste (expected waste rate above %.0f%%, as of %s). Highest: %s.", len(risky), orAll(where, "all stores", ko), o.Threshold, o.Time, names(risky))
	}
	if o.Queued != nil {
		if ko {
			d.Text += fmt.Sprintf(" 푸시 대기열에 %d건을 새로 넣었습니다 (이미 있던 %d건 제외).", o.Queued.Created, o.Queued.Existing)
		} else {
			d.Text += fmt.Sprintf(" Queued %d new pushes (%d were already queued).", o.Queued.Created, o.Queued.Existing)
		}
	}
	t := tools.Table{Title: "Expected waste rate", Columns: []string{"Store", "Item", "Stock", "Predicted remaining sales", "EWR (%)"}}
	chart := tools.Chart{Kind: "bar", Title: "Expected waste rate by item", Unit: "%", Threshold: &o.Threshold}
	if ko {
		t = tools.Table{Title: "예상 폐기율", Columns: []string{"매장", "상품", "재고", "남은 예상 판매량", "예상 폐기율(%)"}}
		chart.Title = "상품별 예상 폐기율"
	}
	series := tools.Series{Name: "EWR"}
	if ko {
		series.Name = "예상 폐기율"
	}
	shown := 0
	for _, r := range o.Rows {
		if r.EWR == nil || shown >= o.limit {
			continue
		}
		shown++
		s, p := r.StoreEN, r.ProductEN
		if ko {
			s, p = r.Store, r.Product
		}
		t.Rows = append(t.Rows, []any{s, p, r.Stock, r.PredictedRemaining, *r.EWR})
		label := p
		if o.Store == "" {
			label = s + " " + p
		}
		chart.Labels = append(chart.Labels, label)
		series.Values = append(series.Values, *r.EWR)
	}
	chart.Series = []tools.Series{series}
	d.Tables = []tools.Table{t}
	if len(chart.Labels) > 0 {
		d.Charts = []tools.Chart{chart}
	}
	return d
}

func orAll(where, all string, ko bool) string {
	if where != "" {
		return where
	}
	return all
}

// failf is a failure in the caller's language.
func failf(locale, ko, en string, args ...any) error {
	if locale == "ko" {
		return tools.Failf(ko, args...)
	}
	return tools.Failf(en, args...)
}
