package twotower

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Config are the model's sizes and training settings.
type Config struct {
	Dim        int `json:"dim"`
	Hidden     int `json:"hidden"`
	GenderDim  int `json:"gender_dim"`
	AgeDim     int `json:"age_dim"`
	ContextLen int `json:"context_len"`
	// KindWeights weigh context items by kind: pad (0), purchased, wishlist, cart.
	KindWeights [4]float32 `json:"kind_weights"`

	Epochs int     `json:"epochs"`
	LR     float32 `json:"lr"`
	L2     float32 `json:"l2"`
	// Negatives sampled per example when the catalogue has more than FullSoftmax items;
	// smaller catalogues use every item.
	Negatives   int `json:"negatives"`
	FullSoftmax int `json:"full_softmax"`
	// UserDropout is the share of examples trained as the unknown member.
	UserDropout float32 `json:"user_dropout"`
	// Batch is how many examples' gradients the dense layers sum before a step; embeddings
	// and item vectors step after every example.
	Batch int    `json:"batch"`
	Seed  uint64 `json:"seed"`
	// QATEpochs are the quantisation-aware epochs that follow training (FitGrid, then Train on
	// the int8 grid) when the caller runs them, at QATLRFactor × LR.
	QATEpochs   int     `json:"qat_epochs,omitempty"`
	QATLRFactor float32 `json:"qat_lr_factor,omitempty"`
}

// DefaultConfig is the configuration the recommend plugin uses.
func DefaultConfig() Config {
	return Config{
		Dim: 32, Hidden: 64, GenderDim: 4, AgeDim: 4, ContextLen: 10,
		KindWeights: [4]float32{0, 0.5, 0.8, 1},
		Epochs:      4, LR: 0.05, L2: 1e-6, Negatives: 256, FullSoftmax: 1024, UserDropout: 0.1, Batch: 32, Seed: 1,
		QATEpochs: 1, QATLRFactor: 0.1,
	}
}

// Model is a trained two-tower model.
type Model struct {
	Config
	Users, Items, Genders, Ages int

	U, G, A, C []float32 // embedding tables: Users×Dim, Genders×GenderDim, Ages×AgeDim, Items×Dim
	W1, B1     []float32 // In×Hidden, Hidden
	W2, B2     []float32 // Hidden×Dim, Dim
	V, BV      []float32 // Items×Dim, Items

	// Grid are the int8 scales the weights lie on once quantisation-aware training has started
	// (FitGrid); nil for a float model.
	Grid *Grid

	acc    *Model // Adagrad accumulators, same shapes; nil until training
	latent *Model // the float weights behind the projected ones on a grid; nil until training
}

// In is the width of the concatenated user features.
func (m *Model) In() int { return 2*m.Dim + m.GenderDim + m.AgeDim }

// New makes an untrained model for users members (plus the unknown member 0), items items,
// 3 gender codes and ages age bands (plus unknown 0), initialised from cfg.Seed.
func New(cfg Config, users, items, ages int) (*Model, error) {
	if cfg.Dim < 1 || cfg.Hidden < 1 || cfg.ContextLen < 1 || items < 1 || users < 0 || ages < 0 {
		return nil, fmt.Errorf("twotower: dim %d, hidden %d, context %d, %d items, %d users: sizes must be positive", cfg.Dim, cfg.Hidden, cfg.ContextLen, items, users)
	}
	m := &Model{Config: cfg, Users: users + 1, Items: items, Genders: 3, Ages: ages + 1}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x7770))
	m.U = randn(r, m.Users*m.Dim, 0.05)
	m.G = randn(r, m.Genders*m.GenderDim, 0.05)
	m.A = randn(r, m.Ages*m.AgeDim, 0.05)
	m.C = randn(r, m.Items*m.Dim, 0.1)
	m.W1 = randn(r, m.In()*m.Hidden, float32(math.Sqrt(2/float64(m.In()))))
	m.B1 = make([]float32, m.Hidden)
	m.W2 = randn(r, m.Hidden*m.Dim, float32(math.Sqrt(1/float64(m.Hidden))))
	m.B2 = make([]float32, m.Dim)
	m.V = randn(r, m.Items*m.Dim, 0.1)
	m.BV = make([]float32, m.Items)
	return m, nil
}

func randn(r *rand.Rand, n int, sd float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(r.NormFloat64()) * sd
	}
	return out
}

