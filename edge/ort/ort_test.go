package ort_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/crumb-dev/crumb/edge/onnx"
	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/ort/orttest"
)

// scoreModel is scores = x · items + table[idx]: a float and an int64 input, batch free.
func scoreModel(t *testing.T) []byte {
	t.Helper()
	b := onnx.NewBuilder("score")
	x := b.Input("x", onnx.Float, -1, 2)
	idx := b.Input("idx", onnx.Int64, -1)
	items := b.Initializer(onnx.FloatTensor("items", []int64{2, 3}, []float32{1, 0, 1, 0, 1, 1}))
	table := b.Initializer(onnx.FloatTensor("table", []int64{2, 3}, []float32{0, 10, 20, 30, 40, 50}))
	b.Rename(b.Op("Add", []string{b.Op("MatMul", []string{x, items}), b.Op("Gather", []string{table, idx}, onnx.Int("axis", 0))}), "scores")
	b.Output("scores", onnx.Float, -1, 3)
	data, err := b.Model("test", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func want(x []float32, idx []int64) []float32 {
	var out []float32
	for r, i := range idx {
		a, b := x[2*r], x[2*r+1]
		base := float32(i) * 30
		out = append(out, a+base, b+base+10, a+b+base+20)
	}
	return out
}

// TestRunReusesTensors runs batches of changing sizes from several goroutines: the kept input
// and output tensors must follow every change of shape and never mix two runs.
func TestRunReusesTensors(t *testing.T) {
	orttest.Init(t)
	s, err := ort.NewSession(scoreModel(t), []string{"x", "idx"}, []string{"scores"}, ort.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				batch := 1 + (i*7+g)%3
				if i%5 != 0 {
					batch = 1 // mostly batch 1, as crumb-edge runs it
				}
				x := make([]float32, 2*batch)
				idx := make([]int64, batch)
				for r := range batch {
					x[2*r], x[2*r+1] = float32(g), float32(i)
					idx[r] = int64((g + i + r) % 2)
				}
				out, shapes, err := s.Run([]ort.Input{{Shape: []int64{int64(batch), 2}, Float: x}, {Shape: []int64{int64(batch)}, Int64: idx}})
				if err != nil {
					errs <- err
					return
				}
				if w := want(x, idx); len(out[0]) != len(w) || shapes[0][0] != int64(batch) || shapes[0][1] != 3 {
					errs <- fmt.Errorf("batch %d: shape %v, %d scores", batch, shapes[0], len(out[0]))
					return
				} else {
					for j := range w {
						if math.Abs(float64(out[0][j]-w[j])) > 1e-4 {
							errs <- fmt.Errorf("goroutine %d run %d batch %d: scores %v, want %v", g, i, batch, out[0], w)
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Too few values for the shape is an error, not a read past the data.
	if _, _, err := s.Run([]ort.Input{{Shape: []int64{2, 2}, Float: []float32{1, 2}}, {Shape: []int64{2}, Int64: []int64{0, 1}}}); err == nil {
		t.Error("a [2 2] input with 2 values ran")
	}
	if _, _, err := s.Run([]ort.Input{{Shape: []int64{1, 2}, Float: []float32{1}}, {Shape: []int64{1}, Int64: []int64{0}}}); err == nil {
		t.Error("a [1 2] input with 1 value ran")
	}
}
