package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/ml/forest"
	"github.com/crumb-dev/crumb/tools"
)

// TrainInput overrides the model's hyper-parameters.
type TrainInput struct {
	Trees       int     `json:"trees,omitempty" jsonschema:"number of trees (default 60)"`
	Depth       int     `json:"depth,omitempty" jsonschema:"maximum tree depth (default 12)"`
	MinLeaf     int     `json:"min_leaf,omitempty" jsonschema:"minimum rows in a leaf (default: rows/1500 between 5 and 100)"`
	MaxFeatures float64 `json:"max_features,omitempty" jsonschema:"share of features tried at each split (default 0.7)"`
	Clusters    int     `json:"clusters,omitempty" jsonschema:"number of store clusters, one model each (default 5)"`
}

// TrainOutput reports the new model.
type TrainOutput struct {
	Version   int          `json:"version"`
	Until     string       `json:"until"`
	Params    Params       `json:"params"`
	Clusters  *Clusters    `json:"clusters"`
	Metrics   TrainMetrics `json:"metrics"`
	SizeBytes int          `json:"size_bytes"`
	Seconds   float64      `json:"seconds"`
}

// holdoutDays are held out to measure the model before the final fit.
const holdoutDays = 28

func (p TrainInput) params() (Params, error) {
	d := DefaultParams
	out := Params{
		Trees: cmp.Or(p.Trees, d.Trees), Depth: cmp.Or(p.Depth, d.Depth), MinLeaf: cmp.Or(p.MinLeaf, d.MinLeaf),
		MaxFeatures: cmp.Or(p.MaxFeatures, d.MaxFeatures), Clusters: cmp.Or(p.Clusters, d.Clusters), Seed: d.Seed,
	}
	switch {
	case out.Trees < 1 || out.Trees > 1000:
		return out, tools.Failf("trees %d: use 1 to 1000", out.Trees)
	case out.Depth < 1 || out.Depth > 30:
		return out, tools.Failf("depth %d: use 1 to 30", out.Depth)
	case out.MinLeaf < 1 && out.MinLeaf != AutoMinLeaf:
		return out, tools.Failf("min_leaf %d: use at least 1", out.MinLeaf)
	case out.MaxFeatures <= 0 || out.MaxFeatures > 1:
		return out, tools.Failf("max_features %g: use a share in (0, 1]", out.MaxFeatures)
	case out.Clusters < 1 || out.Clusters > 20:
		return out, tools.Failf("clusters %d: use 1 to 20", out.Clusters)
	}
	return out, nil
}

func (f *forecaster) train(ctx context.Context, call *tools.Call, in TrainInput) (*TrainOutput, error) {
	t0 := time.Now()
	p, err := in.params()
	if err != nil {
		return nil, err
	}
	now := call.Now.In(seoul)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, time.UTC)
	h, err := loadHistory(ctx, call.Host, yesterday, 0)
	if err != nil {
		return nil, err
	}
	end := h.lastSalesDay()
	if end < minHistory+holdoutDays+7 {
		return nil, tools.Failf("only %d days of sales: training needs at least %d", end+1, minHistory+holdoutDays+8)
	}
	// First fit without the last four weeks, to measure the model and the
	// size of its errors; then the final fit on everything.
	split := end + 1 - holdoutDays
	clusters, err := h.clusterStores(split, p.Clusters, p.Seed)
	if err != nil {
		return nil, err
	}
	first, err := fitModel(h, clusters, split, p)
	if err != nil {
		return nil, tools.Failf("%v", err)
	}
	metrics, resid := first.holdout(h, split, end+1)
	clusters, err = h.clusterStores(end+1, p.Clusters, p.Seed)
	if err != nil {
		return nil, err
	}
	m, err := fitModel(h, clusters, end+1, p)
	if err != nil {
		return nil, tools.Failf("%v", err)
	}
	m.TrainedAt = call.Now.UTC()
	m.ResidualStd = resid
	m.Metrics.HoldoutDays, m.Metrics.WAPE, m.Metrics.NaiveWAPE = metrics.HoldoutDays, metrics.WAPE, metrics.NaiveWAPE
	raw, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	meta, _ := json.Marshal(map[string]any{"until": m.Until, "params": m.Params, "metrics": m.Metrics, "clusters": m.Clusters})
	a, err := call.Host.PutArtifact(ctx, &tools.Artifact{Key: modelKey, Data: raw, Metadata: meta})
	if err != nil {
		return nil, fmt.Errorf("keep model: %w", err)
	}
	f.cache.mu.Lock()
	f.cache.model, f.cache.version, f.cache.checked = m, a.Version, time.Now()
	f.cache.mu.Unlock()
	return &TrainOutput{Version: a.Version, Until: m.Until, Params: p, Clusters: m.Clusters, Metrics: m.Metrics,
		SizeBytes: len(raw), Seconds: round1(time.Since(t0).Seconds())}, nil
}

