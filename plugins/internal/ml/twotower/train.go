package twotower

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/crumb-dev/crumb/edge/onnx"
)

// Example is one training case: the query and the item that was bought. Mask lists items that
// are not negatives for it (the rest of its basket: at serving time those are in the cart and
// never recommended).
type Example struct {
	Input
	Target int32
	Mask   []int32
}

// Stats summarise a training run.
type Stats struct {
	Examples int     `json:"examples"`
	Epochs   int     `json:"epochs"`
	Loss     float64 `json:"loss"` // mean cross-entropy of the last epoch
	Softmax  string  `json:"softmax"`
	// QATEpochs of the epochs were quantisation-aware (on the int8 grid).
	QATEpochs int `json:"qat_epochs,omitempty"`
}

// Train runs epochs passes of Adagrad over examples in a seeded order, one example per step.
// With more than FullSoftmax items each step scores the target against Negatives items drawn
// uniformly (a sampled softmax; uniform proposals need no log-Q correction), otherwise against
// every item. Masked items are left out of the softmax. A model on an int8 grid (FitGrid) trains
// on it: every step is projected back onto the grid, and at the end a row or column whose latent
// weights outgrew its scale gets a wider one.
func (m *Model) Train(examples []Example, epochs int, seed uint64) (Stats, error) {
	if len(examples) == 0 {
		return Stats{}, errNoExamples
	}
	for i := range examples {
		if err := m.check(&examples[i].Input); err != nil {
			return Stats{}, err
		}
		if t := examples[i].Target; t < 0 || int(t) >= m.Items {
			return Stats{}, errTarget(t, m.Items)
		}
	}
	if err := m.startLatent(); err != nil {
		return Stats{}, err
	}
	if m.acc == nil {
		m.acc = &Model{
			U: fill(len(m.U)), G: fill(len(m.G)), A: fill(len(m.A)), C: fill(len(m.C)),
			W1: fill(len(m.W1)), B1: fill(len(m.B1)), W2: fill(len(m.W2)), B2: fill(len(m.B2)),
			V: fill(len(m.V)), BV: fill(len(m.BV)),
		}
	}
	r := rand.New(rand.NewPCG(seed, 0x7472))
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	full := m.Items <= m.FullSoftmax
	st := Stats{Examples: len(examples), Epochs: epochs, Softmax: "sampled"}
	if full {
		st.Softmax = "full"
	}
	if m.Grid != nil {
		st.QATEpochs = epochs
	}
	t := newTrainer(m)
	for e := 0; e < epochs; e++ {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss float64
		for _, i := range order {
			ex := examples[i]
			if m.UserDropout > 0 && r.Float32() < m.UserDropout {
				ex.User = 0
			}
			loss += t.step(&ex, full, r)
			if t.pending++; t.pending >= max(1, m.Batch) {
				t.flush()
			}
		}
		t.flush()
		st.Loss = loss / float64(len(order))
	}
	m.widenGrid()
	return st, nil
}

func fill(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = 1e-8
	}
	return out
}

func errTarget(t int32, n int) error {
	return fmt.Errorf("twotower: target item %d outside the %d items", t, n)
}

// trainer holds one training run's scratch space.
type trainer struct {
	m       *Model
	p       [nParams]param
	f       forward
	cands   []int32
	logits  []float32
	du, dz  []float32
	da1, dh []float32
	dc      []float32
	masked  []bool
	sampled []bool
	// Dense layers' gradients, summed over a mini-batch and applied by flush: one Adagrad
	// step per batch instead of per example (the square roots dominated training time).
	gW1, gB1, gW2, gB2 []float32
	gV, gBV            []float32 // item gradients, summed too under a full softmax
	pending            int
}

// param is one trained tensor with its Adagrad state; on a grid, its latent float weights and
// int8 scales.
type param struct {
	w, acc        []float32
	latent, scale []float32
	cols          int
	perCol        bool
}

