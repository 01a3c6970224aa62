package twotower

import (
	"math"
	"math/rand/v2"
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
	m1.Train(train, 1, 3)
	m2.Train(train, 1, 3)
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
	// Only the int8 tables' rounding is left (0.002 here); the former dynamic int8 W2 and item
	// matrix alone gave 0.006 on this model.
	if worst > 0.004*scale {
		t.Errorf("int8 scores differ from float by up to %g (%.2g of the largest score %g, want ≤ 0.004)", worst, worst/scale, scale)
	}
	if hf, hq := hitRate(t, m.Scores, test), hitRate(t, q.Scores, test); math.Abs(hf-hq) > 0.02 {
		t.Errorf("HR@10 float %.3f, int8 %.3f", hf, hq)
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
