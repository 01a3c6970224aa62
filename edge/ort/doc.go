// Package ort runs ONNX models with ONNX Runtime through github.com/yalue/onnxruntime_go.
//
// The runtime is a shared library loaded at run time (libonnxruntime.so from the npm package
// onnxruntime-node@1.24.1; `make ort` puts it at .crumb/ort/libonnxruntime.so). Init loads it once
// per process; a failure is remembered and returned again, with the path and the reason, so a
// caller can fall back and say why. Built without cgo, Init always fails with ErrNoCgo.
package ort

import (
	"errors"
	"os"
)

// EnvLib names the environment variable holding the library's path.
const EnvLib = "CRUMB_ORT_LIB"

// ErrNoCgo is returned by Init in a binary built with CGO_ENABLED=0.
var ErrNoCgo = errors.New("onnx runtime: this binary was built without cgo (CGO_ENABLED=0), so it cannot load libonnxruntime; rebuild with cgo (make edge / make edge-arm64)")

// LibPath is the library path to use: flag when set, else $CRUMB_ORT_LIB.
func LibPath(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(EnvLib)
}

// Level is a graph optimisation level.
type Level int

// Optimisation levels, as ONNX Runtime names them.
const (
	LevelAll Level = iota
	LevelExtended
	LevelBasic
	LevelDisabled
)

func (l Level) String() string {
	switch l {
	case LevelAll:
		return "all"
	case LevelExtended:
		return "extended"
	case LevelBasic:
		return "basic"
	case LevelDisabled:
		return "disabled"
	}
	return "unknown"
}

// Input is one input tensor: Int64 or Float holds the data, row-major, for Shape.
type Input struct {
	Shape []int64
	Int64 []int64
	Float []float32
}

// Options configure a session.
type Options struct {
	Level Level
	// Threads is the intra-op thread count; 0 means 1, which suits tiny models called at batch 1.
	Threads int
}