// lastSalesDay is the index of the last day with any known sales.
func (h *history) lastSalesDay() int {
	last := -1
	for _, s := range h.series {
		for t := len(s.y) - 1; t > last; t-- {
			if !math.IsNaN(s.y[t]) {
				last = t
				break
			}
		}
	}
	return last
}

// holdout measures one-day-ahead predictions on days [from, to) against the
// seasonal naive forecast, and the residual spread per cluster.
func (m *Model) holdout(h *history, from, to int) (TrainMetrics, []float64) {
	var met TrainMetrics
	met.HoldoutDays = to - from
	sumAbs, sumNaive, sumY := 0.0, 0.0, 0.0
	sq := make([]float64, m.Clusters.K)
	n := make([]int, m.Clusters.K)
	x := make([]float64, 0, len(featureNames))
	for _, s := range h.series {
		c := m.Clusters.Of[h.stores[s.store].ID]
		f := m.forestFor(c)
		es := smoothed(s.y, to, to)
		for t := from; t < to; t++ {
			if math.IsNaN(s.y[t]) || !hasHistory(s.y, t) {
				continue
			}
			var level float64
			x, level = h.features(s, s.y, es, t, c, x)
			ratio := f.Predict(x)
			e := ratio*level - s.y[t]
			sumAbs += math.Abs(e)
			sumY += math.Abs(s.y[t])
			if !math.IsNaN(s.y[t-7]) {
				sumNaive += math.Abs(s.y[t-7] - s.y[t])
			} else {
				sumNaive += math.Abs(s.y[t])
			}
			er := ratio - s.y[t]/level // relative to the level, like the intervals
			sq[c] += er * er
			n[c]++
		}
	}
	if sumY > 0 {
		met.WAPE = math.Round(sumAbs/sumY*10000) / 10000
		met.NaiveWAPE = math.Round(sumNaive/sumY*10000) / 10000
	}
	resid := make([]float64, m.Clusters.K)
	for c := range resid {
		if n[c] > 1 {
			resid[c] = math.Sqrt(sq[c] / float64(n[c]-1))
		}
	}
	return met, resid
}

// BenchInput configures the synthetic fit benchmark.
type BenchInput struct {
	Rows        int     `json:"rows,omitempty" jsonschema:"training rows (default 100000)"`
	Features    int     `json:"features,omitempty" jsonschema:"features (default 13)"`
	Trees       int     `json:"trees,omitempty" jsonschema:"trees (default 100)"`
	Depth       int     `json:"depth,omitempty" jsonschema:"maximum depth (default 12)"`
	MaxFeatures float64 `json:"max_features,omitempty" jsonschema:"share of features per split (default 1.0)"`
}

// BenchOutput is forest.BenchResult.
type BenchOutput struct {
	Result forest.BenchResult `json:"result"`
}

func (f *forecaster) bench(ctx context.Context, call *tools.Call, in BenchInput) (*BenchOutput, error) {
	if in.Rows < 0 || in.Rows > 1_000_000 || in.Features < 0 || in.Features > 100 || in.Trees < 0 || in.Trees > 500 || in.Depth < 0 || in.Depth > 20 || in.MaxFeatures < 0 || in.MaxFeatures > 1 {
		return nil, tools.Failf("bench: rows ≤ 1,000,000, features ≤ 100, trees ≤ 500, depth ≤ 20, max_features in (0, 1]")
	}
	res, err := forest.Benchmark(cmp.Or(in.Rows, 100000), cmp.Or(in.Features, 13), cmp.Or(in.Trees, 100), cmp.Or(in.Depth, 12), cmp.Or(in.MaxFeatures, 1.0), 1)
	if err != nil {
		return nil, tools.Failf("%v", err)
	}
	return &BenchOutput{Result: res}, nil
}

// Display summarises training.
func (o *TrainOutput) Display(locale string) *tools.Display {
	if locale == "ko" {
		return &tools.Display{Text: fmt.Sprintf("수요 예측 모델 v%d을 학습했습니다 (%s까지의 판매, %d행, 클러스터 %d개). 최근 4주 WAPE %.1f%% (전주 동요일 방식 %.1f%%).",
			o.Version, o.Until, o.Metrics.Rows, o.Clusters.K, o.Metrics.WAPE*100, o.Metrics.NaiveWAPE*100)}
	}
	return &tools.Display{Text: fmt.Sprintf("Trained demand model v%d on sales to %s (%d rows, %d clusters). WAPE on the last four weeks %.1f%% (seasonal naive %.1f%%).",
		o.Version, o.Until, o.Metrics.Rows, o.Clusters.K, o.Metrics.WAPE*100, o.Metrics.NaiveWAPE*100)}
}
