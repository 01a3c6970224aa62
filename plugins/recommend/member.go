package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/ml/twotower"
)

// ageBounds are the lower bounds of the age bands the demo and the edge use (10s … 60s).
var ageBounds = []int{10, 20, 30, 40, 50, 60}

// maxTargets bounds the training examples one basket gives per epoch.
const maxTargets = 8

// member is a trained member model with its lookups.
type member struct {
	m     *twotower.Model
	items []string       // item ids in the model's order
	users []string       // member ids; user index = position + 1
	uidx  map[string]int // member id → user index
	// repeat is the repeat-purchase blend chosen on validation (zero: off).
	repeat repeatBlend
}

// repeatBlend is how much of a member's own purchase history is added to the graph scores.
type repeatBlend struct {
	Weight float32 `json:"weight"`
	Decay  float32 `json:"decay"`
}

// maxRepeat bounds the repeat items a member carries in member.json.
const maxRepeat = 20

// repeatGrid are the blends validation tries; the zero weight (the graph alone) comes first so
// that ties keep it.
var repeatGrid = func() []repeatBlend {
	out := []repeatBlend{{}}
	for _, d := range []float32{0.7, 0.9, 1} {
		for _, w := range []float32{0.25, 0.5, 1, 2, 4, 8} {
			out = append(out, repeatBlend{Weight: w, Decay: d})
		}
	}
	return out
}()

