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
	"github.com/crumb-dev/crumb/tools"
)

// MaxHorizon is the longest demand forecast, in days.
const MaxHorizon = 14

// DemandInput selects the demand forecast.
type DemandInput struct {
	Product  string   `json:"product,omitempty" jsonschema:"one product id or name (e.g. 크루아상, croissant)"`
	Products []string `json:"products,omitempty" jsonschema:"product ids or names; all products when empty"`
	Store    string   `json:"store,omitempty" jsonschema:"one store id or name"`
	Stores   []string `json:"stores,omitempty" jsonschema:"store ids or names; all stores when empty"`
	From     string   `json:"from,omitempty" jsonschema:"first day, YYYY-MM-DD; tomorrow when empty"`
	Days     int      `json:"days,omitempty" jsonschema:"number of days, 1 to 14 (default 1)"`
}

// DemandDay is the forecast of one day, summed over the selected stores
// and products.
type DemandDay struct {
	Date  string  `json:"date"`
	Point float64 `json:"point"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// DemandRow is one store × product × day.
type DemandRow struct {
	StoreID   string  `json:"store_id"`
	Store     string  `json:"store"`
	StoreEN   string  `json:"store_en"`
	ProductID string  `json:"product_id"`
	Product   string  `json:"product"`
	ProductEN string  `json:"product_en"`
	Date      string  `json:"date"`
	Point     float64 `json:"point"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
}

// DemandOutput is the demand forecast.
type DemandOutput struct {
	From       string      `json:"from"`
	Days       int         `json:"days"`
	Interval   string      `json:"interval"`
	Total      []DemandDay `json:"total"`
	Rows       []DemandRow `json:"rows"`
	Products   []string    `json:"products"`
	ProductsEN []string    `json:"products_en"`
	Stores     []string    `json:"stores"`
	StoresEN   []string    `json:"stores_en"`
	AllStores  bool        `json:"all_stores"`
	Model      string      `json:"model"`
}

func (f *forecaster) demand(ctx context.Context, call *tools.Call, in DemandInput) (*DemandOutput, error) {
	now := call.Now.In(seoul)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, 1)
	if in.From != "" {
		var err error
		if from, err = time.Parse(tools.DateLayout, in.From); err != nil {
			return nil, tools.Failf("from %q: want YYYY-MM-DD", in.From)
		}
	}
	days := cmp.Or(in.Days, 1)
	if days < 1 || days > MaxHorizon {
		return nil, tools.Failf("days %d is out of range: forecasts go 1 to %d days ahead", in.Days, MaxHorizon)
	}
	if from.After(today.AddDate(0, 0, MaxHorizon)) || from.Before(today.AddDate(-2, 0, 0)) {
		return nil, tools.Failf("from %s: forecasts start between two years ago and %d days ahead", from.Format(tools.DateLayout), MaxHorizon)
	}
	m, version, err := f.model(ctx, call)
	if err != nil {
		return nil, err
	}
	// Sales are known up to yesterday (or the day before from, if earlier).
	until := today.AddDate(0, 0, -1)
	if from.Before(today) {
		until = from.AddDate(0, 0, -1)
	}
	h, err := loadHistory(ctx, call.Host, until, int(from.Sub(until).Hours()/24)+days)
	if err != nil {
		return nil, err
	}
	if from.Sub(until).Hours()/24 > MaxHorizon+1 {
		return nil, tools.Failf("from %s is too far ahead: forecasts reach %d days past the last sales day (%s)", in.From, MaxHorizon, until.Format(tools.DateLayout))
	}
	storeSet, prodSet := map[int]bool{}, map[int]bool{}
	for _, q := range append(slices.Clone(in.Stores), nonEmpty(in.Store)...) {
		s, err := names.Store(h.stores, q, call.Locale)
		if err != nil {
			return nil, err
		}
		storeSet[h.storeIdx[s.ID]] = true
	}
	for _, q := range append(slices.Clone(in.Products), nonEmpty(in.Product)...) {
		p, err := names.Product(h.products, q, call.Locale)
		if err != nil {
			return nil, err
		}
		prodSet[h.prodIdx[p.ID]] = true
	}
	out := &DemandOutput{From: from.Format(tools.DateLayout), Days: days, Interval: "80%", AllStores: len(storeSet) == 0,
		Model: fmt.Sprintf("v%d (trained on sales to %s)", version, m.Until)}
	for i := range h.products {
		if prodSet[i] {
			out.Products = append(out.Products, h.products[i].Name)
			out.ProductsEN = append(out.ProductsEN, h.products[i].NameEN)
		}
	}
	for i := range h.stores {
		if storeSet[i] {
			out.Stores = append(out.Stores, h.stores[i].Name)
			out.StoresEN = append(out.StoresEN, h.stores[i].NameEN)
		}
	}
	origin := h.index(until) + 1
	skip := h.index(from) - origin
	total := make([]DemandDay, days)
	variance := make([]float64, days)
	for _, s := range h.series {
		if (len(storeSet) > 0 && !storeSet[s.store]) || (len(prodSet) > 0 && !prodSet[s.product]) {
			continue
		}
		fc := m.forecast(h, s, origin, skip+days)[skip:]
		st, pr := h.stores[s.store], h.products[s.product]
		for k, fd := range fc {
			date := from.AddDate(0, 0, k).Format(tools.DateLayout)
			out.Rows = append(out.Rows, DemandRow{StoreID: st.ID, Store: st.Name, StoreEN: st.NameEN, ProductID: pr.ID, Product: pr.Name, ProductEN: pr.NameEN,
				Date: date, Point: round1(fd.Point), Low: round1(fd.Low), High: round1(fd.High)})
			total[k].Date = date
			total[k].Point += fd.Point
			half := (fd.High - fd.Low) / 2
			variance[k] += half * half // independent errors add in variance
		}
	}
	if len(out.Rows) == 0 {
		return nil, failf(call.Locale, "그 조건에 맞는 판매 기록이 없어 예측할 수 없어요", "no sales history for that selection, so nothing to forecast")
	}
	for k := range total {
		half := math.Sqrt(variance[k])
		total[k].Low = round1(math.Max(total[k].Point-half, 0))
		total[k].High = round1(total[k].Point + half)
		total[k].Point = round1(total[k].Point)
	}
	out.Total = total
	return out, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Display shows the forecast: a sentence, a table and, over several days,
