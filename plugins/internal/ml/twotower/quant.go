package twotower

import (
	"github.com/crumb-dev/crumb/edge/onnx"
)

// Quantized is the int8 form of a model, scoring exactly as the int8 ONNX graph does: the user
// and context tables are int8 per row (DequantizeLinear), the two layers and the item scoring are
// dynamic int8 matrix products (DynamicQuantizeLinear → MatMulInteger) with per-column int8
// weights, and gender, age and biases stay float32.
type Quantized struct {
	m      *Model
	U, C   []float32 // dequantized tables
	w1q    []int8
	w1s    []float32
	w2q    []int8
	w2s    []float32
	vtq    []int8 // Dim×Items: V transposed
	vts    []float32
	uq, cq []int8
	us, cs []float32
	vt     []float32
}

// Quantize makes the int8 form.
func (m *Model) Quantize() *Quantized {
	q := &Quantized{m: m}
	d := m.Dim
	q.uq, q.us = onnx.Quantize(m.U, m.Users, d, 0)
	q.U = onnx.Dequantize(q.uq, q.us, m.Users, d, 0)
	q.cq, q.cs = onnx.Quantize(m.C, m.Items, d, 0)
	q.C = onnx.Dequantize(q.cq, q.cs, m.Items, d, 0)
	q.w1q, q.w1s = onnx.Quantize(m.W1, m.In(), m.Hidden, 1)
	q.w2q, q.w2s = onnx.Quantize(m.W2, m.Hidden, d, 1)
	q.vt = transpose(m.V, m.Items, d)
	q.vtq, q.vts = onnx.Quantize(q.vt, d, m.Items, 1)
	return q
}

func transpose(x []float32, rows, cols int) []float32 {
	out := make([]float32, len(x))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = x[r*cols+c]
		}
	}
	return out
}

// Scores returns a score per item as the int8 graph computes it at batch 1.
func (q *Quantized) Scores(in Input) ([]float32, error) {
	m := q.m
	if err := m.check(&in); err != nil {
		return nil, err
	}
	d, gd, ad := m.Dim, m.GenderDim, m.AgeDim
	c := make([]float32, d)
	m.contextMean(q.C, &in, c)
	h := make([]float32, 0, m.In())
	h = append(h, q.U[in.User*d:in.User*d+d]...)
	h = append(h, m.G[in.Gender*gd:in.Gender*gd+gd]...)
	h = append(h, m.A[in.Age*ad:in.Age*ad+ad]...)
	h = append(h, c...)
	z := onnx.DynamicMatMul(h, 1, m.In(), q.w1q, q.w1s, m.Hidden)
	for k := range z {
		z[k] = max(0, z[k]+m.B1[k])
	}
	u := onnx.DynamicMatMul(z, 1, m.Hidden, q.w2q, q.w2s, d)
	for k := range u {
		u[k] = u[k] + m.B2[k] + c[k]
	}
	s := onnx.DynamicMatMul(u, 1, d, q.vtq, q.vts, m.Items)
	for j := range s {
		s[j] += m.BV[j]
	}
	return s, nil
}
