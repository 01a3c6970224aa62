package forest

import (
	"slices"
	"sort"
)

// binner maps raw feature values to bin codes. Bin k of feature f holds the
// values v with edges[f][k-1] < v <= edges[f][k]; the last bin is unbounded
// above. Splitting after bin k therefore means x[f] <= edges[f][k], which is
// what a tree stores as its threshold.
type binner struct {
	edges [][]float64
	// vals holds the value of every bin of a feature binned exactly (one
	// distinct value per bin), and nil for a feature binned by quantiles.
	vals [][]float64
}

// newBinner computes the bin edges of every feature of the row-major matrix
// X. A feature with at most maxBins distinct values gets one bin per value,
// with edges halfway between neighbours, so that it is split exactly. Other
// features get about maxBins bins of equal row counts, their edges also
// halfway between the neighbouring distinct values they fall between.
func newBinner(X [][]float64, maxBins int) binner {
	nf := len(X[0])
	b := binner{edges: make([][]float64, nf), vals: make([][]float64, nf)}
	col := make([]float64, len(X))
	for f := range nf {
		for i, row := range X {
			col[i] = row[f]
		}
		b.edges[f], b.vals[f] = featureEdges(col, maxBins)
	}
	return b
}

// featureEdges sorts col in place and returns its bin edges and, if it has
// at most maxBins distinct values, those values.
func featureEdges(col []float64, maxBins int) (edges, vals []float64) {
	slices.Sort(col)
	// Distinct values and how many rows hold each.
	vals = make([]float64, 0, 64)
	cnts := make([]int, 0, 64)
	for i, v := range col {
		if i == 0 || v != col[i-1] {
			vals = append(vals, v)
			cnts = append(cnts, 0)
		}
		cnts[len(cnts)-1]++
	}
	if len(vals) <= maxBins {
		edges = make([]float64, len(vals)-1)
		for i := range edges {
			edges[i] = midpoint(vals[i], vals[i+1])
		}
		return edges, vals
	}
	// Greedy equal-frequency bins over the distinct values: close bin k
	// after the first distinct value whose cumulative count reaches
	// (k+1)·n/maxBins. Heavy ties can leave fewer than maxBins bins.
	n := len(col)
	edges = make([]float64, 0, maxBins-1)
	cum := 0
	k := 1
	for i := 0; i < len(vals)-1 && len(edges) < maxBins-1; i++ {
		cum += cnts[i]
		if cum*maxBins >= k*n {
			edges = append(edges, midpoint(vals[i], vals[i+1]))
			for cum*maxBins >= k*n {
				k++
			}
		}
	}
	return edges, nil
}

// midpoint returns a threshold t with a <= t < b for a < b, as close to
// halfway as float64 allows.
func midpoint(a, b float64) float64 {
	m := a/2 + b/2
	if m >= b || m < a {
		m = a
	}
	return m
}

// code returns the bin of value v of feature f.
func (b binner) code(f int, v float64) uint8 {
	return uint8(sort.SearchFloat64s(b.edges[f], v))
}

// codes bins X into a row-major matrix of bin codes, row i at
// [i*nf, (i+1)*nf).
func (b binner) codes(X [][]float64) []uint8 {
	nf := len(b.edges)
	out := make([]uint8, len(X)*nf)
	for i, row := range X {
		r := out[i*nf : (i+1)*nf]
		for f, v := range row {
			r[f] = b.code(f, v)
		}
	}
	return out
}
