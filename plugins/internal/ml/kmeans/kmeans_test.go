package kmeans

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// blobs returns k Gaussian blobs of n points each in d dimensions, with
// centres spread apart by sep and unit deviation, and the true labels.
func blobs(k, n, d int, sep float64, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	var X [][]float64
	var labels []int
	for c := range k {
		center := make([]float64, d)
		for j := range center {
			center[j] = sep * rng.Float64() * float64(k)
		}
		center[c%d] += sep * float64(c) // keep the centres apart
		for range n {
			x := make([]float64, d)
			for j := range x {
				x[j] = center[j] + rng.NormFloat64()
			}
			X = append(X, x)
			labels = append(labels, c)
		}
	}
	// Shuffle so that clusters are not contiguous.
	rng.Shuffle(len(X), func(i, j int) {
		X[i], X[j] = X[j], X[i]
		labels[i], labels[j] = labels[j], labels[i]
	})
	return X, labels
}

func TestFitPlantedClusters(t *testing.T) {
	tests := []struct {
		name    string
		k, n, d int
		opts    Options
	}{
		{"five stores groups", 5, 80, 6, Options{Seed: 1}},
		{"two clusters one restart", 2, 50, 2, Options{Restarts: 1, Seed: 2}},
		{"eight clusters", 8, 40, 3, Options{Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			X, truth := blobs(tt.k, tt.n, tt.d, 20, uint64(tt.k))
			res, err := Fit(X, tt.k, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if ari := AdjustedRand(res.Labels, truth); ari != 1 {
				t.Errorf("adjusted Rand index %v, want 1", ari)
			}
			if s := Silhouette(X, res.Labels); s < 0.8 {
				t.Errorf("silhouette %.3f, want near 1 for separated clusters", s)
			}
			if len(res.Centers) != tt.k || res.Iterations < 1 {
				t.Errorf("%d centres after %d iterations", len(res.Centers), res.Iterations)
			}
			var inertia float64
			for i, x := range X {
				if got := res.Assign(x); got != res.Labels[i] {
					t.Fatalf("Assign(point %d) = %d, label %d", i, got, res.Labels[i])
				}
				inertia += sqDist(x, res.Centers[res.Labels[i]])
			}
			if math.Abs(inertia-res.Inertia) > 1e-9*inertia {
				t.Errorf("inertia %v, recomputed %v", res.Inertia, inertia)
			}
		})
	}
}

func TestFitDeterminism(t *testing.T) {
	X, _ := blobs(4, 60, 3, 3, 7) // overlapping, so seeds matter
	a, err := Fit(X, 4, Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(X, 4, Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits with the same seed differ")
	}
	one, err := Fit(X, 4, Options{Seed: 5, Restarts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a.Inertia > one.Inertia {
		t.Errorf("10 restarts reached inertia %v, worse than their first alone %v", a.Inertia, one.Inertia)
	}
}

func TestFitDegenerate(t *testing.T) {
	same := [][]float64{{1, 2}, {1, 2}, {1, 2}, {1, 2}}
	tests := []struct {
		name string
		X    [][]float64
		k    int
	}{
		{"identical points", same, 3},
		{"fewer distinct points than k", [][]float64{{0}, {0}, {5}, {5}, {5}}, 3},
		{"k equals n", [][]float64{{0}, {1}, {3}, {7}}, 4},
		{"k is 1", same, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Fit(tt.X, tt.k, Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Inertia != 0 {
				t.Errorf("inertia %v, want 0", res.Inertia)
			}
			for _, c := range res.Centers {
				for _, v := range c {
					if math.IsNaN(v) {
						t.Fatalf("centre %v", c)
					}
				}
			}
			for i, l := range res.Labels {
				if l < 0 || l >= tt.k || sqDist(tt.X[i], res.Centers[l]) != 0 {
					t.Errorf("point %d labelled %d, centre %v", i, l, res.Centers[l])
				}
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	X := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	tests := []struct {
		name string
		X    [][]float64
		k    int
		opts Options
		want string
	}{
		{"k zero", X, 0, Options{}, "k 0"},
		{"k above n", X, 4, Options{}, "k 4: must be in [1, 3]"},
		{"no points", nil, 1, Options{}, "no points"},
		{"no coordinates", [][]float64{{}}, 1, Options{}, "no coordinates"},
		{"ragged", [][]float64{{1, 2}, {3}}, 1, Options{}, "point 1 has 1 coordinates"},
		{"NaN", [][]float64{{1, math.NaN()}}, 1, Options{}, "point 0 coordinate 1 is NaN"},
		{"negative restarts", X, 2, Options{Restarts: -1}, "restarts -1"},
		{"negative max iter", X, 2, Options{MaxIter: -1}, "max iter -1"},
		{"NaN tol", X, 2, Options{Tol: math.NaN()}, "tol NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.X, tt.k, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fit: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSilhouette(t *testing.T) {
	X := [][]float64{{0, 0}, {1, 0}, {0, 1}, {5, 5}, {6, 5}, {5, 7}, {10, 0}, {9, 1}}
	// Expected values from scikit-learn's silhouette_score.
	tests := []struct {
		name   string
		labels []int
		want   float64
	}{
		{"three clusters", []int{0, 0, 0, 1, 1, 1, 2, 2}, 0.78976060388623},
		{"alternating", []int{0, 1, 0, 1, 0, 1, 0, 1}, -0.11386965117992806},
		{"arbitrary label values", []int{7, 7, 7, -1, -1, 3, 3, 3}, 0.4750717302642863},
		{"one cluster", []int{4, 4, 4, 4, 4, 4, 4, 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Silhouette(X, tt.labels); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Silhouette = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSilhouetteOneBlobSplitArbitrarily(t *testing.T) {
	X, _ := blobs(1, 400, 3, 0, 9)
	rng := rand.New(rand.NewPCG(1, 1))
	labels := make([]int, len(X))
	for i := range labels {
		labels[i] = rng.IntN(2)
	}
	if s := Silhouette(X, labels); math.Abs(s) > 0.05 {
		t.Errorf("silhouette %.3f of a blob split at random, want near 0", s)
	}
}

func TestAdjustedRand(t *testing.T) {
	// Expected values from scikit-learn's adjusted_rand_score.
	tests := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"renamed", []int{0, 0, 1, 1, 2}, []int{5, 5, 3, 3, -1}, 1},
		{"one cluster split", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.5714285714285714},
		{"all together vs all apart", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0},
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"mixed", []int{0, 0, 1, 2, 2, 2, 3}, []int{1, 1, 0, 0, 2, 2, 2}, 0.2953020134228188},
		{"one cluster each", []int{1, 1, 1}, []int{2, 2, 2}, 1},
		{"empty", nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AdjustedRand(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AdjustedRand = %v, want %v", got, tt.want)
			}
			if got := AdjustedRand(tt.b, tt.a); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AdjustedRand swapped = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStandardize(t *testing.T) {
	X := [][]float64{{1, 10, 3}, {2, 20, 3}, {3, 60, 3}}
	Z, means, stds := Standardize(X)
	if X[0][0] != 1 {
		t.Error("Standardize modified its input")
	}
	wantMeans := []float64{2, 30, 3}
	wantStds := []float64{math.Sqrt(2.0 / 3), math.Sqrt(1400.0 / 3), 1}
	for j := range 3 {
		if math.Abs(means[j]-wantMeans[j]) > 1e-12 || math.Abs(stds[j]-wantStds[j]) > 1e-12 {
			t.Errorf("column %d: mean %v std %v, want %v and %v", j, means[j], stds[j], wantMeans[j], wantStds[j])
		}
		var s, ss float64
		for _, z := range Z {
			s += z[j]
			ss += z[j] * z[j]
		}
		wantSS := 3.0
		if j == 2 {
			wantSS = 0
		}
		if math.Abs(s) > 1e-12 || math.Abs(ss-wantSS) > 1e-12 {
			t.Errorf("column %d standardizes to sum %v, sum of squares %v", j, s, ss)
		}
	}
}

func BenchmarkFit(b *testing.B) {
	X, _ := blobs(5, 400, 13, 4, 1)
	Z, _, _ := Standardize(X)
	for b.Loop() {
		if _, err := Fit(Z, 5, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSilhouette(b *testing.B) {
	X, labels := blobs(5, 400, 13, 4, 1)
	for b.Loop() {
		Silhouette(X, labels)
	}
}
