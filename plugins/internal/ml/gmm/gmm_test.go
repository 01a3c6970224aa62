package gmm

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/plugins/internal/ml/kmeans"
)

// mixture is a planted Gaussian mixture to sample from.
type mixture struct {
	weights []float64
	means   [][]float64
	covs    [][][]float64
}

// sample draws n points from the mixture with their true components.
func (mx mixture) sample(n int, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := len(mx.means[0])
	t := d * (d + 1) / 2
	chols := make([][]float64, len(mx.covs))
	for c, cov := range mx.covs {
		packed := make([]float64, 0, t)
		for i := range d {
			packed = append(packed, cov[i][:i+1]...)
		}
		chols[c] = make([]float64, t)
		if !cholesky(packed, chols[c], d) {
			panic("planted covariance not positive definite")
		}
	}
	X := make([][]float64, n)
	labels := make([]int, n)
	z := make([]float64, d)
	for i := range X {
		u, c := rng.Float64(), 0
		for c < len(mx.weights)-1 && u >= mx.weights[c] {
			u -= mx.weights[c]
			c++
		}
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		x := append([]float64(nil), mx.means[c]...)
		q := 0
		for a := range d {
			for b := 0; b <= a; b++ {
				x[a] += chols[c][q] * z[b]
				q++
			}
		}
		X[i], labels[i] = x, c
	}
	return X, labels
}

// randomMixture plants k components in d dimensions with random full
// covariances (random correlations, deviations 0.3–1.2) and means at least
// sep apart, with weights between 1/(2k) and 3/(2k) before normalising.
func randomMixture(k, d int, sep float64, seed uint64) mixture {
	rng := rand.New(rand.NewPCG(seed, 11))
	var mx mixture
	var wsum float64
	for len(mx.means) < k {
		mu := make([]float64, d)
		for j := range mu {
			mu[j] = (rng.Float64()*2 - 1) * sep * float64(k) / 2
		}
		ok := true
		for _, o := range mx.means {
			var s float64
			for j := range mu {
				s += (mu[j] - o[j]) * (mu[j] - o[j])
			}
			ok = ok && math.Sqrt(s) >= sep
		}
		if !ok {
			continue
		}
		// cov = D·(B·Bᵀ normalised to a correlation matrix)·D.
		B := make([][]float64, d)
		for i := range B {
			B[i] = make([]float64, d)
			for j := range B[i] {
				B[i][j] = rng.NormFloat64()
			}
		}
		cov := make([][]float64, d)
		for i := range cov {
			cov[i] = make([]float64, d)
			for j := range cov[i] {
				for m := range d {
					cov[i][j] += B[i][m] * B[j][m]
				}
			}
		}
		sd := make([]float64, d)
		for i := range sd {
			sd[i] = 0.3 + 0.9*rng.Float64()
		}
		diag := make([]float64, d)
		for i := range d {
			diag[i] = cov[i][i]
		}
		for i := range d {
			for j := 0; j <= i; j++ {
				cov[i][j] = cov[i][j] / math.Sqrt(diag[i]*diag[j]) * sd[i] * sd[j]
				cov[j][i] = cov[i][j]
			}
		}
		w := (0.5 + rng.Float64()) / float64(k)
		wsum += w
		mx.weights = append(mx.weights, w)
		mx.means = append(mx.means, mu)
		mx.covs = append(mx.covs, cov)
	}
	for c := range mx.weights {
		mx.weights[c] /= wsum
	}
	return mx
}

// threeClusters is a hand-planted mixture of three well-separated,
// differently shaped components in 2-D or 3-D.
func threeClusters(d int) mixture {
	if d == 2 {
		return mixture{
			weights: []float64{0.5, 0.3, 0.2},
			means:   [][]float64{{0, 0}, {8, 1}, {2, 9}},
			covs: [][][]float64{
				{{2, 1.2}, {1.2, 1}},
				{{0.5, -0.3}, {-0.3, 1.5}},
				{{1, 0}, {0, 0.2}},
			},
		}
	}
	return mixture{
		weights: []float64{0.25, 0.45, 0.3},
		means:   [][]float64{{0, 0, 0}, {7, -2, 3}, {-3, 6, 5}},
		covs: [][][]float64{
			{{1, 0.6, 0.2}, {0.6, 1, 0.4}, {0.2, 0.4, 0.6}},
			{{2, -0.8, 0}, {-0.8, 1, 0.3}, {0, 0.3, 0.5}},
			{{0.3, 0, 0.1}, {0, 1.5, -0.9}, {0.1, -0.9, 1.2}},
		},
	}
}

