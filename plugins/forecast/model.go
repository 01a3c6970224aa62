package main

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/ml/forest"
)

// Params are the model's hyper-parameters.
type Params struct {
	Trees       int     `json:"trees"`
	Depth       int     `json:"depth"`
	MinLeaf     int     `json:"min_leaf"`
	MaxFeatures float64 `json:"max_features"`
	Clusters    int     `json:"clusters"`
	Seed        uint64  `json:"seed"`
}

// DefaultParams serve the chat: accurate and small enough to keep as an
// artifact and to load quickly.
var DefaultParams = Params{Trees: 60, Depth: 12, MinLeaf: AutoMinLeaf, MaxFeatures: 0.7, Clusters: DefaultClusters, Seed: 1}

// AutoMinLeaf sizes the leaves to the data: rows/1500, between 5 and 100.
// Big pooled datasets want smooth leaves (a day of one item is noisy);
// small ones need fine leaves to learn at all. Measured on the backtests.
const AutoMinLeaf = -1

func (p Params) minLeaf(rows int) int {
	if p.MinLeaf != AutoMinLeaf {
		return p.MinLeaf
	}
	return min(max(rows/1500, 5), 100)
}

// Model is one forest per store cluster plus what is needed to use it.
type Model struct {
	TrainedAt time.Time `json:"trained_at"`
	// Until is the last day of sales the model was trained on.
	Until    string    `json:"until"`
	Params   Params    `json:"params"`
	Features []string  `json:"features"`
	Clusters *Clusters `json:"clusters"`
	Calendar string    `json:"calendar"`
	// ResidualStd per cluster, from the holdout and relative to an item's
	// level, widens the intervals.
	ResidualStd []float64    `json:"residual_std"`
	Metrics     TrainMetrics `json:"metrics"`

	forests []*forest.Forest
}

// TrainMetrics are measured on the last four weeks, held out from a first
// fit, before the final fit on all the data.
type TrainMetrics struct {
	Rows              int       `json:"rows"`
	HoldoutDays       int       `json:"holdout_days"`
	WAPE              float64   `json:"wape"`
	NaiveWAPE         float64   `json:"seasonal_naive_wape"`
	FitSeconds        float64   `json:"fit_seconds"`
	TopFeatures       []string  `json:"top_features"`
	ClusterRows       []int     `json:"cluster_rows"`
	FeatureImportance []float64 `json:"feature_importance"`
}

// trainingRows collects the rows of one cluster for days [0, until).
func (h *history) trainingRows(clusters *Clusters, cluster, until int) (X [][]float64, y []float64) {
	for _, s := range h.series {
		if clusters.Of[h.stores[s.store].ID] != cluster {
			continue
		}
		es := smoothed(s.y, min(until, len(s.y)), min(until, len(s.y)))
		for t := minHistory; t < until && t < len(s.y); t++ {
			if math.IsNaN(s.y[t]) || !hasHistory(s.y, t) {
				continue
			}
			x, level := h.features(s, s.y, es, t, cluster, nil)
			X = append(X, x)
			y = append(y, s.y[t]/level)
		}
	}
	return X, y
}

// fitModel fits one forest per cluster on days [0, until).
func fitModel(h *history, clusters *Clusters, until int, p Params) (*Model, error) {
	m := &Model{Params: p, Features: featureNames, Clusters: clusters, Calendar: h.calendar,
		Until: h.date(until - 1).Format("2006-01-02"), ResidualStd: make([]float64, clusters.K)}
	m.forests = make([]*forest.Forest, clusters.K)
	m.Metrics.ClusterRows = make([]int, clusters.K)
	t0 := time.Now()
	for c := range clusters.K {
		X, y := h.trainingRows(clusters, c, until)
		m.Metrics.ClusterRows[c] = len(y)
		m.Metrics.Rows += len(y)
		if len(y) < 50 {
			continue // too little data: this cluster falls back to another's model
		}
		f, err := forest.Fit(X, y, forest.Params{NumTrees: p.Trees, MaxDepth: p.Depth, MinLeaf: p.minLeaf(len(y)), MaxFeatures: p.MaxFeatures, Seed: p.Seed + uint64(c)})
		if err != nil {
			return nil, fmt.Errorf("fit cluster %d: %w", c, err)
		}
		m.forests[c] = f
	}
	m.Metrics.FitSeconds = time.Since(t0).Seconds()
	if m.Metrics.Rows == 0 || !slices.ContainsFunc(m.forests, func(f *forest.Forest) bool { return f != nil }) {
		return nil, errors.New("not enough history to train: need at least 28 days of sales per series")
	}
	m.importance()
	return m, nil
}

