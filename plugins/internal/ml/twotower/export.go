package twotower

import (
	"fmt"

	"github.com/crumb-dev/crumb/edge/onnx"
)

// ONNX input and output names (edge/reco.MemberInputs and MemberOutput).
var (
	inputNames = []string{"user", "gender", "age_band", "context", "context_kind"}
	outputName = "scores"
)

// ONNX writes the model as an ONNX graph (IR 8, opset 17), float32 or int8. Inputs are int64:
// user [B], gender [B], age_band [B], context [B, ContextLen], context_kind [B, ContextLen];
// the output is scores [B, Items]. The two graphs are the same nodes; the int8 one stores every
// weight as one int8 byte with a float32 scale per row or column (see Quantized), folded back to
// float32 when ONNX Runtime opens the session. Neither graph quantises activations, so a row's
// scores do not depend on the other rows of a batch.
func (m *Model) ONNX(quant bool, version string) ([]byte, error) {
	d, L := int64(m.Dim), int64(m.ContextLen)
	b := onnx.NewBuilder("crumb_two_tower")
	user := b.Input(inputNames[0], onnx.Int64, -1)
	gender := b.Input(inputNames[1], onnx.Int64, -1)
	age := b.Input(inputNames[2], onnx.Int64, -1)
	ctx := b.Input(inputNames[3], onnx.Int64, -1, L)
	kind := b.Input(inputNames[4], onnx.Int64, -1, L)

	// weight adds quantTensors' k-th tensor (name, rows × cols, a scale per row or column).
	var q *Quantized
	if quant {
		q = m.Quantize()
	}
	weight := func(k int, name string, w []float32, rows, cols, axis int) string {
		if !quant {
			return b.Initializer(onnx.FloatTensor(name, []int64{int64(rows), int64(cols)}, w))
		}
		return b.FoldedInt8(name, q.ints[k], q.scales[k], rows, cols, axis)
	}
	kw := b.Initializer(onnx.FloatTensor("kind_weights", []int64{4}, m.KindWeights[:]))

	gather := func(tab, idx string) string { return b.Op("Gather", []string{tab, idx}, onnx.Int("axis", 0)) }
	// Context mean: Σ w e / max(Σ w, ε).
	w := gather(kw, kind)                                                       // [B, L]
	den := b.Op("ReduceSum", []string{w, b.Int64s(1)}, onnx.Int("keepdims", 1)) // [B, 1]
	we := b.Op("Mul", []string{gather(weight(3, "context_emb", m.C, m.Items, m.Dim, 0), ctx), b.Op("Unsqueeze", []string{w, b.Int64s(2)})})
	num := b.Op("ReduceSum", []string{we, b.Int64s(1)}, onnx.Int("keepdims", 0))
	c := b.Op("Div", []string{num, b.Op("Max", []string{den, b.Scalar(ctxEps)})})

	hid := int64(m.Hidden)
	b1 := b.Initializer(onnx.FloatTensor("b1", []int64{hid}, m.B1))
	b2 := b.Initializer(onnx.FloatTensor("b2", []int64{d}, m.B2))
	bv := b.Initializer(onnx.FloatTensor("item_bias", []int64{int64(m.Items)}, m.BV))
	h := b.Op("Concat", []string{
		gather(weight(0, "user_emb", m.U, m.Users, m.Dim, 0), user),
		gather(weight(1, "gender_emb", m.G, m.Genders, m.GenderDim, 0), gender),
		gather(weight(2, "age_emb", m.A, m.Ages, m.AgeDim, 0), age),
		c,
	}, onnx.Int("axis", 1))
	a1 := b.Op("MatMul", []string{h, weight(4, "w1", m.W1, m.In(), m.Hidden, 1)})
	z := b.Op("Relu", []string{b.Op("Add", []string{a1, b1})})
	u0 := b.Op("MatMul", []string{z, weight(5, "w2", m.W2, m.Hidden, m.Dim, 1)})
	u := b.Op("Add", []string{b.Op("Add", []string{u0, b2}), c})
	// The item matrix transposed (Dim × Items), a scale per item (column).
	var vt string
	if quant {
		scale := q.scales[6]
		vt = b.FoldedInt8("item_emb_t", transpose(q.ints[6], m.Items, m.Dim), scale, m.Dim, m.Items, 1)
	} else {
		vt = b.Initializer(onnx.FloatTensor("item_emb_t", []int64{d, int64(m.Items)}, transpose(m.V, m.Items, m.Dim)))
	}
	b.OpNamed("Add", []string{outputName}, []string{b.Op("MatMul", []string{u, vt}), bv})
	b.Output(outputName, onnx.Float, -1, int64(m.Items))

	model := b.Model("crumb-recommend", version)
	form := "float32"
	if quant {
		form = "int8"
	}
	model.Doc = "Crumb two-tower member recommender (" + form + ")"
	model.Metadata = map[string]string{"form": form, "items": fmt.Sprint(m.Items), "users": fmt.Sprint(m.Users - 1)}
	if quant {
		model.Metadata["int8"] = "every weight one int8 byte: embedding tables and items with a scale per row, w1 and w2 per column; biases float32; folded to float32 at session open"
		model.Metadata["int8_grid"] = "post-training"
		if m.Grid != nil {
			model.Metadata["int8_grid"] = "trained"
		}
	}
	return model.Marshal()
}
