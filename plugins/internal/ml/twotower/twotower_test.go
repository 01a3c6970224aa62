package twotower

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// synthetic makes examples where each of 4 groups of items is bought together, and members
// prefer one group.
func synthetic(t testing.TB, cfg Config, n int) (*Model, []Example, []Example) {
	t.Helper()
	const items, users, groups = 40, 30, 4
	m, err := New(cfg, users, items, 3)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	mk := func() Example {
		u := 1 + r.IntN(users)
		g := u % groups
		ctx := make([]int32, cfg.ContextLen)
		kinds := make([]int8, cfg.ContextLen)
		for l := 0; l < 3; l++ {
			ctx[l] = int32(g*10 + r.IntN(10))
			kinds[l] = 3
		}
		return Example{Input: Input{User: u, Gender: 1 + u%2, Age: 1 + u%3, Context: ctx, Kinds: kinds}, Target: int32(g*10 + r.IntN(10)), Mask: ctx[:3]}
	}
	var train, test []Example
	for i := 0; i < n; i++ {
		train = append(train, mk())
	}
	for i := 0; i < 200; i++ {
		test = append(test, mk())
	}
	return m, train, test
}

func hitRate(t testing.TB, score func(Input) ([]float32, error), test []Example) float64 {
	hits := 0
	for _, ex := range test {
		s, err := score(ex.Input)
		if err != nil {
			t.Fatal(err)
		}
		better := 0
		for j, v := range s {
			if int32(j) != ex.Target && v > s[ex.Target] {
				better++
			}
		}
		if better < 10 {
			hits++
		}
	}
	return float64(hits) / float64(len(test))
}

func TestTrainLearnsGroups(t *testing.T) {
	for _, tc := range []struct {
		name string
		full int
	}{{"full softmax", 1024}, {"sampled softmax", 10}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.FullSoftmax, cfg.Negatives = tc.full, 16
			m, train, test := synthetic(t, cfg, 3000)
			before := hitRate(t, m.Scores, test)
			st, err := m.Train(train, 3, 1)
			if err != nil {
				t.Fatal(err)
			}
			after := hitRate(t, m.Scores, test)
			t.Logf("%s: HR@10 %.2f → %.2f, loss %.3f", st.Softmax, before, after, st.Loss)
			// 10 of 40 items at random give 0.25; the group's 10 items are the answer.
			if after < 0.9 {
				t.Errorf("HR@10 after training = %.2f, want ≥ 0.9 (the group structure is trivial)", after)
			}
		})
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	m1, train, _ := synthetic(t, cfg, 500)
	m2, _, _ := synthetic(t, cfg, 500)
	qat(m1, train, 1)
	qat(m2, train, 1)
	b1, _ := m1.MarshalBinary()
	b2, _ := m2.MarshalBinary()
	if string(b1) != string(b2) {
		t.Error("two runs with the same seed give different weights")
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 300)
	m.Train(train, 1, 1)
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Model
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	a, _ := m.Scores(test[0].Input)
	b, _ := back.Scores(test[0].Input)
	for j := range a {
		if a[j] != b[j] {
			t.Fatalf("score %d: %g before, %g after the round trip", j, a[j], b[j])
		}
	}
	for _, bad := range [][]byte{nil, []byte(magic), data[:len(data)-1], append(append([]byte(nil), data...), 0)} {
		if err := back.UnmarshalBinary(bad); err == nil {
			t.Errorf("decoded %d corrupt bytes", len(bad))
		}
	}
	// A version 1 encoding (no grid) still decodes.
	if err := back.UnmarshalBinary(append([]byte(magicV1), data[len(magic):]...)); err != nil || back.Grid != nil {
		t.Errorf("version 1 model: %v, grid %v", err, back.Grid)
	}

	// On a grid the scales round-trip, and a weight moved off the grid is refused.
	m.FitGrid()
	data, _ = m.MarshalBinary()
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if back.Grid == nil || back.OffGrid() != 0 || back.Grid.V[3] != m.Grid.V[3] || back.Grid.W2[1] != m.Grid.W2[1] {
		t.Fatal("the int8 grid did not survive the round trip")
	}
	tampered := append([]byte(nil), data...)
	at := len(tampered) - 4*(len(m.Grid.U)+len(m.Grid.G)+len(m.Grid.A)+len(m.Grid.C)+len(m.Grid.W1)+len(m.Grid.W2)+len(m.Grid.V)) - 4*len(m.BV) - 4
	tampered[at] ^= 1 // the lowest mantissa bit of the last item weight
	if err := back.UnmarshalBinary(tampered); err == nil || !strings.Contains(err.Error(), "off the model's int8 grid") {
		t.Errorf("a weight off the grid: %v", err)
	}
}

