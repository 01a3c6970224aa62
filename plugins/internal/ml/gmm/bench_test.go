package gmm

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

var csvPath = flag.String("csv", "", "TestWriteBenchCSV writes the BenchmarkFit data to this CSV file and prints Go's numbers for testdata/sklearn_gmm.py")

// Sizes of the speed benchmark, matching testdata/sklearn_gmm.py: about the
// number of customers of the UCI Online Retail data set, in three
// dimensions (log recency, log frequency, log monetary, standardized), five
// overlapping planted segments.
const (
	benchRows = 4338
	benchDim  = 3
	benchK    = 5
	benchSeed = 1
)

// benchData is the data of BenchmarkFit: five segments with random full
// covariances and means 1.6 apart, so that they overlap, as customer
// segments do.
func benchData() [][]float64 {
	X, _ := randomMixture(benchK, benchDim, 1.6, benchSeed).sample(benchRows, benchSeed)
	return X
}

var benchOpts = Options{Restarts: 3, Seed: benchSeed}

// TestWriteBenchCSV writes the benchmark data for testdata/sklearn_gmm.py
// when run with -args -csv=PATH, and prints the Go fit's numbers to
// compare; it is skipped otherwise.
func TestWriteBenchCSV(t *testing.T) {
	if *csvPath == "" {
		t.Skip("no -csv path given")
	}
	X := benchData()
	fh, err := os.Create(*csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(fh, X); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m, err := Fit(X, benchK, benchOpts)
	if err != nil {
		t.Fatal(err)
	}
	fit := time.Since(start)
	t.Logf("Go fit k=%d restarts=%d: %v, mean log-likelihood %.6f, BIC %.3f, %d iterations, converged %v",
		benchK, benchOpts.Restarts, fit, m.Score(X), m.BIC(X), m.Iterations, m.Converged)
	start = time.Now()
	best, bics, err := SelectK(X, 2, 8, benchOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Go SelectK 2..8: %v, best k %d, BIC %.1f", time.Since(start), best.K(), bics)
}

// writeCSV writes X with a header x0,x1,…, numbers in the shortest form that
// parses back to the same float64, so that scikit-learn fits exactly the
// same data.
func writeCSV(f *os.File, X [][]float64) error {
	w := bufio.NewWriter(f)
	for j := range X[0] {
		if j > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, "x%d", j)
	}
	w.WriteByte('\n')
	buf := make([]byte, 0, 32)
	for _, x := range X {
		for j, v := range x {
			if j > 0 {
				w.WriteByte(',')
			}
			w.Write(strconv.AppendFloat(buf[:0], v, 'g', -1, 64))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// BenchmarkFit fits k 5 with 3 restarts to 4,338 points in 3-D, the
// scikit-learn comparison (GaussianMixture(5, n_init=3)).
func BenchmarkFit(b *testing.B) {
	X := benchData()
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			o := benchOpts
			o.Workers = workers
			var m *Model
			var err error
			for b.Loop() {
				if m, err = Fit(X, benchK, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(m.LogLikelihood, "loglik/pt")
			b.ReportMetric(float64(m.Iterations), "iters")
		})
	}
}

// BenchmarkSelectK fits every k from 2 to 8, 3 restarts each, to the data
// of BenchmarkFit.
func BenchmarkSelectK(b *testing.B) {
	X := benchData()
	var best *Model
	var err error
	for b.Loop() {
		if best, _, err = SelectK(X, 2, 8, benchOpts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(best.K()), "k")
}

// BenchmarkProba measures one soft assignment of a 3-D point, and Predict
// and LogPDF beside it.
func BenchmarkProba(b *testing.B) {
	X := benchData()
	for _, k := range []int{5, 8} {
		m, err := Fit(X, k, Options{Restarts: 1, Seed: benchSeed})
		if err != nil {
			b.Fatal(err)
		}
		out := make([]float64, k)
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			i := 0
			for b.Loop() {
				m.Proba(X[i%len(X)], out)
				i++
			}
		})
		b.Run(fmt.Sprintf("predict/k=%d", k), func(b *testing.B) {
			i, s := 0, 0
			for b.Loop() {
				s += m.Predict(X[i%len(X)])
				i++
			}
		})
		b.Run(fmt.Sprintf("logpdf/k=%d", k), func(b *testing.B) {
			i, s := 0, 0.0
			for b.Loop() {
				s += m.LogPDF(X[i%len(X)])
				i++
			}
			if math.IsNaN(s) {
				b.Fatal("NaN")
			}
		})
	}
}
