package onnx

import (
	"fmt"
)

// Builder assembles a Graph node by node, naming intermediate values. Its methods return the name
// of the value they define, to be passed to later calls.
type Builder struct {
	g     Graph
	n     int
	names map[string]bool
}

// NewBuilder starts a graph.
func NewBuilder(name string) *Builder {
	return &Builder{g: Graph{Name: name}, names: map[string]bool{}}
}

// fresh returns an unused name starting with prefix.
func (b *Builder) fresh(prefix string) string {
	for {
		b.n++
		name := fmt.Sprintf("%s_%d", prefix, b.n)
		if !b.names[name] {
			b.names[name] = true
			return name
		}
	}
}

func (b *Builder) claim(name string) string {
	if b.names[name] {
		panic(fmt.Sprintf("onnx: value %q defined twice", name))
	}
	b.names[name] = true
	return name
}

// Input declares a graph input. A negative dimension is the symbolic batch dimension.
func (b *Builder) Input(name string, t DataType, dims ...int64) string {
	b.g.Inputs = append(b.g.Inputs, ValueInfo{Name: b.claim(name), Type: t, Shape: Dims(dims...)})
	return name
}

// Output declares value as a graph output. A negative dimension is the symbolic batch dimension;
// no dimensions at all leaves the shape to the runtime.
func (b *Builder) Output(value string, t DataType, dims ...int64) {
	vi := ValueInfo{Name: value, Type: t}
	if dims != nil {
		vi.Shape = Dims(dims...)
	}
	b.g.Outputs = append(b.g.Outputs, vi)
}

// Initializer adds a constant; an unnamed tensor gets a fresh name. It returns the name.
func (b *Builder) Initializer(t *Tensor) string {
	if t.Name == "" {
		t.Name = b.fresh("const")
	} else {
		b.claim(t.Name)
	}
	b.g.Initializers = append(b.g.Initializers, t)
	return t.Name
}

// Int64s adds a 1-D int64 constant (axes, shapes) and returns its name.
func (b *Builder) Int64s(v ...int64) string {
	return b.Initializer(Int64Tensor("", []int64{int64(len(v))}, v))
}

// Scalar adds a float32 scalar constant and returns its name.
func (b *Builder) Scalar(v float32) string {
	return b.Initializer(FloatTensor("", nil, []float32{v}))
}

// Op adds a node with one output and returns the output's name.
func (b *Builder) Op(opType string, inputs []string, attrs ...Attr) string {
	return b.OpN(opType, 1, inputs, attrs...)[0]
}

// OpN adds a node with n outputs and returns their names.
func (b *Builder) OpN(opType string, n int, inputs []string, attrs ...Attr) []string {
	outs := make([]string, n)
	for i := range outs {
		outs[i] = b.fresh(opType)
	}
	b.node(opType, outs, inputs, attrs)
	return outs
}

// OpNamed adds a node whose outputs have the given names (a graph output's name, say).
func (b *Builder) OpNamed(opType string, outputs, inputs []string, attrs ...Attr) {
	for _, o := range outputs {
		if o != "" {
			b.claim(o)
		}
	}
	b.node(opType, outputs, inputs, attrs)
}

func (b *Builder) node(opType string, outputs, inputs []string, attrs []Attr) {
	b.g.Nodes = append(b.g.Nodes, Node{
		Name: fmt.Sprintf("%s_n%d", opType, len(b.g.Nodes)), OpType: opType,
		Inputs: inputs, Outputs: outputs, Attrs: attrs,
	})
}

// Rename gives value another name through Identity (a graph output's public name, say).
func (b *Builder) Rename(value, name string) string {
	b.OpNamed("Identity", []string{name}, []string{value})
	return name
}

// DequantizedInitializer stores the rows × cols float matrix w as symmetric int8 with one scale per
// slice along axis (0: per row, 1: per column) and returns the float32 value DequantizeLinear
// makes of it at run time.
func (b *Builder) DequantizedInitializer(name string, w []float32, rows, cols, axis int) string {
	q, scale := Quantize(w, rows, cols, axis)
	n := len(scale)
	qn := b.Initializer(Int8Tensor(name+"_q", []int64{int64(rows), int64(cols)}, q))
	sn := b.Initializer(FloatTensor(name+"_scale", []int64{int64(n)}, scale))
	zn := b.Initializer(Int8Tensor(name+"_zero", []int64{int64(n)}, make([]int8, n)))
	out := b.claim(name)
	b.g.Nodes = append(b.g.Nodes, Node{
		Name: name + "_dequantize", OpType: "DequantizeLinear",
		Inputs: []string{qn, sn, zn}, Outputs: []string{out}, Attrs: []Attr{Int("axis", int64(axis))},
	})
	return out
}

