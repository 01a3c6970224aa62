// Package orttest loads ONNX Runtime for tests, or skips them when it is not there.
package orttest

import (
	"testing"

	"github.com/crumb-dev/crumb/edge/ort"
)

// Init loads the ONNX Runtime library named by $CRUMB_ORT_LIB, or skips tb (with how to get the
// library) when the variable is not set. A library that is set but does not load fails tb.
func Init(tb testing.TB) {
	tb.Helper()
	path := ort.LibPath("")
	if path == "" {
		tb.Skip("CRUMB_ORT_LIB is not set: run `make ort` and export CRUMB_ORT_LIB=$PWD/.crumb/ort/libonnxruntime.so (make test does both)")
	}
	if err := ort.Init(path); err != nil {
		tb.Fatal(err)
	}
}
