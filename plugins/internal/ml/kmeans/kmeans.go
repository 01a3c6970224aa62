// Package kmeans clusters points with k-means: k-means++ seeding, Lloyd
// iterations and several seeded restarts keeping the lowest inertia. It also
// holds the helpers that go with it: Standardize to put features on one
// scale first, Silhouette to judge a clustering, and AdjustedRand to compare
// two.
//
// The forecast plugin uses it to group stores by trading area (k = 5) so
// that each group gets its own demand model.
package kmeans

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Options configures Fit. The zero value of every field selects its
// default.
type Options struct {
	// Restarts is how many times the seeding and iterations are run from
	// different random starts, keeping the result of lowest inertia; 0
	// means 10.
	Restarts int
	// MaxIter bounds the Lloyd iterations of one restart; 0 means 300.
	MaxIter int
	// Tol declares convergence once the centres move less, in total
	// squared distance, than Tol times the mean variance of the features
	// (scikit-learn's rule); 0 means 1e-4. Iterations also stop when no
	// label changes.
	Tol float64
	// Seed makes the result reproducible.
	Seed uint64
}

// Defaults applied by Fit to zero Options fields.
const (
	DefaultRestarts = 10
	DefaultMaxIter  = 300
	DefaultTol      = 1e-4
)

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Restarts < 0:
		return o, fmt.Errorf("restarts %d: must be positive, or 0 for %d", o.Restarts, DefaultRestarts)
	case o.MaxIter < 0:
		return o, fmt.Errorf("max iter %d: must be positive, or 0 for %d", o.MaxIter, DefaultMaxIter)
	case o.Tol < 0 || math.IsNaN(o.Tol) || math.IsInf(o.Tol, 0):
		return o, fmt.Errorf("tol %v: must be a finite non-negative number, 0 for %v", o.Tol, DefaultTol)
	}
	if o.Restarts == 0 {
		o.Restarts = DefaultRestarts
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	return o, nil
}

// Result is a clustering.
type Result struct {
	// Centers holds the k cluster centres.
	Centers [][]float64
	// Labels holds the cluster of each point, in [0, k).
	Labels []int
	// Inertia is the sum of squared distances from the points to their
	// centres.
	Inertia float64
	// Iterations is the number of Lloyd iterations of the kept restart.
	Iterations int
}

// Fit clusters the rows of X into k clusters. Rows must have equal length
// and finite values; 1 <= k <= len(X). If X has fewer than k distinct
// points, some centres coincide and their clusters are empty; Fit does not
// fail. The result depends only on X, k and opts.
func Fit(X [][]float64, k int, opts Options) (*Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("fit k-means: %w", err)
	}
	if err := validate(X); err != nil {
		return nil, fmt.Errorf("fit k-means: %w", err)
	}
	if k < 1 || k > len(X) {
		return nil, fmt.Errorf("fit k-means: k %d: must be in [1, %d], the number of points", k, len(X))
	}
	tol := opts.Tol * meanVariance(X)
	var best *Result
	for r := range opts.Restarts {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(r)+1))
		res := lloyd(X, seedCenters(X, k, rng), opts.MaxIter, tol)
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	return best, nil
}

func validate(X [][]float64) error {
	if len(X) == 0 {
		return errors.New("no points")
	}
	d := len(X[0])
	if d == 0 {
		return errors.New("points have no coordinates")
	}
	for i, x := range X {
		if len(x) != d {
			return fmt.Errorf("point %d has %d coordinates, point 0 has %d: points must have equal length", i, len(x), d)
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("point %d coordinate %d is %v: coordinates must be finite", i, j, v)
			}
		}
	}
	return nil
}

// meanVariance returns the mean over features of their variance.
func meanVariance(X [][]float64) float64 {
	_, _, vars := moments(X)
	var s float64
	for _, v := range vars {
		s += v
	}
	return s / float64(len(vars))
}

// moments returns the means, standard deviations and variances (population,
// not sample) of the columns of X.
func moments(X [][]float64) (means, stds, vars []float64) {
	d := len(X[0])
	means, stds, vars = make([]float64, d), make([]float64, d), make([]float64, d)
	n := float64(len(X))
	for _, x := range X {
		for j, v := range x {
			means[j] += v
		}
	}
	for j := range means {
		means[j] /= n
	}
	for _, x := range X {
		for j, v := range x {
			vars[j] += (v - means[j]) * (v - means[j])
		}
	}
	for j := range vars {
		vars[j] /= n
		stds[j] = math.Sqrt(vars[j])
	}
	return means, stds, vars
}

func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return s
}

