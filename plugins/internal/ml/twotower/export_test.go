package twotower

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/edge/onnx"
	"github.com/crumb-dev/crumb/edge/ort"
)

func TestONNXMatchesGo(t *testing.T) {
	path := ort.LibPath("")
	if path == "" {
		t.Skip("CRUMB_ORT_LIB is not set: run `make ort` and export CRUMB_ORT_LIB=$PWD/.crumb/ort/libonnxruntime.so (make test does both)")
	}
	if err := ort.Init(path); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 2000)
	m.Train(train, 2, 1)
	q := m.Quantize()
	for _, tc := range []struct {
		name  string
		int8  bool
		level ort.Level
		tol   float64
		ref   func(Input) ([]float32, error)
	}{
		{"float/all", false, ort.LevelAll, 1e-4, m.Scores},
		{"float/basic", false, ort.LevelBasic, 1e-4, m.Scores},
		{"int8/all", true, ort.LevelAll, 1e-4, q.Scores},
		{"int8/basic", true, ort.LevelBasic, 1e-4, q.Scores},
	} {
		t.Run(tc.name, func(t *testing.T) {
			graph, err := m.ONNX(tc.int8, "test")
			if err != nil {
				t.Fatal(err)
			}
			s, err := ort.NewSession(graph, inputNames, []string{outputName}, ort.Options{Level: tc.level})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			worst := 0.0
			for _, ex := range test[:50] {
				ctx := make([]int64, len(ex.Context))
				kinds := make([]int64, len(ex.Kinds))
				for i := range ctx {
					ctx[i], kinds[i] = int64(ex.Context[i]), int64(ex.Kinds[i])
				}
				out, _, err := s.Run([]ort.Input{
					{Shape: []int64{1}, Int64: []int64{int64(ex.User)}},
					{Shape: []int64{1}, Int64: []int64{int64(ex.Gender)}},
					{Shape: []int64{1}, Int64: []int64{int64(ex.Age)}},
					{Shape: []int64{1, int64(cfg.ContextLen)}, Int64: ctx},
					{Shape: []int64{1, int64(cfg.ContextLen)}, Int64: kinds},
				})
				if err != nil {
					t.Fatal(err)
				}
				want, _ := tc.ref(ex.Input)
				if len(out[0]) != len(want) {
					t.Fatalf("%d scores, want %d", len(out[0]), len(want))
				}
				for j := range want {
					worst = max(worst, math.Abs(float64(out[0][j]-want[j])))
				}
			}
			t.Logf("max |ONNX − Go| = %.3g", worst)
			if worst > tc.tol {
				t.Errorf("ONNX Runtime differs from the Go reference by %g (> %g)", worst, tc.tol)
			}
		})
	}
}

// TestInt8GraphStoresInt8 checks that the int8 graph holds its matrices as int8: float32
// initializers are only scales (one per 32 table weights at most), biases and the tiny gender
// and age tables.
func TestInt8GraphStoresInt8(t *testing.T) {
	m, _, _ := synthetic(t, DefaultConfig(), 1)
	graph, err := m.ONNX(true, "test")
	if err != nil {
		t.Fatal(err)
	}
	model, err := onnx.Unmarshal(graph)
	if err != nil {
		t.Fatal(err)
	}
	limit := int64(max(m.Items, m.Users*m.Hidden/32, m.Items*(m.Dim+m.Hidden)/32, m.Genders*m.Hidden, m.Ages*m.Hidden))
	int8s := map[int64]int{}
	for _, init := range model.Graph.Initializers {
		switch init.Type {
		case onnx.Float:
			if init.Len() > limit {
				t.Errorf("float32 initializer %s has %d elements (> %d)", init.Name, init.Len(), limit)
			}
		case onnx.Int8:
			int8s[init.Len()]++
		}
	}
	// W2 and the item matrix: an int8 plane and its int8 residual each.
	if n := int64(m.Hidden * m.Dim); int8s[n] != 2 {
		t.Errorf("%d int8 initializers of W2's size %d, want 2", int8s[n], n)
	}
	if n := int64(m.Dim * m.Items); int8s[n] != 2 {
		t.Errorf("%d int8 initializers of the item matrix's size %d, want 2", int8s[n], n)
	}
	if model.Metadata["form"] != "int8" {
		t.Errorf("metadata %v, want form int8", model.Metadata)
	}
}

