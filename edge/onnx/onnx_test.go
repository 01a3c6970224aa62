package onnx_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/edge/onnx"
	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/ort/orttest"
)

func randFloats(r *rand.Rand, n int, scale float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = (r.Float32()*2 - 1) * scale
	}
	return out
}

func TestMarshalRoundTrip(t *testing.T) {
	b := onnx.NewBuilder("g")
	x := b.Input("x", onnx.Float, -1, 3)
	w := b.Initializer(onnx.FloatTensor("w", []int64{3, 2}, []float32{1, 2, 3, 4, 5, 6}))
	y := b.Op("MatMul", []string{x, w})
	z := b.Op("Unsqueeze", []string{y, b.Int64s(1)})
	b.OpNamed("Softmax", []string{"out"}, []string{z}, onnx.Int("axis", -1))
	b.Output("out", onnx.Float, -1, 1, 2)
	m := b.Model("crumb-test", "1")
	m.Metadata = map[string]string{"k": "값", "a": "b"}
	m.ModelVersion = 3
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := onnx.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.IRVersion != 8 || len(got.Opsets) != 1 || got.Opsets[0].Version != 17 {
		t.Errorf("IR %d opsets %+v, want IR 8 opset 17", got.IRVersion, got.Opsets)
	}
	if !reflect.DeepEqual(got.Metadata, m.Metadata) || got.ModelVersion != 3 || got.ProducerName != "crumb-test" {
		t.Errorf("metadata %v version %d producer %q", got.Metadata, got.ModelVersion, got.ProducerName)
	}
	if !reflect.DeepEqual(got.Graph, m.Graph) {
		t.Errorf("graph changed in the round trip:\n got %+v\nwant %+v", got.Graph, m.Graph)
	}
	again, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("re-encoding a decoded model gives different bytes")
	}
}