// Parameters in trainer.p.
const (
	pU = iota
	pG
	pA
	pC
	pW1
	pW2
	pV
	pB1
	pB2
	pBV
	nParams
)

func newTrainer(m *Model) *trainer {
	t := &trainer{
		m:  m,
		du: make([]float32, m.Dim), dz: make([]float32, m.Hidden), da1: make([]float32, m.Hidden),
		dh: make([]float32, m.In()), dc: make([]float32, m.Dim),
		masked: make([]bool, m.Items), sampled: make([]bool, m.Items),
		gW1: make([]float32, len(m.W1)), gB1: make([]float32, len(m.B1)),
		gW2: make([]float32, len(m.W2)), gB2: make([]float32, len(m.B2)),
		gV: make([]float32, len(m.V)), gBV: make([]float32, len(m.BV)),
	}
	t.p[pB1] = param{w: m.B1, acc: m.acc.B1}
	t.p[pB2] = param{w: m.B2, acc: m.acc.B2}
	t.p[pBV] = param{w: m.BV, acc: m.acc.BV}
	accs := [][]float32{m.acc.U, m.acc.G, m.acc.A, m.acc.C, m.acc.W1, m.acc.W2, m.acc.V}
	if m.Grid == nil {
		for i, w := range [][]float32{m.U, m.G, m.A, m.C, m.W1, m.W2, m.V} {
			t.p[pU+i] = param{w: w, acc: accs[i]}
		}
		return t
	}
	for i, q := range m.quantTensors() {
		t.p[pU+i] = param{w: *q.w, acc: accs[i], latent: *q.latent, scale: *q.scale, cols: q.cols, perCol: q.axis == 1}
	}
	return t
}

// flush applies the summed dense gradients.
func (t *trainer) flush() {
	if t.pending == 0 {
		return
	}
	for _, x := range []struct {
		p *param
		g []float32
	}{
		{&t.p[pW1], t.gW1}, {&t.p[pB1], t.gB1}, {&t.p[pW2], t.gW2}, {&t.p[pB2], t.gB2},
		{&t.p[pV], t.gV}, {&t.p[pBV], t.gBV},
	} {
		for i, g := range x.g {
			if g != 0 {
				t.adagrad(x.p, i, g)
				x.g[i] = 0
			}
		}
	}
	t.pending = 0
}

// adagrad applies one Adagrad step with L2 to weight i of p given gradient g. On a grid the step
// goes to the latent weight, and the weight the model computes with is its projection (the
// gradient was computed with the projected weights: a straight-through estimator).
func (t *trainer) adagrad(p *param, i int, g float32) {
	w := p.w
	if p.latent != nil {
		w = p.latent
	}
	g += t.m.L2 * w[i]
	p.acc[i] += g * g
	w[i] -= t.m.LR * g / float32(math.Sqrt(float64(p.acc[i])))
	if p.latent != nil {
		var s float32
		if p.perCol {
			s = p.scale[i%p.cols]
		} else {
			s = p.scale[i/p.cols]
		}
		p.w[i] = float32(onnx.Round(w[i], s)) * s
	}
}