// TestInt8GraphBatchRows checks that the int8 graph scores a row the same whatever else is in
// the batch (it quantises no activations), and like the Go reference.
func TestInt8GraphBatchRows(t *testing.T) {
	path := ort.LibPath("")
	if path == "" {
		t.Skip("CRUMB_ORT_LIB is not set: run `make ort` and export CRUMB_ORT_LIB=$PWD/.crumb/ort/libonnxruntime.so (make test does both)")
	}
	if err := ort.Init(path); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 2000)
	m.Train(train, 2, 1)
	q := m.Quantize()
	graph, err := m.ONNX(true, "test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(graph, inputNames, []string{outputName}, ort.Options{Level: ort.LevelAll})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const batch = 4
	var user, gender, age, ctx, kinds []int64
	for _, ex := range test[:batch] {
		user, gender, age = append(user, int64(ex.User)), append(gender, int64(ex.Gender)), append(age, int64(ex.Age))
		for l := range ex.Context {
			ctx, kinds = append(ctx, int64(ex.Context[l])), append(kinds, int64(ex.Kinds[l]))
		}
	}
	L := int64(cfg.ContextLen)
	out, _, err := s.Run([]ort.Input{
		{Shape: []int64{batch}, Int64: user}, {Shape: []int64{batch}, Int64: gender}, {Shape: []int64{batch}, Int64: age},
		{Shape: []int64{batch, L}, Int64: ctx}, {Shape: []int64{batch, L}, Int64: kinds},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, ex := range test[:batch] {
		want, _ := q.Scores(ex.Input)
		for j, w := range want {
			if got := out[0][i*m.Items+j]; math.Abs(float64(got-w)) > 1e-5 {
				t.Fatalf("row %d item %d: %g in a batch of %d, the Go reference %g", i, j, got, batch, w)
			}
		}
	}
}

// BenchmarkONNX scores one member at batch 1 with each graph, for Groceries' and Online Retail's
// catalogue sizes (untrained weights: the time does not depend on them), and reports the p50.
func BenchmarkONNX(b *testing.B) {
	path := ort.LibPath("")
	if path == "" {
		b.Skip("CRUMB_ORT_LIB is not set")
	}
	if err := ort.Init(path); err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	for _, items := range []int{167, 3659} {
		m, err := New(cfg, 3000, items, 6)
		if err != nil {
			b.Fatal(err)
		}
		for _, form := range []string{"float32", "int8"} {
			graph, err := m.ONNX(form == "int8", "bench")
			if err != nil {
				b.Fatal(err)
			}
			s, err := ort.NewSession(graph, inputNames, []string{outputName}, ort.Options{Level: ort.LevelAll})
			if err != nil {
				b.Fatal(err)
			}
			L := int64(cfg.ContextLen)
			ctx, kinds := make([]int64, L), make([]int64, L)
			for l := range 3 {
				ctx[l], kinds[l] = int64(7*l+1), 3
			}
			in := []ort.Input{
				{Shape: []int64{1}, Int64: []int64{42}}, {Shape: []int64{1}, Int64: []int64{1}}, {Shape: []int64{1}, Int64: []int64{3}},
				{Shape: []int64{1, L}, Int64: ctx}, {Shape: []int64{1, L}, Int64: kinds},
			}
			b.Run(fmt.Sprintf("items=%d/%s", items, form), func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				for range b.N {
					t0 := time.Now()
					if _, _, err := s.Run(in); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
				b.ReportMetric(float64(len(graph))/1024, "KiB")
			})
			s.Close()
		}
	}
}
