package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// BacktestInput configures the rolling-origin backtest.
type BacktestInput struct {
	Origins     int     `json:"origins,omitempty" jsonschema:"weekly forecast origins, the last one ending on the last sales day (default 8)"`
	Horizon     int     `json:"horizon,omitempty" jsonschema:"days forecast from each origin (default 7)"`
	Trees       int     `json:"trees,omitempty" jsonschema:"trees per forest (default 100)"`
	Depth       int     `json:"depth,omitempty" jsonschema:"maximum depth (default 12)"`
	MinLeaf     int     `json:"min_leaf,omitempty" jsonschema:"minimum rows per leaf (default: rows/1500 between 5 and 100)"`
	MaxFeatures float64 `json:"max_features,omitempty" jsonschema:"share of features per split (default 0.7)"`
	Clusters    int     `json:"clusters,omitempty" jsonschema:"store clusters (default 5)"`
}

// MethodScore is one method's accuracy over the backtest.
type MethodScore struct {
	Method string  `json:"method"`
	WAPE   float64 `json:"wape"`
	MASE   float64 `json:"mase"`
	// VsNaive is the relative WAPE improvement over seasonal naive
	// (positive is better).
	VsNaive float64 `json:"vs_naive"`
}

// BacktestOutput is the backtest's result.
type BacktestOutput struct {
	Series     int           `json:"series"`
	Origins    []string      `json:"origins"`
	Horizon    int           `json:"horizon"`
	Points     int           `json:"points"`
	Params     Params        `json:"params"`
	Calendar   string        `json:"calendar"`
	Scores     []MethodScore `json:"scores"`
	FitSeconds float64       `json:"fit_seconds"`
	Seconds    float64       `json:"seconds"`
}

// Method names.
const (
	methodForest = "random_forest"
	methodNaive  = "seasonal_naive"
	methodMean4  = "same_weekday_mean_4w"
	methodES     = "exp_smoothing"
)

var methods = []string{methodForest, methodNaive, methodMean4, methodES}

func (f *forecaster) backtest(ctx context.Context, call *tools.Call, in BacktestInput) (*BacktestOutput, error) {
	t0 := time.Now()
	origins, horizon := cmp.Or(in.Origins, 8), cmp.Or(in.Horizon, 7)
	if origins < 1 || origins > 52 || horizon < 1 || horizon > MaxHorizon {
		return nil, tools.Failf("origins %d, horizon %d: use 1–52 origins and a 1–%d day horizon", origins, horizon, MaxHorizon)
	}
	p, err := TrainInput{Trees: cmp.Or(in.Trees, 100), Depth: in.Depth, MinLeaf: in.MinLeaf, MaxFeatures: in.MaxFeatures, Clusters: in.Clusters}.params()
	if err != nil {
		return nil, err
	}
	h, err := loadHistory(ctx, call.Host, time.Time{}, 0)
	if err != nil {
		return nil, err
	}
	end := h.lastSalesDay()
	first := end + 1 - horizon - 7*(origins-1)
	if first < 2*minHistory+28 {
		return nil, tools.Failf("only %d days of sales: %d weekly origins with a %d-day horizon need at least %d", end+1, origins, horizon, first*-1+end+1+2*minHistory+28)
	}
	out := &BacktestOutput{Horizon: horizon, Params: p, Calendar: h.calendar}
	var abs, mase [4]float64
	var maseN [4]int
	sumY := 0.0
	for o := range origins {
		origin := first + 7*o
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Origins = append(out.Origins, h.date(origin).Format(tools.DateLayout))
		clusters, err := h.clusterStores(origin, p.Clusters, p.Seed)
		if err != nil {
			return nil, err
		}
		tf := time.Now()
		m, err := fitModel(h, clusters, origin, p)
		if err != nil {
			return nil, tools.Failf("origin %s: %v", h.date(origin).Format(tools.DateLayout), err)
		}
		out.FitSeconds += time.Since(tf).Seconds()
		for _, s := range h.series {
			if !hasHistory(s.y, origin) {
				continue
			}
			preds := [4][]float64{
				points(m.forecast(h, s, origin, horizon)),
				seasonalNaive(s.y, origin, horizon),
				sameWeekdayMean(s.y, origin, horizon, 4),
				holtWinters(s.y, origin, horizon),
			}
			scale := naiveScale(s.y, origin)
			var seriesAbs [4]float64
			n := 0
			for k := range horizon {
				actual := s.y[origin+k]
				if math.IsNaN(actual) {
					continue
				}
				n++
				sumY += math.Abs(actual)
				for mi := range methods {
					e := math.Abs(preds[mi][k] - actual)
					abs[mi] += e
					seriesAbs[mi] += e
				}
			}
			out.Points += n
			if n > 0 && scale > 0 {
				for mi := range methods {
					mase[mi] += seriesAbs[mi] / float64(n) / scale
					maseN[mi]++
				}
			}
		}
	}
	out.Series = len(h.series)
	for mi, name := range methods {
		sc := MethodScore{Method: name}
		if sumY > 0 {
			sc.WAPE = round4(abs[mi] / sumY)
		}
		if maseN[mi] > 0 {
			sc.MASE = round4(mase[mi] / float64(maseN[mi]))
		}
		if abs[1] > 0 {
			sc.VsNaive = round4(1 - abs[mi]/abs[1])
		}
		out.Scores = append(out.Scores, sc)
	}
	out.FitSeconds = round1(out.FitSeconds)
	out.Seconds = round1(time.Since(t0).Seconds())
	return out, nil
}

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

