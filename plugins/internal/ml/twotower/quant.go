package twotower

import (
	"fmt"
	"math"
	"slices"

	"github.com/crumb-dev/crumb/edge/onnx"
)

// Grid holds the int8 scales of a model's weights: one per row of the embedding tables and of
// the item matrix (a scale per member, gender, age band and item), one per column of W1 and W2
// (a scale per unit they feed). A weight on the grid is float32(q)·scale for an integer q in
// [-127, 127], which is what the int8 graph stores (q) and what it folds back to at session
// open (float32(q)·scale, bit for bit).
type Grid struct {
	U, G, A, C, W1, W2, V []float32
}

// qtensor is one quantised weight tensor: rows × cols, a scale per row (axis 0) or column (1).
type qtensor struct {
	w, latent, scale *[]float32
	rows, cols, axis int
}

// quantTensors lists the quantised tensors; scale and latent point into m.Grid and m.latent,
// which must be set.
func (m *Model) quantTensors() []qtensor {
	g, l := m.Grid, m.latent
	return []qtensor{
		{&m.U, &l.U, &g.U, m.Users, m.Dim, 0},
		{&m.G, &l.G, &g.G, m.Genders, m.GenderDim, 0},
		{&m.A, &l.A, &g.A, m.Ages, m.AgeDim, 0},
		{&m.C, &l.C, &g.C, m.Items, m.Dim, 0},
		{&m.W1, &l.W1, &g.W1, m.In(), m.Hidden, 1},
		{&m.W2, &l.W2, &g.W2, m.Hidden, m.Dim, 1},
		{&m.V, &l.V, &g.V, m.Items, m.Dim, 0},
	}
}

// FitGrid starts quantisation-aware training: it fixes the int8 scales from the current weights
// (max |w| / 127 per row or column, as onnx.Quantize), keeps the current weights as the float
// "latent" weights that later steps update, and projects the weights onto the grid. From then
// on every Train step computes its gradients with the projected weights and applies them to the
// latent ones, re-projecting what it changed (a straight-through estimator: rounding passes the
// gradient unchanged), so that after training the model's float32 weights are exactly what the
// int8 graph stores. Biases stay float32 and train as before.
func (m *Model) FitGrid() {
	m.Grid, m.latent = &Grid{}, &Model{}
	for _, t := range m.quantTensors() {
		*t.scale = onnx.Scales(*t.w, t.rows, t.cols, t.axis)
		*t.latent = slices.Clone(*t.w)
		project(*t.w, *t.scale, t.cols, t.axis)
	}
}

// project moves every weight of w onto the grid.
func project(w, scale []float32, cols, axis int) {
	for i, x := range w {
		var s float32
		if axis == 1 {
			s = scale[i%cols]
		} else {
			s = scale[i/cols]
		}
		w[i] = float32(onnx.Round(x, s)) * s
	}
}

// startLatent makes the latent weights of a model on a grid that has none (decoded, or grown):
// the projected weights themselves.
func (m *Model) startLatent() error {
	if m.Grid == nil || m.latent != nil {
		return nil
	}
	m.latent = &Model{}
	for _, t := range m.quantTensors() {
		n := t.rows
		if t.axis == 1 {
			n = t.cols
		}
		if len(*t.scale) != n {
			return fmt.Errorf("twotower: %d int8 scales for a %d × %d tensor", len(*t.scale), t.rows, t.cols)
		}
		*t.latent = slices.Clone(*t.w)
	}
	return nil
}

// growGrid gives new rows of the row-scaled tensors (members, items) scales of their own and
// projects them.
func (m *Model) growGrid() {
	if m.Grid == nil {
		return
	}
	m.latent = &Model{}
	for _, t := range m.quantTensors() {
		if t.axis != 0 || len(*t.scale) >= t.rows {
			continue
		}
		old := len(*t.scale)
		rest := (*t.w)[old*t.cols:]
		s := onnx.Scales(rest, t.rows-old, t.cols, 0)
		project(rest, s, t.cols, 0)
		*t.scale = append(*t.scale, s...)
	}
	m.latent = nil
}

// widenGrid gives every row or column whose latent weights outgrew the grid (clamped at 127
// steps) a scale that holds them, max |latent| / 127, and projects it again: fixed scales would
// otherwise keep a member's or item's vector from ever growing past its size when the grid was
// fitted, fine-tune after fine-tune.
func (m *Model) widenGrid() {
	if m.Grid == nil || m.latent == nil {
		return
	}
	for _, t := range m.quantTensors() {
		w, l, scale := *t.w, *t.latent, *t.scale
		top := make([]float32, len(scale))
		for i, x := range l {
			k := i / t.cols
			if t.axis == 1 {
				k = i % t.cols
			}
			top[k] = max(top[k], float32(math.Abs(float64(x))))
		}
		for k, mx := range top {
			if mx <= 127.5*scale[k] {
				continue
			}
			scale[k] = mx / 127
			first, stride, end := k*t.cols, 1, (k+1)*t.cols
			if t.axis == 1 {
				first, stride, end = k, t.cols, len(l)
			}
			for i := first; i < end; i += stride {
				w[i] = float32(onnx.Round(l[i], scale[k])) * scale[k]
			}
		}
	}
}

