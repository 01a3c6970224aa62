package demo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSamplers(t *testing.T) {
	tests := []struct {
		name     string
		draw     func(r *rand.Rand) float64
		mean     float64
		variance float64
	}{
		{"poisson 4", func(r *rand.Rand) float64 { return float64(poisson(r, 4)) }, 4, 4},
		{"poisson 80", func(r *rand.Rand) float64 { return float64(poisson(r, 80)) }, 80, 80},
		{"negbin 10 k40", func(r *rand.Rand) float64 { return float64(negBinomial(r, 10, 40)) }, 10, 10 + 100.0/40},
		{"negbin 60 k40", func(r *rand.Rand) float64 { return float64(negBinomial(r, 60, 40)) }, 60, 60 + 3600.0/40},
		{"gamma 0.75", func(r *rand.Rand) float64 { return gamma(r, 0.75, 2) }, 0.75 * 2, 0.75 * 4},
	}
	const n = 40000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRand(1, 99)
			var s, s2 float64
			for range n {
				x := tt.draw(r)
				s += x
				s2 += x * x
			}
			m := s / n
			v := s2/n - m*m
			if math.Abs(m-tt.mean) > 0.03*tt.mean || math.Abs(v-tt.variance) > 0.08*tt.variance {
				t.Errorf("mean %.3f var %.3f, want %.3f and %.3f", m, v, tt.mean, tt.variance)
			}
		})
	}
}

func TestPick(t *testing.T) {
	r := newRand(1, 98)
	counts := make([]int, 3)
	for range 30000 {
		counts[pick(r, []float64{1, 0, 3})]++
	}
	if counts[1] != 0 || math.Abs(float64(counts[2])/float64(counts[0])-3) > 0.2 {
		t.Errorf("pick counts %v", counts)
	}
}
