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
	"price_ratio", "promotion", "store_cluster", "category", "level", "exp_smoothing",
}

// minHistory is how many earlier days a training row needs.
const minHistory = 28

var categories = map[string]float64{"bread": 0, "pastry": 1, "cake": 2, "sandwich": 3, "cookie": 4, "beverage": 5}

// features writes the feature vector of series s on day t into dst, reading
// sales from y (the series' sales, with forecasts filled in beyond the
// origin when forecasting recursively), and returns it with the series'
// level on that day.
//
// One model serves items that sell 3 a day and items that sell 300, so the
// sales features and the target are divided by the level (the last four
// 's mean, at least 1): the forest learns shapes — weekday, weather,
// holiday effects relative to an item's usual volume — and the level itself
// is one more feature (log1p).
//
// es holds an exponential-smoothing forecast of the series for every day
// (see smoothed); the forest may lean on it where it is right, as on a
// tourist island whose level drifts with the season.
func (h *history) features(s *series, y, es []float64, t int, cluster int, dst []float64) ([]float64, float64) {
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
	level := math.Max(or(es[t], or(mean(14, 1, 1), 0)), 1)
	dst = append(dst, lag(1)/level, lag(7)/level, m7/level, m28/level, or(mean(28, 7, 7), m7)/level)
	price := 1.0
	if p := s.price[t]; !math.IsNaN(p) && s.basePrice > 0 {
		price = p / s.basePrice
	}
	cat, ok := categories[h.products[s.product].Category]
	if !ok {
		cat = 6
	}
	dst = append(dst, price, s.promo[t], float64(cluster), cat, math.Log1p(level), or(es[t], m7)/level)
	for i, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			dst[i] = 0
		}
	}
	return dst, level
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

// Smoothing parameters of the exp_smoothing feature: additive level and
// weekly season, ETS(A,N,A).
const (
	esAlpha = 0.2
	esGamma = 0.1
)

// smoothed returns, for each day t < total, an exponential-smoothing
// forecast of y[t]: one step ahead (from y before t) for t < upto, and
// extrapolated from the state at upto beyond it. Unknown days leave the
// state as it is; days before the first known fortnight are NaN.
func smoothed(y []float64, upto, total int) []float64 {
	start := -1
	for t := 0; t < upto; t++ {
		if !math.IsNaN(y[t]) {
			start = t
			break
		}
	}
	if start < 0 {
		return nans(total)
	}
	out, _ := smooth(y, start, upto, total, esAlpha, esGamma)
	return out
}

// smooth runs additive level + weekly season exponential smoothing,
// ETS(A,N,A), from day from: the first fortnight sets the level and the
// weekday terms, later known days before upto update them. It returns the
// forecast of every day in [from+14, total) (NaN before) and the squared
// one-step errors on [from+14, upto); no known day in the first fortnight
// gives an infinite error.
func smooth(y []float64, from, upto, total int, alpha, gamma float64) ([]float64, float64) {
	out := nans(total)
	if from+14 > upto {
		return out, math.Inf(1)
	}
	level, n := 0.0, 0
	for t := from; t < from+14; t++ {
		if !math.IsNaN(y[t]) {
			level += y[t]
			n++
		}
	}
	if n == 0 {
		return out, math.Inf(1)
	}
	level /= float64(n)
	var season [7]float64
	var cnt [7]int
	for t := from; t < from+14; t++ {
		if !math.IsNaN(y[t]) {
			season[t%7] += y[t] - level
			cnt[t%7]++
		}
	}
	for i := range season {
		if cnt[i] > 0 {
			season[i] /= float64(cnt[i])
		}
	}
	sse := 0.0
	for t := from + 14; t < total; t++ {
		out[t] = math.Max(level+season[t%7], 0)
		if t >= upto || math.IsNaN(y[t]) {
			continue
		}
		e := y[t] - (level + season[t%7])
		sse += e * e
		newLevel := level + alpha*e
		season[t%7] += gamma * (y[t] - newLevel - season[t%7])
		level = newLevel
	}
	return out, sse
}
