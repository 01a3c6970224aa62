package onnx

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers from onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
const (
	modelIRVersion       = 1
	modelProducerName    = 2
	modelProducerVersion = 3
	modelDomain          = 4
	modelModelVersion    = 5
	modelDoc             = 6
	modelGraph           = 7
	modelOpsetImport     = 8
	modelMetadataProps   = 14

	opsetDomain  = 1
	opsetVersion = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphDoc         = 10
	graphInput       = 11
	graphOutput      = 12
	graphValueInfo   = 13

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5
	nodeDoc       = 6
	nodeDomain    = 7

	attrName    = 1
	attrF       = 2
	attrI       = 3
	attrS       = 4
	attrT       = 5
	attrG       = 6
	attrFloats  = 7
	attrInts    = 8
	attrStrings = 9
	attrType    = 20

	tensorDims     = 1
	tensorDataType = 2
	tensorFloat    = 4
	tensorInt32    = 5
	tensorInt64    = 7
	tensorName     = 8
	tensorRaw      = 9

	valueName = 1
	valueType = 2
	valueDoc  = 3

	typeTensor     = 1
	tensorElemType = 1
	tensorShape    = 2
	shapeDim       = 1
	dimValue       = 1
	dimParam       = 2

	entryKey   = 1
	entryValue = 2
)

// Marshal checks the model and encodes it as an ONNX protobuf. A model without IRVersion or Opsets
// gets IR 8 and the default-domain opset 17.
func (m *Model) Marshal() ([]byte, error) {
	if m.Graph == nil {
		return nil, errors.New("onnx: model has no graph")
	}
	if err := m.Graph.Check(); err != nil {
		return nil, err
	}
	ir := m.IRVersion
	if ir == 0 {
		ir = IRVersion
	}
	opsets := m.Opsets
	if len(opsets) == 0 {
		opsets = []OpsetID{{Version: Opset}}
	}
	var b []byte
	b = appendInt(b, modelIRVersion, ir)
	b = appendString(b, modelProducerName, m.ProducerName)
	b = appendString(b, modelProducerVersion, m.ProducerVersion)
	b = appendString(b, modelDomain, m.Domain)
	b = appendInt(b, modelModelVersion, m.ModelVersion)
	b = appendString(b, modelDoc, m.Doc)
	b = appendMessage(b, modelGraph, encodeGraph(m.Graph))
	for _, o := range opsets {
		var ob []byte
		ob = appendString(ob, opsetDomain, o.Domain)
		ob = protowire.AppendTag(ob, opsetVersion, protowire.VarintType)
		ob = protowire.AppendVarint(ob, uint64(o.Version))
		b = appendMessage(b, modelOpsetImport, ob)
	}
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var eb []byte
		eb = appendString(eb, entryKey, k)
		eb = appendString(eb, entryValue, m.Metadata[k])
		b = appendMessage(b, modelMetadataProps, eb)
	}
	return b, nil
}

// Check reports the first structural error: a node reading a value nothing defines, a value defined
// twice, a graph output no node or initializer produces, or a tensor whose data does not fit its
// dimensions.
func (g *Graph) Check() error {
	defined := map[string]string{}
	define := func(name, what string) error {
		if name == "" {
			return fmt.Errorf("onnx: graph %q: %s has an empty name", g.Name, what)
		}
		if prev, ok := defined[name]; ok {
			return fmt.Errorf("onnx: graph %q: %q is defined twice (%s and %s); give values unique names", g.Name, name, prev, what)
		}
		defined[name] = what
		return nil
	}
	for _, in := range g.Inputs {
		if err := define(in.Name, "graph input"); err != nil {
			return err
		}
	}
	for _, t := range g.Initializers {
		if err := t.check(); err != nil {
			return fmt.Errorf("onnx: graph %q: %w", g.Name, err)
		}
		if err := define(t.Name, "initializer"); err != nil {
			return err
		}
	}
	for i, n := range g.Nodes {
		if n.OpType == "" {
			return fmt.Errorf("onnx: graph %q: node %d (%q) has no op type", g.Name, i, n.Name)
		}
		for _, in := range n.Inputs {
			if in == "" { // an omitted optional input
				continue
			}
			if _, ok := defined[in]; !ok {
				return fmt.Errorf("onnx: graph %q: node %q (%s) reads %q, which no input, initializer or earlier node defines", g.Name, n.Name, n.OpType, in)
			}
		}
		for _, a := range n.Attrs {
			if a.Type == AttrTensor && a.T != nil {
				if err := a.T.check(); err != nil {
					return fmt.Errorf("onnx: graph %q: node %q attribute %q: %w", g.Name, n.Name, a.Name, err)
				}
			}
		}
		for _, out := range n.Outputs {
			if out == "" {
				continue
			}
			if err := define(out, "output of node "+n.Name); err != nil {
				return err
			}
		}
	}
	if len(g.Outputs) == 0 {
		return fmt.Errorf("onnx: graph %q has no outputs", g.Name)
	}
	for _, out := range g.Outputs {
		if _, ok := defined[out.Name]; !ok {
			return fmt.Errorf("onnx: graph %q: output %q is never produced", g.Name, out.Name)
		}
	}
	return nil
}

