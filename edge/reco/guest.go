package reco

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// Item is one product the models know.
type Item struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	NameEN string `json:"name_en,omitempty"`
}

// Neighbor is an item and a score; it is written as a two-element array [item, score].
type Neighbor struct {
	Item  int32
	Score float32
}

// MarshalJSON writes [item, score], the score to 5 significant digits (guest.json is most of
// a bundle: Online Retail's 3,659 items × 50 neighbours).
func (n Neighbor) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(n.Item), 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, float64(n.Score), 'g', 5, 32)
	return append(b, ']'), nil
}

// UnmarshalJSON reads [item, score].
func (n *Neighbor) UnmarshalJSON(b []byte) error {
	var v [2]float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("neighbour: want [item, score]: %w", err)
	}
	n.Item, n.Score = int32(v[0]), float32(v[1])
	return nil
}

// Guest is the guest model: for each item, the items most often bought with it (co-purchase,
// scored P(j in basket | i in basket)) and the items with the most similar tags (TF-IDF cosine),
// plus the items by popularity.
type Guest struct {
	Items   []Item       `json:"items"`
	Popular []int32      `json:"popular"`
	Co      [][]Neighbor `json:"co"`
	Similar [][]Neighbor `json:"similar"`
	// TagWeight scales tag similarity when it is added to co-purchase scores.
	TagWeight float32 `json:"tag_weight"`
	// Prior shrinks co-purchase towards popularity (0: not at all). A cart item seen in n
	// baskets weighs its co-purchase (and tag) scores by n/(n+Prior) and lends the rest,
	// Prior/(n+Prior), to the popular items in proportion to PopularShare: P(j | i) estimated
	// as (co(i,j) + Prior·P(j)) / (n + Prior). Where baskets carry little beyond popularity, or
	// an item is rarely bought, popular items then compete with its noisy neighbours.
	Prior float32 `json:"prior,omitempty"`
	// Baskets is how many baskets each item was in (needed with Prior).
	Baskets []int32 `json:"baskets,omitempty"`
	// PopularShare is P(j in basket) of each Popular item (needed with Prior).
	PopularShare []float32 `json:"popular_share,omitempty"`

	index map[string]int
}

// ParseGuest decodes and checks guest.json.
func ParseGuest(data []byte) (*Guest, error) {
	var g Guest
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("%s: %w", FileGuest, err)
	}
	if err := g.Check(); err != nil {
		return nil, err
	}
	return &g, nil
}

// Check verifies that every neighbour list and index fits the item list, and builds the id index.
func (g *Guest) Check() error {
	n := len(g.Items)
	if len(g.Co) != n || len(g.Similar) != n {
		return fmt.Errorf("%s: %d items but %d co-purchase and %d tag lists", FileGuest, n, len(g.Co), len(g.Similar))
	}
	g.index = make(map[string]int, n)
	for i, it := range g.Items {
		if _, dup := g.index[it.ID]; dup || it.ID == "" {
			return fmt.Errorf("%s: item %d has an empty or repeated id %q", FileGuest, i, it.ID)
		}
		g.index[it.ID] = i
	}
	if g.Prior < 0 || (g.Prior > 0 && (len(g.Baskets) != n || len(g.PopularShare) != len(g.Popular))) {
		return fmt.Errorf("%s: prior %g needs basket counts for the %d items (%d) and shares for the %d popular items (%d)",
			FileGuest, g.Prior, n, len(g.Baskets), len(g.Popular), len(g.PopularShare))
	}
	ok := func(i int32) bool { return i >= 0 && int(i) < n }
	for _, p := range g.Popular {
		if !ok(p) {
			return fmt.Errorf("%s: popular item %d out of range", FileGuest, p)
		}
	}
	for i := range g.Co {
		for _, l := range [][]Neighbor{g.Co[i], g.Similar[i]} {
			for _, nb := range l {
				if !ok(nb.Item) {
					return fmt.Errorf("%s: item %d has neighbour %d out of range", FileGuest, i, nb.Item)
				}
			}
		}
	}
	return nil
}

// Index returns the position of item id.
func (g *Guest) Index(id string) (int, bool) {
	if g.index == nil {
		g.Check()
	}
	i, ok := g.index[id]
	return i, ok
}

// Source says why an item was recommended.
type Source string

// Sources of a recommendation, strongest first.
const (
	SourceCoPurchase Source = "co_purchase"
	SourceTags       Source = "similar_tags"
	SourcePopular    Source = "popular"
	SourceMember     Source = "member"
)

// Scored is a recommended item.
type Scored struct {
	Item   int
	Score  float64
	Source Source
}

