package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// maxDepth bounds nested graphs (attributes holding graphs) while decoding outside input.
const maxDepth = 16

// Unmarshal decodes an ONNX model. It reads the fields Model writes, accepts packed and unpacked
// repeated numbers and typed data fields (float_data, int32_data, int64_data, moved into Raw), and
// skips everything else. It does not run Check: a decoded graph is what the file says.
func Unmarshal(b []byte) (*Model, error) {
	m := &Model{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case modelIRVersion:
			m.IRVersion = int64(v.u)
		case modelProducerName:
			m.ProducerName = string(v.b)
		case modelProducerVersion:
			m.ProducerVersion = string(v.b)
		case modelDomain:
			m.Domain = string(v.b)
		case modelModelVersion:
			m.ModelVersion = int64(v.u)
		case modelDoc:
			m.Doc = string(v.b)
		case modelGraph:
			g, err := decodeGraph(v.b, 0)
			if err != nil {
				return err
			}
			m.Graph = g
		case modelOpsetImport:
			var o OpsetID
			if err := walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
				switch num {
				case opsetDomain:
					o.Domain = string(v.b)
				case opsetVersion:
					o.Version = int64(v.u)
				}
				return nil
			}); err != nil {
				return err
			}
			m.Opsets = append(m.Opsets, o)
		case modelMetadataProps:
			var k, val string
			if err := walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
				switch num {
				case entryKey:
					k = string(v.b)
				case entryValue:
					val = string(v.b)
				}
				return nil
			}); err != nil {
				return err
			}
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[k] = val
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("onnx: decode model: %w", err)
	}
	return m, nil
}

// field is one decoded protobuf field value: u for varint and fixed types, b for length-delimited.
type field struct {
	u uint64
	b []byte
}

func walk(b []byte, fn func(protowire.Number, protowire.Type, field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v field
		switch typ {
		case protowire.VarintType:
			v.u, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			v.u = uint64(x)
		case protowire.Fixed64Type:
			v.u, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v.b, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

// varints appends a repeated varint field, packed or not.
func varints(dst []int64, typ protowire.Type, v field) ([]int64, error) {
	if typ != protowire.BytesType {
		return append(dst, int64(v.u)), nil
	}
	p := v.b
	for len(p) > 0 {
		x, n := protowire.ConsumeVarint(p)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		dst = append(dst, int64(x))
		p = p[n:]
	}
	return dst, nil
}

// fixed32s appends a repeated float field, packed or not.
func fixed32s(dst []float32, typ protowire.Type, v field) ([]float32, error) {
	if typ != protowire.BytesType {
		return append(dst, math.Float32frombits(uint32(v.u))), nil
	}
	if len(v.b)%4 != 0 {
		return nil, fmt.Errorf("packed float field of %d bytes", len(v.b))
	}
	for i := 0; i < len(v.b); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(v.b[i:])))
	}
	return dst, nil
}

func decodeGraph(b []byte, depth int) (*Graph, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("graphs nested deeper than %d", maxDepth)
	}
	g := &Graph{}
	err := walk(b, func(num protowire.Number, _ protowire.Type, v field) error {
		switch num {
		case graphNode:
			n, err := decodeNode(v.b, depth)
			if err != nil {
				return err
			}
			g.Nodes = append(g.Nodes, n)
		case graphName:
			g.Name = string(v.b)
		case graphInitializer:
			t, err := decodeTensor(v.b)
			if err != nil {
				return err
			}
			g.Initializers = append(g.Initializers, t)
		case graphDoc:
			g.Doc = string(v.b)
		case graphInput, graphOutput, graphValueInfo:
			vi, err := decodeValueInfo(v.b)
			if err != nil {
				return err
			}
			switch num {
			case graphInput:
				g.Inputs = append(g.Inputs, vi)
			case graphOutput:
				g.Outputs = append(g.Outputs, vi)
			default:
				g.ValueInfo = append(g.ValueInfo, vi)
			}
		}
		return nil
	})
	return g, err
}

