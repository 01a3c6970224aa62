package render

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// niceTicks returns about target evenly spaced round values (steps of 1, 2
// or 5 times a power of ten) covering [lo, hi], and the decimals they need.
func niceTicks(lo, hi float64, target int) ([]float64, int) {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		switch {
		case lo == 0:
			hi = 1
		case lo > 0:
			lo = 0
		default:
			hi = 0
		}
	}
	target = max(target, 2)
	// Dividing first keeps the span finite for values near ±MaxFloat64.
	step := niceNum(hi/float64(target-1)-lo/float64(target-1), true)
	start := math.Floor(lo/step+1e-9) * step
	n := int(math.Ceil(hi/step-start/step-1e-9)) + 1
	n = min(max(n, 2), 50)
	ticks := make([]float64, n)
	for i := range ticks {
		// Rounding to the step's decimals removes 0.30000000000000004.
		ticks[i] = roundTo(start+float64(i)*step, 10)
	}
	return ticks, decimals(ticks, 6)
}

func niceNum(x float64, round bool) float64 {
	exp := math.Floor(math.Log10(x))
	f := x / math.Pow(10, exp)
	var nf float64
	if round {
		switch {
		case f < 1.5:
			nf = 1
		case f < 3:
			nf = 2
		case f < 7:
			nf = 5
		default:
			nf = 10
		}
	} else {
		switch {
		case f <= 1:
			nf = 1
		case f <= 2:
			nf = 2
		case f <= 5:
			nf = 5
		default:
			nf = 10
		}
	}
	return nf * math.Pow(10, exp)
}

func roundTo(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	if math.Abs(v*p) > 1<<53 {
		return v // already an integer, and v*p may overflow
	}
	return math.Round(v*p) / p
}

// decimals is the fewest decimals (up to limit) that show every value of vs
// exactly; values that need more get 2, 1 or 0 by their magnitude.
func decimals(vs []float64, limit int) int {
	for d := 0; d <= limit; d++ {
		p := math.Pow(10, float64(d))
		exact := true
		for _, v := range vs {
			x := v * p
			if math.Abs(x-math.Round(x)) > 1e-6*math.Max(1, math.Abs(x)) {
				exact = false
				break
			}
		}
		if exact {
			return d
		}
	}
	var maxAbs float64
	for _, v := range vs {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	switch {
	case maxAbs >= 100:
		return 0
	case maxAbs >= 10:
		return 1
	}
	return 2
}

// formatNumber writes v with d decimals and thousands separators.
func formatNumber(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if neg && strings.Trim(s, "0.") == "" {
		neg = false // no "-0"
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// shortUnit reports whether unit is short enough to write after every
// number ("12%", "30개", "40 kg").
func shortUnit(unit string) bool {
	return unit != "" && len([]rune(unit)) <= 4
}

// withUnit appends unit to a formatted number: no space for "%" and
// Korean counters (30개, 1,200원), one space otherwise (40 kg).
func withUnit(num, unit string) string {
	if unit == "" {
		return num
	}
	first := []rune(unit)[0]
	if unit == "%" || first == '‰' || first == '°' || unicode.Is(unicode.Hangul, first) {
		return num + unit
	}
	return num + " " + unit
}

// compactScale is the divisor and suffix that shorten numbers as large as
// maxAbs: 만 and 억 in Korean (1,500,000 → 150만), K, M and B in English.
func compactScale(maxAbs float64, locale string) (float64, string) {
	if locale == "ko" {
		switch {
		case maxAbs >= 1e8:
			return 1e8, "억"
		case maxAbs >= 1e5:
			return 1e4, "만"
		}
		return 1, ""
	}
	switch {
	case maxAbs >= 1e9:
		return 1e9, "B"
	case maxAbs >= 1e6:
		return 1e6, "M"
	case maxAbs >= 1e5:
		return 1e3, "K"
	}
	return 1, ""
}
