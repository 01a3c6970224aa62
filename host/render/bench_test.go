package render

import (
	"fmt"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// bars50 is a 50-bar chart with Korean labels and a threshold.
func bars50() tools.Chart {
	c := tools.Chart{Kind: "bar", Title: "품목별 예상 폐기율", Unit: "%", Threshold: ptr(12)}
	v := make([]float64, 50)
	for i := range v {
		c.Labels = append(c.Labels, fmt.Sprintf("빵 %d번", i+1))
		v[i] = float64((i*37)%23) + 0.5
	}
	c.Series = []tools.Series{{Name: "예상 폐기율", Values: v}}
	return c
}

func BenchmarkPNG(b *testing.B) {
	c := bars50()
	for b.Loop() {
		if _, err := PNG(c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPNGScale2(b *testing.B) {
	c := bars50()
	for b.Loop() {
		if _, err := PNG(c, Options{Scale: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	c := bars50()
	for b.Loop() {
		if _, err := SVG(c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPNGWaste12 is the everyday chart: 12 items at 720×360.
func BenchmarkPNGWaste12(b *testing.B) {
	c := wasteKO()
	for b.Loop() {
		if _, err := PNG(c, Options{Locale: "ko"}); err != nil {
			b.Fatal(err)
		}
	}
}
