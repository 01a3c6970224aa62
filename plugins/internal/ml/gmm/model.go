package gmm

import (
	"errors"
	"fmt"
	"math"
)

// Model is a fitted Gaussian mixture. Its exported fields describe it; they
// are read-only, since the model scores points with factors computed from
// them when it is made (by Fit, New or decoding). To change a model, pass
// changed values to New.
type Model struct {
	// Weights holds the k mixing proportions; they sum to 1.
	Weights []float64 `json:"weights"`
	// Means holds the k component means, each of dimension d.
	Means [][]float64 `json:"means"`
	// Covariances holds the k full d×d covariance matrices, RegCovar
	// included.
	Covariances [][][]float64 `json:"covariances"`
	// LogLikelihood is the mean log-likelihood per training point of this
	// model (scikit-learn's score on the training data); N·LogLikelihood is
	// the log-likelihood of the training data.
	LogLikelihood float64 `json:"log_likelihood"`
	// Iterations is the number of EM updates after the k-means start, in
	// the kept restart.
	Iterations int `json:"iterations"`
	// Converged reports whether the kept restart stopped on Tol rather than
	// MaxIter.
	Converged bool `json:"converged"`

	p comps
}

// New makes a model from its parameters, checking them: weights positive
// and summing to 1 (within 1e-8), means and covariances finite and of one
// dimension, covariances symmetric and positive definite. The slices are
// copied. LogLikelihood, Iterations and Converged are left zero.
func New(weights []float64, means [][]float64, covariances [][][]float64) (*Model, error) {
	m := &Model{Weights: weights, Means: means, Covariances: covariances}
	if err := m.prepare(); err != nil {
		return nil, fmt.Errorf("new gaussian mixture: %w", err)
	}
	return m, nil
}

// prepare validates and copies the exported parameters and computes the
// scoring form.
func (m *Model) prepare() error {
	k := len(m.Weights)
	if k == 0 {
		return errors.New("no components")
	}
	if len(m.Means) != k || len(m.Covariances) != k {
		return fmt.Errorf("%d weights, %d means and %d covariances: need one of each per component", k, len(m.Means), len(m.Covariances))
	}
	d := len(m.Means[0])
	if d == 0 {
		return errors.New("means have no coordinates")
	}
	var wsum float64
	for c, w := range m.Weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return fmt.Errorf("weight %d is %v: weights must be positive and finite", c, w)
		}
		wsum += w
	}
	if math.Abs(wsum-1) > 1e-8 {
		return fmt.Errorf("weights sum to %v: they must sum to 1", wsum)
	}
	t := d * (d + 1) / 2
	p := newComps(k, d)
	weights := append([]float64(nil), m.Weights...)
	means := make([][]float64, k)
	covs := make([][][]float64, k)
	packed := make([]float64, t)
	chol := make([]float64, t)
	for c := range k {
		mu := m.Means[c]
		if len(mu) != d {
			return fmt.Errorf("mean %d has %d coordinates, mean 0 has %d", c, len(mu), d)
		}
		for j, v := range mu {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("mean %d coordinate %d is %v: must be finite", c, j, v)
			}
		}
		cov := m.Covariances[c]
		if len(cov) != d {
			return fmt.Errorf("covariance %d has %d rows, want %d", c, len(cov), d)
		}
		q := 0
		for i, row := range cov {
			if len(row) != d {
				return fmt.Errorf("covariance %d row %d has %d entries, want %d", c, i, len(row), d)
			}
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("covariance %d entry (%d, %d) is %v: must be finite", c, i, j, v)
				}
				if v != cov[j][i] {
					return fmt.Errorf("covariance %d is not symmetric at (%d, %d)", c, i, j)
				}
			}
			for j := 0; j <= i; j++ {
				packed[q] = row[j]
				q++
			}
		}
		if !cholesky(packed, chol, d) {
			return fmt.Errorf("covariance %d is not positive definite", c)
		}
		copy(p.mean[c*d:], mu)
		p.set(c, math.Log(m.Weights[c]), chol)
		means[c] = append([]float64(nil), mu...)
		covs[c] = unpack(packed, d)
	}
	m.Weights, m.Means, m.Covariances, m.p = weights, means, covs, p
	return nil
}

// K returns the number of components.
func (m *Model) K() int { return m.p.k }

// Dim returns the dimension of the points.
func (m *Model) Dim() int { return m.p.d }

func (m *Model) check(x []float64) {
	if len(x) != m.p.d {
		panic(fmt.Sprintf("gmm: point of %d coordinates for a model of dimension %d", len(x), m.p.d))
	}
}

// Proba returns the posterior probability of each component given x (soft
// membership; they sum to 1) in out, which is grown only if it has less
// capacity than K, so a caller that passes a buffer allocates nothing. x
// must be finite; it panics if x does not have the model's dimension.
func (m *Model) Proba(x, out []float64) []float64 {
	m.check(x)
	if cap(out) < m.p.k {
		out = make([]float64, m.p.k)
	}
	out = out[:m.p.k]
	_, s := m.p.responsibilities(x, out)
	inv := 1 / s
	for c := range out {
		out[c] *= inv
	}
	return out
}

// Predict returns the most probable component for x, the lowest index on
// ties. It panics if x does not have the model's dimension.
func (m *Model) Predict(x []float64) int {
	m.check(x)
	best, bl := 0, math.Inf(-1)
	for c := range m.p.k {
		if l := m.p.logJoint(c, x); l > bl {
			best, bl = c, l
		}
	}
	return best
}

// LogPDF returns the log of the mixture density at x. It panics if x does
// not have the model's dimension.
func (m *Model) LogPDF(x []float64) float64 {
	m.check(x)
	var buf [16]float64
	e := buf[:]
	if m.p.k > len(buf) {
		e = make([]float64, m.p.k)
	}
	mx, s := m.p.responsibilities(x, e)
	return mx + math.Log(s)
}

// Score returns the mean log density of the rows of X (scikit-learn's
// score). It panics if a row does not have the model's dimension.
func (m *Model) Score(X [][]float64) float64 {
	if len(X) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range X {
		s += m.LogPDF(x)
	}
	return s / float64(len(X))
}

// NumParams returns the number of free parameters: k·d(d+3)/2 + k − 1
// (means, covariance triangles, weights).
func (m *Model) NumParams() int {
	k, d := m.p.k, m.p.d
	return k*d*(d+3)/2 + k - 1
}

// BIC returns the Bayesian information criterion of the model on X,
// −2·Score(X)·n + NumParams·ln n, as scikit-learn defines it; lower is
// better.
func (m *Model) BIC(X [][]float64) float64 {
	n := float64(len(X))
	return -2*m.Score(X)*n + float64(m.NumParams())*math.Log(n)
}

// AIC returns the Akaike information criterion of the model on X,
// −2·Score(X)·n + 2·NumParams; lower is better.
func (m *Model) AIC(X [][]float64) float64 {
	return -2*m.Score(X)*float64(len(X)) + 2*float64(m.NumParams())
}
