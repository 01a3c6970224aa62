package twotower

import (
	"github.com/crumb-dev/crumb/edge/onnx"
)

// Quantized is the int8 form of a model, scoring as the int8 ONNX graph does (to float32
// rounding: ONNX Runtime sums the two matrix products in its own order).
//
// The first layer is folded into the tables it reads, which is exact algebra: h W1 is
// U[user] W1u + G[gender] W1g + A[age] W1a + c W1c, and c W1c, c being a weighted mean of
// context rows, is the same weighted mean of the rows of C W1c. So the int8 graph keeps
//
//   - the member table already multiplied by W1u (Users × Hidden, int8 with a scale per 32
//     weights of a row),
//   - the context table beside its product with W1c, [C | C W1c] (Items × (Dim + Hidden), int8
//     likewise),
//   - the tiny gender and age tables times their W1 blocks in float32,
//
// and the first layer costs table lookups only. W2 and the item matrix (one scale per item) are
// stored as int8 plus an int8 residual plane (onnx.Builder.ResidualInitializer: 16 bits of
// precision in two int8 tensors). Every int8 tensor is turned into float32 by Cast and Mul
// (onnx.Builder.FoldedInt8), constants that ONNX Runtime folds when it opens the session: the
// file holds int8, the session float32 (Online Retail: 866 KiB of graph, 2.6 MB in memory), and a
// call gathers rows and multiplies in float32 like the float graph, without dequantising
// anything and without quantising activations, so a row's scores do not depend on the rest of
// its batch. Biases stay float32.
//
// Why, measured on Online Retail (3,659 items, 4,023 held-out baskets) as the share of top 10s
// that differ from float32 with one stage quantised and the rest float32: the context and member
// tables at int8 per row 3.4 %; W2 at int8 per column with uint8 activations 5.8 % (the weights
// alone 5.6 %, the activations alone 2.7 %); the user vector's dynamic uint8 quantisation before
// the item MatMulInteger 4.8 %; the item matrix at int8 per item 7.1 % (6.9 % with MSE-optimal
// clipping instead of max-abs). All of it at once, the former graph, 11.4 %. So an item matrix of
// one int8 byte per weight and one scale per item cannot reach 95 % there, whatever is done with
// the activations or a re-scoring of int8 candidates. With the residual planes only the tables'
// rounding is left: 3.4 % with one scale per row, 2.7 % with one per 32 weights as here (40 KiB
// more scales for Online Retail); one per 16 or 8 weights would give 2.3 or 1.9 % for 25 or 50 %
// more table bytes, residual planes for the tables 0.02 % for twice the table bytes.
// The graph is also faster than the former one (Online Retail 19.4 against 22.5 µs at batch 1,
// Groceries 10.4 against 13.1 µs): ONNX Runtime's float32 MatMul is no slower than
// MatMulInteger at this size, and the per-call quantisation of activations and dequantisation of
// gathered rows are gone. A DequantizeLinear of the matrices instead of Cast and Mul would run on
// every call (250 µs for Online Retail's items), as ONNX Runtime keeps DequantizeLinear nodes
// for its QDQ fusions instead of folding them. Centring the item vectors or rotating them by a
// Hadamard matrix before quantising made agreement worse, as rarely bought items then got the
// coarse steps.
type Quantized struct {
	m        *Model
	uw       []float32 // dequantized U·W1u (Users×Hidden)
	ccq      []int8    // [C | C·W1c] (Items×(Dim+Hidden))
	ccs      []float32 // its scales, one per cg weights of a row
	cc       []float32 // and dequantized
	gw, aw   []float32 // G·W1g (Genders×Hidden), A·W1a (Ages×Hidden)
	uwq      []int8
	uws      []float32 // one per ug weights of a row
	ug, cg   int
	w2       []float32 // W2 as the graph folds its two int8 planes (Hidden×Dim)
	vt       []float32 // V transposed (Dim×Items), likewise
	ccw, ccn int       // width of cc, and of its C part
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
	q.ug = tableGroup(hid)
	q.uwq, q.uws = onnx.Quantize(uw, m.Users*hid/q.ug, q.ug, 0)
	q.uw = onnx.Dequantize(q.uwq, q.uws, m.Users*hid/q.ug, q.ug, 0)
	q.gw = matMul(m.G, m.Genders, gd, w1g, hid)
	q.aw = matMul(m.A, m.Ages, ad, w1a, hid)
	cw := matMul(m.C, m.Items, d, w1c, hid)
	q.ccn, q.ccw = d, d+hid
	cc := make([]float32, 0, m.Items*q.ccw)
	for i := 0; i < m.Items; i++ {
		cc = append(cc, m.C[i*d:i*d+d]...)
		cc = append(cc, cw[i*hid:i*hid+hid]...)
	}
	q.cg = tableGroup(q.ccw)
	q.ccq, q.ccs = onnx.Quantize(cc, m.Items*q.ccw/q.cg, q.cg, 0)
	q.cc = onnx.Dequantize(q.ccq, q.ccs, m.Items*q.ccw/q.cg, q.cg, 0)
	q.w2 = residual(m.W2, hid, d)
	q.vt = residual(transpose(m.V, m.Items, d), d, m.Items)
	return q
}

// tableGroup is how many consecutive weights of a table row share a scale: 32 when they divide
// the row, else the whole row. A rows × cols table in groups of g is a (rows·cols/g) × g matrix
// quantised per row.
func tableGroup(cols int) int {
	if cols > 32 && cols%32 == 0 {
		return 32
	}
	return cols
}

// residual is w as the graph's ResidualInitializer stores and folds it.
func residual(w []float32, rows, cols int) []float32 {
	hi, lo, hs, ls := onnx.QuantizeResidual(w, rows, cols)
	return onnx.DequantizeResidual(hi, lo, hs, ls, rows, cols)
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
	// Weighted mean of [C | C W1c] rows.
	cc := make([]float32, w)
	var den float32
	for l, it := range in.Context {
		kw := m.KindWeights[in.Kinds[l]]
		den += kw
		row := q.cc[int(it)*w : int(it)*w+w]
		for k := range cc {
			cc[k] += row[k] * kw
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
	u := make([]float32, d)
	matVec(z, q.w2, d, u)
	for k := range u {
		u[k] = u[k] + m.B2[k] + c[k]
	}
	s := make([]float32, m.Items)
	matVec(u, q.vt, m.Items, s)
	for j := range s {
		s[j] += m.BV[j]
	}
	return s, nil
}