// matchComponents maps each planted component to the fitted one with the
// nearest mean, failing if two planted components claim the same one.
func matchComponents(t *testing.T, m *Model, mx mixture) []int {
	t.Helper()
	perm := make([]int, len(mx.means))
	used := make(map[int]bool)
	for c, mu := range mx.means {
		best, bd := -1, math.Inf(1)
		for f, fm := range m.Means {
			var s float64
			for j := range mu {
				s += (mu[j] - fm[j]) * (mu[j] - fm[j])
			}
			if s < bd {
				best, bd = f, s
			}
		}
		if used[best] {
			t.Fatalf("planted components share fitted component %d: means %v", best, m.Means)
		}
		used[best] = true
		perm[c] = best
	}
	return perm
}

func predictAll(m *Model, X [][]float64) []int {
	labels := make([]int, len(X))
	for i, x := range X {
		labels[i] = m.Predict(x)
	}
	return labels
}

func TestFitRecoversPlantedGaussians(t *testing.T) {
	for _, d := range []int{2, 3} {
		t.Run(map[int]string{2: "2-D", 3: "3-D"}[d], func(t *testing.T) {
			mx := threeClusters(d)
			X, truth := mx.sample(3000, uint64(d))
			m, err := Fit(X, 3, Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !m.Converged {
				t.Errorf("not converged after %d iterations", m.Iterations)
			}
			perm := matchComponents(t, m, mx)
			for c, f := range perm {
				if got, want := m.Weights[f], mx.weights[c]; math.Abs(got-want) > 0.03 {
					t.Errorf("component %d weight %.3f, planted %.3f", c, got, want)
				}
				for j := range d {
					if got, want := m.Means[f][j], mx.means[c][j]; math.Abs(got-want) > 0.15 {
						t.Errorf("component %d mean[%d] %.3f, planted %.3f", c, j, got, want)
					}
					for l := range d {
						got, want := m.Covariances[f][j][l], mx.covs[c][j][l]
						if math.Abs(got-want) > 0.15*math.Sqrt(mx.covs[c][j][j]*mx.covs[c][l][l])+0.02 {
							t.Errorf("component %d cov[%d][%d] %.3f, planted %.3f", c, j, l, got, want)
						}
					}
				}
			}
			if ari := kmeans.AdjustedRand(predictAll(m, X), truth); ari < 0.95 {
				t.Errorf("adjusted Rand index %.4f against the planted labels, want >= 0.95", ari)
			}
			if got := m.Score(X); math.Abs(got-m.LogLikelihood) > 1e-9 {
				t.Errorf("Score(X) %v, LogLikelihood %v: the model must carry its own log-likelihood", got, m.LogLikelihood)
			}
		})
	}
}

// TestFitBeatsKMeansOnShearedClusters is the reason for the model: three
// clusters stretched the same way (scikit-learn's anisotropic blobs) that
// k-means, assuming round clusters, cuts wrongly.
func TestFitBeatsKMeansOnShearedClusters(t *testing.T) {
	cov := [][]float64{{4.5, -4.5}, {-4.5, 5}} // T·Tᵀ, T = 2.5·[[0.6, -0.6], [-0.4, 0.8]]
	mx := mixture{
		weights: []float64{1.0 / 3, 1.0 / 3, 1.0 / 3},
		means:   [][]float64{{0, -2.4}, {-3.6, 4.8}, {7.2, -6}},
		covs:    [][][]float64{cov, cov, cov},
	}
	X, truth := mx.sample(1500, 5)
	m, err := Fit(X, 3, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	km, err := kmeans.Fit(X, 3, kmeans.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	gm, kari := kmeans.AdjustedRand(predictAll(m, X), truth), kmeans.AdjustedRand(km.Labels, truth)
	if gm < 0.95 || kari > 0.8 {
		t.Errorf("adjusted Rand: mixture %.3f (want >= 0.95), k-means %.3f (expected to fail, <= 0.8)", gm, kari)
	}
}

func TestSelectKFindsPlantedK(t *testing.T) {
	mx := randomMixture(4, 3, 5, 4)
	X, _ := mx.sample(1600, 4)
	best, bics, err := SelectK(X, 2, 8, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(bics) != 7 {
		t.Fatalf("%d BICs for k 2..8, want 7", len(bics))
	}
	if best.K() != 4 {
		t.Errorf("selected k %d, planted 4; BIC by k from 2: %.1f", best.K(), bics)
	}
	for i, b := range bics {
		if b < bics[2] {
			t.Errorf("BIC of k %d (%.1f) below that of the selected k 4 (%.1f)", i+2, b, bics[2])
		}
	}
	if got := best.BIC(X); got != bics[2] {
		t.Errorf("best.BIC(X) %v, bics[k=4] %v", got, bics[2])
	}
	// SelectK fits each k as Fit does.
	m4, err := Fit(X, 4, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m4, best) {
		t.Error("SelectK's model for k 4 differs from Fit's")
	}
}

func TestFitIsDeterministic(t *testing.T) {
	mx := randomMixture(5, 3, 2.5, 9)
	X, _ := mx.sample(3000, 9) // 6 blocks: parallel passes
	ref, err := Fit(X, 5, Options{Seed: 42, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 2, 3, 8} {
		m, err := Fit(X, 5, Options{Seed: 42, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m, ref) {
			t.Errorf("workers %d: model differs from the first fit", w)
		}
	}
	other, err := Fit(X, 5, Options{Seed: 43, Restarts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if one, _ := Fit(X, 5, Options{Seed: 42, Restarts: 1}); reflect.DeepEqual(one, other) {
		t.Log("seeds 42 and 43 gave the same single-restart model (possible, but unlikely)")
	}
}

// TestEMNeverDecreasesLikelihood checks the M-step: each EM update must not
// lower the log-likelihood.
func TestEMNeverDecreasesLikelihood(t *testing.T) {
	mx := randomMixture(4, 3, 2, 3)
	X, _ := mx.sample(800, 3)
	prev := math.Inf(-1)
	for it := 1; it <= 15; it++ {
		m, err := Fit(X, 4, Options{Restarts: 1, MaxIter: it, Tol: 1e-300, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if m.LogLikelihood < prev-1e-12 {
			t.Errorf("iteration %d: log-likelihood %.12f fell from %.12f", it, m.LogLikelihood, prev)
		}
		prev = m.LogLikelihood
		if m.Converged {
			break // the log-likelihood no longer changes at all
		}
		if m.Iterations != it {
			t.Fatalf("MaxIter %d: %d iterations without converging", it, m.Iterations)
		}
	}
}

func TestProbaSumsToOne(t *testing.T) {
	mx := randomMixture(6, 3, 2, 6)
	X, _ := mx.sample(1200, 6)
	m, err := Fit(X, 6, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	points := append([][]float64{{1e4, -1e4, 0}, {0, 0, 0}, {-300, 2, 7}}, X[:200]...)
	buf := make([]float64, 0, 6)
	for _, x := range points {
		p := m.Proba(x, buf)
		var s float64
		best := 0
		for c, v := range p {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("Proba(%v)[%d] = %v", x, c, v)
			}
			s += v
			if v > p[best] {
				best = c
			}
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("Proba(%v) sums to %v", x, s)
		}
		if got := m.Predict(x); got != best {
			t.Errorf("Predict(%v) = %d, most probable component %d (%v)", x, got, best, p)
		}
		if &p[0] != &buf[:1][0] {
			t.Error("Proba did not use the buffer it was given")
		}
	}
	if got := len(m.Proba(X[0], nil)); got != 6 {
		t.Errorf("Proba(x, nil) has %d entries", got)
	}
	if n := testing.AllocsPerRun(100, func() { m.Proba(X[1], buf) }); n != 0 {
		t.Errorf("Proba with a buffer allocates %v times", n)
	}
}

// TestLogPDFMatchesDirectFormula checks the Cholesky scoring form against
// the textbook density computed with a Gaussian-elimination inverse, in
// dimensions with their own code path (2, 3) and the general one (1, 4, 5).
func TestLogPDFMatchesDirectFormula(t *testing.T) {
	for _, d := range []int{1, 2, 3, 4, 5} {
		mx := randomMixture(3, d, 1, uint64(d))
		m, err := New(mx.weights, mx.means, mx.covs)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(d), 1))
		for range 20 {
			x := make([]float64, d)
			for j := range x {
				x[j] = rng.NormFloat64() * 3
			}
			logs := make([]float64, len(mx.weights))
			top := math.Inf(-1)
			for c := range mx.weights {
				inv, det := invertDense(mx.covs[c])
				var q float64
				for i := range d {
					for j := range d {
						q += (x[i] - mx.means[c][i]) * inv[i][j] * (x[j] - mx.means[c][j])
					}
				}
				logs[c] = math.Log(mx.weights[c]) - 0.5*q - 0.5*math.Log(math.Pow(2*math.Pi, float64(d))*det)
				top = max(top, logs[c])
			}
			var sum float64
			for _, l := range logs {
				sum += math.Exp(l - top)
			}
			want := top + math.Log(sum)
			if got := m.LogPDF(x); math.Abs(got-want) > 1e-9*max(1, math.Abs(got)) {
				t.Errorf("d %d: LogPDF(%v) = %v, direct %v", d, x, got, want)
			}
		}
	}
}

// invertDense inverts a small matrix by Gauss–Jordan elimination with
// partial pivoting and returns its determinant.
func invertDense(a [][]float64) ([][]float64, float64) {
	n := len(a)
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, 2*n)
		copy(m[i], a[i])
		m[i][n+i] = 1
	}
	det := 1.0
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if p != col {
			m[p], m[col] = m[col], m[p]
			det = -det
		}
		det *= m[col][col]
		piv := m[col][col]
		for j := range m[col] {
			m[col][j] /= piv
		}
		for r := range n {
			if r != col {
				f := m[r][col]
				for j := range m[r] {
					m[r][j] -= f * m[col][j]
				}
			}
		}
	}
	inv := make([][]float64, n)
	for i := range inv {
		inv[i] = m[i][n:]
	}
	return inv, det
}

func TestDegenerateDataStaysFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	duplicates := make([][]float64, 300)
	for i := range duplicates {
		duplicates[i] = []float64{1, 2, 3}
	}
	fewDistinct := make([][]float64, 300)
	for i := range fewDistinct {
		fewDistinct[i] = []float64{float64(i % 2), 5, float64(i % 2 * 3)}
	}
	flatDim := make([][]float64, 600)
	for i := range flatDim {
		flatDim[i] = []float64{rng.NormFloat64() + float64(i%3*6), 4.5, rng.NormFloat64()}
	}
	bigFlat := make([][]float64, 600)
	for i := range bigFlat {
		bigFlat[i] = []float64{rng.NormFloat64(), 1e4, rng.NormFloat64() * 1e3}
	}
	tests := []struct {
		name string
		X    [][]float64
		k    int
	}{
		{"all points identical", duplicates, 3},
		{"two distinct points, k 4", fewDistinct, 4},
		{"zero-variance dimension", flatDim, 3},
		{"constant large feature", bigFlat, 2},
		{"k equals n", flatDim[:5], 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Fit(tt.X, tt.k, Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(m.LogLikelihood) || math.IsInf(m.LogLikelihood, 0) {
				t.Errorf("log-likelihood %v", m.LogLikelihood)
			}
			finite := func(what string, vs ...float64) {
				for _, v := range vs {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s has %v", what, v)
					}
				}
			}
			finite("weights", m.Weights...)
			for c := range m.K() {
				finite("mean", m.Means[c]...)
				for _, row := range m.Covariances[c] {
					finite("covariance", row...)
				}
			}
			for _, x := range tt.X[:5] {
				finite("proba", m.Proba(x, nil)...)
				finite("log pdf", m.LogPDF(x))
			}
			finite("BIC", m.BIC(tt.X))
		})
	}
}

func TestFitErrors(t *testing.T) {
	good := [][]float64{{0, 1}, {1, 0}, {2, 2}}
	tests := []struct {
		name string
		X    [][]float64
		k    int
		o    Options
		want string
	}{
		{"no points", nil, 1, Options{}, "no points"},
		{"no coordinates", [][]float64{{}, {}}, 1, Options{}, "no coordinates"},
		{"ragged", [][]float64{{0, 1}, {1}}, 1, Options{}, "point 1 has 1 coordinates"},
		{"NaN", [][]float64{{0, 1}, {math.NaN(), 0}}, 1, Options{}, "point 1 coordinate 0 is NaN"},
		{"Inf", [][]float64{{0, math.Inf(1)}}, 1, Options{}, "point 0 coordinate 1 is +Inf"},
		{"k zero", good, 0, Options{}, "k 0: must be in [1, 3]"},
		{"k above n", good, 4, Options{}, "k 4: must be in [1, 3]"},
		{"negative restarts", good, 1, Options{Restarts: -1}, "restarts -1"},
		{"negative max iter", good, 1, Options{MaxIter: -2}, "max iter -2"},
		{"NaN tol", good, 1, Options{Tol: math.NaN()}, "tol NaN"},
		{"negative reg", good, 1, Options{RegCovar: -1e-6}, "reg covar -1e-06"},
		{"negative workers", good, 1, Options{Workers: -1}, "workers -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.X, tt.k, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "fit gaussian mixture: ") {
				t.Errorf("error %q does not say what was being done", err)
			}
		})
	}
}

func TestSelectKErrors(t *testing.T) {
	good := [][]float64{{0, 1}, {1, 0}, {2, 2}}
	for _, tt := range []struct {
		name       string
		X          [][]float64
		kmin, kmax int
		want       string
	}{
		{"kmin zero", good, 0, 2, "k range [0, 2]"},
		{"kmax below kmin", good, 3, 2, "k range [3, 2]"},
		{"kmax above n", good, 1, 4, "k range [1, 4]"},
		{"ragged", [][]float64{{0}, {1, 2}}, 1, 2, "point 1 has 2 coordinates"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SelectK(tt.X, tt.kmin, tt.kmax, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	id := [][]float64{{1, 0}, {0, 1}}
	for _, tt := range []struct {
		name  string
		w     []float64
		means [][]float64
		covs  [][][]float64
		want  string
	}{
		{"no components", nil, nil, nil, "no components"},
		{"count mismatch", []float64{1}, [][]float64{{0, 0}, {1, 1}}, [][][]float64{id}, "1 weights, 2 means"},
		{"weights sum", []float64{0.5, 0.4}, [][]float64{{0, 0}, {1, 1}}, [][][]float64{id, id}, "sum to 0.9"},
		{"zero weight", []float64{1, 0}, [][]float64{{0, 0}, {1, 1}}, [][][]float64{id, id}, "weight 1 is 0"},
		{"ragged mean", []float64{0.5, 0.5}, [][]float64{{0, 0}, {1}}, [][][]float64{id, id}, "mean 1 has 1 coordinates"},
		{"NaN mean", []float64{1}, [][]float64{{0, math.NaN()}}, [][][]float64{id}, "mean 0 coordinate 1 is NaN"},
		{"asymmetric", []float64{1}, [][]float64{{0, 0}}, [][][]float64{{{1, 0.5}, {0, 1}}}, "not symmetric"},
		{"not positive definite", []float64{1}, [][]float64{{0, 0}}, [][][]float64{{{1, 2}, {2, 1}}}, "not positive definite"},
		{"short row", []float64{1}, [][]float64{{0, 0}}, [][][]float64{{{1}, {0, 1}}}, "row 0 has 1 entries"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.w, tt.means, tt.covs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPanicsOnWrongDimension(t *testing.T) {
	m, err := New([]float64{1}, [][]float64{{0, 0}}, [][][]float64{{{1, 0}, {0, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "3 coordinates") {
			t.Errorf("panic %v, want one about the dimension", r)
		}
	}()
	m.Proba([]float64{1, 2, 3}, nil)
}