// step trains on one example and returns its loss.
func (t *trainer) step(ex *Example, full bool, r *rand.Rand) float64 {
	m, f := t.m, &t.f
	d, gd, ad, hid := m.Dim, m.GenderDim, m.AgeDim, m.Hidden
	m.forward(&ex.Input, f)

	for _, it := range ex.Mask {
		t.masked[it] = true
	}
	t.masked[ex.Target] = false
	t.cands = append(t.cands[:0], ex.Target)
	if full {
		for j := 0; j < m.Items; j++ {
			if int32(j) != ex.Target && !t.masked[j] {
				t.cands = append(t.cands, int32(j))
			}
		}
	} else {
		t.sampled[ex.Target] = true
		for range m.Negatives {
			j := int32(r.IntN(m.Items))
			if !t.masked[j] && !t.sampled[j] {
				t.sampled[j] = true
				t.cands = append(t.cands, j)
			}
		}
		for _, j := range t.cands {
			t.sampled[j] = false
		}
	}
	for _, it := range ex.Mask {
		t.masked[it] = false
	}

	// Softmax over the candidates; the target is candidate 0.
	t.logits = t.logits[:0]
	mx := float32(math.Inf(-1))
	for _, j := range t.cands {
		v := m.V[int(j)*d : int(j)*d+d]
		var s float32
		for k, x := range f.u {
			s += x * v[k]
		}
		s += m.BV[j]
		t.logits = append(t.logits, s)
		mx = max(mx, s)
	}
	var sum float64
	for i, s := range t.logits {
		e := math.Exp(float64(s - mx))
		t.logits[i] = float32(e)
		sum += e
	}
	loss := -math.Log(float64(t.logits[0]) / sum)

	// Item tower gradients, and du.
	clear(t.du)
	for i, j := range t.cands {
		g := float32(float64(t.logits[i]) / sum)
		if i == 0 {
			g -= 1
		}
		v := m.V[int(j)*d : int(j)*d+d]
		for k := range t.du {
			t.du[k] += g * v[k]
		}
		if full {
			// Every example touches every item: sum per batch like the dense layers.
			gv := t.gV[int(j)*d : int(j)*d+d]
			for k := range gv {
				gv[k] += g * f.u[k]
			}
			t.gBV[j] += g
			continue
		}
		for k := 0; k < d; k++ {
			t.adagrad(&t.p[pV], int(j)*d+k, g*f.u[k])
		}
		t.adagrad(&t.p[pBV], int(j), g)
	}

	// Back through u = z W2 + b2 + c.
	copy(t.dc, t.du)
	for k := 0; k < hid; k++ {
		row := m.W2[k*d : k*d+d]
		var s float32
		for j, g := range t.du {
			s += row[j] * g
		}
		t.dz[k] = s
		if f.a1[k] > 0 {
			t.da1[k] = s
		} else {
			t.da1[k] = 0
		}
	}
	for k := 0; k < hid; k++ {
		if f.z[k] == 0 {
			continue
		}
		for j, g := range t.du {
			t.gW2[k*d+j] += f.z[k] * g
		}
	}
	for j, g := range t.du {
		t.gB2[j] += g
	}

	// Back through a1 = h W1 + b1.
	in := m.In()
	for i := 0; i < in; i++ {
		row := m.W1[i*hid : i*hid+hid]
		var s float32
		for k, g := range t.da1 {
			s += row[k] * g
		}
		t.dh[i] = s
	}
	for i := 0; i < in; i++ {
		if f.h[i] == 0 {
			continue
		}
		for k, g := range t.da1 {
			if g != 0 {
				t.gW1[i*hid+k] += f.h[i] * g
			}
		}
	}
	for k, g := range t.da1 {
		t.gB1[k] += g
	}

	// Embedding tables.
	u, g, a := ex.User, ex.Gender, ex.Age
	for k := 0; k < d; k++ {
		t.adagrad(&t.p[pU], u*d+k, t.dh[k])
	}
	for k := 0; k < gd; k++ {
		t.adagrad(&t.p[pG], g*gd+k, t.dh[d+k])
	}
	for k := 0; k < ad; k++ {
		t.adagrad(&t.p[pA], a*ad+k, t.dh[d+gd+k])
	}
	for k := range t.dc {
		t.dc[k] += t.dh[d+gd+ad+k]
	}
	for l, it := range ex.Context {
		w := m.KindWeights[ex.Kinds[l]] * f.inv
		if w == 0 {
			continue
		}
		for k, gk := range t.dc {
			t.adagrad(&t.p[pC], int(it)*d+k, gk*w)
		}
	}
	return loss
}
