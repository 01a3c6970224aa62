package kmeans

import (
	"fmt"
	"math"
)

// Standardize returns X with every column shifted to mean 0 and scaled to
// standard deviation 1 (the population deviation, as scikit-learn's
// StandardScaler), with the means and deviations used, so that a new point
// x is standardized as (x[j]-means[j])/stds[j]. A constant column gets
// deviation 1 and so standardizes to 0. X is not modified; it must be
// non-empty with rows of equal length.
func Standardize(X [][]float64) (Z [][]float64, means, stds []float64) {
	means, stds, _ = moments(X)
	for j, s := range stds {
		if s == 0 {
			stds[j] = 1
		}
	}
	d := len(means)
	flat := make([]float64, len(X)*d)
	Z = make([][]float64, len(X))
	for i, x := range X {
		z := flat[i*d : (i+1)*d : (i+1)*d]
		for j, v := range x {
			z[j] = (v - means[j]) / stds[j]
		}
		Z[i] = z
	}
	return Z, means, stds
}

// Silhouette returns the mean silhouette coefficient of the clustering
// labels of the rows of X, with Euclidean distances: for each point,
// (b-a)/max(a, b) where a is its mean distance to the other points of its
// cluster and b the smallest mean distance to the points of another
// cluster; 0 for a point alone in its cluster. Values near 1 mean compact,
// well-separated clusters, near 0 overlapping ones. Labels may be any
// integers. The result is 0 when there are fewer than two clusters.
//
// It computes all pairwise distances, O(n²·d) time and O(n) memory, which
// suits up to some thousands of points. It panics if len(labels) !=
// len(X).
func Silhouette(X [][]float64, labels []int) float64 {
	if len(labels) != len(X) {
		panic(fmt.Sprintf("kmeans: silhouette of %d points with %d labels", len(X), len(labels)))
	}
	ids := make(map[int]int)
	dense := make([]int, len(labels))
	for i, l := range labels {
		id, ok := ids[l]
		if !ok {
			id = len(ids)
			ids[l] = id
		}
		dense[i] = id
	}
	k := len(ids)
	if k < 2 {
		return 0
	}
	sizes := make([]int, k)
	for _, c := range dense {
		sizes[c]++
	}
	sums := make([]float64, k)
	var total float64
	for i, x := range X {
		clear(sums)
		for j, y := range X {
			if i != j {
				sums[dense[j]] += math.Sqrt(sqDist(x, y))
			}
		}
		own := dense[i]
		if sizes[own] == 1 {
			continue
		}
		a := sums[own] / float64(sizes[own]-1)
		b := math.Inf(1)
		for c, s := range sums {
			if c != own {
				b = min(b, s/float64(sizes[c]))
			}
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(len(X))
}

// AdjustedRand returns the adjusted Rand index of two labelings of the same
// points: 1 when they agree up to a renaming of the labels, about 0 for
// independent labelings, negative for less agreement than chance. It uses
// the pair-counting form of scikit-learn's adjusted_rand_score, which is 1
// for two empty labelings. It panics if the lengths differ.
func AdjustedRand(a, b []int) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("kmeans: adjusted Rand index of labelings of %d and %d points", len(a), len(b)))
	}
	type pair struct{ a, b int }
	cells := make(map[pair]float64)
	rows := make(map[int]float64)
	cols := make(map[int]float64)
	for i := range a {
		cells[pair{a[i], b[i]}]++
		rows[a[i]]++
		cols[b[i]]++
	}
	n := float64(len(a))
	var sumSq, rowSq, colSq float64
	for _, v := range cells {
		sumSq += v * v
	}
	for _, v := range rows {
		rowSq += v * v
	}
	for _, v := range cols {
		colSq += v * v
	}
	// Ordered pairs of distinct points: together in both (tp), in b only
	// (fp), in a only (fn), in neither (tn).
	tp := sumSq - n
	fp := colSq - sumSq
	fn := rowSq - sumSq
	tn := n*n - fp - fn - sumSq
	if fp == 0 && fn == 0 {
		return 1
	}
	return 2 * (tp*tn - fn*fp) / ((tp+fn)*(fn+tn) + (tp+fp)*(fp+tn))
}
