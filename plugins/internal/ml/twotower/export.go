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
// the output is scores [B, Items]. Neither graph quantises activations, so a row's scores do not
// depend on the other rows of a batch.
func (m *Model) ONNX(quant bool, version string) ([]byte, error) {
	d, L := int64(m.Dim), int64(m.ContextLen)
	b := onnx.NewBuilder("crumb_two_tower")
	user := b.Input(inputNames[0], onnx.Int64, -1)
	gender := b.Input(inputNames[1], onnx.Int64, -1)
	age := b.Input(inputNames[2], onnx.Int64, -1)
	ctx := b.Input(inputNames[3], onnx.Int64, -1, L)
	kind := b.Input(inputNames[4], onnx.Int64, -1, L)

	var q *Quantized
	if quant {
		q = m.Quantize()
	}
	kw := b.Initializer(onnx.FloatTensor("kind_weights", []int64{4}, m.KindWeights[:]))

	gather := func(tab, idx string) string { return b.Op("Gather", []string{tab, idx}, onnx.Int("axis", 0)) }
	// Context mean: Σ w e / max(Σ w, ε).
	w := gather(kw, kind)                                                       // [B, L]
	den := b.Op("ReduceSum", []string{w, b.Int64s(1)}, onnx.Int("keepdims", 1)) // [B, 1]
	mean := func(e, w string) string {
		we := b.Op("Mul", []string{e, b.Op("Unsqueeze", []string{w, b.Int64s(2)})})
		num := b.Op("ReduceSum", []string{we, b.Int64s(1)}, onnx.Int("keepdims", 0))
		return b.Op("Div", []string{num, b.Op("Max", []string{den, b.Scalar(ctxEps)})})
	}

	b1 := b.Initializer(onnx.FloatTensor("b1", []int64{int64(m.Hidden)}, m.B1))
	b2 := b.Initializer(onnx.FloatTensor("b2", []int64{d}, m.B2))
	bv := b.Initializer(onnx.FloatTensor("item_bias", []int64{int64(m.Items)}, m.BV))
	vt := transpose(m.V, m.Items, m.Dim)
	hid := int64(m.Hidden)

	var a1, c, u0, s0 string
	if quant {
		// The first layer folded into the tables (see Quantized), int8 with a scale per group of
		// a row's weights: a (rows·cols/group) × group matrix with a scale per row, reshaped.
		table := func(name string, tq []int8, ts []float32, rows, cols, group int) string {
			t := b.FoldedInt8(name, tq, ts, rows*cols/group, group, 0)
			return b.Op("Reshape", []string{t, b.Int64s(int64(rows), int64(cols))})
		}
		uw := gather(table("user_w1", q.uwq, q.uws, m.Users, m.Hidden, q.ug), user)
		cTab := table("context_w1", q.ccq, q.ccs, m.Items, q.ccw, q.cg)
		parts := b.OpN("Split", 2, []string{mean(gather(cTab, ctx), w), b.Int64s(d, hid)}, onnx.Int("axis", 1))
		c = parts[0]
		gw := b.Initializer(onnx.FloatTensor("gender_w1", []int64{int64(m.Genders), hid}, q.gw))
		aw := b.Initializer(onnx.FloatTensor("age_w1", []int64{int64(m.Ages), hid}, q.aw))
		sum := b.Op("Add", []string{b.Op("Add", []string{uw, gather(gw, gender)}), gather(aw, age)})
		a1 = b.Op("Add", []string{sum, parts[1]})
	} else {
		uTab := b.Initializer(onnx.FloatTensor("user_emb", []int64{int64(m.Users), d}, m.U))
		cTab := b.Initializer(onnx.FloatTensor("context_emb", []int64{int64(m.Items), d}, m.C))
		gTab := b.Initializer(onnx.FloatTensor("gender_emb", []int64{int64(m.Genders), int64(m.GenderDim)}, m.G))
		aTab := b.Initializer(onnx.FloatTensor("age_emb", []int64{int64(m.Ages), int64(m.AgeDim)}, m.A))
		c = mean(gather(cTab, ctx), w)
		h := b.Op("Concat", []string{gather(uTab, user), gather(gTab, gender), gather(aTab, age), c}, onnx.Int("axis", 1))
		a1 = b.Op("MatMul", []string{h, b.Initializer(onnx.FloatTensor("w1", []int64{int64(m.In()), hid}, m.W1))})
	}
	z := b.Op("Relu", []string{b.Op("Add", []string{a1, b1})})
	if quant {
		u0 = b.Op("MatMul", []string{z, b.ResidualInitializer("w2", m.W2, m.Hidden, m.Dim)})
	} else {
		u0 = b.Op("MatMul", []string{z, b.Initializer(onnx.FloatTensor("w2", []int64{hid, d}, m.W2))})
	}
	u := b.Op("Add", []string{b.Op("Add", []string{u0, b2}), c})
	if quant {
		s0 = b.Op("MatMul", []string{u, b.ResidualInitializer("item_emb_t", vt, m.Dim, m.Items)})
	} else {
		s0 = b.Op("MatMul", []string{u, b.Initializer(onnx.FloatTensor("item_emb_t", []int64{d, int64(m.Items)}, vt))})
	}
	b.OpNamed("Add", []string{outputName}, []string{s0, bv})
	b.Output(outputName, onnx.Float, -1, int64(m.Items))

	model := b.Model("crumb-recommend", version)
	form := "float32"
	if quant {
		form = "int8"
	}
	model.Doc = "Crumb two-tower member recommender (" + form + ")"
	model.Metadata = map[string]string{"form": form, "items": fmt.Sprint(m.Items), "users": fmt.Sprint(m.Users - 1)}
	if quant {
		model.Metadata["int8"] = "tables int8 with a scale per 32 weights of a row; w2 and items int8 with an int8 residual plane per column; float32 once folded"
	}
	return model.Marshal()
}