func (t *Tensor) check() error {
	if t.Name == "" {
		return errors.New("tensor without a name")
	}
	size := t.Type.Size()
	if size == 0 {
		return fmt.Errorf("tensor %q: type %s cannot be written as raw data", t.Name, t.Type)
	}
	for _, d := range t.Dims {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in %v", t.Name, t.Dims)
		}
	}
	if want := t.Len() * int64(size); int64(len(t.Raw)) != want {
		return fmt.Errorf("tensor %q: %d bytes of data for dims %v of %s (want %d)", t.Name, len(t.Raw), t.Dims, t.Type, want)
	}
	return nil
}

func encodeGraph(g *Graph) []byte {
	var b []byte
	for i := range g.Nodes {
		b = appendMessage(b, graphNode, encodeNode(&g.Nodes[i]))
	}
	b = appendString(b, graphName, g.Name)
	for _, t := range g.Initializers {
		b = appendMessage(b, graphInitializer, encodeTensor(t))
	}
	b = appendString(b, graphDoc, g.Doc)
	for _, v := range g.Inputs {
		b = appendMessage(b, graphInput, encodeValueInfo(v))
	}
	for _, v := range g.Outputs {
		b = appendMessage(b, graphOutput, encodeValueInfo(v))
	}
	for _, v := range g.ValueInfo {
		b = appendMessage(b, graphValueInfo, encodeValueInfo(v))
	}
	return b
}

func encodeNode(n *Node) []byte {
	var b []byte
	for _, in := range n.Inputs {
		b = protowire.AppendTag(b, nodeInput, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	for _, out := range n.Outputs {
		b = protowire.AppendTag(b, nodeOutput, protowire.BytesType)
		b = protowire.AppendString(b, out)
	}
	b = appendString(b, nodeName, n.Name)
	b = appendString(b, nodeOpType, n.OpType)
	for i := range n.Attrs {
		b = appendMessage(b, nodeAttribute, encodeAttr(&n.Attrs[i]))
	}
	b = appendString(b, nodeDoc, n.Doc)
	b = appendString(b, nodeDomain, n.Domain)
	return b
}

func encodeAttr(a *Attr) []byte {
	var b []byte
	b = appendString(b, attrName, a.Name)
	switch a.Type {
	case AttrFloat:
		b = protowire.AppendTag(b, attrF, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case AttrInt:
		b = protowire.AppendTag(b, attrI, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.I))
	case AttrString:
		b = protowire.AppendTag(b, attrS, protowire.BytesType)
		b = protowire.AppendBytes(b, a.S)
	case AttrTensor:
		if a.T != nil {
			b = appendMessage(b, attrT, encodeTensor(a.T))
		}
	case AttrGraph:
		if a.G != nil {
			b = appendMessage(b, attrG, encodeGraph(a.G))
		}
	case AttrFloats:
		var p []byte
		for _, f := range a.Floats {
			p = protowire.AppendFixed32(p, math.Float32bits(f))
		}
		b = protowire.AppendTag(b, attrFloats, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	case AttrInts:
		var p []byte
		for _, v := range a.Ints {
			p = protowire.AppendVarint(p, uint64(v))
		}
		b = protowire.AppendTag(b, attrInts, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	case AttrStrings:
		for _, s := range a.Strings {
			b = protowire.AppendTag(b, attrStrings, protowire.BytesType)
			b = protowire.AppendBytes(b, s)
		}
	}
	b = protowire.AppendTag(b, attrType, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(a.Type))
	return b
}

func encodeTensor(t *Tensor) []byte {
	var b []byte
	if len(t.Dims) > 0 {
		var p []byte
		for _, d := range t.Dims {
			p = protowire.AppendVarint(p, uint64(d))
		}
		b = protowire.AppendTag(b, tensorDims, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	}
	b = protowire.AppendTag(b, tensorDataType, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(t.Type))
	b = appendString(b, tensorName, t.Name)
	b = protowire.AppendTag(b, tensorRaw, protowire.BytesType)
	b = protowire.AppendBytes(b, t.Raw)
	return b
}

func encodeValueInfo(v ValueInfo) []byte {
	var shape []byte
	for _, d := range v.Shape {
		var db []byte
		if d.Param != "" {
			db = appendString(db, dimParam, d.Param)
		} else {
			db = protowire.AppendTag(db, dimValue, protowire.VarintType)
			db = protowire.AppendVarint(db, uint64(d.Value))
		}
		shape = appendMessage(shape, shapeDim, db)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, tensorElemType, protowire.VarintType)
	tt = protowire.AppendVarint(tt, uint64(v.Type))
	if v.Shape != nil {
		tt = appendMessage(tt, tensorShape, shape)
	}
	var typ []byte
	typ = appendMessage(typ, typeTensor, tt)
	var b []byte
	b = appendString(b, valueName, v.Name)
	b = appendMessage(b, valueType, typ)
	b = appendString(b, valueDoc, v.Doc)
	return b
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
