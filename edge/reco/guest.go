package reco

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
// cart or in exclude are never returned.
func (g *Guest) Recommend(cart, exclude []int, k int) []Scored {
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
