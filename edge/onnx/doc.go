// Package onnx writes (and reads back) ONNX models from Go with protowire, with no generated
// protobuf code and no Python.
//
// It owns the subset of onnx.proto that small inference graphs need: a Model with opset imports and
// metadata, one Graph of Nodes, initializers (TensorProto with raw little-endian data), typed graph
// inputs and outputs with fixed or symbolic dimensions, and node attributes of every scalar, list,
// tensor and graph kind. Models are written as IR version 8 with the default-domain opset 17 unless
// the caller says otherwise, which ONNX Runtime 1.24 loads.
//
// Builder adds names, shapes and the int8 forms ONNX Runtime runs on CPU:
//
//   - weight-only int8: the weight is stored as int8 with a per-column float scale and
//     DequantizeLinear turns it back into float32 at run time (Builder.DequantizedInitializer), or
//     only the rows a Gather picks (Builder.GatherDequantized);
//   - int8 folded at session open: the weight is stored as int8 with a per-row or per-column
//     float scale, which Cast and Mul turn into a float32 constant that ONNX Runtime folds when
//     it opens the session (Builder.FoldedInt8): an int8 file, float32 compute;
//   - dynamic int8: the activation is quantised at run time by DynamicQuantizeLinear to uint8 with
//     its own scale and zero point, multiplied by the int8 weight with MatMulInteger into int32, and
//     rescaled to float32 (Builder.MatMulInt8).
//
// Quantize, QuantizeWith, Dequantize, DynamicQuantize and DynamicMatMul do the same
// arithmetic in Go, so a pure-Go reference can reproduce an int8 graph's outputs.
package onnx