func decodeNode(b []byte, depth int) (Node, error) {
	var n Node
	err := walk(b, func(num protowire.Number, _ protowire.Type, v field) error {
		switch num {
		case nodeInput:
			n.Inputs = append(n.Inputs, string(v.b))
		case nodeOutput:
			n.Outputs = append(n.Outputs, string(v.b))
		case nodeName:
			n.Name = string(v.b)
		case nodeOpType:
			n.OpType = string(v.b)
		case nodeDomain:
			n.Domain = string(v.b)
		case nodeDoc:
			n.Doc = string(v.b)
		case nodeAttribute:
			a, err := decodeAttr(v.b, depth)
			if err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		}
		return nil
	})
	return n, err
}

func decodeAttr(b []byte, depth int) (Attr, error) {
	var a Attr
	err := walk(b, func(num protowire.Number, typ protowire.Type, v field) error {
		var err error
		switch num {
		case attrName:
			a.Name = string(v.b)
		case attrType:
			a.Type = AttrType(v.u)
		case attrF:
			a.F = math.Float32frombits(uint32(v.u))
		case attrI:
			a.I = int64(v.u)
		case attrS:
			a.S = append([]byte(nil), v.b...)
		case attrT:
			a.T, err = decodeTensor(v.b)
		case attrG:
			a.G, err = decodeGraph(v.b, depth+1)
		case attrFloats:
			a.Floats, err = fixed32s(a.Floats, typ, v)
		case attrInts:
			a.Ints, err = varints(a.Ints, typ, v)
		case attrStrings:
			a.Strings = append(a.Strings, append([]byte(nil), v.b...))
		}
		return err
	})
	return a, err
}

func decodeTensor(b []byte) (*Tensor, error) {
	t := &Tensor{}
	var floats []float32
	var ints []int64
	var i32 []int64
	err := walk(b, func(num protowire.Number, typ protowire.Type, v field) error {
		var err error
		switch num {
		case tensorDims:
			t.Dims, err = varints(t.Dims, typ, v)
		case tensorDataType:
			t.Type = DataType(v.u)
		case tensorName:
			t.Name = string(v.b)
		case tensorRaw:
			t.Raw = append([]byte(nil), v.b...)
		case tensorFloat:
			floats, err = fixed32s(floats, typ, v)
		case tensorInt64:
			ints, err = varints(ints, typ, v)
		case tensorInt32:
			i32, err = varints(i32, typ, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.Raw == nil {
		switch {
		case len(floats) > 0:
			t.Raw = FloatTensor("", nil, floats).Raw
		case len(ints) > 0:
			t.Raw = Int64Tensor("", nil, ints).Raw
		case len(i32) > 0:
			// int32_data carries every type of 32 bits or fewer, one element per value.
			size := t.Type.Size()
			if size == 0 || size > 4 {
				size = 4
			}
			raw := make([]byte, 0, size*len(i32))
			for _, x := range i32 {
				var w [4]byte
				binary.LittleEndian.PutUint32(w[:], uint32(x))
				raw = append(raw, w[:size]...)
			}
			t.Raw = raw
		}
	}
	return t, nil
}

func decodeValueInfo(b []byte) (ValueInfo, error) {
	var vi ValueInfo
	err := walk(b, func(num protowire.Number, _ protowire.Type, v field) error {
		switch num {
		case valueName:
			vi.Name = string(v.b)
		case valueDoc:
			vi.Doc = string(v.b)
		case valueType:
			return walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
				if num != typeTensor {
					return nil
				}
				return walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
					switch num {
					case tensorElemType:
						vi.Type = DataType(v.u)
					case tensorShape:
						vi.Shape = []Dim{}
						return walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
							if num != shapeDim {
								return nil
							}
							var d Dim
							err := walk(v.b, func(num protowire.Number, _ protowire.Type, v field) error {
								switch num {
								case dimValue:
									d.Value = int64(v.u)
								case dimParam:
									d.Param = string(v.b)
								}
								return nil
							})
							vi.Shape = append(vi.Shape, d)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}