// OffGrid counts the weights that do not lie on the model's int8 grid (all of them without
// one).
func (m *Model) OffGrid() int {
	if m.Grid == nil {
		return len(m.U) + len(m.G) + len(m.A) + len(m.C) + len(m.W1) + len(m.W2) + len(m.V)
	}
	keep := m.latent
	m.latent = &Model{}
	defer func() { m.latent = keep }()
	off := 0
	for _, t := range m.quantTensors() {
		q := onnx.QuantizeWith(*t.w, *t.scale, t.rows, t.cols, t.axis)
		back := onnx.Dequantize(q, *t.scale, t.rows, t.cols, t.axis)
		for i, x := range *t.w {
			if back[i] != x {
				off++
			}
		}
	}
	return off
}

// Quantized is the int8 form of a model as the int8 ONNX graph stores it: every weight of the
// tables, W1, W2 and the item matrix as one int8 byte with a float32 scale per row (tables,
// items) or column (W1, W2), the biases and kind weights in float32. The graph is the float
// graph with those int8 tensors turned into float32 by Cast and Mul (onnx.Builder.FoldedInt8),
// constants that ONNX Runtime folds when it opens the session: the file holds int8, the session
// float32 (as much memory as the float model), and a call computes in float32 exactly as the
// float graph does, with no activation quantised, so a row's scores do not depend on the rest of
// its batch.
//
// A model trained on its grid (FitGrid, then Train) has float32 weights that are these int8
// values times their scales, bit for bit, so the int8 graph computes the float graph's scores:
// quantisation costs nothing at serving time, and the float model's accuracy after the
// quantisation-aware epoch is the int8 model's. A model without a grid (trained without that
// epoch, or an older state) is quantised after training with max |w| / 127 scales.
//
// Measured with `crumb eval recommend` (top-10 sets with the repeat blend, int8 against float32):
// quantising the trained float model after training gives the same top 10 for 89.6 % of Online
// Retail's cases and 98.8 % of Groceries'; after the quantisation-aware epoch, 100 % on both,
// with HR@10 and MRR@10 within a few cases of the float model before it. Dynamic uint8
// quantisation of the activations before W2 and the item matrix (quantize_dynamic's
// MatMulInteger) cannot be trained away with the weights, as its scale changes with every call:
// on top of the trained grid it still swaps 5.5 % of Online Retail's top 10s (4.0 % for the item
// matrix alone), and ONNX Runtime's MatMulInteger is no faster than float32 MatMul at this size,
// so the graph computes in float32. A DequantizeLinear of the matrices would run on every call
// (250 µs for Online Retail's items), as ONNX Runtime keeps DequantizeLinear nodes for its QDQ
// fusions instead of folding them.
type Quantized struct {
	deq    *Model   // the weights folded back to float32
	ints   [][]int8 // in quantTensors' order
	scales [][]float32
}

// Quantize makes the int8 form: on the model's grid when it has one, otherwise with scales
// max |w| / 127 per row or column (post-training quantisation).
func (m *Model) Quantize() *Quantized {
	deq := *m
	deq.B1, deq.B2, deq.BV = slices.Clone(m.B1), slices.Clone(m.B2), slices.Clone(m.BV)
	grid := m.Grid
	if grid == nil {
		grid = &Grid{}
	}
	deq.Grid = grid
	deq.latent = &Model{}
	q := &Quantized{deq: &deq}
	for _, t := range deq.quantTensors() {
		scale := *t.scale
		if m.Grid == nil {
			scale = onnx.Scales(*t.w, t.rows, t.cols, t.axis)
		}
		ints := onnx.QuantizeWith(*t.w, scale, t.rows, t.cols, t.axis)
		*t.w = onnx.Dequantize(ints, scale, t.rows, t.cols, t.axis)
		q.ints, q.scales = append(q.ints, ints), append(q.scales, scale)
	}
	deq.Grid, deq.latent = m.Grid, nil
	return q
}

// Scores returns a score per item as the int8 graph computes it.
func (q *Quantized) Scores(in Input) ([]float32, error) { return q.deq.Scores(in) }

func transpose[T any](x []T, rows, cols int) []T {
	out := make([]T, len(x))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = x[r*cols+c]
		}
	}
	return out
}
