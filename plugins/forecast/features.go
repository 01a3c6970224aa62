package main

import (
	"encoding/json"
	"math"

	"github.com/crumb-dev/crumb/tools"
)

// holidaysDataset is the brand's calendar of public holidays.
const holidaysDataset = tools.DatasetHolidays

func unmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// Feature names, in the order of the feature vector.
var featureNames = []string{
	"weekday", "month", "doy_sin", "doy_cos",
	"holiday", "day_before_holiday", "day_after_holiday",
	"temp_max", "temp_min", "precipitation",
	"lag1", "lag7", "mean7", "mean28", "same_weekday_mean4",
	"price_ratio", "promotion", "store_cluster", "category",
}

// minHistory is how many earlier days a training row needs.
const minHistory = 28

var categories = map[string]float64{"bread": 0, "pastry": 1, "cake": 2, "sandwich": 3, "cookie": 4, "beverage": 5}

// features writes the feature vector of series s on day t into dst, reading
// sales from y (the series' sales, with forecasts filled in beyond the
// origin when forecasting recursively).
func (h *history) features(s *series, y []float64, t int, cluster int, dst []float64) []float64 {
	dst = dst[:0]
	d := h.date(t)
	doy := float64(d.YearDay()) / 365.25 * 2 * math.Pi
	dst = append(dst, float64(d.Weekday()), float64(d.Month()), math.Sin(doy), math.Cos(doy))
	hol := func(i int) float64 {
		if i >= 0 && i < h.days && h.holiday[i] {
			return 1
		}
		return 0
	}
	dst = append(dst, hol(t), hol(t+1), hol(t-1))
	w := dayWeather{15, 8, 0}
	if ws, ok := h.weather[h.stores[s.store].District]; ok && t < len(ws) {
		w = ws[t]
	}
	dst = append(dst, w.max, w.min, w.rain)

	mean := func(from, to, step int) float64 { // mean of known y in [t-from, t-to] every step
		sum, n := 0.0, 0
		for k := to; k <= from; k += step {
			if i := t - k; i >= 0 && !math.IsNaN(y[i]) {
				sum += y[i]
				n++
			}
		}
		if n == 0 {
			return math.NaN()
		}
		return sum / float64(n)
	}
	m28 := mean(28, 1, 1)
	m7 := or(mean(7, 1, 1), m28)
	lag := func(k int) float64 {
		if i := t - k; i >= 0 && !math.IsNaN(y[i]) {
			return y[i]
		}
		return m7
	}
	dst = append(dst, lag(1), lag(7), m7, m28, or(mean(28, 7, 7), m7))
	price := 1.0
	if p := s.price[t]; !math.IsNaN(p) && s.basePrice > 0 {
		price = p / s.basePrice
	}
	cat, ok := categories[h.products[s.product].Category]
	if !ok {
		cat = 6
	}
	dst = append(dst, price, s.promo[t], float64(cluster), cat)
	for i, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			dst[i] = 0
		}
	}
	return dst
}

func or(v, fallback float64) float64 {
	if math.IsNaN(v) {
		return fallback
	}
	return v
}

// hasHistory reports whether day t of y has enough known history to be a
// training row or a forecast origin.
func hasHistory(y []float64, t int) bool {
	if t < minHistory {
		return false
	}
	n := 0
	for k := 1; k <= minHistory; k++ {
		if !math.IsNaN(y[t-k]) {
			n++
		}
	}
	return n >= minHistory/2
}
