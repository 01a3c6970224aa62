package forest

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Forest is a fitted random forest, made by Fit or restored by
// UnmarshalBinary into a zero Forest. It is safe for concurrent use by
// multiple goroutines.
type Forest struct {
	nf         int
	trees      []tree
	importance []float64
}

// Fit grows a random forest predicting y from the rows of X, every row
// holding the same number of finite features. See Params for the settings;
// Params{} gives a forest of DefaultNumTrees trees.
func Fit(X [][]float64, y []float64, p Params) (*Forest, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	if err := validate(X, y); err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	d := newDataset(X, y, p.Bins)

	f := &Forest{nf: d.nf, trees: make([]tree, p.NumTrees)}
	imps := make([][]float64, p.NumTrees)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range p.Workers {
		wg.Go(func() {
			b := newBuilder(d, p)
			for {
				t := int(next.Add(1) - 1)
				if t >= p.NumTrees {
					return
				}
				f.trees[t], imps[t] = b.grow(t)
			}
		})
	}
	wg.Wait()
	f.importance = combineImportance(imps, d.nf)
	return f, nil
}

// validate checks the shape and values of the training data.
func validate(X [][]float64, y []float64) error {
	if len(X) == 0 {
		return errors.New("no training rows")
	}
	if len(X) != len(y) {
		return fmt.Errorf("%d rows but %d targets: X and y must have the same length", len(X), len(y))
	}
	if len(X) >= math.MaxInt32 {
		return fmt.Errorf("%d rows: at most %d are supported", len(X), math.MaxInt32-1)
	}
	nf := len(X[0])
	if nf == 0 {
		return errors.New("rows have no features")
	}
	for i, row := range X {
		if len(row) != nf {
			return fmt.Errorf("row %d has %d features, row 0 has %d: rows must have equal length", i, len(row), nf)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("row %d feature %d is %v: features must be finite", i, j, v)
			}
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("target %d is %v: targets must be finite", i, v)
		}
	}
	return nil
}

// newDataset bins X and centres y.
func newDataset(X [][]float64, y []float64, bins int) *dataset {
	bn := newBinner(X, bins)
	d := &dataset{
		codes: bn.codes(X),
		nf:    len(X[0]),
		vals:  bn.vals,
		raw:   make([][]float64, len(X[0])),
		y:     make([]float64, len(y)),
	}
	for f := range d.raw {
		if d.vals[f] != nil {
			continue // binned exactly, never refined
		}
		col := make([]float64, len(X))
		for i, row := range X {
			col[i] = row[f]
		}
		d.raw[f] = col
	}
	d.nbins = make([]int, d.nf)
	d.off = make([]int, d.nf)
	for f, e := range bn.edges {
		d.off[f] = d.total
		d.nbins[f] = len(e) + 1
		d.total += len(e) + 1
	}
	var sum float64
	for _, v := range y {
		sum += v
	}
	d.yMean = sum / float64(len(y))
	var ss float64
	for i, v := range y {
		c := v - d.yMean
		d.y[i] = c
		ss += c * c
	}
	// Gains are sums of squared errors; a split that removes less than
	// this much per unit of weight only rearranges rounding error.
	d.minGain = 1e-12 * ss / float64(len(y))
	return d
}

// combineImportance normalises each tree's impurity decreases to sum to 1,
// averages them over the trees and normalises the average, as scikit-learn
// does.
func combineImportance(imps [][]float64, nf int) []float64 {
	out := make([]float64, nf)
	for _, imp := range imps {
		var sum float64
		for _, v := range imp {
			sum += v
		}
		if sum == 0 {
			continue
		}
		for f, v := range imp {
			out[f] += v / sum
		}
	}
	var sum float64
	for _, v := range out {
		sum += v
	}
	if sum > 0 {
		for f := range out {
			out[f] /= sum
		}
	}
	return out
}

// NumFeatures returns the number of features the forest was fitted on, and
// so the length Predict expects.
func (f *Forest) NumFeatures() int { return f.nf }

// NumTrees returns the number of trees in the forest.
func (f *Forest) NumTrees() int { return len(f.trees) }

// NumNodes returns the number of nodes over all trees, a measure of the
// forest's size.
func (f *Forest) NumNodes() int {
	n := 0
	for i := range f.trees {
		n += len(f.trees[i].nodes)
	}
	return n
}

// Importance returns the impurity-decrease importance of each feature: the
// reduction of squared error brought by the splits on it, normalised per
// tree, averaged over trees and normalised to sum to 1 (all zero if no tree
// split). The caller owns the returned slice.
func (f *Forest) Importance() []float64 {
	out := make([]float64, len(f.importance))
	copy(out, f.importance)
	return out
}

func (f *Forest) check(x []float64) {
	if len(x) != f.nf {
		panic(fmt.Sprintf("forest: predict with %d features, fitted on %d", len(x), f.nf))
	}
}

// Predict returns the mean of the trees' predictions for x. It panics if x
// does not hold NumFeatures values.
func (f *Forest) Predict(x []float64) float64 {
	f.check(x)
	var sum float64
	for i := range f.trees {
		sum += f.trees[i].predict(x)
	}
	return sum / float64(len(f.trees))
}

// PredictTrees stores each tree's prediction for x in out, grown to
// NumTrees if needed, and returns it. The spread of these values gives a
// cheap prediction interval. It panics if x does not hold NumFeatures
// values.
func (f *Forest) PredictTrees(x []float64, out []float64) []float64 {
	f.check(x)
	if cap(out) < len(f.trees) {
		out = make([]float64, len(f.trees))
	}
	out = out[:len(f.trees)]
	for i := range f.trees {
		out[i] = f.trees[i].predict(x)
	}
	return out
}

// batchChunk is the number of rows PredictBatch walks through one tree at a
// time, so that the tree stays in cache.
const batchChunk = 512

// PredictBatch returns Predict of every row of X, computed in parallel on
// up to GOMAXPROCS goroutines. The results equal Predict's bit for bit. It
// panics if a row does not hold NumFeatures values.
func (f *Forest) PredictBatch(X [][]float64) []float64 {
	for _, x := range X {
		f.check(x)
	}
	out := make([]float64, len(X))
	chunks := (len(X) + batchChunk - 1) / batchChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo := c * batchChunk
				hi := min(lo+batchChunk, len(X))
				f.predictChunk(X[lo:hi], out[lo:hi])
			}
		})
	}
	wg.Wait()
	return out
}

func (f *Forest) predictChunk(X [][]float64, out []float64) {
	for i := range f.trees {
		f.trees[i].predictLanes(X, out)
	}
	n := float64(len(f.trees))
	for r := range out {
		out[r] /= n
	}
}