func TestAttrRoundTrip(t *testing.T) {
	attrs := []onnx.Attr{
		onnx.Int("i", -5), onnx.Float32("f", 0.25), onnx.Str("s", "크루아상"),
		onnx.Ints("is", 1, -2, 3), onnx.Floats("fs", 1.5, -2),
		onnx.TensorAttr("value", onnx.Int64Tensor("c", []int64{2}, []int64{7, -8})),
		{Name: "ss", Type: onnx.AttrStrings, Strings: [][]byte{[]byte("a"), []byte("bc")}},
	}
	b := onnx.NewBuilder("g")
	b.OpNamed("Constant", []string{"y"}, nil, attrs...)
	b.Output("y", onnx.Int64)
	data, err := b.Model("t", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Graph.Nodes[0].Attrs, attrs) {
		t.Errorf("attributes:\n got %+v\nwant %+v", m.Graph.Nodes[0].Attrs, attrs)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    onnx.Graph
		want string
	}{
		{"undefined input", onnx.Graph{Name: "g",
			Inputs:  []onnx.ValueInfo{{Name: "x", Type: onnx.Float}},
			Nodes:   []onnx.Node{{Name: "n", OpType: "Relu", Inputs: []string{"nope"}, Outputs: []string{"y"}}},
			Outputs: []onnx.ValueInfo{{Name: "y", Type: onnx.Float}}}, `reads "nope"`},
		{"defined twice", onnx.Graph{Name: "g",
			Inputs:  []onnx.ValueInfo{{Name: "x", Type: onnx.Float}},
			Nodes:   []onnx.Node{{Name: "n", OpType: "Relu", Inputs: []string{"x"}, Outputs: []string{"x"}}},
			Outputs: []onnx.ValueInfo{{Name: "x", Type: onnx.Float}}}, "defined twice"},
		{"output never produced", onnx.Graph{Name: "g",
			Inputs:  []onnx.ValueInfo{{Name: "x", Type: onnx.Float}},
			Outputs: []onnx.ValueInfo{{Name: "y", Type: onnx.Float}}}, "never produced"},
		{"short tensor", onnx.Graph{Name: "g",
			Initializers: []*onnx.Tensor{{Name: "w", Type: onnx.Float, Dims: []int64{2, 2}, Raw: make([]byte, 12)}},
			Outputs:      []onnx.ValueInfo{{Name: "w", Type: onnx.Float}}}, "12 bytes"},
		{"no op type", onnx.Graph{Name: "g",
			Nodes:   []onnx.Node{{Name: "n", Outputs: []string{"y"}}},
			Outputs: []onnx.ValueInfo{{Name: "y", Type: onnx.Float}}}, "no op type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&onnx.Model{Graph: &tc.g}).Marshal()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestQuantize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := randFloats(r, 6*4, 3)
	for axis := 0; axis < 2; axis++ {
		q, s := onnx.Quantize(w, 6, 4, axis)
		back := onnx.Dequantize(q, s, 6, 4, axis)
		for i := range w {
			slice := i / 4
			if axis == 1 {
				slice = i % 4
			}
			if d := math.Abs(float64(back[i] - w[i])); d > float64(s[slice])/2+1e-7 {
				t.Fatalf("axis %d: element %d off by %g, more than half a step %g", axis, i, d, s[slice]/2)
			}
		}
	}
	q, s := onnx.Quantize(make([]float32, 4), 2, 2, 0)
	if s[0] != 1 || q[0] != 0 {
		t.Errorf("all-zero rows: scale %v q %v, want scale 1 and zeros", s, q)
	}
	x := []float32{-1, 0, 0.5, 2}
	xq, xs, xz := onnx.DynamicQuantize(x)
	if xs != 3.0/255 || xz != 85 || xq[0] != 0 || xq[3] != 255 {
		t.Errorf("DynamicQuantize(%v) = %v, %v, %v; want scale 3/255, zero 85, ends 0 and 255", x, xq, xs, xz)
	}
}

// TestRuntime runs a small two-tower-shaped graph, float and int8, through ONNX Runtime and
// compares it with the same arithmetic in Go.
func TestRuntime(t *testing.T) {
	orttest.Init(t)
	r := rand.New(rand.NewPCG(3, 4))
	const users, items, d, ctx, hidden = 5, 40, 8, 3, 6
	ue := randFloats(r, users*d, 1)
	ie := randFloats(r, items*d, 1)
	w1 := randFloats(r, 2*d*hidden, 0.5)
	b1 := randFloats(r, hidden, 0.1)
	w2 := randFloats(r, hidden*d, 0.5)

	build := func(int8 bool) []byte {
		b := onnx.NewBuilder("tower")
		u := b.Input("user", onnx.Int64, -1)
		c := b.Input("context", onnx.Int64, -1, ctx)
		cw := b.Input("weight", onnx.Float, -1, ctx)
		var uTab, iTab string
		if int8 {
			uTab = b.DequantizedInitializer("user_emb", ue, users, d, 0)
			iTab = b.DequantizedInitializer("item_emb", ie, items, d, 0)
		} else {
			uTab = b.Initializer(onnx.FloatTensor("user_emb", []int64{users, d}, ue))
			iTab = b.Initializer(onnx.FloatTensor("item_emb", []int64{items, d}, ie))
		}
		uv := b.Op("Gather", []string{uTab, u}, onnx.Int("axis", 0))
		cv := b.Op("Gather", []string{iTab, c}, onnx.Int("axis", 0))
		wv := b.Op("Unsqueeze", []string{cw, b.Int64s(2)})
		cs := b.Op("ReduceSum", []string{b.Op("Mul", []string{cv, wv}), b.Int64s(1)}, onnx.Int("keepdims", 0))
		h := b.Op("Concat", []string{uv, cs}, onnx.Int("axis", 1))
		var z, out string
		if int8 {
			z = b.MatMulInt8("l1", h, w1, 2*d, hidden)
		} else {
			z = b.Op("MatMul", []string{h, b.Initializer(onnx.FloatTensor("w1", []int64{2 * d, hidden}, w1))})
		}
		z = b.Op("Relu", []string{b.Op("Add", []string{z, b.Initializer(onnx.FloatTensor("b1", []int64{hidden}, b1))})})
		if int8 {
			out = b.MatMulInt8("l2", z, w2, hidden, d)
		} else {
			out = b.Op("MatMul", []string{z, b.Initializer(onnx.FloatTensor("w2", []int64{hidden, d}, w2))})
		}
		b.Rename(out, "user_vec")
		b.Output("user_vec", onnx.Float, -1, d)
		data, err := b.Model("crumb-test", "1").Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	// reference computes user_vec for one user in Go, float or int8.
	reference := func(int8 bool, user int64, context []int64, weight []float32) []float32 {
		uTab, iTab := ue, ie
		if int8 {
			q, s := onnx.Quantize(ue, users, d, 0)
			uTab = onnx.Dequantize(q, s, users, d, 0)
			q, s = onnx.Quantize(ie, items, d, 0)
			iTab = onnx.Dequantize(q, s, items, d, 0)
		}
		h := append([]float32(nil), uTab[user*d:(user+1)*d]...)
		cs := make([]float32, d)
		for j, it := range context {
			for k := 0; k < d; k++ {
				cs[k] += iTab[it*d+int64(k)] * weight[j]
			}
		}
		h = append(h, cs...)
		var z []float32
		if int8 {
			q, s := onnx.Quantize(w1, 2*d, hidden, 1)
			z = onnx.DynamicMatMul(h, 1, 2*d, q, s, hidden)
		} else {
			z = matmul(h, w1, 2*d, hidden)
		}
		for k := range z {
			z[k] = max(0, z[k]+b1[k])
		}
		if int8 {
			q, s := onnx.Quantize(w2, hidden, d, 1)
			return onnx.DynamicMatMul(z, 1, hidden, q, s, d)
		}
		return matmul(z, w2, hidden, d)
	}

	for _, tc := range []struct {
		name  string
		int8  bool
		level ort.Level
		tol   float64
	}{
		{"float/all", false, ort.LevelAll, 1e-5},
		{"float/basic", false, ort.LevelBasic, 1e-5},
		{"int8/all", true, ort.LevelAll, 2e-3},
		{"int8/basic", true, ort.LevelBasic, 2e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ort.NewSession(build(tc.int8), []string{"user", "context", "weight"}, []string{"user_vec"}, ort.Options{Level: tc.level})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			worst := 0.0
			for u := int64(0); u < users; u++ {
				ctxIDs := []int64{r.Int64N(items), r.Int64N(items), r.Int64N(items)}
				wts := []float32{0.5, 0.3, 0.2}
				out, shapes, err := s.Run([]ort.Input{
					{Shape: []int64{1}, Int64: []int64{u}},
					{Shape: []int64{1, ctx}, Int64: ctxIDs},
					{Shape: []int64{1, ctx}, Float: wts},
				})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(shapes[0], []int64{1, d}) {
					t.Fatalf("output shape %v, want [1 %d]", shapes[0], d)
				}
				want := reference(tc.int8, u, ctxIDs, wts)
				for k := range want {
					worst = max(worst, math.Abs(float64(out[0][k]-want[k])))
				}
			}
			t.Logf("max abs error vs Go: %.3g", worst)
			if worst > tc.tol {
				t.Errorf("ONNX Runtime and the Go reference differ by %g (> %g)", worst, tc.tol)
			}
		})
	}
}

func TestRuntimeRejectsBadModel(t *testing.T) {
	orttest.Init(t)
	if _, err := ort.NewSession([]byte("not a model"), []string{"x"}, []string{"y"}, ort.Options{}); err == nil {
		t.Fatal("ONNX Runtime accepted garbage")
	}
}

func matmul(x, w []float32, k, n int) []float32 {
	out := make([]float32, n)
	for j := 0; j < n; j++ {
		var s float32
		for t := 0; t < k; t++ {
			s += x[t] * w[t*n+j]
		}
		out[j] = s
	}
	return out
}

func FuzzUnmarshal(f *testing.F) {
	b := onnx.NewBuilder("g")
	x := b.Input("x", onnx.Float, -1, 2)
	b.Output(b.Op("Relu", []string{x}, onnx.Ints("perm", 1, 0)), onnx.Float, -1, 2)
	seed, _ := b.Model("f", "1").Marshal()
	f.Add(seed)
	f.Add([]byte{0x3a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := onnx.Unmarshal(data)
		if err != nil {
			return
		}
		if m.Graph != nil && m.Graph.Check() == nil {
			// A decoded model that checks must encode again.
			if _, err := m.Marshal(); err != nil {
				t.Fatalf("decoded model that passes Check does not encode: %v", err)
			}
		}
	})
}

func TestGatherDequantized(t *testing.T) {
	orttest.Init(t)
	r := rand.New(rand.NewPCG(5, 6))
	w := randFloats(r, 5*3, 2)
	b := onnx.NewBuilder("lookup")
	idx := b.Input("idx", onnx.Int64, -1, 2)
	b.Rename(b.GatherDequantized("table", w, 5, 3, idx), "y")
	b.Output("y", onnx.Float, -1, 2, 3)
	data, err := b.Model("test", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(data, []string{"idx"}, []string{"y"}, ort.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, shapes, err := s.Run([]ort.Input{{Shape: []int64{2, 2}, Int64: []int64{4, 0, 2, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shapes[0], []int64{2, 2, 3}) {
		t.Fatalf("shape %v, want [2 2 3]", shapes[0])
	}
	q, sc := onnx.Quantize(w, 5, 3, 0)
	deq := onnx.Dequantize(q, sc, 5, 3, 0)
	for k, row := range []int{4, 0, 2, 4} {
		for j := 0; j < 3; j++ {
			if got, want := out[0][k*3+j], deq[row*3+j]; got != want {
				t.Fatalf("row %d col %d: %g, want %g", row, j, got, want)
			}
		}
	}
}

// TestFoldedInt8 checks that the graph stores the matrix as int8 only and that ONNX Runtime's
// product with it is Dequantize's, at every optimisation level that folds constants and at
// batch 2 (no activation is quantised, so rows do not affect each other).
func TestFoldedInt8(t *testing.T) {
	orttest.Init(t)
	r := rand.New(rand.NewPCG(9, 10))
	const k, n = 8, 300
	w := randFloats(r, k*n, 0.5)
	q, sc := onnx.Quantize(w, k, n, 1)
	if back := onnx.QuantizeWith(onnx.Dequantize(q, sc, k, n, 1), sc, k, n, 1); !slices.Equal(back, q) {
		t.Fatal("QuantizeWith of a matrix on the grid does not give its int8 values back")
	}
	b := onnx.NewBuilder("folded")
	x := b.Input("x", onnx.Float, -1, k)
	b.Rename(b.Op("MatMul", []string{x, b.FoldedInt8("w", q, sc, k, n, 1)}), "y")
	b.Output("y", onnx.Float, -1, n)
	for _, init := range b.Graph().Initializers {
		if init.Type == onnx.Float && init.Len() > n {
			t.Errorf("initializer %s is float32 with %d elements: the matrix must be stored as int8", init.Name, init.Len())
		}
	}
	data, err := b.Model("test", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	deq := onnx.Dequantize(q, sc, k, n, 1)
	xs := randFloats(r, 2*k, 1)
	for _, level := range []ort.Level{ort.LevelAll, ort.LevelBasic} {
		s, err := ort.NewSession(data, []string{"x"}, []string{"y"}, ort.Options{Level: level})
		if err != nil {
			t.Fatal(err)
		}
		both, _, err := s.Run([]ort.Input{{Shape: []int64{2, k}, Float: xs}})
		if err != nil {
			t.Fatal(err)
		}
		for row := 0; row < 2; row++ {
			alone, _, err := s.Run([]ort.Input{{Shape: []int64{1, k}, Float: xs[row*k : row*k+k]}})
			if err != nil {
				t.Fatal(err)
			}
			for j := 0; j < n; j++ {
				var want float32
				for i := 0; i < k; i++ {
					want += xs[row*k+i] * deq[i*n+j]
				}
				got := both[0][row*n+j]
				if math.Abs(float64(got-want)) > 1e-5 {
					t.Fatalf("%s: row %d column %d: %g, want %g", level, row, j, got, want)
				}
				if math.Abs(float64(got-alone[0][j])) > 1e-6 {
					t.Fatalf("%s: row %d column %d: %g at batch 2, %g alone", level, row, j, got, alone[0][j])
				}
			}
		}
		s.Close()
	}
}
