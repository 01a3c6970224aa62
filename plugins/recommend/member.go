package main

import (
	"fmt"
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

// trainMember trains a new member model on the selected baskets for cfg.Epochs epochs.
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
	return mm, st, nil
}

// spec makes member.json for the model: items, users with lookups from their baskets in s.
func (mm *member) spec(h *history, s split) *reco.MemberSpec {
	sp := &reco.MemberSpec{Items: mm.items, ContextLen: mm.m.ContextLen, KindWeights: mm.m.KindWeights[:], AgeBands: ageBounds, Dim: mm.m.Dim}
	for i, id := range mm.users {
		g, a := demographics(h, id)
		sp.Users = append(sp.Users, reco.User{ID: id, Index: i + 1, Gender: g, AgeBand: a, Recent: recent(h, s.byMember[id], mm.m.ContextLen)})
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
}

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
	best, since := -1.0, 0
	for e := 0; e < maxEpochs && since < 2; e++ {
		ex := mm.examples(h, inner, cfg.Seed+uint64(e))
		if _, err := mm.m.Train(ex, 1, cfg.Seed+uint64(e)); err != nil {
			return sel, err
		}
		spec := mm.spec(h, inner)
		hits := 0
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
			for _, x := range reco.TopK(scores, excl, 10) {
				if int32(x.Item) == c.target {
					hits++
				}
			}
		}
		hr := float64(hits) / float64(len(val))
		sel.HR10 = append(sel.HR10, hr)
		if hr > best {
			best, since, sel.Epochs = hr, 0, e+1
		} else {
			since++
		}
	}
	return sel, nil
}
