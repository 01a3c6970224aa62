package main

import (
	"cmp"
	"math/rand/v2"
	"slices"

	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/ml/tfidf"
)

// Guest model settings.
const (
	coTopK    = 30  // co-purchase neighbours kept per item (the seed's co_top_k_per_item)
	tagTopK   = 20  // TF-IDF neighbours kept per item
	tagMinSim = 0.1 // smallest cosine kept
	tagWeight = 0.2 // weight of tag similarity added to co-purchase scores
	// maxCoBasket caps the items of one basket that count towards co-purchase: a wholesale
	// order of 500 lines says little about what goes together, and costs n² pairs.
	maxCoBasket = 60
	popularKept = 200
)

// guestPriors are the co-purchase priors buildGuest chooses from (reco.Guest.Prior).
var guestPriors = []float32{0, 3, 10, 30, 100, 300, 1000, 3000, 10000}

// buildGuest builds the guest model from baskets with its prior chosen on validation: each
// member's last basket is held out, one item of it (seeded) is predicted from the rest by a
// model of the other baskets, and the prior with the most hits in the top 10 is kept (the
// smallest on a tie, 0 when none is better). Where baskets say little beyond popularity
// (Groceries) the prior is large and the guest model leans on popularity; where they say much
// (Online Retail) it stays small.
func buildGuest(h *history, baskets []basket) *reco.Guest {
	g := countGuest(h, baskets)
	train, cases := guestValidation(baskets)
	if len(cases) < 30 {
		return g
	}
	v := countGuest(h, train)
	best := -1
	for _, prior := range guestPriors {
		v.Prior = prior
		hits := 0
		for _, c := range cases {
			for _, s := range v.Recommend(c.cart, nil, 10) {
				if s.Item == c.target {
					hits++
					break
				}
			}
		}
		if hits > best {
			best, g.Prior = hits, prior
		}
	}
	return g
}

// guestCase is a validation basket: the cart and the item held out of it.
type guestCase struct {
	cart   []int
	target int
}

// guestValidation holds out each member's last basket (baskets are in time order), as the
// evaluation does; those of at least two items are the cases.
func guestValidation(baskets []basket) (train []basket, cases []guestCase) {
	last := map[string]int{}
	for i, b := range baskets {
		if b.member != "" {
			last[b.member] = i
		}
	}
	r := rand.New(rand.NewPCG(5, 7))
	for i, b := range baskets {
		if b.member == "" || last[b.member] != i {
			train = append(train, b)
			continue
		}
		if len(b.items) < 2 {
			continue
		}
		t := r.IntN(len(b.items))
		c := guestCase{target: int(b.items[t])}
		for k, it := range b.items {
			if k != t {
				c.cart = append(c.cart, int(it))
			}
		}
		cases = append(cases, c)
	}
	return train, cases
}

// countGuest counts co-purchases in baskets (P(j in basket | i in basket), top coTopK per item)
// and fits TF-IDF over the products' tags and names (top tagTopK cosine neighbours); Prior is 0.
func countGuest(h *history, baskets []basket) *reco.Guest {
	n := len(h.products)
	g := &reco.Guest{Items: make([]reco.Item, n), Co: make([][]reco.Neighbor, n), Similar: make([][]reco.Neighbor, n), TagWeight: tagWeight}
	for i, p := range h.products {
		g.Items[i] = reco.Item{ID: p.ID, Name: p.Name, NameEN: p.NameEN}
	}
	// Inverted index: baskets containing each item, with big baskets sampled down.
	r := rand.New(rand.NewPCG(11, 13))
	count := make([]int32, n)
	sets := make([][]int32, len(baskets))
	for bi, b := range baskets {
		items := b.items
		for _, it := range items {
			count[it]++
		}
		if len(items) > maxCoBasket {
			items = slices.Clone(items)
			r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
			items = items[:maxCoBasket]
			slices.Sort(items)
		}
		sets[bi] = items
	}
	postings := make([][]int32, n)
	for bi, s := range sets {
		for _, it := range s {
			postings[it] = append(postings[it], int32(bi))
		}
	}
	acc := make([]int32, n)
	var touched []int32
	for i := 0; i < n; i++ {
		touched = touched[:0]
		for _, bi := range postings[i] {
			for _, j := range sets[bi] {
				if int(j) == i {
					continue
				}
				if acc[j] == 0 {
					touched = append(touched, j)
				}
				acc[j]++
			}
		}
		ns := make([]reco.Neighbor, 0, len(touched))
		for _, j := range touched {
			ns = append(ns, reco.Neighbor{Item: j, Score: float32(acc[j]) / float32(count[i])})
			acc[j] = 0
		}
		slices.SortFunc(ns, func(a, b reco.Neighbor) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item))
		})
		g.Co[i] = ns[:min(len(ns), coTopK)]
	}
	docs := make([][]string, n)
	for i, p := range h.products {
		docs[i] = tokens(p)
	}
	for i, ns := range tfidf.Fit(docs).Neighbors(tagTopK, tagMinSim) {
		g.Similar[i] = make([]reco.Neighbor, len(ns))
		for k, nb := range ns {
			g.Similar[i][k] = reco.Neighbor{Item: int32(nb.Doc), Score: float32(nb.Sim)}
		}
	}
	g.Popular = popularity(count, popularKept)
	g.Baskets = count
	g.PopularShare = make([]float32, len(g.Popular))
	for i, p := range g.Popular {
		g.PopularShare[i] = float32(count[p]) / float32(max(len(baskets), 1))
	}
	g.Check()
	return g
}

// popularity is the k items in most baskets (ties to the lower index), never-bought ones left out.
func popularity(count []int32, k int) []int32 {
	var out []int32
	for i, c := range count {
		if c > 0 {
			out = append(out, int32(i))
		}
	}
	slices.SortStableFunc(out, func(a, b int32) int { return cmp.Compare(count[b], count[a]) })
	return out[:min(len(out), k)]
}