// a line chart with the interval.
func (o *DemandOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	what := strings.Join(o.ProductsEN, ", ")
	where := strings.Join(o.StoresEN, ", ")
	if ko {
		what, where = strings.Join(o.Products, ", "), strings.Join(o.Stores, ", ")
	}
	if what == "" {
		what = map[bool]string{true: "전체 상품", false: "all products"}[ko]
	}
	if where == "" {
		where = map[bool]string{true: "전 매장", false: "all stores"}[ko]
	}
	d := &tools.Display{}
	first := o.Total[0]
	if o.Days == 1 {
		if ko {
			d.Text = fmt.Sprintf("%s %s %s 예상 판매량은 %.0f개입니다 (80%% 구간 %.0f–%.0f개).", first.Date, where, what, first.Point, first.Low, first.High)
		} else {
			d.Text = fmt.Sprintf("Forecast for %s on %s at %s: %.0f units (80%% interval %.0f–%.0f).", what, first.Date, where, first.Point, first.Low, first.High)
		}
	} else {
		sum := 0.0
		for _, t := range o.Total {
			sum += t.Point
		}
		last := o.Total[len(o.Total)-1].Date
		if ko {
			d.Text = fmt.Sprintf("%s–%s %s %s 예상 판매량은 총 %.0f개, 하루 평균 %.0f개입니다.", first.Date, last, where, what, sum, sum/float64(len(o.Total)))
		} else {
			d.Text = fmt.Sprintf("Forecast for %s at %s from %s to %s: %.0f units in all, %.0f a day.", what, where, first.Date, last, sum, sum/float64(len(o.Total)))
		}
	}
	t := tools.Table{Title: "Demand forecast", Columns: []string{"Date", "Forecast", "Low (80%)", "High (80%)"}}
	chart := tools.Chart{Kind: "line", Title: "Demand forecast", Unit: "units"}
	point, low, high := tools.Series{Name: "forecast"}, tools.Series{Name: "forecast (low)"}, tools.Series{Name: "forecast (high)"}
	if ko {
		t = tools.Table{Title: "수요 예측", Columns: []string{"날짜", "예측", "하한(80%)", "상한(80%)"}}
		chart.Title, chart.Unit = "수요 예측", "개"
		point.Name, low.Name, high.Name = "예측", "예측 (low)", "예측 (high)"
	}
	for _, day := range o.Total {
		t.Rows = append(t.Rows, []any{day.Date, day.Point, day.Low, day.High})
		chart.Labels = append(chart.Labels, day.Date[5:])
		point.Values = append(point.Values, day.Point)
		low.Values = append(low.Values, day.Low)
		high.Values = append(high.Values, day.High)
	}
	d.Tables = []tools.Table{t}
	if o.Days > 1 {
		chart.Series = []tools.Series{point, low, high}
		d.Charts = []tools.Chart{chart}
	}
	return d
}