// repeatScores is a member's recency-decayed purchase frequency over baskets (time order):
// for each item, the sum of decay^age over the baskets holding it (age 0 = the newest) divided
// by the sum over all baskets, so 1 means "in every basket"; the n best, best first (ties to the
// lower item).
func repeatScores(h *history, baskets []int, decay float32, n int) ([]int32, []float32) {
	if len(baskets) == 0 || decay <= 0 {
		return nil, nil
	}
	sum := map[int32]float64{}
	var total, w float64 = 0, 1
	for k := len(baskets) - 1; k >= 0; k-- {
		for _, it := range h.baskets[baskets[k]].items {
			sum[it] += w
		}
		total += w
		w *= float64(decay)
	}
	items := make([]int32, 0, len(sum))
	for it := range sum {
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b int32) int {
		if sum[a] != sum[b] {
			if sum[a] > sum[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	items = items[:min(n, len(items))]
	scores := make([]float32, len(items))
	for i, it := range items {
		scores[i] = float32(math.Round(sum[it]/total*1000) / 1000) // 3 decimals keep member.json small
	}
	return items, scores
}

func (mm *member) userIndex(id string) int { return mm.uidx[id] }

func newMember(m *twotower.Model, items, users []string) *member {
	mm := &member{m: m, items: items, users: users, uidx: make(map[string]int, len(users))}
	for i, u := range users {
		mm.uidx[u] = i + 1
	}
	return mm
}

// split is a selection of baskets to train on: for each member, its baskets in time order
// (indices into history.baskets), of which those from first on are examples and the earlier
// ones history only.
type split struct {
	byMember map[string][]int
	first    map[string]int
}

// allBaskets selects every basket as an example.
func allBaskets(h *history) split {
	return split{byMember: h.byMember, first: map[string]int{}}
}

// recent returns up to n distinct items of the baskets, most recent first.
func recent(h *history, baskets []int, n int) []int32 {
	var out []int32
	for i := len(baskets) - 1; i >= 0 && len(out) < n; i-- {
		items := h.baskets[baskets[i]].items
		for _, it := range items {
			if len(out) < n && !slices.Contains(out, it) {
				out = append(out, it)
			}
		}
	}
	return out
}

// demographics returns a member's gender and age band codes.
func demographics(h *history, id string) (gender, age int) {
	c := h.customers[id]
	return reco.ParseGender(c.Gender), reco.ParseAgeBand(ageBounds, c.AgeBand)
}

// context fills the model's context slots as reco.MemberSpec.Query does: cart (last added
// first), then recent purchases, skipping repeats.
func fillContext(L int, cart []int32, recentItems []int32) ([]int32, []int8) {
	ctx := make([]int32, L)
	kinds := make([]int8, L)
	n := 0
	add := func(it int32, kind int8) {
		if n < L && !slices.Contains(ctx[:n], it) {
			ctx[n], kinds[n] = it, kind
			n++
		}
	}
	for i := len(cart) - 1; i >= 0; i-- {
		add(cart[i], reco.KindCart)
	}
	for _, it := range recentItems {
		add(it, reco.KindPurchased)
	}
	return ctx, kinds
}

// examples builds one epoch of training cases from the selected baskets: for up to maxTargets
// items of a basket, that item is the target, a random part of the rest is the cart, and the
// member's earlier purchases fill the remaining context.
func (mm *member) examples(h *history, s split, seed uint64) []twotower.Example {
	r := rand.New(rand.NewPCG(seed, 0xe8))
	L := mm.m.ContextLen
	var out []twotower.Example
	for _, id := range mm.users {
		bs := s.byMember[id]
		if len(bs) == 0 {
			continue
		}
		g, a := demographics(h, id)
		u := mm.userIndex(id)
		for k := s.first[id]; k < len(bs); k++ {
			items := h.baskets[bs[k]].items
			rec := recent(h, bs[:k], L)
			targets := slices.Clone(items)
			r.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
			for _, t := range targets[:min(len(targets), maxTargets)] {
				rest := make([]int32, 0, len(items)-1)
				for _, it := range items {
					if it != t {
						rest = append(rest, it)
					}
				}
				r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
				cart := rest[:r.IntN(min(len(rest), L)+1)]
				ctx, kinds := fillContext(L, cart, rec)
				out = append(out, twotower.Example{
					Input:  twotower.Input{User: u, Gender: g, Age: a, Context: ctx, Kinds: kinds},
					Target: t, Mask: rest,
				})
			}
		}
	}
	return out
}

// trainMember trains a new member model on the selected baskets for cfg.Epochs epochs, then
// cfg.QATEpochs more on the int8 grid (none when cfg.Epochs is 0).
func trainMember(h *history, s split, cfg twotower.Config) (*member, twotower.Stats, error) {
	items := make([]string, len(h.products))
	for i, p := range h.products {
		items[i] = p.ID
	}
	var users []string
	for _, id := range h.members(nil) {
		if len(s.byMember[id]) > s.first[id] {
			users = append(users, id)
		}
	}
	m, err := twotower.New(cfg, len(users), len(items), len(ageBounds))
	if err != nil {
		return nil, twotower.Stats{}, err
	}
	mm := newMember(m, items, users)
	var st twotower.Stats
	for e := 0; e < cfg.Epochs; e++ {
		ex := mm.examples(h, s, cfg.Seed+uint64(e))
		if len(ex) == 0 {
			return nil, st, fmt.Errorf("no baskets to train the member model on")
		}
		st.Examples = len(ex)
		if st, err = m.Train(ex, 1, cfg.Seed+uint64(e)); err != nil {
			return nil, st, err
		}
	}
	st.Epochs = cfg.Epochs
	if cfg.Epochs > 0 && cfg.QATEpochs > 0 {
		// Quantisation-aware epochs: the weights move onto the int8 grid the int8 graph stores
		// and train there, so that the float and int8 graphs score alike. They run at a fraction
		// of the learning rate: at the full rate the epoch is one more epoch of training, past
		// the count validation chose (Groceries' HR@10 0.3826 → 0.3597).
		m.FitGrid()
		m.LR = cfg.LR * cfg.QATLRFactor
		defer func() { m.LR = cfg.LR }()
		for e := cfg.Epochs; e < cfg.Epochs+cfg.QATEpochs; e++ {
			ex := mm.examples(h, s, cfg.Seed+uint64(e))
			qs, err := m.Train(ex, 1, cfg.Seed+uint64(e))
			if err != nil {
				return nil, st, err
			}
			st.Loss = qs.Loss
		}
		st.QATEpochs = cfg.QATEpochs
	}
	return mm, st, nil
}

// spec makes member.json for the model: items, users with lookups from their baskets in s.
func (mm *member) spec(h *history, s split) *reco.MemberSpec {
	sp := &reco.MemberSpec{Items: mm.items, ContextLen: mm.m.ContextLen, KindWeights: mm.m.KindWeights[:], AgeBands: ageBounds, Dim: mm.m.Dim}
	if mm.repeat.Weight > 0 {
		sp.RepeatWeight, sp.RepeatDecay = mm.repeat.Weight, mm.repeat.Decay
	}
	for i, id := range mm.users {
		g, a := demographics(h, id)
		u := reco.User{ID: id, Index: i + 1, Gender: g, AgeBand: a, Recent: recent(h, s.byMember[id], mm.m.ContextLen)}
		if sp.RepeatWeight > 0 {
			u.RepeatItems, u.RepeatScores = repeatScores(h, s.byMember[id], mm.repeat.Decay, maxRepeat)
		}
		sp.Users = append(sp.Users, u)
	}
	sp.Check()
	return sp
}

// input converts a query to the model's input.
func input(q reco.MemberQuery) twotower.Input {
	in := twotower.Input{User: int(q.User), Gender: int(q.Gender), Age: int(q.AgeBand),
		Context: make([]int32, len(q.Context)), Kinds: make([]int8, len(q.Kinds))}
	for i := range q.Context {
		in.Context[i], in.Kinds[i] = int32(q.Context[i]), int8(q.Kinds[i])
	}
	return in
}

// maxEpochs bounds the epochs tried when choosing how long to train.
const maxEpochs = 6

// Selection is how the number of epochs was chosen: validation HR@10 after each epoch.
type Selection struct {
	Epochs     int       `json:"epochs"`
	Validation int       `json:"validation_cases"`
	HR10       []float64 `json:"hr10_by_epoch"`
	// Repeat is the repeat-purchase blend chosen at the chosen epoch, RepeatHR10 its
	// validation HR@10 (HR10 is the graph alone).
	Repeat     repeatBlend `json:"repeat"`
	RepeatHR10 float64     `json:"repeat_hr10"`
	// RepeatZ is the chosen blend's paired (McNemar) z against the graph alone on the same
	// validation cases; RepeatBestZ the largest z of any blend at the chosen epoch.
	RepeatZ     float64 `json:"repeat_z"`
	RepeatBestZ float64 `json:"repeat_best_z"`
}

// repeatMinZ is the paired z a blend must reach on validation to be used: a one-sided 5 % test
// with a Bonferroni correction for the 18 blends tried (0.05/18 → z 2.77), so that the best of
// many noisy blends is not taken for signal.
const repeatMinZ = 2.77

// chooseEpochs trains on s less each member's last basket, for up to maxEpochs epochs, scoring
// the held-out baskets (one seeded item held out, the rest the cart) after every epoch, and
// returns the epoch count with the best HR@10 (stopping after two epochs without a gain). With
// too few members to validate on it returns cfg.Epochs.
func chooseEpochs(h *history, s split, cfg twotower.Config) (Selection, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5e1))
	inner := split{byMember: map[string][]int{}, first: s.first}
	type vcase struct {
		member string
		cart   []int32
		target int32
	}
	var val []vcase
	for _, id := range h.members(nil) {
		bs := s.byMember[id]
		if len(bs)-s.first[id] < 2 {
			inner.byMember[id] = bs
			continue
		}
		inner.byMember[id] = bs[:len(bs)-1]
		last := h.baskets[bs[len(bs)-1]].items
		if len(last) < 2 {
			continue
		}
		t := last[r.IntN(len(last))]
		cart := slices.DeleteFunc(slices.Clone(last), func(x int32) bool { return x == t })
		val = append(val, vcase{member: id, cart: cart, target: t})
	}
	sel := Selection{Epochs: cfg.Epochs, Validation: len(val)}
	if len(val) < 50 {
		return sel, nil
	}
	one := cfg
	one.Epochs = 0
	mm, _, err := trainMember(h, inner, one)
	if err != nil {
		return sel, err
	}
	// Each validation member's repeat scores from the baskets before the held-out one.
	type rep struct {
		items  []int32
		scores []float32
	}
	repeats := map[string]map[float32]rep{}
	for _, c := range val {
		repeats[c.member] = map[float32]rep{}
		for _, rb := range repeatGrid[1:] {
			if _, ok := repeats[c.member][rb.Decay]; !ok {
				ri, rs := repeatScores(h, inner.byMember[c.member], rb.Decay, maxRepeat)
				repeats[c.member][rb.Decay] = rep{ri, rs}
			}
		}
	}
	best, since := -1.0, 0
	for e := 0; e < maxEpochs && since < 2; e++ {
		ex := mm.examples(h, inner, cfg.Seed+uint64(e))
		if _, err := mm.m.Train(ex, 1, cfg.Seed+uint64(e)); err != nil {
			return sel, err
		}
		spec := mm.spec(h, inner)
		hits := make([]int, len(repeatGrid))
		gained, lost := make([]int, len(repeatGrid)), make([]int, len(repeatGrid))
		for _, c := range val {
			ids := make([]string, len(c.cart))
			excl := map[int]bool{}
			for i, it := range c.cart {
				ids[i] = h.products[it].ID
				excl[int(it)] = true
			}
			q, _ := spec.Query(reco.Request{UserID: c.member, Cart: ids})
			scores, err := mm.m.Scores(input(q))
			if err != nil {
				return sel, err
			}
			blended := make([]float32, len(scores))
			hit0 := false
			for gi, rb := range repeatGrid {
				copy(blended, scores)
				if rb.Weight > 0 {
					ri, rs := repeats[c.member][rb.Decay].items, repeats[c.member][rb.Decay].scores
					for k, it := range ri {
						blended[it] += rb.Weight * rs[k]
					}
				}
				hit := false
				for _, x := range reco.TopK(blended, excl, 10) {
					hit = hit || int32(x.Item) == c.target
				}
				if hit {
					hits[gi]++
				}
				switch {
				case gi == 0:
					hit0 = hit
				case hit && !hit0:
					gained[gi]++
				case !hit && hit0:
					lost[gi]++
				}
			}
		}
		hr := float64(hits[0]) / float64(len(val))
		sel.HR10 = append(sel.HR10, hr)
		if hr > best {
			best, since, sel.Epochs = hr, 0, e+1
			sel.Repeat, sel.RepeatHR10, sel.RepeatBestZ = repeatBlend{}, hr, 0
			sel.RepeatZ = 0
			for gi, n := range hits {
				if gi == 0 || gained[gi] == lost[gi] {
					continue
				}
				z := float64(gained[gi]-lost[gi]) / math.Sqrt(float64(gained[gi]+lost[gi]))
				if rhr := float64(n) / float64(len(val)); z >= repeatMinZ && rhr > sel.RepeatHR10 {
					sel.Repeat, sel.RepeatHR10, sel.RepeatZ = repeatGrid[gi], rhr, z
				}
				sel.RepeatBestZ = max(sel.RepeatBestZ, z)
			}
		} else {
			since++
		}
	}
	return sel, nil
}
