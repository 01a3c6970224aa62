package knowledge

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
)

// DefaultORTLib is where `make ort` puts the ONNX Runtime library.
const DefaultORTLib = ".crumb/ort/libonnxruntime.so"

// ORTLibPath is the ONNX Runtime shared library to load: lib if given,
// else $CRUMB_ORT_LIB, else DefaultORTLib.
func ORTLibPath(lib string) string {
	return cmp.Or(lib, os.Getenv("CRUMB_ORT_LIB"), DefaultORTLib)
}

func missingORT(lib string) error {
	return fmt.Errorf("ONNX Runtime library not found at %s: run `make ort` (it fetches onnxruntime-node 1.24.1 with npm pack) or set CRUMB_ORT_LIB to libonnxruntime.so", lib)
}

// pool turns the model's output into one L2-normalised vector per text:
// the mean of the token states whose attention mask is 1, or the pooled
// output as it is.
func pool(data []float32, sh []int64, mask []int64, n, width int, pooled bool) ([][]float32, error) {
	out := make([][]float32, n)
	switch {
	case pooled && len(sh) == 2 && int(sh[0]) == n:
		d := int(sh[1])
		for i := range n {
			v := append([]float32(nil), data[i*d:(i+1)*d]...)
			normalize(v)
			out[i] = v
		}
	case !pooled && len(sh) == 3 && int(sh[0]) == n && int(sh[1]) == width:
		d := int(sh[2])
		for i := range n {
			v := make([]float32, d)
			var count float32
			for j := range width {
				if mask[i*width+j] == 0 {
					continue
				}
				count++
				row := data[(i*width+j)*d : (i*width+j+1)*d]
				for k, x := range row {
					v[k] += x
				}
			}
			if count > 0 {
				for k := range v {
					v[k] /= count
				}
			}
			normalize(v)
			out[i] = v
		}
	default:
		return nil, fmt.Errorf("onnx embedder: output of shape %v for %d texts of %d tokens", sh, n, width)
	}
	for _, v := range out {
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, errors.New("onnx embedder: the model produced NaN or Inf")
			}
		}
	}
	return out, nil
}
