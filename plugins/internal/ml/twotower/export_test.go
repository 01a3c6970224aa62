package twotower

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/edge/onnx"
	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/ort/orttest"
)

func TestONNXMatchesGo(t *testing.T) {
	orttest.Init(t)
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 2000)
	m.Train(train, 2, 1)
	ptq := m.Quantize()
	ptqGraph, err := m.ONNX(true, "test")
	if err != nil {
		t.Fatal(err)
	}
	m.FitGrid()
	m.Train(train, 1, 2)
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
		{"int8-post-training/all", true, ort.LevelAll, 1e-4, ptq.Scores},
		// On its grid the int8 graph is the float graph.
		{"int8-as-float/all", true, ort.LevelAll, 1e-4, m.Scores},
	} {
		t.Run(tc.name, func(t *testing.T) {
			graph, err := m.ONNX(tc.int8, "test")
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tc.name, "int8-post-training") {
				graph = ptqGraph
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

// TestInt8GraphStoresInt8 checks that the int8 graph stores every weight as one int8 byte:
// its int8 initializers hold exactly the model's weights, on a trained grid exactly its int8
// values, and the float32 initializers are only scales, biases and kind weights, so that the
// file is under 30 % of the float graph's at Online Retail's size.
func TestInt8GraphStoresInt8(t *testing.T) {
	cfg := DefaultConfig()
	m, train, _ := synthetic(t, cfg, 500)
	qat(m, train, 1)
	big, err := New(cfg, 3000, 3659, 6)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    *Model
	}{{"trained on its grid", m}, {"untrained, post-training", big}} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			graph, err := m.ONNX(true, "test")
			if err != nil {
				t.Fatal(err)
			}
			model, err := onnx.Unmarshal(graph)
			if err != nil {
				t.Fatal(err)
			}
			weights := int64(len(m.U) + len(m.G) + len(m.A) + len(m.C) + len(m.W1) + len(m.W2) + len(m.V))
			scales := int64(m.Users + m.Genders + m.Ages + 2*m.Items + m.Hidden + m.Dim)
			biases := int64(m.Hidden + m.Dim + m.Items + 4 + 1)
			var int8s, floats int64
			for _, init := range model.Graph.Initializers {
				switch init.Type {
				case onnx.Float:
					floats += init.Len()
				case onnx.Int8:
					int8s += init.Len()
					if got := int64(len(init.Raw)); got != init.Len() {
						t.Errorf("int8 initializer %s: %d bytes for %d weights", init.Name, got, init.Len())
					}
				case onnx.Int64:
				default:
					t.Errorf("initializer %s of type %v", init.Name, init.Type)
				}
			}
			if int8s != weights {
				t.Errorf("%d int8 weights, the model has %d weights", int8s, weights)
			}
			if floats != scales+biases {
				t.Errorf("%d float32 values, want %d scales and %d biases and constants", floats, scales, biases)
			}
			if m.Grid != nil {
				// The stored W2 is the model's W2 on its grid, byte for byte.
				q := m.Quantize()
				for _, init := range model.Graph.Initializers {
					if got, _ := init.Int8s(); init.Name == "w2_q" && !slices.Equal(got, q.ints[5]) {
						t.Error("the stored w2 is not the model's int8 W2")
					}
				}
				for i, w := range m.W2 {
					if float32(q.ints[5][i])*m.Grid.W2[i%m.Dim] != w {
						t.Fatalf("W2[%d] = %g is not its int8 value %d times its scale %g", i, w, q.ints[5][i], m.Grid.W2[i%m.Dim])
					}
				}
				if model.Metadata["int8_grid"] != "trained" {
					t.Errorf("metadata %v, want int8_grid trained", model.Metadata)
				}
			}
			if model.Metadata["form"] != "int8" {
				t.Errorf("metadata %v, want form int8", model.Metadata)
			}
			fg, err := m.ONNX(false, "test")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("int8 graph %d bytes, float32 %d (%.1f %%)", len(graph), len(fg), 100*float64(len(graph))/float64(len(fg)))
			if m.Items > 1000 && len(graph)*10 > len(fg)*3 {
				t.Errorf("int8 graph %d bytes, float32 %d: want under 30 %%", len(graph), len(fg))
			}
		})
	}
}

// TestInt8GraphBatchRows checks that the int8 graph scores a row the same whatever else is in
// the batch (it quantises no activations), and like the Go reference.
func TestInt8GraphBatchRows(t *testing.T) {
	orttest.Init(t)
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
// catalogue sizes (untrained weights: the time does not depend on them), and reports the p50, the
// graph's size and how much the process's resident memory grew when the session was opened and
// run once (a rough figure: the allocator may reuse freed pages).
func BenchmarkONNX(b *testing.B) {
	orttest.Init(b)
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
			rss := residentKiB()
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
			if _, _, err := s.Run(in); err != nil {
				b.Fatal(err)
			}
			rss = residentKiB() - rss
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
				b.ReportMetric(float64(rss), "session-RSS-KiB")
			})
			s.Close()
		}
	}
}

// residentKiB is the process's resident memory (VmRSS), 0 where /proc is missing.
func residentKiB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			fmt.Sscan(rest, &kb)
			return kb
		}
	}
	return 0
}
