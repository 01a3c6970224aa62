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

// buildGuest counts co-purchases in baskets (P(j in basket | i in basket), top coTopK per item)
// and fits TF-IDF over the products' tags and names (top tagTopK cosine neighbours).
func buildGuest(h *history, baskets []basket) *reco.Guest {
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
