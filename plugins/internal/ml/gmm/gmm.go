package gmm

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/crumb-dev/crumb/plugins/internal/ml/kmeans"
)

// Options configures Fit and SelectK. The zero value of every field
// selects its default.
type Options struct {
	// Restarts is how many times EM is run from a different k-means++
	// start, keeping the run of highest log-likelihood; 0 means 3.
	Restarts int
	// MaxIter bounds the EM iterations of one restart; 0 means 100.
	MaxIter int
	// Tol declares convergence once the mean log-likelihood per point
	// changes by less than Tol between iterations; 0 means 1e-3
	// (scikit-learn's default).
	Tol float64
	// RegCovar is added to the diagonal of every covariance so that each
	// stays positive definite, even for duplicate points or a constant
	// feature; 0 means 1e-6 (scikit-learn's default). It is in the units of
	// X squared, so standardize X first if its scales differ wildly.
	RegCovar float64
	// Seed makes the result reproducible.
	Seed uint64
	// Workers is how many goroutines share the work; 0 means GOMAXPROCS.
	// It never changes the result.
	Workers int
}

// Defaults applied to zero Options fields.
const (
	DefaultRestarts = 3
	DefaultMaxIter  = 100
	DefaultTol      = 1e-3
	DefaultRegCovar = 1e-6
)

