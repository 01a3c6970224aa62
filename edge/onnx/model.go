package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Versions written by default: ONNX IR 8 and the default-domain operator set 17.
const (
	IRVersion = 8
	Opset     = 17
)

// DataType is an ONNX TensorProto.DataType.
type DataType int32

// The element types this package writes.
const (
	Float  DataType = 1
	Uint8  DataType = 2
	Int8   DataType = 3
	Int32  DataType = 6
	Int64  DataType = 7
	String DataType = 8
	Bool   DataType = 9
	Double DataType = 11
)

// Size is the width of one element in bytes (0 for strings).
func (t DataType) Size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Int32, Float:
		return 4
	case Int64, Double:
		return 8
	}
	return 0
}

func (t DataType) String() string {
	switch t {
	case Float:
		return "float32"
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Double:
		return "float64"
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// Tensor is a constant tensor (an initializer or a tensor attribute). Raw holds the elements in
// little-endian order, row-major.
type Tensor struct {
	Name string
	Type DataType
	Dims []int64
	Raw  []byte
}

// Len is the number of elements the dimensions describe.
func (t *Tensor) Len() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Floats returns a float32 tensor's elements.
func (t *Tensor) Floats() ([]float32, error) {
	if t.Type != Float {
		return nil, fmt.Errorf("tensor %q is %s, not float32", t.Name, t.Type)
	}
	out := make([]float32, len(t.Raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Raw[4*i:]))
	}
	return out, nil
}

// Int64s returns an int64 tensor's elements.
func (t *Tensor) Int64s() ([]int64, error) {
	if t.Type != Int64 {
		return nil, fmt.Errorf("tensor %q is %s, not int64", t.Name, t.Type)
	}
	out := make([]int64, len(t.Raw)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.Raw[8*i:]))
	}
	return out, nil
}

// Int8s returns an int8 tensor's elements.
func (t *Tensor) Int8s() ([]int8, error) {
	if t.Type != Int8 {
		return nil, fmt.Errorf("tensor %q is %s, not int8", t.Name, t.Type)
	}
	out := make([]int8, len(t.Raw))
	for i, b := range t.Raw {
		out[i] = int8(b)
	}
	return out, nil
}

// FloatTensor makes a float32 tensor.
func FloatTensor(name string, dims []int64, data []float32) *Tensor {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return &Tensor{Name: name, Type: Float, Dims: dims, Raw: raw}
}

// Int64Tensor makes an int64 tensor.
func Int64Tensor(name string, dims []int64, data []int64) *Tensor {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return &Tensor{Name: name, Type: Int64, Dims: dims, Raw: raw}
}

// Int32Tensor makes an int32 tensor.
func Int32Tensor(name string, dims []int64, data []int32) *Tensor {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
	}
	return &Tensor{Name: name, Type: Int32, Dims: dims, Raw: raw}
}

// Int8Tensor makes an int8 tensor.
func Int8Tensor(name string, dims []int64, data []int8) *Tensor {
	raw := make([]byte, len(data))
	for i, v := range data {
		raw[i] = byte(v)
	}
	return &Tensor{Name: name, Type: Int8, Dims: dims, Raw: raw}
}

// Uint8Tensor makes a uint8 tensor.
func Uint8Tensor(name string, dims []int64, data []uint8) *Tensor {
	return &Tensor{Name: name, Type: Uint8, Dims: dims, Raw: append([]byte(nil), data...)}
}

// Dim is one dimension of a graph input or output: a fixed size, or a symbolic name such as
// "batch" when Param is set.
type Dim struct {
	Value int64
	Param string
}

// Dims makes fixed dimensions; a negative size becomes the symbolic dimension "batch".
func Dims(sizes ...int64) []Dim {
	out := make([]Dim, len(sizes))
	for i, s := range sizes {
		if s < 0 {
			out[i] = Dim{Param: "batch"}
		} else {
			out[i] = Dim{Value: s}
		}
	}
	return out
}

// ValueInfo names and types a graph input, output or intermediate value.
type ValueInfo struct {
	Name  string
	Type  DataType
	Shape []Dim
	Doc   string
}

// AttrType is an ONNX AttributeProto.AttributeType.
type AttrType int32

// Attribute kinds.
const (
	AttrFloat   AttrType = 1
	AttrInt     AttrType = 2
	AttrString  AttrType = 3
	AttrTensor  AttrType = 4
	AttrGraph   AttrType = 5
	AttrFloats  AttrType = 6
	AttrInts    AttrType = 7
	AttrStrings AttrType = 8
)

// Attr is a node attribute; the field that Type names holds its value.
type Attr struct {
	Name    string
	Type    AttrType
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings [][]byte
}

// Int makes an integer attribute.
func Int(name string, v int64) Attr { return Attr{Name: name, Type: AttrInt, I: v} }

// Float32 makes a float attribute.
func Float32(name string, v float32) Attr { return Attr{Name: name, Type: AttrFloat, F: v} }

// Str makes a string attribute.
func Str(name, v string) Attr { return Attr{Name: name, Type: AttrString, S: []byte(v)} }

// Ints makes an integer-list attribute.
func Ints(name string, v ...int64) Attr { return Attr{Name: name, Type: AttrInts, Ints: v} }

// Floats makes a float-list attribute.
func Floats(name string, v ...float32) Attr { return Attr{Name: name, Type: AttrFloats, Floats: v} }

// TensorAttr makes a tensor attribute (as Constant's "value").
func TensorAttr(name string, t *Tensor) Attr { return Attr{Name: name, Type: AttrTensor, T: t} }

// Node is one operator application.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
	Doc     string
}

// Graph is a computation graph: nodes in topological order, constant initializers, and typed inputs
// and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []*Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
	ValueInfo    []ValueInfo
	Doc          string
}

// OpsetID imports an operator set.
type OpsetID struct {
	Domain  string
	Version int64
}

// Model is a whole ONNX model file.
type Model struct {
	IRVersion       int64
	Opsets          []OpsetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	Doc             string
	Graph           *Graph
	// Metadata is written as metadata_props, sorted by key.
	Metadata map[string]string
}