// Recommend ranks items for a basket: items bought with the cart's items first (co-purchase
// probabilities summed over the cart, plus TagWeight × tag similarity), then items with similar
// tags (the fallback when co-purchase has too few), then popular items, until k. Items in the
// cart or in exclude are never returned. Ties go to the lower item.
//
// It sums into dense per-item arrays reused across calls and keeps only the
// best k candidates, instead of maps and a full sort: it runs on every guest request of
// crumb-edge, where the maps, their growth and the garbage they left were most of its cost.
func (g *Guest) Recommend(cart, exclude []int, k int) []Scored {
	if k <= 0 {
		return nil
	}
	n := len(g.Items)
	sc := getScratch(n)
	defer putScratch(sc)
	for _, c := range cart {
		sc.mark(c, stateSkip)
	}
	for _, c := range exclude {
		sc.mark(c, stateSkip)
	}
	prior := float64(g.Prior)
	lent := 0.0 // the cart's weight lent to popularity
	for _, c := range cart {
		if c < 0 || c >= n {
			continue
		}
		w := 1.0
		if prior > 0 {
			w = float64(g.Baskets[c]) / (float64(g.Baskets[c]) + prior)
			lent += 1 - w
		}
		for _, nb := range g.Co[c] {
			if it := int(nb.Item); it >= 0 && it < n && sc.state[it]&stateSkip == 0 {
				sc.mark(it, stateCo)
				sc.co[it] += w * float64(nb.Score)
			}
		}
		for _, nb := range g.Similar[c] {
			if it := int(nb.Item); it >= 0 && it < n && sc.state[it]&stateSkip == 0 {
				sc.mark(it, stateTag)
				sc.tag[it] += w * float64(nb.Score)
			}
		}
	}
	if lent > 0 {
		for i, p := range g.Popular {
			if it := int(p); sc.state[it]&stateSkip == 0 {
				sc.mark(it, statePrior)
				sc.co[it] += lent * float64(g.PopularShare[i])
			}
		}
	}
	tw := float64(g.TagWeight)
	out := make([]Scored, 0, k)
	for _, it := range sc.touched { // items bought with the cart (and popular ones, with a prior), their tags added
		if st := sc.state[it]; st&stateSkip == 0 && st&(stateCo|statePrior) != 0 {
			s := Scored{Item: int(it), Score: sc.co[it] + tw*sc.tag[it], Source: SourceCoPurchase}
			if st&stateCo == 0 { // popular only: tags add to co-purchase, never to popularity
				s.Score, s.Source = sc.co[it], SourcePopular
			}
			out = keepBest(out, s, k)
		}
	}
	if len(out) < k {
		var tags []Scored
		for _, it := range sc.touched { // then items with similar tags only
			if st := sc.state[it]; st&stateSkip == 0 && st&(stateCo|statePrior) == 0 && st&stateTag != 0 {
				tags = keepBest(tags, Scored{Item: int(it), Score: tw * sc.tag[it], Source: SourceTags}, k-len(out))
			}
		}
		out = append(out, tags...)
	}
	for _, s := range out {
		sc.mark(s.Item, stateSkip)
	}
	for _, p := range g.Popular {
		if len(out) >= k {
			break
		}
		if int(p) >= 0 && int(p) < n && sc.state[p]&stateSkip == 0 {
			sc.mark(int(p), stateSkip)
			out = append(out, Scored{Item: int(p), Source: SourcePopular})
		}
	}
	return out
}

// byScore orders recommendations best first, ties to the lower item.
func byScore(a, b Scored) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item))
}

// keepBest inserts s into best (sorted by byScore, at most k long) when it is among the k best.
func keepBest(best []Scored, s Scored, k int) []Scored {
	if len(best) == k && byScore(s, best[k-1]) >= 0 {
		return best
	}
	pos, _ := slices.BinarySearchFunc(best, s, byScore)
	if len(best) == k {
		best = best[:k-1]
	}
	return slices.Insert(best, pos, s)
}

// States of an item during one Recommend call.
const (
	stateSkip  uint8 = 1 << iota // in the cart, excluded or already recommended
	stateCo                      // has a co-purchase sum
	stateTag                     // has a tag-similarity sum
	statePrior                   // has popularity lent by the prior
)

// guestScratch is one Recommend call's per-item sums; touched lists the items to reset.
type guestScratch struct {
	co, tag []float64
	state   []uint8
	touched []int32
}

func (s *guestScratch) mark(i int, bit uint8) {
	if i < 0 || i >= len(s.state) {
		return
	}
	if s.state[i] == 0 {
		s.touched = append(s.touched, int32(i))
	}
	s.state[i] |= bit
}

// scratchPool holds *guestScratch, zeroed, for any Guest (a cache like fmt's printers: sums
// are reset through touched before a scratch goes back).
var scratchPool sync.Pool

// getScratch returns zeroed sums for n items.
func getScratch(n int) *guestScratch {
	s, _ := scratchPool.Get().(*guestScratch)
	if s == nil || len(s.state) < n {
		return &guestScratch{co: make([]float64, n), tag: make([]float64, n), state: make([]uint8, n)}
	}
	s.co, s.tag, s.state = s.co[:n], s.tag[:n], s.state[:n]
	return s
}

// putScratch resets s and keeps it for the next call.
func putScratch(s *guestScratch) {
	for _, i := range s.touched {
		s.co[i], s.tag[i], s.state[i] = 0, 0, 0
	}
	s.touched = s.touched[:0]
	s.co, s.tag, s.state = s.co[:cap(s.co)], s.tag[:cap(s.tag)], s.state[:cap(s.state)]
	scratchPool.Put(s)
}