func TestGrowKeepsOldScores(t *testing.T) {
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 300)
	m.Train(train, 1, 1)
	before, _ := m.Scores(test[0].Input)
	m.Grow(m.Users+4, m.Items+3, 7)
	after, err := m.Scores(test[0].Input)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+3 {
		t.Fatalf("%d scores after growing by 3 items, want %d", len(after), len(before)+3)
	}
	for j := range before {
		if before[j] != after[j] {
			t.Fatalf("growing changed the score of old item %d", j)
		}
	}
}

// TestQuantizedCloseToFloat checks post-training quantisation (a model without a grid): every
// weight rounded to int8 with max |w| / 127 scales.
func TestQuantizedCloseToFloat(t *testing.T) {
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 2000)
	m.Train(train, 2, 1)
	q := m.Quantize()
	worst, scale := 0.0, 0.0
	for _, ex := range test {
		a, _ := m.Scores(ex.Input)
		b, err := q.Scores(ex.Input)
		if err != nil {
			t.Fatal(err)
		}
		for j := range a {
			worst = max(worst, math.Abs(float64(a[j]-b[j])))
			scale = max(scale, math.Abs(float64(a[j])))
		}
	}
	t.Logf("max |int8 − float| = %.4f, %.2g of the largest score", worst, worst/scale)
	if worst > 0.01*scale || worst == 0 {
		t.Errorf("int8 scores differ from float by up to %g (%.2g of the largest score %g, want > 0 and ≤ 0.01)", worst, worst/scale, scale)
	}
	if hf, hq := hitRate(t, m.Scores, test), hitRate(t, q.Scores, test); math.Abs(hf-hq) > 0.02 {
		t.Errorf("HR@10 float %.3f, int8 %.3f", hf, hq)
	}
}

// qat trains m for epochs float epochs and one quantisation-aware epoch.
func qat(m *Model, train []Example, epochs int) {
	m.Train(train, epochs, 1)
	m.FitGrid()
	m.Train(train, 1, 2)
}

// TestQATPutsWeightsOnGrid checks that after the quantisation-aware epoch every weight lies on
// the int8 grid, that the weights still moved on it (the straight-through steps are not all
// rounded away), that the int8 form scores exactly as the float model, and that the epoch did not
// cost accuracy.
func TestQATPutsWeightsOnGrid(t *testing.T) {
	cfg := DefaultConfig()
	m, train, test := synthetic(t, cfg, 2000)
	m.Train(train, 2, 1)
	if off := m.OffGrid(); off == 0 {
		t.Fatal("a float-trained model lies on an int8 grid it does not have")
	}
	hf := hitRate(t, m.Scores, test)
	m.FitGrid()
	fitted, _ := m.MarshalBinary()
	fittedQ := m.Quantize()
	if st, _ := m.Train(train, 1, 2); st.QATEpochs != 1 {
		t.Errorf("stats %+v: want 1 quantisation-aware epoch", st)
	}
	if off := m.OffGrid(); off != 0 {
		t.Fatalf("%d weights off the int8 grid after the quantisation-aware epoch", off)
	}
	if after, _ := m.MarshalBinary(); string(after) == string(fitted) {
		t.Fatal("the quantisation-aware epoch changed nothing")
	}
	q := m.Quantize()
	moved := 0
	for k := range q.ints {
		for i, v := range q.ints[k] {
			if v != fittedQ.ints[k][i] {
				moved++
			}
		}
	}
	if moved < 100 {
		t.Errorf("only %d int8 weights moved during the quantisation-aware epoch", moved)
	}
	for _, ex := range test {
		a, _ := m.Scores(ex.Input)
		b, _ := q.Scores(ex.Input)
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("item %d: float %g, int8 %g: a model on its grid must score the same", j, a[j], b[j])
			}
		}
	}
	if hq := hitRate(t, m.Scores, test); hq < hf-0.02 {
		t.Errorf("HR@10 %.3f before the quantisation-aware epoch, %.3f after", hf, hq)
	}
}

