package twotower

import (
	"github.com/crumb-dev/crumb/edge/onnx"
)

// Quantized is the int8 form of a model, scoring exactly as the int8 ONNX graph does.
//
// The first layer is folded into the tables it reads, which is exact algebra: h W1 is
// U[user] W1u + G[gender] W1g + A[age] W1a + c W1c, and c W1c, c being a weighted mean of
// context rows, is the same weighted mean of the rows of C W1c. So the int8 graph keeps
//
//   - the member table already multiplied by W1u (Users × Hidden, int8 per row; a Gather of the
//     member's row, then DequantizeLinear of that row only),
//   - the context table beside its product with W1c, [C | C W1c] (Items × (Dim + Hidden), int8
//     per row; the rows' scales are multiplied into the context weights, so dequantising is a
//     Cast and the weighted sum),
//   - the tiny gender and age tables times their W1 blocks in float32,
//
// and the first layer costs table lookups only. The second layer and the item scores are dynamic
// int8 (DynamicQuantizeLinear → MatMulInteger with per-column int8 weights: W2, and the item
// matrix with one scale per item). Weight-only int8 for the items (DequantizeLinear, then a float
// MatMul) agreed with float32 on one Online Retail top 10 in a hundred more, but ONNX Runtime
// dequantises the whole matrix on every call (4 µs for 2,048 weights, 250 µs for Online
// Retail's 3,659 items); centring the item vectors or rotating them by a Hadamard matrix before
// quantising made agreement worse, as rarely bought items then got the coarse steps. Biases
// stay float32.
type Quantized struct {
	m        *Model
	uw       []float32 // dequantized U·W1u (Users×Hidden)
	ccq      []int8    // [C | C·W1c] (Items×(Dim+Hidden))
	ccs      []float32 // its row scales
	gw, aw   []float32 // G·W1g (Genders×Hidden), A·W1a (Ages×Hidden)
	uwq      []int8
	uws      []float32
	w2q      []int8
	w2s      []float32
	vtq      []int8 // Dim×Items: V transposed
	vts      []float32
	vt       []float32
	ccw, ccn int // width of cc, and of its C part
}

// Quantize makes the int8 form.
func (m *Model) Quantize() *Quantized {
	q := &Quantized{m: m}
	d, gd, ad, hid := m.Dim, m.GenderDim, m.AgeDim, m.Hidden
	w1u := m.W1[:d*hid]
	w1g := m.W1[d*hid : (d+gd)*hid]
	w1a := m.W1[(d+gd)*hid : (d+gd+ad)*hid]
	w1c := m.W1[(d+gd+ad)*hid:]
	uw := matMul(m.U, m.Users, d, w1u, hid)
	q.uwq, q.uws = onnx.Quantize(uw, m.Users, hid, 0)
	q.uw = onnx.Dequantize(q.uwq, q.uws, m.Users, hid, 0)
	q.gw = matMul(m.G, m.Genders, gd, w1g, hid)
	q.aw = matMul(m.A, m.Ages, ad, w1a, hid)
	cw := matMul(m.C, m.Items, d, w1c, hid)
	q.ccn, q.ccw = d, d+hid
	cc := make([]float32, 0, m.Items*q.ccw)
	for i := 0; i < m.Items; i++ {
		cc = append(cc, m.C[i*d:i*d+d]...)
		cc = append(cc, cw[i*hid:i*hid+hid]...)
	}
	q.ccq, q.ccs = onnx.Quantize(cc, m.Items, q.ccw, 0)
	q.w2q, q.w2s = onnx.Quantize(m.W2, hid, d, 1)
	q.vt = transpose(m.V, m.Items, d)
	q.vtq, q.vts = onnx.Quantize(q.vt, d, m.Items, 1)
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
	d, hid, w := m.Dim, m.Hidden, q.ccw
	// Weighted mean of [C | C W1c] rows, the row scales folded into the weights.
	cc := make([]float32, w)
	var den float32
	for l, it := range in.Context {
		kw := m.KindWeights[in.Kinds[l]]
		den += kw
		ws := kw * q.ccs[it]
		row := q.ccq[int(it)*w : int(it)*w+w]
		for k := range cc {
			cc[k] += float32(row[k]) * ws
		}
	}
	for k := range cc {
		cc[k] = cc[k] / max(den, ctxEps)
	}
	c, cw := cc[:d], cc[d:]
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
	s := onnx.DynamicMatMul(u, 1, d, q.vtq, q.vts, m.Items)
	for j := range s {
		s[j] += m.BV[j]
	}
	return s, nil
}
