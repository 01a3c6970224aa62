package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/holidays"
)

// history is the brand's daily sales laid out on a calendar: one series per
// store × product, indexed by day from start. Unknown days are NaN.
type history struct {
	start    time.Time // first day, midnight UTC (dates are civil)
	days     int
	stores   []tools.Store
	products []tools.Product
	storeIdx map[string]int
	prodIdx  map[string]int
	series   []*series
	bySP     map[[2]int]*series
	// Per-day calendar and weather by district.
	holiday  []bool
	weather  map[string][]dayWeather
	calendar string // "dataset" or "KR"
}

type series struct {
	store, product int
	y              []float64 // sales; NaN where unknown
	price          []float64 // NaN where unknown
	promo          []float64
	basePrice      float64
}

type dayWeather struct{ max, min, rain float64 }

func day(s string) (time.Time, error) {
	return time.Parse(tools.DateLayout, s)
}

func (h *history) index(d time.Time) int { return int(d.Sub(h.start).Hours() / 24) }

func (h *history) date(i int) time.Time { return h.start.AddDate(0, 0, i) }

// loadHistory reads stores, products, sales, weather and holidays. Sales
// are read up to and including until (the last sales day when until is
// zero); the calendar runs ahead days further, so that forecasts see the
// weather forecast and the holidays.
func loadHistory(ctx context.Context, host tools.DatasetReader, until time.Time, ahead int) (*history, error) {
	stores, err := tools.ReadAll[tools.Store](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetStores})
	if err != nil {
		return nil, err
	}
	products, err := tools.ReadAll[tools.Product](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetProducts})
	if err != nil {
		return nil, err
	}
	if len(stores) == 0 || len(products) == 0 {
		return nil, tools.Failf("no stores or products: load the brand's data first (crumb demo or crumb import)")
	}
	h := &history{stores: stores, products: products, storeIdx: map[string]int{}, prodIdx: map[string]int{}, bySP: map[[2]int]*series{}}
	for i, s := range stores {
		h.storeIdx[s.ID] = i
	}
	for i, p := range products {
		h.prodIdx[p.ID] = i
	}
	type row struct {
		s, p, d  int
		q, price float64
		promo    bool
	}
	var rows []row
	var first, last time.Time
	to := ""
	if !until.IsZero() {
		to = until.Format(tools.DateLayout)
	}
	err = host.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetSales, To: to}, func(raw json.RawMessage) error {
		var s tools.Sale
		if err := unmarshal(raw, &s); err != nil {
			return err
		}
		d, err := day(s.Date)
		if err != nil {
			return fmt.Errorf("sale date %q: %w", s.Date, err)
		}
		si, ok1 := h.storeIdx[s.StoreID]
		pi, ok2 := h.prodIdx[s.ProductID]
		if !ok1 || !ok2 {
			return nil
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
		rows = append(rows, row{s: si, p: pi, d: int(d.Unix() / 86400), q: float64(s.Quantity), price: float64(s.Price), promo: s.Promotion})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, tools.Failf("no sales %s: load the brand's data first (crumb demo or crumb import)", cond(to != "", "up to "+to, "at all"))
	}
	h.start = first
	end := until
	if end.IsZero() {
		end = last
	}
	h.days = int(end.Sub(first).Hours()/24) + 1 + ahead
	base := int(first.Unix() / 86400)
	for _, r := range rows {
		k := [2]int{r.s, r.p}
		s := h.bySP[k]
		if s == nil {
			s = &series{store: r.s, product: r.p, y: nans(h.days), price: nans(h.days), promo: make([]float64, h.days)}
			h.bySP[k] = s
			h.series = append(h.series, s)
		}
		i := r.d - base
		if i < 0 || i >= h.days {
			continue
		}
		s.y[i] = r.q
		if r.price > 0 {
			s.price[i] = r.price
		}
		if r.promo {
			s.promo[i] = 1
		}
	}
	slices.SortFunc(h.series, func(a, b *series) int {
		return cmp.Or(cmp.Compare(a.store, b.store), cmp.Compare(a.product, b.product))
	})
	for _, s := range h.series {
		s.basePrice = float64(products[s.product].Price)
		if s.basePrice == 0 {
			s.basePrice = median(s.price)
		}
	}
	if err := h.loadCalendar(ctx, host); err != nil {
		return nil, err
	}
	if err := h.loadWeather(ctx, host); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *history) loadCalendar(ctx context.Context, host tools.DatasetReader) error {
	h.holiday = make([]bool, h.days)
	n := 0
	err := host.ReadDataset(ctx, &tools.DatasetQuery{Dataset: holidaysDataset,
		From: h.start.Format(tools.DateLayout), To: h.date(h.days - 1).Format(tools.DateLayout)}, func(raw json.RawMessage) error {
		var hd struct {
			Date string `json:"date"`
		}
		if err := unmarshal(raw, &hd); err != nil {
			return err
		}
		d, err := day(hd.Date)
		if err != nil {
			return nil
		}
		if i := h.index(d); i >= 0 && i < h.days {
			h.holiday[i] = true
			n++
		}
		return nil
	})
	switch {
	case err == nil && n > 0:
		h.calendar = "dataset"
		return nil
	case err != nil && !errors.Is(err, tools.ErrInvalid):
		return fmt.Errorf("read holidays: %w", err)
	}
	// No calendar in the data (or a host that predates the holidays
	// dataset): the brand is Korean, so use the Korean public holidays.
	h.calendar = "KR"
	for i := range h.days {
		h.holiday[i] = holidays.IsHoliday(h.date(i))
	}
	return nil
}

func (h *history) loadWeather(ctx context.Context, host tools.DatasetReader) error {
	h.weather = map[string][]dayWeather{}
	districts := map[string]bool{}
	for _, s := range h.stores {
		districts[s.District] = true
	}
	err := host.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetWeather,
		From: h.start.Format(tools.DateLayout), To: h.date(h.days - 1).Format(tools.DateLayout)}, func(raw json.RawMessage) error {
		var w tools.Weather
		if err := unmarshal(raw, &w); err != nil {
			return err
		}
		if !districts[w.District] {
			return nil
		}
		d, err := day(w.Date)
		if err != nil {
			return nil
		}
		ws := h.weather[w.District]
		if ws == nil {
			ws = make([]dayWeather, h.days)
			for i := range ws {
				ws[i] = dayWeather{math.NaN(), math.NaN(), math.NaN()}
			}
			h.weather[w.District] = ws
		}
		if i := h.index(d); i >= 0 && i < h.days {
			ws[i] = dayWeather{w.TempMax, w.TempMin, w.Precipitation}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Fill gaps with the last known day (or the next, at the start), so
	// that features stay finite.
	for _, ws := range h.weather {
		fillForward(ws)
	}
	return nil
}

func fillForward(ws []dayWeather) {
	var last *dayWeather
	for i := range ws {
		if !math.IsNaN(ws[i].max) {
			last = &ws[i]
		} else if last != nil {
			ws[i] = *last
		}
	}
	var next *dayWeather
	for i := len(ws) - 1; i >= 0; i-- {
		if !math.IsNaN(ws[i].max) {
			next = &ws[i]
		} else if next != nil {
			ws[i] = *next
		} else {
			ws[i] = dayWeather{15, 8, 0}
		}
	}
}

func nans(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = math.NaN()
	}
	return x
}

func median(xs []float64) float64 {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func cond(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}