func (o Options) withDefaults() (Options, error) {
	bad := func(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case o.Restarts < 0:
		return o, fmt.Errorf("restarts %d: must be positive, or 0 for %d", o.Restarts, DefaultRestarts)
	case o.MaxIter < 0:
		return o, fmt.Errorf("max iter %d: must be positive, or 0 for %d", o.MaxIter, DefaultMaxIter)
	case bad(o.Tol):
		return o, fmt.Errorf("tol %v: must be a finite non-negative number, 0 for %v", o.Tol, DefaultTol)
	case bad(o.RegCovar):
		return o, fmt.Errorf("reg covar %v: must be a finite non-negative number, 0 for %v", o.RegCovar, DefaultRegCovar)
	case o.Workers < 0:
		return o, fmt.Errorf("workers %d: must be positive, or 0 for GOMAXPROCS", o.Workers)
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
	if o.RegCovar == 0 {
		o.RegCovar = DefaultRegCovar
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// Fit fits a mixture of k Gaussians with full covariances to the rows of X
// by EM, from Restarts k-means++ starts, and returns the one of highest
// log-likelihood. Rows must have equal length and finite values, and
// 1 <= k <= len(X). The result depends only on X, k and the options other
// than Workers.
func Fit(X [][]float64, k int, o Options) (*Model, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("fit gaussian mixture: %w", err)
	}
	flat, d, err := flatten(X)
	if err != nil {
		return nil, fmt.Errorf("fit gaussian mixture: %w", err)
	}
	if k < 1 || k > len(X) {
		return nil, fmt.Errorf("fit gaussian mixture: k %d: must be in [1, %d], the number of points", k, len(X))
	}
	m, err := fitBest(X, flat, d, k, o, o.Workers)
	if err != nil {
		return nil, fmt.Errorf("fit gaussian mixture: %w", err)
	}
	return m, nil
}

// fitBest runs the restarts of one k and keeps the highest log-likelihood
// (the first on ties). The k-means starts, sequential code, are computed
// side by side first; then the restarts run one after another, each pass
// spread over workers goroutines.
func fitBest(X [][]float64, flat []float64, d, k int, o Options, workers int) (*Model, error) {
	starts := make([]*kmeans.Result, o.Restarts)
	errs := make([]error, o.Restarts)
	next := make(chan int, o.Restarts)
	for r := range o.Restarts {
		next <- r
	}
	close(next)
	var wg sync.WaitGroup
	for range min(workers, o.Restarts) {
		wg.Go(func() {
			for r := range next {
				starts[r], errs[r] = kmeans.Fit(X, k, kmeans.Options{Restarts: 1, Seed: restartSeed(o.Seed, r)})
			}
		})
	}
	wg.Wait()
	e := newEM(flat, d, k, o, workers)
	var best *Model
	for r, km := range starts {
		if errs[r] != nil {
			return nil, fmt.Errorf("k %d restart %d: k-means start: %w", k, r, errs[r])
		}
		m, err := e.run(km)
		if err != nil {
			return nil, fmt.Errorf("k %d restart %d: %w", k, r, err)
		}
		if best == nil || m.LogLikelihood > best.LogLikelihood {
			best = m
		}
	}
	return best, nil
}

// restartSeed gives every restart its own k-means seed (SplitMix64 of the
// seed and the restart number).
func restartSeed(seed uint64, r int) uint64 {
	z := seed + uint64(r+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// flatten validates X and copies it row-major into one slice.
func flatten(X [][]float64) ([]float64, int, error) {
	if len(X) == 0 {
		return nil, 0, errors.New("no points")
	}
	d := len(X[0])
	if d == 0 {
		return nil, 0, errors.New("points have no coordinates")
	}
	flat := make([]float64, 0, len(X)*d)
	for i, x := range X {
		if len(x) != d {
			return nil, 0, fmt.Errorf("point %d has %d coordinates, point 0 has %d: points must have equal length", i, len(x), d)
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("point %d coordinate %d is %v: coordinates must be finite", i, j, v)
			}
		}
		flat = append(flat, x...)
	}
	return flat, d, nil
}

// blockRows is the number of rows of one block of an EM pass. Blocks are
// fixed, not derived from the number of workers, so that the sums, added
// block by block in order, do not depend on it.
const blockRows = 512

// em holds the state of EM for one data set and k, reused across restarts.
type em struct {
	X          []float64 // n×d, row-major
	n, d, k, t int       // t = d(d+1)/2, the packed triangle size
	stride     int       // per-component sums: weight, d first moments, t second moments
	tol, reg   float64
	maxIter    int
	workers    int
	p          comps
	blocks     int
	sums       []float64 // blocks × (1 + k·stride): log-likelihood, then the components' sums
	total      []float64 // 1 + k·stride
	scratch    []scratch // one per worker
	chol       []float64
	covs       []float64 // k·t packed covariances of the current parameters
	weights    []float64
	nextBlock  atomic.Int64
}

func newEM(X []float64, d, k int, o Options, workers int) *em {
	n := len(X) / d
	t := d * (d + 1) / 2
	e := &em{
		X: X, n: n, d: d, k: k, t: t, stride: 1 + d + t,
		tol: o.Tol, reg: o.RegCovar, maxIter: o.MaxIter,
		p:       newComps(k, d),
		blocks:  (n + blockRows - 1) / blockRows,
		chol:    make([]float64, t),
		covs:    make([]float64, k*t),
		weights: make([]float64, k),
	}
	e.workers = max(1, min(workers, e.blocks))
	size := 1 + k*e.stride
	e.sums = make([]float64, e.blocks*size)
	e.total = make([]float64, size)
	e.scratch = make([]scratch, e.workers)
	for w := range e.scratch {
		// One allocation per worker, padded, so that no two workers write
		// to one cache line.
		buf := make([]float64, size+k+d+16)
		e.scratch[w] = scratch{acc: buf[:size:size], lp: buf[size : size+k : size+k], z: buf[size+k : size+k+d : size+k+d]}
	}
	return e
}

// run fits one restart: the k-means labels km give the first parameters, then
// each EM pass scores the current parameters and gathers the sums for the
// next. The model returned carries the log-likelihood of its own
// parameters.
func (e *em) run(km *kmeans.Result) (*Model, error) {
	e.initSums(km)
	if err := e.mstep(); err != nil {
		return nil, fmt.Errorf("first parameters: %w", err)
	}
	ll := math.Inf(-1)
	iter, converged := 0, false
	for {
		prev := ll
		ll = e.pass()
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			return nil, fmt.Errorf("iteration %d: log-likelihood %v: standardize X or raise RegCovar", iter, ll)
		}
		if math.Abs(ll-prev) < e.tol {
			converged = true
			break
		}
		if iter == e.maxIter {
			break
		}
		iter++
		if err := e.mstep(); err != nil {
			return nil, fmt.Errorf("iteration %d: %w", iter, err)
		}
	}
	return e.model(ll, iter, converged), nil
}

// initSums fills e.total with the sums of the hard k-means assignment,
// taken about the k-means centres (which are the means of their clusters
// up to the last Lloyd step). A cluster left empty keeps its centre and gets
// covariance RegCovar·I.
func (e *em) initSums(km *kmeans.Result) {
	d, stride := e.d, e.stride
	for c, ctr := range km.Centers {
		copy(e.p.mean[c*d:(c+1)*d], ctr)
	}
	clear(e.total)
	z := e.scratch[0].z
	for i, c := range km.Labels {
		x := e.X[i*d : (i+1)*d]
		mu := e.p.mean[c*d : (c+1)*d]
		s := e.total[1+c*stride : 1+(c+1)*stride]
		s[0]++
		for a := range d {
			z[a] = x[a] - mu[a]
			s[1+a] += z[a]
		}
		q := 1 + d
		for a := range d {
			for b := 0; b <= a; b++ {
				s[q] += z[a] * z[b]
				q++
			}
		}
	}
}

// mstep turns the sums in e.total, taken about the current means, into new
// weights, means and covariances, and factors the covariances.
func (e *em) mstep() error {
	d, k, t, stride := e.d, e.k, e.t, e.stride
	// scikit-learn's guard against empty components: a weight of exactly
	// zero would make the log weight -Inf.
	const tiny = 10 * 2.220446049250313e-16
	var wsum float64
	for c := range k {
		e.weights[c] = e.total[1+c*stride] + tiny
		wsum += e.weights[c]
	}
	for c := range k {
		s := e.total[1+c*stride : 1+(c+1)*stride]
		nk := e.weights[c]
		mu := e.p.mean[c*d : (c+1)*d]
		cov := e.covs[c*t : (c+1)*t]
		// The sums are about the old mean mu: the new mean is mu + delta
		// and the covariance S2/nk - delta·deltaᵀ, with delta small.
		var delta [maxStackDim]float64
		dl := delta[:]
		if d > maxStackDim {
			dl = make([]float64, d)
		}
		for a := range d {
			dl[a] = s[1+a] / nk
		}
		q := 0
		for a := range d {
			for b := 0; b <= a; b++ {
				v := s[1+d+q]/nk - dl[a]*dl[b]
				if a == b {
					v = max(v, 0) + e.reg
				}
				cov[q] = v
				q++
			}
		}
		for a := range d {
			mu[a] += dl[a]
		}
		if !cholesky(cov, e.chol, d) {
			return fmt.Errorf("component %d covariance is not positive definite: standardize X or raise RegCovar (now %v)", c, e.reg)
		}
		e.p.set(c, math.Log(nk/wsum), e.chol)
	}
	for c := range k {
		e.weights[c] /= wsum
	}
	return nil
}

const maxStackDim = 16

// pass scores every point against the current parameters, gathers the
// responsibility-weighted sums about the current means into e.total, and
// returns the mean log-likelihood per point.
func (e *em) pass() float64 {
	size := len(e.total)
	if e.workers == 1 {
		for b := range e.blocks {
			e.block(b, e.sums[b*size:(b+1)*size], &e.scratch[0])
		}
	} else {
		e.nextBlock.Store(0)
		var wg sync.WaitGroup
		for w := range e.workers {
			wg.Go(func() {
				for {
					b := int(e.nextBlock.Add(1) - 1)
					if b >= e.blocks {
						return
					}
					e.block(b, e.sums[b*size:(b+1)*size], &e.scratch[w])
				}
			})
		}
		wg.Wait()
	}
	copy(e.total, e.sums[:size])
	for b := 1; b < e.blocks; b++ {
		for j, v := range e.sums[b*size : (b+1)*size] {
			e.total[j] += v
		}
	}
	return e.total[0] / float64(e.n)
}

// block is the E-step of rows [b·blockRows, …) with the M-step sums.
func (e *em) block(b int, out []float64, sc *scratch) {
	d, k, stride := e.d, e.k, e.stride
	sums, lp, z := sc.acc, sc.lp, sc.z
	clear(sums)
	lo, hi := b*blockRows, min((b+1)*blockRows, e.n)
	// The log-likelihood is the sum over points of mx + log(s) with s in
	// [1, k]; the logs are taken of products of s, a few per block.
	var ll float64
	prod := 1.0
	for i := lo; i < hi; i++ {
		x := e.X[i*d : (i+1)*d : (i+1)*d]
		mx, s := e.p.responsibilities(x, lp)
		ll += mx
		if prod *= s; prod > 1e200 {
			ll += math.Log(prod)
			prod = 1
		}
		inv := 1 / s
		for c := range k {
			r := lp[c] * inv
			if r == 0 {
				continue
			}
			mu := e.p.mean[c*d : (c+1)*d]
			acc := sums[1+c*stride : 1+(c+1)*stride]
			acc[0] += r
			for a := range d {
				za := x[a] - mu[a]
				z[a] = za
				acc[1+a] += r * za
			}
			q := 1 + d
			for a := range d {
				rz := r * z[a]
				for bb := 0; bb <= a; bb++ {
					acc[q] += rz * z[bb]
					q++
				}
			}
		}
	}
	sums[0] = ll + math.Log(prod)
	copy(out, sums)
}

// scratch is a worker's memory for a block: the sums and per-point
// buffers.
type scratch struct {
	acc, lp, z []float64
}

// model copies the current parameters into a Model.
func (e *em) model(ll float64, iter int, converged bool) *Model {
	d, k, t := e.d, e.k, e.t
	m := &Model{
		Weights:       append([]float64(nil), e.weights...),
		Means:         make([][]float64, k),
		Covariances:   make([][][]float64, k),
		LogLikelihood: ll,
		Iterations:    iter,
		Converged:     converged,
	}
	for c := range k {
		m.Means[c] = append([]float64(nil), e.p.mean[c*d:(c+1)*d]...)
		m.Covariances[c] = unpack(e.covs[c*t:(c+1)*t], d)
	}
	m.p = e.p.clone()
	return m
}