func points(fc []Forecast) []float64 {
	out := make([]float64, len(fc))
	for i, f := range fc {
		out[i] = f.Point
	}
	return out
}

// lastKnown returns y at the latest day before origin that is on the same
// weekday as t and known, looking back up to weeks weeks.
func lastKnown(y []float64, origin, t, weeks int) float64 {
	for w := 1; w <= weeks+(t-origin)/7+1; w++ {
		if i := t - 7*w; i < origin && i >= 0 && !math.IsNaN(y[i]) {
			return y[i]
		}
	}
	return math.NaN()
}

// seasonalNaive forecasts each day with the same weekday's last known sales.
func seasonalNaive(y []float64, origin, horizon int) []float64 {
	out := make([]float64, horizon)
	fallback := recentMean(y, origin, 28)
	for k := range out {
		out[k] = or(lastKnown(y, origin, origin+k, 8), fallback)
	}
	return out
}

// sameWeekdayMean forecasts each day with the mean of the last n known
// same weekdays.
func sameWeekdayMean(y []float64, origin, horizon, n int) []float64 {
	out := make([]float64, horizon)
	fallback := recentMean(y, origin, 28)
	for k := range out {
		t := origin + k
		sum, c := 0.0, 0
		for i := t - 7; i >= 0 && c < n && i >= origin-7*(n+4); i -= 7 {
			if i < origin && !math.IsNaN(y[i]) {
				sum += y[i]
				c++
			}
		}
		if c == 0 {
			out[k] = fallback
		} else {
			out[k] = sum / float64(c)
		}
	}
	return out
}

func recentMean(y []float64, origin, days int) float64 {
	sum, c := 0.0, 0
	for i := max(0, origin-days); i < origin; i++ {
		if !math.IsNaN(y[i]) {
			sum += y[i]
			c++
		}
	}
	if c == 0 {
		return 0
	}
	return sum / float64(c)
}

// naiveScale is MASE's denominator: the in-sample mean absolute error of
// the seasonal naive (lag 7) forecast over the year before origin.
func naiveScale(y []float64, origin int) float64 {
	sum, c := 0.0, 0
	for t := max(7, origin-365); t < origin; t++ {
		if !math.IsNaN(y[t]) && !math.IsNaN(y[t-7]) {
			sum += math.Abs(y[t] - y[t-7])
			c++
		}
	}
	if c == 0 {
		return 0
	}
	return sum / float64(c)
}

// holtWinters is additive exponential smoothing with a weekly season,
// ETS(A,N,A): a level and seven seasonal terms, smoothing parameters chosen
// by one-step-ahead squared error on the year before origin from a small
// grid. Unknown days keep the state as it is.
func holtWinters(y []float64, origin, horizon int) []float64 {
	from := max(0, origin-365)
	best, bestSSE := []float64(nil), math.Inf(1)
	for _, alpha := range []float64{0.05, 0.1, 0.2, 0.3, 0.5} {
		for _, gamma := range []float64{0.01, 0.05, 0.1, 0.2} {
			fc, sse := hwRun(y, from, origin, horizon, alpha, gamma)
			if sse < bestSSE {
				best, bestSSE = fc, sse
			}
		}
	}
	if best == nil {
		return seasonalNaive(y, origin, horizon)
	}
	return best
}

func hwRun(y []float64, from, origin, horizon int, alpha, gamma float64) ([]float64, float64) {
	out, sse := smooth(y, from, origin, origin+horizon, alpha, gamma)
	if math.IsInf(sse, 1) {
		return nil, sse
	}
	return out[origin:], sse
}

// Display shows the backtest table.
func (o *BacktestOutput) Display(locale string) *tools.Display {
	t := tools.Table{Title: fmt.Sprintf("Backtest: %d weekly origins × %d days, %d series", len(o.Origins), o.Horizon, o.Series),
		Columns: []string{"Method", "WAPE", "MASE", "vs seasonal naive"}}
	for _, s := range o.Scores {
		t.Rows = append(t.Rows, []any{s.Method, fmt.Sprintf("%.1f%%", s.WAPE*100), fmt.Sprintf("%.3f", s.MASE), fmt.Sprintf("%+.1f%%", s.VsNaive*100)})
	}
	return &tools.Display{Tables: []tools.Table{t}}
}
