package reco

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// recommendMaps is Guest.Recommend as it was written first, with maps and a full sort: the
// reference the pooled, top-k version must match exactly.
func recommendMaps(g *Guest, cart, exclude []int, k int) []Scored {
	n := len(g.Items)
	skip := make(map[int]bool, len(cart)+len(exclude))
	for _, c := range cart {
		skip[c] = true
	}
	for _, c := range exclude {
		skip[c] = true
	}
	co := map[int]float64{}
	tag := map[int]float64{}
	for _, c := range cart {
		if c < 0 || c >= n {
			continue
		}
		for _, nb := range g.Co[c] {
			if !skip[int(nb.Item)] {
				co[int(nb.Item)] += float64(nb.Score)
			}
		}
		for _, nb := range g.Similar[c] {
			if !skip[int(nb.Item)] {
				tag[int(nb.Item)] += float64(nb.Score)
			}
		}
	}
	tw := float64(g.TagWeight)
	var first, second []Scored
	for it, s := range co {
		first = append(first, Scored{Item: it, Score: s + tw*tag[it], Source: SourceCoPurchase})
	}
	for it, s := range tag {
		if _, ok := co[it]; !ok {
			second = append(second, Scored{Item: it, Score: tw * s, Source: SourceTags})
		}
	}
	byScore := func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) }
	slices.SortFunc(first, byScore)
	slices.SortFunc(second, byScore)
	out := append(first, second...)
	if len(out) > k {
		return out[:k]
	}
	for _, it := range out {
		skip[it.Item] = true
	}
	for _, p := range g.Popular {
		if len(out) >= k {
			break
		}
		if !skip[int(p)] {
			skip[int(p)] = true
			out = append(out, Scored{Item: int(p), Source: SourcePopular})
		}
	}
	return out
}

// randomGuest is a guest model of n items with up to width neighbours each; scores repeat
// (coarse) so that ties are common.
func randomGuest(r *rand.Rand, n, width int) *Guest {
	g := &Guest{Items: make([]Item, n), Co: make([][]Neighbor, n), Similar: make([][]Neighbor, n), TagWeight: r.Float32()}
	for i := range g.Items {
		g.Items[i].ID = string(rune('A'+i%26)) + string(rune('a'+i/26%26)) + string(rune('0'+i/676))
		for _, l := range []*[]Neighbor{&g.Co[i], &g.Similar[i]} {
			for _, j := range r.Perm(n)[:r.IntN(min(width, n)+1)] {
				*l = append(*l, Neighbor{Item: int32(j), Score: float32(r.IntN(8)) / 8})
			}
		}
	}
	for _, j := range r.Perm(n)[:r.IntN(n+1)] {
		g.Popular = append(g.Popular, int32(j))
	}
	return g
}

func TestGuestRecommendMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		n := 1 + r.IntN(60)
		g := randomGuest(r, n, 1+r.IntN(20))
		if err := g.Check(); err != nil {
			t.Fatal(err)
		}
		var cart, excl []int
		for range r.IntN(5) {
			cart = append(cart, r.IntN(n+2)-1) // now and then out of range, or twice
		}
		for range r.IntN(3) {
			excl = append(excl, r.IntN(n))
		}
		k := 1 + r.IntN(15)
		got, want := g.Recommend(cart, excl, k), recommendMaps(g, cart, excl, k)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: n %d, cart %v, exclude %v, k %d:\n got %+v\nwant %+v", trial, n, cart, excl, k, got, want)
		}
	}
}

func BenchmarkGuestRecommend(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	g := randomGuest(r, 3659, 50) // Online Retail's size
	if err := g.Check(); err != nil {
		b.Fatal(err)
	}
	carts := make([][]int, 256)
	for i := range carts {
		carts[i] = []int{r.IntN(3659), r.IntN(3659)}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Recommend(carts[i%len(carts)], nil, 10)
	}
}
