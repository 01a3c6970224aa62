package forest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"time"
)

// Synthetic returns a seeded regression problem of the given size: Friedman
// #1 extended towards the shape of a daily demand table. Features are
//
//	x0..x4   uniform on [0, 1), driving y = 10·sin(π·x0·x1) + 20·(x2−0.5)²
//	         + 10·x3 + 5·x4 (Friedman #1)
//	x5       a weekday 0..6, adding 3 on days 5 and 6
//	x6       a 0/1 event flag set one day in ten, adding 4
//	x7       a noisy copy of x3 (a correlated proxy, no effect of its own)
//	x8, ...  uniform noise with no effect
//
// plus standard normal noise on y. Features beyond the first five exist
// only when features is large enough; features must be at least 5.
func Synthetic(rows, features int, seed uint64) ([][]float64, []float64, error) {
	if rows < 1 {
		return nil, nil, fmt.Errorf("synthetic data: rows %d: must be positive", rows)
	}
	if features < 5 {
		return nil, nil, fmt.Errorf("synthetic data: features %d: Friedman #1 needs at least 5", features)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	X := make([][]float64, rows)
	y := make([]float64, rows)
	flat := make([]float64, rows*features)
	for i := range X {
		x := flat[i*features : (i+1)*features : (i+1)*features]
		for j := range x {
			x[j] = rng.Float64()
		}
		v := 10*math.Sin(math.Pi*x[0]*x[1]) + 20*(x[2]-0.5)*(x[2]-0.5) + 10*x[3] + 5*x[4]
		if features > 5 {
			x[5] = float64(rng.IntN(7))
			if x[5] >= 5 {
				v += 3
			}
		}
		if features > 6 {
			x[6] = 0
			if rng.IntN(10) == 0 {
				x[6] = 1
				v += 4
			}
		}
		if features > 7 {
			x[7] = x[3] + 0.3*rng.NormFloat64()
		}
		X[i] = x
		y[i] = v + rng.NormFloat64()
	}
	return X, y, nil
}

// Holdout returns how many held-out rows Benchmark scores a forest trained
// on rows rows with: a fifth as many, at least 1000.
func Holdout(rows int) int { return max(rows/5, 1000) }

// BenchResult reports one run of Benchmark.
type BenchResult struct {
	Rows        int     `json:"rows"`
	HeldOut     int     `json:"held_out"`
	Features    int     `json:"features"`
	Trees       int     `json:"trees"`
	Depth       int     `json:"depth"`
	MaxFeatures float64 `json:"max_features"`
	// Workers is GOMAXPROCS, the number of trees grown at once.
	Workers int `json:"workers"`
	// Nodes counts the nodes of all trees.
	Nodes int `json:"nodes"`
	// FitSeconds is the wall time of Fit, binning included.
	FitSeconds float64 `json:"fit_seconds"`
	// PredictPerSecond is rows per second through Predict, one row at a
	// time on one goroutine.
	PredictPerSecond float64 `json:"predict_per_second"`
	// BatchPerSecond is rows per second through PredictBatch.
	BatchPerSecond float64 `json:"batch_per_second"`
	// R2 and RMSE score the forest on the held-out rows.
	R2   float64 `json:"r2"`
	RMSE float64 `json:"rmse"`
}

// Benchmark fits a forest to rows rows of Synthetic data with the given
// number of trees, maximum depth, MaxFeatures and seed (MinLeaf
// DefaultMinLeaf, Workers GOMAXPROCS), times it, and scores it on
// Holdout(rows) more rows of the same problem. It backs
// `crumb bench forecast`.
func Benchmark(rows, features, trees, depth int, maxFeatures float64, seed uint64) (BenchResult, error) {
	X, y, err := Synthetic(rows+Holdout(rows), features, seed)
	if err != nil {
		return BenchResult{}, fmt.Errorf("benchmark forest: %w", err)
	}
	Xtr, ytr, Xte, yte := X[:rows], y[:rows], X[rows:], y[rows:]
	p := Params{NumTrees: trees, MaxDepth: depth, MinLeaf: DefaultMinLeaf, MaxFeatures: maxFeatures, Seed: seed}
	start := time.Now()
	f, err := Fit(Xtr, ytr, p)
	if err != nil {
		return BenchResult{}, fmt.Errorf("benchmark forest: %w", err)
	}
	res := BenchResult{
		Rows: rows, HeldOut: len(Xte), Features: features, Trees: trees, Depth: depth,
		MaxFeatures: maxFeatures, Workers: runtime.GOMAXPROCS(0), Nodes: f.NumNodes(),
		FitSeconds: time.Since(start).Seconds(),
	}

	start = time.Now()
	var sink float64
	for _, x := range Xte {
		sink += f.Predict(x)
	}
	res.PredictPerSecond = float64(len(Xte)) / time.Since(start).Seconds()
	start = time.Now()
	pred := f.PredictBatch(Xte)
	res.BatchPerSecond = float64(len(Xte)) / time.Since(start).Seconds()
	_ = sink
	res.R2, res.RMSE = Score(pred, yte)
	return res, nil
}

// Score returns the coefficient of determination R² and the root mean
// squared error of predictions pred of targets y.
func Score(pred, y []float64) (r2, rmse float64) {
	var mean float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var sse, sst float64
	for i, v := range y {
		sse += (v - pred[i]) * (v - pred[i])
		sst += (v - mean) * (v - mean)
	}
	return 1 - sse/sst, math.Sqrt(sse / float64(len(y)))
}

// WriteCSV writes X and y as CSV with a header x0,...,y, numbers in the
// shortest form that parses back to the same float64, so that another tool
// fits exactly the same data.
func WriteCSV(w io.Writer, X [][]float64, y []float64) error {
	bw := bufio.NewWriter(w)
	if len(X) > 0 {
		for j := range X[0] {
			fmt.Fprintf(bw, "x%d,", j)
		}
	}
	bw.WriteString("y\n")
	buf := make([]byte, 0, 32)
	for i, x := range X {
		for _, v := range x {
			bw.Write(strconv.AppendFloat(buf[:0], v, 'g', -1, 64))
			bw.WriteByte(',')
		}
		bw.Write(strconv.AppendFloat(buf[:0], y[i], 'g', -1, 64))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
