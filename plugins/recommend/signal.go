package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Signal says how much a basket history holds for a recommender beyond popularity. The history
// is compared with copies whose order lines are shuffled: every line keeps its member, day and
// basket but gets the item of a random other line, so basket sizes and item popularity stay and
// who buys what with what is destroyed. Where the real history looks like its shuffled copies,
// no model can beat popularity by much, however it is built.
type Signal struct {
	Shuffles int `json:"shuffles"`
	// Repeat is the share of basket items the member had bought in an earlier basket.
	Repeat SignalStat `json:"repeat"`
	// Pairs is the χ² of the baskets' item pair counts against their expected counts under
	// shuffling (pairs expected at least 5 times).
	Pairs SignalStat `json:"pairs"`
	// Month is the mutual information (nats) between an order line's item and its month.
	Month SignalStat `json:"month"`
}

// signalShuffles is how many shuffled copies evaluate compares the history with.
const signalShuffles = 10

// SignalStat is a statistic of the real history beside its shuffled copies.
type SignalStat struct {
	Real     float64 `json:"real"`
	Shuffled float64 `json:"shuffled"`    // mean over the shuffled copies
	SD       float64 `json:"shuffled_sd"` // their standard deviation
	Z        float64 `json:"z"`           // (real − shuffled) / sd
}

// Lift is the real value relative to the shuffled mean, minus one (+0.15 = 15 % more).
func (s SignalStat) Lift() float64 {
	if s.Shuffled == 0 {
		return 0
	}
	return s.Real/s.Shuffled - 1
}

func (s SignalStat) String() string {
	return fmt.Sprintf("%.4g vs %.4g ± %.2g shuffled (%+.0f %%, z %.1f)", s.Real, s.Shuffled, s.SD, 100*s.Lift(), s.Z)
}

// measureSignal compares baskets (in time order within each member) with shuffles shuffled
// copies (and as many more for the pairs' expected counts). items is the number of distinct items.
func measureSignal(baskets []basket, items, shuffles int, seed uint64) Signal {
	r := rand.New(rand.NewPCG(seed, 0x5167))
	copies := make([][]basket, shuffles)
	for i := range copies {
		copies[i] = shuffleLines(baskets, r)
	}
	s := Signal{Shuffles: shuffles}
	s.Repeat = compare(repeatRate(baskets), copies, repeatRate)
	s.Month = compare(monthInformation(baskets, items), copies, func(b []basket) float64 { return monthInformation(b, items) })

	// The pairs' expected counts come from as many other shuffled copies, so that the copies
	// compared are not measured against themselves.
	expected := make([]float32, items*items)
	for range shuffles {
		countPairs(shuffleLines(baskets, r), func(i, j int32) { expected[int(i)*items+int(j)] += 1 / float32(shuffles) })
	}
	got := make([]int32, items*items)
	chi2 := func(b []basket) float64 {
		clear(got)
		countPairs(b, func(i, j int32) { got[int(i)*items+int(j)]++ })
		var x float64
		for k, e := range expected {
			if e >= 5 {
				d := float64(got[k]) - float64(e)
				x += d * d / float64(e)
			}
		}
		return x
	}
	s.Pairs = compare(chi2(baskets), copies, chi2)
	return s
}

func compare(real float64, copies [][]basket, f func([]basket) float64) SignalStat {
	vals := make([]float64, len(copies))
	for i, c := range copies {
		vals[i] = f(c)
	}
	var mean, sd float64
	for _, v := range vals {
		mean += v / float64(len(vals))
	}
	for _, v := range vals {
		sd += (v - mean) * (v - mean) / float64(max(len(vals)-1, 1))
	}
	sd = math.Sqrt(sd)
	st := SignalStat{Real: real, Shuffled: mean, SD: sd}
	if sd > 0 {
		st.Z = (real - mean) / sd
	}
	return st
}

// shuffleLines deals the order lines' items out again at random; a basket dealt the same item
// twice keeps it once, as a real basket does.
func shuffleLines(baskets []basket, r *rand.Rand) []basket {
	var lines []int32
	for _, b := range baskets {
		lines = append(lines, b.items...)
	}
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	out := make([]basket, len(baskets))
	for i, b := range baskets {
		items := slices.Clone(lines[:len(b.items)])
		lines = lines[len(b.items):]
		slices.Sort(items)
		out[i] = basket{id: b.id, member: b.member, at: b.at, items: slices.Compact(items)}
	}
	return out
}

func repeatRate(baskets []basket) float64 {
	seen := map[string]map[int32]bool{}
	var lines, repeats int
	for _, b := range baskets {
		had := seen[b.member]
		if had == nil {
			had = map[int32]bool{}
			seen[b.member] = had
		}
		for _, it := range b.items {
			lines++
			if had[it] {
				repeats++
			}
		}
		for _, it := range b.items {
			had[it] = true
		}
	}
	if lines == 0 {
		return 0
	}
	return float64(repeats) / float64(lines)
}

func monthInformation(baskets []basket, items int) float64 {
	joint := map[[2]int32]float64{}
	month := map[int32]float64{}
	item := make([]float64, items)
	var n float64
	for _, b := range baskets {
		m := int32(b.at.Year()*12 + int(b.at.Month()))
		for _, it := range b.items {
			joint[[2]int32{it, m}]++
			month[m]++
			item[it]++
			n++
		}
	}
	var mi float64
	for k, c := range joint {
		mi += c / n * math.Log(c*n/(item[k[0]]*month[k[1]]))
	}
	return mi
}

// countPairs calls add(i, j), i < j, for every pair of distinct items in a basket, over at most
// its first maxCoBasket items (by index), so that a few wholesale orders do not swamp the count.
func countPairs(baskets []basket, add func(i, j int32)) {
	for _, b := range baskets {
		s := b.items[:min(len(b.items), maxCoBasket)]
		for x := range s {
			for _, j := range s[x+1:] {
				add(min(s[x], j), max(s[x], j))
			}
		}
	}
}