// seedCenters picks k initial centres by greedy k-means++ (as scikit-learn
// does): each next centre is the best, by resulting inertia, of 2+ln(k)
// candidates drawn with probability proportional to their squared distance
// to the nearest centre so far.
func seedCenters(X [][]float64, k int, rng *rand.Rand) [][]float64 {
	n := len(X)
	centers := make([][]float64, 0, k)
	closest := make([]float64, n)
	cand := make([]float64, n)
	bestCand := make([]float64, n)
	first := X[rng.IntN(n)]
	centers = append(centers, append([]float64(nil), first...))
	var pot float64
	for i, x := range X {
		closest[i] = sqDist(x, first)
		pot += closest[i]
	}
	trials := 2 + int(math.Log(float64(k)))
	for len(centers) < k {
		bestPot, bestIdx := math.Inf(1), -1
		for range trials {
			var c int
			if pot > 0 {
				c = sampleWeighted(closest, pot, rng)
			} else {
				c = rng.IntN(n) // every point sits on a centre already
			}
			var p float64
			for i, x := range X {
				cand[i] = min(closest[i], sqDist(x, X[c]))
				p += cand[i]
			}
			if p < bestPot {
				bestPot, bestIdx = p, c
				copy(bestCand, cand)
			}
		}
		centers = append(centers, append([]float64(nil), X[bestIdx]...))
		copy(closest, bestCand)
		pot = bestPot
	}
	return centers
}

// sampleWeighted draws an index with probability w[i]/total.
func sampleWeighted(w []float64, total float64, rng *rand.Rand) int {
	r := rng.Float64() * total
	last := 0
	for i, v := range w {
		if v > 0 {
			last = i
			if r < v {
				return i
			}
			r -= v
		}
	}
	return last // rounding left r just above the sum
}

// lloyd runs Lloyd iterations from centers until no label changes, the
// centres move less than tol in total squared distance, or maxIter.
func lloyd(X [][]float64, centers [][]float64, maxIter int, tol float64) *Result {
	n, k, d := len(X), len(centers), len(X[0])
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	sums := make([][]float64, k)
	for c := range sums {
		sums[c] = make([]float64, d)
	}
	counts := make([]int, k)
	dist := make([]float64, n)
	iter := 0
	for iter < maxIter {
		iter++
		changed := assign(X, centers, labels, dist)
		if changed == 0 && iter > 1 {
			break
		}
		// Update: each centre moves to the mean of its points; an empty
		// cluster takes the point farthest from its centre.
		for c := range sums {
			clear(sums[c])
			counts[c] = 0
		}
		for i, x := range X {
			c := labels[i]
			counts[c]++
			for j, v := range x {
				sums[c][j] += v
			}
		}
		var shift float64
		for c := range centers {
			if counts[c] == 0 {
				far := farthest(dist)
				if dist[far] == 0 {
					continue // every point sits on its centre
				}
				shift += sqDist(centers[c], X[far])
				copy(centers[c], X[far])
				dist[far] = 0
				continue
			}
			old := append([]float64(nil), centers[c]...)
			for j := range centers[c] {
				centers[c][j] = sums[c][j] / float64(counts[c])
			}
			shift += sqDist(old, centers[c])
		}
		if shift <= tol {
			break
		}
	}
	// Make the labels and inertia those of the final centres.
	assign(X, centers, labels, dist)
	var inertia float64
	for _, v := range dist {
		inertia += v
	}
	return &Result{Centers: centers, Labels: labels, Inertia: inertia, Iterations: iter}
}

// assign sets each point's label to its nearest centre (the lowest index on
// ties) and dist to the squared distance, returning how many labels changed.
func assign(X, centers [][]float64, labels []int, dist []float64) int {
	changed := 0
	for i, x := range X {
		best, bd := 0, math.Inf(1)
		for c, ctr := range centers {
			if dd := sqDist(x, ctr); dd < bd {
				best, bd = c, dd
			}
		}
		if labels[i] != best {
			labels[i] = best
			changed++
		}
		dist[i] = bd
	}
	return changed
}

func farthest(dist []float64) int {
	best := 0
	for i, v := range dist {
		if v > dist[best] {
			best = i
		}
	}
	return best
}

// Assign returns the cluster whose centre is nearest to x, the lowest index
// on ties. It panics if x does not have the centres' dimension.
func (r *Result) Assign(x []float64) int {
	if len(x) != len(r.Centers[0]) {
		panic(fmt.Sprintf("kmeans: assign a point of %d coordinates to centres of %d", len(x), len(r.Centers[0])))
	}
	best, bd := 0, math.Inf(1)
	for c, ctr := range r.Centers {
		if dd := sqDist(x, ctr); dd < bd {
			best, bd = c, dd
		}
	}
	return best
}