// GatherDequantized stores the rows × cols float matrix w as int8 with one scale per row and
// returns its rows selected by idx (int64, any shape), shaped idx's shape × cols: a Gather of the
// int8 rows, their scales and zero points, then DequantizeLinear of just those rows. It is the
// int8 form of Gather(w, idx): a DequantizeLinear of the whole table would run on every call,
// as ONNX Runtime keeps DequantizeLinear nodes of initializers instead of folding them.
func (b *Builder) GatherDequantized(name string, w []float32, rows, cols int, idx string) string {
	q, scale := Quantize(w, rows, cols, 0)
	qn := b.Initializer(Int8Tensor(name+"_q", []int64{int64(rows), int64(cols)}, q))
	sn := b.Initializer(FloatTensor(name+"_scale", []int64{int64(rows)}, scale))
	zn := b.Initializer(Int8Tensor(name+"_zero", []int64{int64(rows)}, make([]int8, rows)))
	flat := b.Op("Reshape", []string{idx, b.Int64s(-1)})
	gather := func(t string) string { return b.Op("Gather", []string{t, flat}, Int("axis", 0)) }
	deq := b.Op("DequantizeLinear", []string{gather(qn), gather(sn), gather(zn)}, Int("axis", 0))
	shape := b.Op("Concat", []string{b.Op("Shape", []string{idx}), b.Int64s(int64(cols))}, Int("axis", 0))
	return b.Op("Reshape", []string{deq, shape})
}

// MatMulInt8 multiplies the float32 value x (…, k) by the k × n float matrix w the dynamic int8
// way: w is stored as int8 with one scale per column, x is quantised per tensor at run time by
// DynamicQuantizeLinear, MatMulInteger accumulates in int32, and the result is scaled back to
// float32. DynamicMatMul computes the same in Go.
func (b *Builder) MatMulInt8(name, x string, w []float32, k, n int) string {
	q, scale := Quantize(w, k, n, 1)
	qn := b.Initializer(Int8Tensor(name+"_wq", []int64{int64(k), int64(n)}, q))
	sn := b.Initializer(FloatTensor(name+"_wscale", []int64{int64(n)}, scale))
	zn := b.Initializer(Int8Tensor(name+"_wzero", nil, []int8{0}))
	dq := b.OpN("DynamicQuantizeLinear", 3, []string{x})
	acc := b.Op("MatMulInteger", []string{dq[0], qn, dq[2], zn})
	f := b.Op("Cast", []string{acc}, Int("to", int64(Float)))
	s := b.Op("Mul", []string{dq[1], sn})
	return b.Op("Mul", []string{f, s})
}

// FoldedInt8 stores the rows × cols int8 matrix q with one scale per row (axis 0) or per column
// (axis 1), zero point 0, and returns the float32 matrix that Cast and Mul make of it (as
// Dequantize does). Every input of those nodes is a constant, so ONNX Runtime folds them into
// one float32 initializer when it opens the session (constant folding runs at the basic
// optimisation level and above): the file holds int8, and a Gather or MatMul of the result runs
// at float32 speed without dequantising on every call, which a DequantizeLinear of the matrix
// would do (ONNX Runtime keeps DequantizeLinear nodes for its QDQ fusions instead of folding
// them). The session holds the float32 matrix in memory.
func (b *Builder) FoldedInt8(name string, q []int8, scale []float32, rows, cols, axis int) string {
	sdims := []int64{int64(rows), 1}
	if axis == 1 {
		sdims = []int64{int64(cols)}
	}
	qn := b.Initializer(Int8Tensor(name+"_q", []int64{int64(rows), int64(cols)}, q))
	sn := b.Initializer(FloatTensor(name+"_scale", sdims, scale))
	return b.Op("Mul", []string{b.Op("Cast", []string{qn}, Int("to", int64(Float))), sn})
}

// Graph returns the graph built so far.
func (b *Builder) Graph() *Graph { return &b.g }

// Model wraps the graph in a model with IR 8 and opset 17.
func (b *Builder) Model(producer, version string) *Model {
	return &Model{
		IRVersion: IRVersion, Opsets: []OpsetID{{Version: Opset}},
		ProducerName: producer, ProducerVersion: version, Graph: &b.g,
	}
}