// TestGridWidens checks that a row or column whose latent weights outgrew the grid gets a wider
// scale that holds them, and stays on the grid.
func TestGridWidens(t *testing.T) {
	m, train, _ := synthetic(t, DefaultConfig(), 300)
	qat(m, train, 1)
	d := m.Dim
	item, col := m.Grid.V[2], m.Grid.W2[3]
	m.latent = &Model{V: slices.Clone(m.V), W2: slices.Clone(m.W2), U: slices.Clone(m.U), G: slices.Clone(m.G),
		A: slices.Clone(m.A), C: slices.Clone(m.C), W1: slices.Clone(m.W1)}
	m.latent.V[2*d+5] = 300 * item
	m.latent.W2[7*d+3] = -200 * col
	m.widenGrid()
	if got := m.Grid.V[2]; math.Abs(float64(got/item)-300.0/127) > 1e-5 || m.V[2*d+5] != 127*got {
		t.Errorf("item 2: scale %g (was %g), weight %g: want the weight 127 steps of a scale 300/127 times wider", got, item, m.V[2*d+5])
	}
	if got := m.Grid.W2[3]; math.Abs(float64(got/col)-200.0/127) > 1e-5 || m.W2[7*d+3] != -127*got {
		t.Errorf("W2 column 3: scale %g (was %g), weight %g", got, col, m.W2[7*d+3])
	}
	if m.OffGrid() != 0 {
		t.Errorf("%d weights off the grid after widening", m.OffGrid())
	}
}

// TestFineTuneStaysOnGrid checks that a decoded model on a grid, grown by new members and items
// and fine-tuned, is again on its grid, with scales for the new rows.
func TestFineTuneStaysOnGrid(t *testing.T) {
	cfg := DefaultConfig()
	m, train, _ := synthetic(t, cfg, 1000)
	qat(m, train, 1)
	data, _ := m.MarshalBinary()
	var back Model
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	back.Grow(back.Users+4, back.Items+3, 7)
	if len(back.Grid.V) != back.Items || len(back.Grid.U) != back.Users {
		t.Fatalf("grid of %d items and %d users for a model of %d and %d", len(back.Grid.V), len(back.Grid.U), back.Items, back.Users)
	}
	if off := back.OffGrid(); off != 0 {
		t.Fatalf("%d weights off the grid after growing", off)
	}
	back.Train(train, 1, 5)
	if off := back.OffGrid(); off != 0 {
		t.Fatalf("%d weights off the grid after fine-tuning", off)
	}
}

func TestInputChecked(t *testing.T) {
	m, _, _ := synthetic(t, DefaultConfig(), 1)
	bad := []Input{
		{User: 99, Context: make([]int32, 10), Kinds: make([]int8, 10)},
		{Context: make([]int32, 3), Kinds: make([]int8, 3)},
		{Context: append(make([]int32, 9), 500), Kinds: make([]int8, 10)},
		{Context: make([]int32, 10), Kinds: append(make([]int8, 9), 7)},
	}
	for i, in := range bad {
		if _, err := m.Scores(in); err == nil {
			t.Errorf("input %d accepted", i)
		}
	}
}
