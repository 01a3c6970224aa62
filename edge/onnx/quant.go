package onnx

import (
	"math"
)

// Quantize maps the rows × cols matrix w to symmetric int8 in [-127, 127] with one scale per row
// (axis 0) or per column (axis 1): scale = max|w| / 127 over the slice, 1 for an all-zero slice.
// The zero point is 0, so w ≈ float32(q) * scale.
func Quantize(w []float32, rows, cols, axis int) (q []int8, scale []float32) {
	n := rows
	if axis == 1 {
		n = cols
	}
	scale = make([]float32, n)
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
	q = make([]int8, len(w))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s := r
			if axis == 1 {
				s = c
			}
			v := math.RoundToEven(float64(w[r*cols+c] / scale[s]))
			q[r*cols+c] = int8(max(-127, min(127, v)))
		}
	}
	return q, scale
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

// QuantizeResidual stores the rows × cols matrix w as two int8 planes with one scale per column
// each: hi = Quantize(w) and lo = Quantize of what hi leaves over (w − Dequantize(hi)), so that
// DequantizeResidual gives w to within 1/508 of hi's step (16 bits, stored as two int8 tensors).
func QuantizeResidual(w []float32, rows, cols int) (hi, lo []int8, hiScale, loScale []float32) {
	hi, hiScale = Quantize(w, rows, cols, 1)
	back := Dequantize(hi, hiScale, rows, cols, 1)
	rest := make([]float32, len(w))
	for i := range w {
		rest[i] = w[i] - back[i]
	}
	lo, loScale = Quantize(rest, rows, cols, 1)
	return hi, lo, hiScale, loScale
}

// DequantizeResidual undoes QuantizeResidual as Builder.ResidualInitializer's nodes do:
// float32(hi)·hiScale + float32(lo)·loScale, per column.
func DequantizeResidual(hi, lo []int8, hiScale, loScale []float32, rows, cols int) []float32 {
	out := make([]float32, len(hi))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			i := r*cols + c
			out[i] = float32(hi[i])*hiScale[c] + float32(lo[i])*loScale[c]
		}
	}
	return out
}