func (m *Model) importance() {
	imp := make([]float64, len(featureNames))
	total := 0
	for c, f := range m.forests {
		if f == nil {
			continue
		}
		w := m.Metrics.ClusterRows[c]
		for i, v := range f.Importance() {
			imp[i] += v * float64(w)
		}
		total += w
	}
	for i := range imp {
		imp[i] /= float64(max(total, 1))
	}
	m.Metrics.FeatureImportance = imp
	idx := make([]int, len(imp))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if imp[a] > imp[b] {
			return -1
		}
		if imp[a] < imp[b] {
			return 1
		}
		return 0
	})
	m.Metrics.TopFeatures = nil
	for _, i := range idx[:min(5, len(idx))] {
		m.Metrics.TopFeatures = append(m.Metrics.TopFeatures, featureNames[i])
	}
}

// forestFor returns the cluster's forest, or the nearest one that exists.
func (m *Model) forestFor(cluster int) *forest.Forest {
	if cluster >= 0 && cluster < len(m.forests) && m.forests[cluster] != nil {
		return m.forests[cluster]
	}
	for _, f := range m.forests {
		if f != nil {
			return f
		}
	}
	return nil
}

// Forecast is one day's prediction with an 80 % interval.
type Forecast struct {
	Point, Low, High float64
}

// forecast predicts series s for days origin … origin+horizon-1, feeding
// each day's prediction into the next day's lags. Known sales before the
// origin are used as they are.
func (m *Model) forecast(h *history, s *series, origin, horizon int) []Forecast {
	cluster := m.Clusters.Of[h.stores[s.store].ID]
	f := m.forestFor(cluster)
	y := slices.Clone(s.y[:min(origin, len(s.y))])
	y = append(y, nans(origin+horizon-len(y))...)
	out := make([]Forecast, horizon)
	es := smoothed(y, origin, origin+horizon)
	x := make([]float64, 0, len(featureNames))
	trees := make([]float64, 0, f.NumTrees())
	sd := 0.0
	if cluster < len(m.ResidualStd) {
		sd = m.ResidualStd[cluster]
	}
	for k := range horizon {
		t := origin + k
		var level float64
		x, level = h.features(s, y, es, t, cluster, x)
		trees = f.PredictTrees(x, trees[:0])
		point := mean(trees)
		// The trees' spread says how unsure the model is about this
		// input; the holdout residuals say how noisy the days are.
		spread := stddev(trees, point)
		half := 1.2816 * level * math.Sqrt(spread*spread+sd*sd)
		point *= level
		if dormant(y, t) {
			// Nothing sold for two weeks: a discontinued or out-of-season
			// item. The forest, which sees only relative shapes, would
			// keep predicting a little; say zero.
			point, half = 0, 0
		}
		out[k] = Forecast{Point: math.Max(point, 0), Low: math.Max(point-half, 0), High: point + half}
		y[t] = out[k].Point
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

func stddev(xs []float64, m float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(max(len(xs)-1, 1)))
}

// bundle is the artifact's encoding: the model's JSON-able header and the
// forests' own binary encodings.
type bundle struct {
	Magic string
	// Header is the Model without its methods: gob would otherwise call
	// Model.MarshalBinary on it, recursively.
	Header  modelHeader
	Forests [][]byte
}

type modelHeader Model

const bundleMagic = "crumb-forecast-model/1"

// MarshalBinary encodes the model for an artifact.
func (m *Model) MarshalBinary() ([]byte, error) {
	b := bundle{Magic: bundleMagic, Header: modelHeader(*m), Forests: make([][]byte, len(m.forests))}
	for i, f := range m.forests {
		if f == nil {
			continue
		}
		raw, err := f.MarshalBinary()
		if err != nil {
			return nil, err
		}
		b.Forests[i] = raw
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&b); err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(data []byte) error {
	var b bundle
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&b); err != nil {
		return fmt.Errorf("decode model: %w", err)
	}
	if b.Magic != bundleMagic {
		return fmt.Errorf("decode model: format %q, want %q (retrain with train)", b.Magic, bundleMagic)
	}
	*m = Model(b.Header)
	m.forests = make([]*forest.Forest, len(b.Forests))
	for i, raw := range b.Forests {
		if raw == nil {
			continue
		}
		f := &forest.Forest{}
		if err := f.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("decode model: cluster %d: %w", i, err)
		}
		m.forests[i] = f
	}
	return nil
}

// modelCache keeps the decoded model of the latest artifact version.
type modelCache struct {
	mu      sync.Mutex
	version int
	model   *Model
	checked time.Time
}

// dormant reports whether the 14 days before t sold nothing (unknown days
// aside) and at least 7 of them are known.
func dormant(y []float64, t int) bool {
	known := 0
	for k := 1; k <= 14 && t-k >= 0; k++ {
		v := y[t-k]
		if math.IsNaN(v) {
			continue
		}
		if v != 0 {
			return false
		}
		known++
	}
	return known >= 7
}
