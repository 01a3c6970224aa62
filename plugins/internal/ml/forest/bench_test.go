package forest

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

var csvPrefix = flag.String("csv", "", "TestWriteBenchCSV writes the BenchmarkFit data to PREFIX.train.csv and PREFIX.test.csv")

// Sizes of the speed benchmark, matching testdata/sklearn_bench.py.
const (
	benchRows     = 100_000
	benchFeatures = 13
	benchTrees    = 100
	benchDepth    = 12
	benchSeed     = 1
)

// TestWriteBenchCSV writes the benchmark data set for testdata/sklearn_bench.py
// when run with -args -csv=PREFIX, and is skipped otherwise.
func TestWriteBenchCSV(t *testing.T) {
	if *csvPrefix == "" {
		t.Skip("no -csv prefix given")
	}
	X, y, err := Synthetic(benchRows+Holdout(benchRows), benchFeatures, benchSeed)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct {
		name string
		lo   int
		hi   int
	}{{"train", 0, benchRows}, {"test", benchRows, len(X)}} {
		fh, err := os.Create(*csvPrefix + "." + part.name + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(fh, X[part.lo:part.hi], y[part.lo:part.hi]); err != nil {
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkFit fits the 100k × 13, 100 trees, depth 12, min leaf 5 forest
// of the scikit-learn comparison. Run it with -benchtime 1x.
func BenchmarkFit(b *testing.B) {
	X, y, err := Synthetic(benchRows+Holdout(benchRows), benchFeatures, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	Xtr, ytr, Xte, yte := X[:benchRows], y[:benchRows], X[benchRows:], y[benchRows:]
	for _, mf := range []float64{1.0, 0.33} {
		b.Run(fmt.Sprintf("maxfeatures=%v", mf), func(b *testing.B) {
			p := Params{NumTrees: benchTrees, MaxDepth: benchDepth, MinLeaf: 5, MaxFeatures: mf, Seed: benchSeed}
			var f *Forest
			for b.Loop() {
				f, err = Fit(Xtr, ytr, p)
				if err != nil {
					b.Fatal(err)
				}
			}
			r2, rmse := Score(f.PredictBatch(Xte), yte)
			b.ReportMetric(r2, "R2")
			b.ReportMetric(rmse, "RMSE")
			b.ReportMetric(float64(f.NumNodes()), "nodes")
		})
	}
}

// BenchmarkPredict measures single-row and batch prediction through a
// 100-tree forest of depth 12.
func BenchmarkPredict(b *testing.B) {
	X, y, err := Synthetic(20_000, benchFeatures, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	f, err := Fit(X, y, Params{NumTrees: benchTrees, MaxDepth: benchDepth, MinLeaf: 5, Seed: benchSeed})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("single", func(b *testing.B) {
		i := 0
		for b.Loop() {
			f.Predict(X[i%len(X)])
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("batch1000", func(b *testing.B) {
		for b.Loop() {
			f.PredictBatch(X[:1000])
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