// Grow adds rows for new members and items (fine-tuning after new ones appeared), initialised
// from seed; new items start with the mean item bias. On a grid, the new rows get scales of
// their own and are projected onto them.
func (m *Model) Grow(users, items int, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x6120))
	if add := users + 1 - m.Users; add > 0 {
		m.U = append(m.U, randn(r, add*m.Dim, 0.05)...)
		m.Users += add
	}
	if add := items - m.Items; add > 0 {
		var mean float32
		for _, b := range m.BV {
			mean += b / float32(len(m.BV))
		}
		m.C = append(m.C, randn(r, add*m.Dim, 0.1)...)
		m.V = append(m.V, randn(r, add*m.Dim, 0.1)...)
		for range add {
			m.BV = append(m.BV, mean)
		}
		m.Items += add
	}
	m.growGrid()
	m.acc, m.latent = nil, nil
}

// Input is one member query: table rows, and ContextLen context items with their kinds
// (KindPad for unused slots).
type Input struct {
	User, Gender, Age int
	Context           []int32
	Kinds             []int8
}

func (m *Model) check(in *Input) error {
	if in.User < 0 || in.User >= m.Users || in.Gender < 0 || in.Gender >= m.Genders || in.Age < 0 || in.Age >= m.Ages {
		return fmt.Errorf("twotower: user %d, gender %d, age %d outside the tables (%d, %d, %d)", in.User, in.Gender, in.Age, m.Users, m.Genders, m.Ages)
	}
	if len(in.Context) != m.ContextLen || len(in.Kinds) != m.ContextLen {
		return fmt.Errorf("twotower: %d context items and %d kinds, want %d", len(in.Context), len(in.Kinds), m.ContextLen)
	}
	for l, it := range in.Context {
		if it < 0 || int(it) >= m.Items || in.Kinds[l] < 0 || in.Kinds[l] > 3 {
			return fmt.Errorf("twotower: context slot %d: item %d, kind %d out of range", l, it, in.Kinds[l])
		}
	}
	return nil
}

// ctxEps keeps the context mean finite when every slot is padding.
const ctxEps = 1e-6

// contextMean computes c from table tab (Items×Dim), as the graph does.
func (m *Model) contextMean(tab []float32, in *Input, c []float32) (inv float32) {
	d := m.Dim
	clear(c)
	var den float32
	for l, it := range in.Context {
		w := m.KindWeights[in.Kinds[l]]
		den += w
		row := tab[int(it)*d : int(it)*d+d]
		for k := range c {
			c[k] += row[k] * w
		}
	}
	inv = 1 / max(den, ctxEps)
	for k := range c {
		c[k] = c[k] / max(den, ctxEps)
	}
	return inv
}

// UserVector is the user tower's output in float32.
func (m *Model) UserVector(in Input) ([]float32, error) {
	if err := m.check(&in); err != nil {
		return nil, err
	}
	var f forward
	m.forward(&in, &f)
	return f.u, nil
}

// Scores returns a score per item in float32, as the float ONNX graph computes it.
func (m *Model) Scores(in Input) ([]float32, error) {
	u, err := m.UserVector(in)
	if err != nil {
		return nil, err
	}
	out := make([]float32, m.Items)
	d := m.Dim
	for j := range out {
		v := m.V[j*d : j*d+d]
		var s float32
		for k, x := range u {
			s += x * v[k]
		}
		out[j] = s + m.BV[j]
	}
	return out, nil
}

// forward holds the intermediate values of one user-tower pass.
type forward struct {
	h, a1, z, c, u []float32
	inv            float32
}

func (m *Model) forward(in *Input, f *forward) {
	d, gd, ad, hid := m.Dim, m.GenderDim, m.AgeDim, m.Hidden
	if f.h == nil {
		f.h = make([]float32, m.In())
		f.a1 = make([]float32, hid)
		f.z = make([]float32, hid)
		f.c = make([]float32, d)
		f.u = make([]float32, d)
	}
	f.inv = m.contextMean(m.C, in, f.c)
	copy(f.h[:d], m.U[in.User*d:in.User*d+d])
	copy(f.h[d:d+gd], m.G[in.Gender*gd:in.Gender*gd+gd])
	copy(f.h[d+gd:d+gd+ad], m.A[in.Age*ad:in.Age*ad+ad])
	copy(f.h[d+gd+ad:], f.c)
	matVec(f.h, m.W1, hid, f.a1)
	for k := range f.a1 {
		f.a1[k] += m.B1[k]
		f.z[k] = max(0, f.a1[k])
	}
	matVec(f.z, m.W2, d, f.u)
	for k := range f.u {
		f.u[k] = f.u[k] + m.B2[k] + f.c[k]
	}
}

// matVec computes out = x W for W of len(x) rows and n columns, row by row (the summation
// order of a MatMul kernel does not matter within float32 rounding).
func matVec(x, w []float32, n int, out []float32) {
	clear(out)
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := w[i*n : i*n+n]
		for j := range out {
			out[j] += xi * row[j]
		}
	}
}

var errNoExamples = errors.New("twotower: no training examples")
