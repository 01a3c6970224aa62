package forest

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// stepData returns y = 10 if x0 > 0.5 else 0, plus noise, with x1..x4 pure
// noise features.
func stepData(n int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = []float64{rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()}
		if X[i][0] > 0.5 {
			y[i] = 10
		}
		y[i] += 0.5 * rng.NormFloat64()
	}
	return X, y
}

func TestStepFunction(t *testing.T) {
	X, y := stepData(2000, 1)
	f, err := Fit(X, y, Params{NumTrees: 50, MaxFeatures: 0.6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	for range 200 {
		x := []float64{rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()}
		want := 0.0
		if x[0] > 0.5 {
			want = 10
		}
		if math.Abs(x[0]-0.5) < 0.02 {
			continue // the boundary itself is learned only to a bin or so
		}
		if got := f.Predict(x); math.Abs(got-want) > 1 {
			t.Errorf("Predict(%.3f) = %.2f, want %.0f ± 1", x, got, want)
		}
	}
	imp := f.Importance()
	if math.Abs(sum(imp)-1) > 1e-9 {
		t.Errorf("importance %v sums to %v, want 1", imp, sum(imp))
	}
	for j := 1; j < len(imp); j++ {
		if imp[0] < 0.9 || imp[0] < 20*imp[j] {
			t.Errorf("importance %.4f: x0 should dominate every noise feature by far", imp)
			break
		}
	}
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

func TestFriedman(t *testing.T) {
	X, y, err := Synthetic(3000, 10, 7)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    Params
	}{
		{"defaults", Params{NumTrees: 60, Seed: 3}},
		{"all features", Params{NumTrees: 60, MaxFeatures: 1, Seed: 3}},
		{"depth 8 few bins", Params{NumTrees: 60, MaxDepth: 8, Bins: 32, MaxFeatures: 0.5, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Fit(X[:2500], y[:2500], tt.p)
			if err != nil {
				t.Fatal(err)
			}
			r2, rmse := Score(f.PredictBatch(X[2500:]), y[2500:])
			if r2 < 0.8 {
				t.Errorf("held-out R² = %.3f (RMSE %.3f), want > 0.8", r2, rmse)
			}
		})
	}
}

// exactCART grows one tree the textbook way, sorting every feature at every
// node, for comparison with the histogram builder.
func exactCART(X [][]float64, y []float64, rows []int, minLeaf, depth, maxDepth int, minGain float64, out []float64) {
	var s float64
	for _, r := range rows {
		s += y[r]
	}
	n := float64(len(rows))
	leaf := func() {
		for _, r := range rows {
			out[r] = s / n
		}
	}
	if depth >= maxDepth || len(rows) < 2*minLeaf {
		leaf()
		return
	}
	bestScore, bestF, bestT := math.Inf(-1), -1, 0.0
	for f := range X[0] {
		sorted := slices.Clone(rows)
		sort.Slice(sorted, func(a, b int) bool { return X[sorted[a]][f] < X[sorted[b]][f] })
		var ls float64
		for i := 0; i < len(sorted)-1; i++ {
			ls += y[sorted[i]]
			a, b := X[sorted[i]][f], X[sorted[i+1]][f]
			if a == b || i+1 < minLeaf || len(sorted)-i-1 < minLeaf {
				continue
			}
			nl := float64(i + 1)
			rs := s - ls
			if sc := ls*ls/nl + rs*rs/(n-nl); sc > bestScore {
				bestScore, bestF, bestT = sc, f, (a+b)/2
			}
		}
	}
	if bestF < 0 || bestScore-s*s/n <= minGain*n {
		leaf()
		return
	}
	var left, right []int
	for _, r := range rows {
		if X[r][bestF] <= bestT {
			left = append(left, r)
		} else {
			right = append(right, r)
		}
	}
	exactCART(X, y, left, minLeaf, depth+1, maxDepth, minGain, out)
	exactCART(X, y, right, minLeaf, depth+1, maxDepth, minGain, out)
}

// TestMatchesExactCART checks that with fewer distinct values than bins, no
// bootstrap and all features, every tree is the exact CART tree.
func TestMatchesExactCART(t *testing.T) {
	X, y, err := Synthetic(250, 6, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, minLeaf := range []int{1, 3, 10} {
		f, err := Fit(X, y, Params{NumTrees: 2, MaxFeatures: 1, MinLeaf: minLeaf, NoBootstrap: true, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(y))
		rows := make([]int, len(y))
		for i := range rows {
			rows[i] = i
		}
		exactCART(X, y, rows, minLeaf, 0, math.MaxInt, 0, want)
		for i, x := range X {
			if got := f.Predict(x); math.Abs(got-want[i]) > 1e-9 {
				t.Fatalf("min leaf %d: row %d: forest predicts %v, exact CART %v", minLeaf, i, got, want[i])
			}
		}
	}
}

func TestExactThresholdsForFewValues(t *testing.T) {
	X := make([][]float64, 300)
	y := make([]float64, 300)
	for i := range X {
		X[i] = []float64{float64(i % 3), float64(i % 2)}
		y[i] = 5 * float64(i%3)
	}
	f, err := Fit(X, y, Params{NumTrees: 5, MinLeaf: 1, MaxFeatures: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range f.trees {
		for _, nd := range tr.nodes {
			if nd.feat == 0 && nd.thr != 0.5 && nd.thr != 1.5 {
				t.Errorf("threshold %v on a feature taking 0, 1, 2: want 0.5 or 1.5", nd.thr)
			}
			if nd.feat == 1 {
				t.Errorf("split on x1, which carries no signal")
			}
		}
	}
	for v := range 3 {
		if got := f.Predict([]float64{float64(v), 0}); got != 5*float64(v) {
			t.Errorf("Predict(%d) = %v, want %v", v, got, 5*v)
		}
	}
}

func TestConstantTarget(t *testing.T) {
	X, _ := stepData(200, 3)
	y := make([]float64, len(X))
	for i := range y {
		y[i] = 4.25
	}
	f, err := Fit(X, y, Params{NumTrees: 10})
	if err != nil {
		t.Fatal(err)
	}
	if f.NumNodes() != 10 {
		t.Errorf("constant target grew %d nodes over 10 trees, want 10 single leaves", f.NumNodes())
	}
	if got := f.Predict(X[0]); got != 4.25 {
		t.Errorf("Predict = %v, want 4.25", got)
	}
	if got := f.Importance(); sum(got) != 0 {
		t.Errorf("importance %v, want all zero", got)
	}
}

func marshal(t *testing.T, f *Forest) []byte {
	t.Helper()
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterminism(t *testing.T) {
	X, y, err := Synthetic(1500, 13, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Params{
		{NumTrees: 12, MaxDepth: 10, Seed: 9},
		{NumTrees: 12, MaxDepth: 10, MaxFeatures: 1, Seed: 9},
		{NumTrees: 7, MinLeaf: 1, Bins: 16, Seed: 9},
	} {
		var want []byte
		for _, w := range []int{1, 2, 4} {
			p.Workers = w
			f, err := Fit(X, y, p)
			if err != nil {
				t.Fatal(err)
			}
			got := marshal(t, f)
			if want == nil {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Errorf("%+v: forest differs from the one grown with 1 worker", p)
			}
		}
		p.Seed++
		f, err := Fit(X, y, p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(marshal(t, f), want) {
			t.Errorf("%+v: another seed grew the same forest", p)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	X, y, err := Synthetic(1000, 8, 5)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Fit(X, y, Params{NumTrees: 20, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	data := marshal(t, f)
	var g Forest
	if err := g.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(marshal(t, &g), data) {
		t.Error("re-encoding the decoded forest changed the bytes")
	}
	if g.NumFeatures() != 8 || g.NumTrees() != 20 || g.NumNodes() != f.NumNodes() {
		t.Errorf("decoded %d features, %d trees, %d nodes; want 8, 20, %d", g.NumFeatures(), g.NumTrees(), g.NumNodes(), f.NumNodes())
	}
	if !slices.Equal(g.Importance(), f.Importance()) {
		t.Errorf("importance %v, want %v", g.Importance(), f.Importance())
	}
	for _, x := range X[:200] {
		if a, b := f.Predict(x), g.Predict(x); a != b {
			t.Fatalf("decoded forest predicts %v, original %v", b, a)
		}
	}
	if perNode := float64(len(data)) / float64(f.NumNodes()); perNode > 14 {
		t.Errorf("%.1f bytes per node, want a compact encoding", perNode)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	X, y := stepData(300, 4)
	f, err := Fit(X, y, Params{NumTrees: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	good := marshal(t, f)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"wrong magic", []byte("GIF89a"), "bad magic"},
		{"future version", append([]byte(magic), 2, 1, 1), "format version 2"},
		{"trailing bytes", append(slices.Clone(good), 0), "after the last tree"},
		{"no trees", append([]byte(magic), formatVersion, 5, 0), "0 trees"},
		{"child outside tree", append([]byte(magic), formatVersion, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1), "outside the tree"},
		{"feature out of range", append([]byte(magic), formatVersion, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1), "feature 1 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g Forest
			err := g.UnmarshalBinary(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("UnmarshalBinary: error %v, want one containing %q", err, tt.want)
			}
		})
	}
	for n := range len(good) {
		var g Forest
		if err := g.UnmarshalBinary(good[:n]); err == nil {
			t.Fatalf("UnmarshalBinary accepted the first %d of %d bytes", n, len(good))
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	X, y := stepData(100, 4)
	fr, err := Fit(X, y, Params{NumTrees: 2, MinLeaf: 10, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := fr.MarshalBinary()
	f.Add(good)
	f.Add([]byte(magic + "\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var g Forest
		if err := g.UnmarshalBinary(data); err != nil {
			return
		}
		g.Predict(make([]float64, g.NumFeatures()))
		again, err := g.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Errorf("decoded forest re-encodes differently")
		}
	})
}

func TestPredictVariants(t *testing.T) {
	X, y, err := Synthetic(1200, 13, 8)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Fit(X, y, Params{NumTrees: 15, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	batch := f.PredictBatch(X)
	var per []float64
	for i, x := range X {
		p := f.Predict(x)
		if batch[i] != p {
			t.Fatalf("row %d: PredictBatch %v, Predict %v", i, batch[i], p)
		}
		per = f.PredictTrees(x, per)
		if len(per) != 15 || math.Abs(sum(per)/15-p) > 1e-12 {
			t.Fatalf("row %d: PredictTrees %v does not average to Predict %v", i, per, p)
		}
	}
	if got := f.PredictBatch(nil); len(got) != 0 {
		t.Errorf("PredictBatch(nil) = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Predict with too few features did not panic")
		}
	}()
	f.Predict(X[0][:3])
}

// TestTreeShape walks every tree checking MinLeaf, MaxDepth and that each
// node's rows are split between its children.
func TestTreeShape(t *testing.T) {
	X, y, err := Synthetic(2000, 13, 6)
	if err != nil {
		t.Fatal(err)
	}
	tests := []Params{
		{NumTrees: 8, MaxDepth: 3, MinLeaf: 1, Seed: 1},
		{NumTrees: 8, MaxDepth: 7, MinLeaf: 20, MaxFeatures: 1, Seed: 1},
		{NumTrees: 8, MinLeaf: 5, Seed: 1},
		{NumTrees: 8, MinLeaf: 2, NoBootstrap: true, MaxFeatures: 0.6, Seed: 1},
	}
	for _, p := range tests {
		f, err := Fit(X, y, p)
		if err != nil {
			t.Fatal(err)
		}
		deepest := 0
		for ti, tr := range f.trees {
			var walk func(i, depth int)
			walk = func(i, depth int) {
				nd := tr.nodes[i]
				if nd.feat < 0 {
					deepest = max(deepest, depth)
					if int(tr.count[i]) < p.MinLeaf {
						t.Errorf("%+v: tree %d leaf %d holds %d rows, min leaf %d", p, ti, i, tr.count[i], p.MinLeaf)
					}
					return
				}
				if l, r := tr.count[nd.left], tr.count[nd.left+1]; l+r != tr.count[i] || l == 0 || r == 0 {
					t.Errorf("%+v: tree %d node %d: %d rows split into %d and %d", p, ti, i, tr.count[i], l, r)
				}
				walk(int(nd.left), depth+1)
				walk(int(nd.left)+1, depth+1)
			}
			walk(0, 0)
			if p.NoBootstrap && tr.count[0] != uint32(len(X)) {
				t.Errorf("%+v: root holds %d rows, want all %d", p, tr.count[0], len(X))
			}
		}
		if p.MaxDepth > 0 && deepest != p.MaxDepth {
			t.Errorf("%+v: deepest leaf at depth %d, want exactly max depth %d", p, deepest, p.MaxDepth)
		}
	}
}

func TestFitValidation(t *testing.T) {
	good := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	y := []float64{1, 2, 3}
	tests := []struct {
		name string
		X    [][]float64
		y    []float64
		p    Params
		want string
	}{
		{"no rows", nil, nil, Params{}, "no training rows"},
		{"length mismatch", good, y[:2], Params{}, "3 rows but 2 targets"},
		{"no features", [][]float64{{}, {}}, []float64{1, 2}, Params{}, "no features"},
		{"ragged", [][]float64{{1, 2}, {3}}, []float64{1, 2}, Params{}, "row 1 has 1 features"},
		{"NaN feature", [][]float64{{1, 2}, {3, math.NaN()}}, []float64{1, 2}, Params{}, "row 1 feature 1 is NaN"},
		{"Inf feature", [][]float64{{math.Inf(-1), 2}}, []float64{1}, Params{}, "row 0 feature 0 is -Inf"},
		{"NaN target", good, []float64{1, math.NaN(), 3}, Params{}, "target 1 is NaN"},
		{"negative trees", good, y, Params{NumTrees: -1}, "num trees -1"},
		{"negative depth", good, y, Params{MaxDepth: -2}, "max depth -2"},
		{"negative min leaf", good, y, Params{MinLeaf: -1}, "min leaf -1"},
		{"max features above 1", good, y, Params{MaxFeatures: 1.5}, "max features 1.5"},
		{"max features NaN", good, y, Params{MaxFeatures: math.NaN()}, "max features NaN"},
		{"one bin", good, y, Params{Bins: 1}, "bins 1"},
		{"too many bins", good, y, Params{Bins: 257}, "bins 257"},
		{"negative workers", good, y, Params{Workers: -1}, "workers -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.X, tt.y, tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fit: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFeatureEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name     string
		col      []float64
		maxBins  int
		wantBins int
	}{
		{"constant", []float64{3, 3, 3}, 256, 1},
		{"few values", []float64{2, 1, 2, 3, 1}, 256, 3},
		{"exactly max", seq(16), 16, 16},
		{"quantiles", randCol(rng, 10_000), 256, 256},
		{"quantiles few bins", randCol(rng, 1000), 10, 10},
		{"heavy ties", append(make([]float64, 900), seq(100)...), 10, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := slices.Clone(tt.col)
			edges, vals := featureEdges(col, tt.maxBins)
			if exact := len(slices.Compact(slices.Sorted(slices.Values(tt.col)))) <= tt.maxBins; exact != (vals != nil) || exact && len(vals) != len(edges)+1 {
				t.Errorf("%d values for %d bins, exactly binned %v", len(vals), len(edges)+1, exact)
			}
			if len(edges)+1 > tt.maxBins {
				t.Fatalf("%d bins, max %d", len(edges)+1, tt.maxBins)
			}
			if tt.wantBins > 0 && len(edges)+1 < tt.wantBins-1 || len(edges)+1 > tt.wantBins {
				t.Errorf("%d bins, want %d", len(edges)+1, tt.wantBins)
			}
			if !slices.IsSorted(edges) || len(slices.Compact(slices.Clone(edges))) != len(edges) {
				t.Errorf("edges %v are not strictly increasing", edges)
			}
			// Equal-frequency bins for continuous data.
			if tt.name == "quantiles" {
				counts := make([]int, len(edges)+1)
				b := binner{edges: [][]float64{edges}}
				for _, v := range tt.col {
					counts[b.code(0, v)]++
				}
				if lo, hi := slices.Min(counts), slices.Max(counts); hi > 2*lo {
					t.Errorf("bin counts range %d..%d, want about equal", lo, hi)
				}
			}
		})
	}
	if m := midpoint(1, math.Nextafter(1, 2)); m != 1 {
		t.Errorf("midpoint of neighbouring floats = %v, want the lower one", m)
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

func randCol(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.NormFloat64()
	}
	return out
}

func TestBenchmark(t *testing.T) {
	res, err := Benchmark(3000, 13, 10, 8, 0.33, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.R2 < 0.7 || res.RMSE <= 0 || res.FitSeconds <= 0 || res.PredictPerSecond <= 0 || res.BatchPerSecond <= 0 {
		t.Errorf("implausible result %+v", res)
	}
	if res.HeldOut != 1000 || res.Nodes == 0 {
		t.Errorf("held out %d rows with %d nodes, want 1000 and some", res.HeldOut, res.Nodes)
	}
	if _, err := Benchmark(100, 3, 1, 1, 1, 1); err == nil {
		t.Error("Benchmark with 3 features: want an error")
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, [][]float64{{0.1, 2}, {1e-300, -3}}, []float64{0.5, 7}); err != nil {
		t.Fatal(err)
	}
	want := "x0,x1,y\n0.1,2,0.5\n1e-300,-3,7\n"
	if buf.String() != want {
		t.Errorf("WriteCSV wrote %q, want %q", buf.String(), want)
	}
}