// ClustersInput selects the clustering.
type ClustersInput struct {
	K int `json:"k,omitempty" jsonschema:"number of clusters (default 5, at most the number of stores)"`
}

// ClusterInfo describes one cluster.
type ClusterInfo struct {
	Cluster      int      `json:"cluster"`
	Stores       []string `json:"stores"`
	StoresEN     []string `json:"stores_en"`
	WeekendShare float64  `json:"weekend_share"` // share of sales on Saturday and Sunday
	DailyUnits   float64  `json:"daily_units"`   // mean units a day per store
}

// ClustersOutput is the store clustering.
type ClustersOutput struct {
	K          int           `json:"k"`
	Silhouette float64       `json:"silhouette"`
	Clusters   []ClusterInfo `json:"clusters"`
}

func (f *forecaster) clusters(ctx context.Context, call *tools.Call, in ClustersInput) (*ClustersOutput, error) {
	k := cmp.Or(in.K, DefaultClusters)
	if k < 1 || k > 20 {
		return nil, tools.Failf("k %d is out of range: use 1 to 20", in.K)
	}
	now := call.Now.In(seoul)
	h, err := loadHistory(ctx, call.Host, time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		return nil, err
	}
	c, err := h.clusterStores(h.days, k, 1)
	if err != nil {
		return nil, err
	}
	prof := h.storeProfiles(h.days)
	out := &ClustersOutput{K: c.K, Silhouette: math.Round(c.Silhouette*1000) / 1000}
	for ci := range c.K {
		info := ClusterInfo{Cluster: ci + 1}
		n := 0
		for i, s := range h.stores {
			if c.Of[s.ID] != ci {
				continue
			}
			info.Stores = append(info.Stores, s.Name)
			info.StoresEN = append(info.StoresEN, s.NameEN)
			p := prof[i]
			info.WeekendShare += p[0] + p[6]
			info.DailyUnits += math.Expm1(p[len(p)-1])
			n++
		}
		if n > 0 {
			info.WeekendShare = math.Round(info.WeekendShare/float64(n)*1000) / 1000
			info.DailyUnits = math.Round(info.DailyUnits / float64(n))
		}
		out.Clusters = append(out.Clusters, info)
	}
	return out, nil
}

// Display lists the clusters.
func (o *ClustersOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	d := &tools.Display{}
	t := tools.Table{Title: "Store clusters", Columns: []string{"Cluster", "Stores", "Weekend share", "Units a day per store"}}
	if ko {
		d.Text = fmt.Sprintf("매장을 판매 패턴에 따라 %d개 그룹으로 나눴습니다 (실루엣 %.2f).", o.K, o.Silhouette)
		t = tools.Table{Title: "매장 클러스터", Columns: []string{"클러스터", "매장", "주말 비중", "매장당 일 판매량"}}
	} else {
		d.Text = fmt.Sprintf("The stores fall into %d groups by sales pattern (silhouette %.2f).", o.K, o.Silhouette)
	}
	for _, c := range o.Clusters {
		names := strings.Join(c.StoresEN, ", ")
		if ko {
			names = strings.Join(c.Stores, ", ")
		}
		t.Rows = append(t.Rows, []any{c.Cluster, names, fmt.Sprintf("%.0f%%", c.WeekendShare*100), c.DailyUnits})
	}
	d.Tables = []tools.Table{t}
	return d
}
