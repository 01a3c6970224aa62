package onnx

import (
	"math"
)

// Quantize maps the rows × cols matrix w to symmetric int8 in [-127, 127] with one scale per row
// (axis 0) or per column (axis 1): scale = max|w| / 127 over the slice (Scales), 1 for an
// all-zero slice. The zero point is 0, so w ≈ float32(q) * scale.
func Quantize(w []float32, rows, cols, axis int) (q []int8, scale []float32) {
	scale = Scales(w, rows, cols, axis)
	return QuantizeWith(w, scale, rows, cols, axis), scale
}

// Scales are Quantize's scales: max|w| / 127 per row (axis 0) or column (axis 1), 1 for an
// all-zero slice.
func Scales(w []float32, rows, cols, axis int) []float32 {
	n := rows
	if axis == 1 {
		n = cols
	}
	scale := make([]float32, n)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s := r
			if axis == 1 {
				s = c
			}
			if a := float32(math.Abs(float64(w[r*cols+c]))); a > scale[s] {
				scale[s] = a
			}
		}
	}
	for i, m := range scale {
		if m == 0 {
			scale[i] = 1
		} else {
			scale[i] = m / 127
		}
	}
	return scale
}

// QuantizeWith maps w to int8 on the given scales (one per row for axis 0, per column for axis
// 1): round(w / scale) to even, clamped to [-127, 127]. A w that already lies on the grid,
// float32(q) * scale, comes back as q.
func QuantizeWith(w, scale []float32, rows, cols, axis int) []int8 {
	q := make([]int8, len(w))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s := r
			if axis == 1 {
				s = c
			}
			q[r*cols+c] = Round(w[r*cols+c], scale[s])
		}
	}
	return q
}

// Round is one weight on the int8 grid of step scale: round(w / scale) to even, clamped to
// [-127, 127].
func Round(w, scale float32) int8 {
	return int8(max(-127, min(127, math.RoundToEven(float64(w/scale)))))
}

// Dequantize undoes Quantize the way DequantizeLinear does.
func Dequantize(q []int8, scale []float32, rows, cols, axis int) []float32 {
	out := make([]float32, len(q))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s := r
			if axis == 1 {
				s = c
			}
			out[r*cols+c] = float32(q[r*cols+c]) * scale[s]
		}
	}
	return out
}

// DynamicQuantize is ONNX DynamicQuantizeLinear: x to uint8 with one scale and zero point for the
// whole tensor, chosen so that the range [min(0, x), max(0, x)] spans 0..255.
func DynamicQuantize(x []float32) (q []uint8, scale float32, zero uint8) {
	lo, hi := float32(0), float32(0)
	for _, v := range x {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	scale = (hi - lo) / 255
	q = make([]uint8, len(x))
	if scale == 0 {
		return q, scale, 0
	}
	zp := math.RoundToEven(float64(max(0, min(255, -lo/scale))))
	zero = uint8(zp)
	for i, v := range x {
		q[i] = uint8(max(0, min(255, math.RoundToEven(float64(v/scale))+zp)))
	}
	return q, scale, zero
}

// DynamicMatMul computes what Builder.MatMulInt8 computes for x (m × k, quantised as one tensor)
// times the int8 matrix q (k × n, per-column scale wscale, zero point 0): the int32 products of
// the zero-shifted operands, scaled by the activation scale times the column scale.
func DynamicMatMul(x []float32, m, k int, q []int8, wscale []float32, n int) []float32 {
	xq, xs, xz := DynamicQuantize(x)
	out := make([]float32, m*n)
	for i := 0; i < m; i++ {
		row := xq[i*k : (i+1)*k]
		for j := 0; j < n; j++ {
			var acc int32
			for t, a := range row {
				acc += (int32(a) - int32(xz)) * int32(q[t*n+j])
			}
			out[i*n+j] = float32(acc) * (xs * wscale[j])
		}
	}
	return out
}
