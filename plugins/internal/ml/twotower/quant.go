package twotower

import (
	"github.com/crumb-dev/crumb/edge/onnx"
)

// Quantized is the int8 form of a model, scoring exactly as the int8 ONNX graph does.
//
// The first layer is folded into the tables it reads, which is exact algebra: h W1 is
// U[user] W1u + G[gender] W1g + A[age] W1a + c W1c, so the int8 graph keeps the member table
// already multiplied by W1u (Users × Hidden, int8 per row, DequantizeLinear), the tiny gender
// and age tables likewise in float32, and multiplies only the context mean c at run time
// (DynamicQuantizeLinear → MatMulInteger with per-column int8 W1c): one gather instead of a
// gather, a concat and a bigger product. The context table is int8 per row, the second layer is
// dynamic int8 like W1c, and the item matrix is int8 per item (DequantizeLinear) multiplied in
// float32. Quantising u too (the dynamic way) changed one Online Retail top 10 in seven;
// centring the item vectors or rotating them by a Hadamard matrix before quantising made it
// worse, as rarely bought items then got the coarse steps. Biases stay float32.
type Quantized struct {
	m         *Model
	uw, c     []float32 // dequantized U·W1u (Users×Hidden) and context table (Items×Dim)
	gw, aw    []float32 // G·W1g (Genders×Hidden), A·W1a (Ages×Hidden)
	uwq, cq   []int8
	uws, cs   []float32
	w1cq, w2q []int8
	w1cs, w2s []float32
	vtq       []int8 // Dim×Items: V transposed
	vts       []float32
	vtd       []float32 // vtq dequantized
	w1c, vt   []float32
}

// Quantize makes the int8 form.
func (m *Model) Quantize() *Quantized {
	q := &Quantized{m: m}
	d, gd, ad, hid := m.Dim, m.GenderDim, m.AgeDim, m.Hidden
	w1u := m.W1[:d*hid]
	w1g := m.W1[d*hid : (d+gd)*hid]
	w1a := m.W1[(d+gd)*hid : (d+gd+ad)*hid]
	q.w1c = m.W1[(d+gd+ad)*hid:]
	uw := matMul(m.U, m.Users, d, w1u, hid)
	q.uwq, q.uws = onnx.Quantize(uw, m.Users, hid, 0)
	q.uw = onnx.Dequantize(q.uwq, q.uws, m.Users, hid, 0)
	q.gw = matMul(m.G, m.Genders, gd, w1g, hid)
	q.aw = matMul(m.A, m.Ages, ad, w1a, hid)
	q.cq, q.cs = onnx.Quantize(m.C, m.Items, d, 0)
	q.c = onnx.Dequantize(q.cq, q.cs, m.Items, d, 0)
	q.w1cq, q.w1cs = onnx.Quantize(q.w1c, d, hid, 1)
	q.w2q, q.w2s = onnx.Quantize(m.W2, hid, d, 1)
	q.vt = transpose(m.V, m.Items, d)
	q.vtq, q.vts = onnx.Quantize(q.vt, d, m.Items, 1)
	q.vtd = onnx.Dequantize(q.vtq, q.vts, d, m.Items, 1)
	return q
}

// matMul is the rows × n product of x (rows × k) and w (k × n).
func matMul(x []float32, rows, k int, w []float32, n int) []float32 {
	out := make([]float32, rows*n)
	for r := 0; r < rows; r++ {
		matVec(x[r*k:r*k+k], w, n, out[r*n:r*n+n])
	}
	return out
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
	d, hid := m.Dim, m.Hidden
	c := make([]float32, d)
	m.contextMean(q.c, &in, c)
	cw := onnx.DynamicMatMul(c, 1, d, q.w1cq, q.w1cs, hid)
	uw := q.uw[in.User*hid : in.User*hid+hid]
	gw := q.gw[in.Gender*hid : in.Gender*hid+hid]
	aw := q.aw[in.Age*hid : in.Age*hid+hid]
	z := make([]float32, hid)
	for k := range z {
		z[k] = max(0, (((uw[k]+gw[k])+aw[k])+cw[k])+m.B1[k])
	}
	u := onnx.DynamicMatMul(z, 1, hid, q.w2q, q.w2s, d)
	for k := range u {
		u[k] = u[k] + m.B2[k] + c[k]
	}
	s := make([]float32, m.Items)
	matVec(u, q.vtd, m.Items, s)
	for j := range s {
		s[j] += m.BV[j]
	}
	return s, nil
}
