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

func TestGuestPrior(t *testing.T) {
	g := &Guest{
		Items:   []Item{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}},
		Popular: []int32{1, 2, 3},
		Co:      [][]Neighbor{{{Item: 3, Score: 1}}, {{Item: 2, Score: 0.5}}, nil, nil, nil},
		Similar: make([][]Neighbor, 5),
	}
	if err := g.Check(); err != nil {
		t.Fatal(err)
	}
	items := func(s []Scored) (out []int) {
		for _, x := range s {
			out = append(out, x.Item)
		}
		return out
	}
	// Without a prior the one neighbour of a, bought in two baskets, comes first.
	if got := items(g.Recommend([]int{0}, nil, 3)); !slices.Equal(got, []int{3, 1, 2}) {
		t.Errorf("no prior: got %v, want [3 1 2]", got)
	}
	g.Prior, g.Baskets, g.PopularShare = 100, []int32{2, 1000, 50, 10, 0}, []float32{0.5, 0.4, 0.1}
	if err := g.Check(); err != nil {
		t.Fatal(err)
	}
	// Two baskets weigh 2/102 against popularity's 100/102: d = 0.02 + 0.98·0.1 < c = 0.98·0.4.
	got := g.Recommend([]int{0}, nil, 3)
	if !slices.Equal(items(got), []int{1, 2, 3}) {
		t.Errorf("prior 100, a rare cart item: got %v, want [1 2 3]", items(got))
	}
	if got[0].Source != SourcePopular || got[2].Source != SourceCoPurchase {
		t.Errorf("sources %v, want popular first and co_purchase for d", got)
	}
	// A cart item bought in 1,000 baskets keeps its neighbour first.
	if got := items(g.Recommend([]int{1}, nil, 2)); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("prior 100, a common cart item: got %v, want [2 3]", got)
	}
	g.Baskets = nil
	if err := g.Check(); err == nil {
		t.Error("a prior without basket counts passed Check")
	}
}
