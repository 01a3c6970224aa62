package gmm

import "math"

// comps is the scoring form of k Gaussian components in d dimensions. For
// component c with covariance Σ = L·Lᵀ (Cholesky) it holds A = L⁻¹ (lower
// triangular, packed by rows), b = A·μ and
//
//	cst = log w + log det A − (d/2)·log 2π,
//
// so that log(w·N(x; μ, Σ)) = cst − ½·|A·x − b|²: d(d+1)/2 multiply-adds,
// no division, no scratch memory.
type comps struct {
	k, d, t int
	mean    []float64 // k×d
	tri     []float64 // k×t, A packed by rows
	off     []float64 // k×d, b
	cst     []float64 // k
}

func newComps(k, d int) comps {
	t := d * (d + 1) / 2
	return comps{
		k: k, d: d, t: t,
		mean: make([]float64, k*d),
		tri:  make([]float64, k*t),
		off:  make([]float64, k*d),
		cst:  make([]float64, k),
	}
}

func (p *comps) clone() comps {
	q := *p
	q.mean = append([]float64(nil), p.mean...)
	q.tri = append([]float64(nil), p.tri...)
	q.off = append([]float64(nil), p.off...)
	q.cst = append([]float64(nil), p.cst...)
	return q
}

var log2Pi = math.Log(2 * math.Pi)

// set makes component c's scoring form from its log weight, its mean
// (already in p.mean) and the packed Cholesky factor chol of its
// covariance.
func (p *comps) set(c int, logW float64, chol []float64) {
	d, t := p.d, p.t
	a := p.tri[c*t : (c+1)*t]
	invertLower(chol, a, d)
	logDet := 0.0
	for i := range d {
		logDet += math.Log(a[i*(i+1)/2+i])
	}
	p.cst[c] = logW + logDet - 0.5*float64(d)*log2Pi
	mu := p.mean[c*d : (c+1)*d]
	b := p.off[c*d : (c+1)*d]
	q := 0
	for i := range d {
		var s float64
		for j := 0; j <= i; j++ {
			s += a[q] * mu[j]
			q++
		}
		b[i] = s
	}
}

// logJoint returns log(w_c·N(x; μ_c, Σ_c)).
func (p *comps) logJoint(c int, x []float64) float64 {
	switch p.d {
	case 3:
		a := p.tri[c*6 : c*6+6 : c*6+6]
		b := p.off[c*3 : c*3+3 : c*3+3]
		x0, x1, x2 := x[0], x[1], x[2]
		y0 := a[0]*x0 - b[0]
		y1 := a[1]*x0 + a[2]*x1 - b[1]
		y2 := a[3]*x0 + a[4]*x1 + a[5]*x2 - b[2]
		return p.cst[c] - 0.5*(y0*y0+y1*y1+y2*y2)
	case 2:
		a := p.tri[c*3 : c*3+3 : c*3+3]
		b := p.off[c*2 : c*2+2 : c*2+2]
		x0, x1 := x[0], x[1]
		y0 := a[0]*x0 - b[0]
		y1 := a[1]*x0 + a[2]*x1 - b[1]
		return p.cst[c] - 0.5*(y0*y0+y1*y1)
	}
	d, t := p.d, p.t
	a := p.tri[c*t : (c+1)*t]
	b := p.off[c*d : (c+1)*d]
	x = x[:d]
	var m float64
	q := 0
	for i := range d {
		s := -b[i]
		for j, v := range x[:i+1] {
			s += a[q+j] * v
		}
		q += i + 1
		m += s * s
	}
	return p.cst[c] - 0.5*m
}

// responsibilities sets e[c] = exp(log(w_c·N(x; c)) − max) for every
// component and returns max and the sum of e, so that the log density of x
// is max + log(sum) (log-sum-exp) and the responsibilities are e/sum.
func (p *comps) responsibilities(x, e []float64) (mx, sum float64) {
	e = e[:p.k]
	mx = math.Inf(-1)
	if p.d == 3 {
		// The dimension of RFM, unrolled.
		x0, x1, x2 := x[0], x[1], x[2]
		a, b, cst := p.tri[:6*len(e)], p.off[:3*len(e)], p.cst[:len(e)]
		for c := range e {
			a := a[6*c : 6*c+6 : 6*c+6]
			b := b[3*c : 3*c+3 : 3*c+3]
			y0 := a[0]*x0 - b[0]
			y1 := a[1]*x0 + a[2]*x1 - b[1]
			y2 := a[3]*x0 + a[4]*x1 + a[5]*x2 - b[2]
			l := cst[c] - 0.5*(y0*y0+y1*y1+y2*y2)
			e[c] = l
			mx = max(mx, l)
		}
	} else {
		for c := range e {
			l := p.logJoint(c, x)
			e[c] = l
			mx = max(mx, l)
		}
	}
	for c, l := range e {
		v := math.Exp(l - mx)
		e[c] = v
		sum += v
	}
	return mx, sum
}

// cholesky factors the symmetric positive-definite matrix packed (lower
// triangle by rows) in s into the lower triangular l, packed alike, with
// s = l·lᵀ. It reports false if s is not positive definite (or not finite).
func cholesky(s, l []float64, d int) bool {
	for i := range d {
		ri := i * (i + 1) / 2
		for j := 0; j <= i; j++ {
			rj := j * (j + 1) / 2
			v := s[ri+j]
			for m := range j {
				v -= l[ri+m] * l[rj+m]
			}
			if i == j {
				if !(v > 0) || math.IsInf(v, 0) {
					return false
				}
				l[ri+i] = math.Sqrt(v)
			} else {
				l[ri+j] = v / l[rj+j]
			}
		}
	}
	return true
}

// invertLower sets a to the inverse of the lower triangular l, both packed
// by rows, by forward substitution of L·A = I column by column.
func invertLower(l, a []float64, d int) {
	for j := range d {
		rj := j * (j + 1) / 2
		a[rj+j] = 1 / l[rj+j]
		for i := j + 1; i < d; i++ {
			ri := i * (i + 1) / 2
			var s float64
			for m := j; m < i; m++ {
				s += l[ri+m] * a[m*(m+1)/2+j]
			}
			a[ri+j] = -s / l[ri+i]
		}
	}
}

// unpack expands a packed lower triangle into a full symmetric matrix.
func unpack(s []float64, d int) [][]float64 {
	flat := make([]float64, d*d)
	m := make([][]float64, d)
	for i := range d {
		m[i] = flat[i*d : (i+1)*d : (i+1)*d]
	}
	q := 0
	for i := range d {
		for j := 0; j <= i; j++ {
			m[i][j], m[j][i] = s[q], s[q]
			q++
		}
	}
	return m
}
