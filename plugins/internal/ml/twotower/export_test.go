package twotower

import (
	"math"
	"testing"

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
