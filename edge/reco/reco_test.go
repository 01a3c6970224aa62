package reco

import (
	"encoding/json"
	"reflect"
	"testing"
)

func guestFixture(t *testing.T) *Guest {
	t.Helper()
	g := &Guest{
		Items: []Item{{ID: "croissant"}, {ID: "latte"}, {ID: "jam"}, {ID: "butter"}, {ID: "baguette"}, {ID: "bagel"}},
		// latte and jam go with croissants; butter with baguettes.
		Co:        [][]Neighbor{{{1, 0.5}, {2, 0.3}}, {{0, 0.4}}, {{0, 0.6}}, {{4, 0.7}}, {{3, 0.5}}, {}},
		Similar:   [][]Neighbor{{{5, 0.9}, {2, 0.2}}, {}, {}, {}, {{5, 0.4}}, {{0, 0.9}, {4, 0.4}}},
		Popular:   []int32{4, 0, 1, 3, 2, 5},
		TagWeight: 0.5,
	}
	if err := g.Check(); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGuestRecommend(t *testing.T) {
	g := guestFixture(t)
	items := func(s []Scored) []int {
		var out []int
		for _, x := range s {
			out = append(out, x.Item)
		}
		return out
	}
	// Croissant: co-purchase latte 0.5, jam 0.3 + 0.5×0.2; then bagel by tags; then popular.
	got := g.Recommend([]int{0}, nil, 4)
	if want := []int{1, 2, 5, 4}; !reflect.DeepEqual(items(got), want) {
		t.Errorf("Recommend(croissant) = %v, want %v", got, want)
	}
	if got[0].Source != SourceCoPurchase || got[2].Source != SourceTags || got[3].Source != SourcePopular {
		t.Errorf("sources = %+v", got)
	}
	if d := got[1].Score - 0.4; d > 1e-6 || d < -1e-6 {
		t.Errorf("jam's score = %g, want co 0.3 + 0.5 × tag 0.2", got[1].Score)
	}
	// Cart and exclusions never come back, even from popularity.
	for _, s := range g.Recommend([]int{0, 4}, []int{1}, 10) {
		if s.Item == 0 || s.Item == 4 || s.Item == 1 {
			t.Errorf("recommended cart or excluded item %d", s.Item)
		}
	}
	// An empty cart is popularity.
	if got := items(g.Recommend(nil, nil, 3)); !reflect.DeepEqual(got, []int{4, 0, 1}) {
		t.Errorf("empty cart = %v, want the most popular", got)
	}
}

func TestGuestJSON(t *testing.T) {
	g := guestFixture(t)
	data, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseGuest(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Co, g.Co) {
		t.Errorf("co lists changed: %v", back.Co)
	}
	bad := *g
	bad.Co = [][]Neighbor{{{99, 1}}, {}, {}, {}, {}, {}}
	if err := bad.Check(); err == nil {
		t.Error("a neighbour out of range passed Check")
	}
}

func TestMemberQuery(t *testing.T) {
	s := &MemberSpec{
		Items: []string{"a", "b", "c", "d", "e"}, ContextLen: 4, KindWeights: []float32{0, 0.5, 0.8, 1},
		AgeBands: []int{10, 20, 30, 40, 50, 60},
		Users:    []User{{ID: "12345", Index: 1, Gender: GenderFemale, AgeBand: 3, Recent: []int32{4, 0, 1}}},
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	q, known := s.Query(Request{UserID: "12345", Cart: []string{"a", "zzz", "c"}, Wishlist: []string{"c", "d"}})
	if !known {
		t.Fatal("member 12345 not known")
	}
	want := MemberQuery{User: 1, Gender: GenderFemale, AgeBand: 3,
		Context: []int64{2, 0, 3, 4}, Kinds: []int64{KindCart, KindCart, KindWishlist, KindPurchased}}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query = %+v, want %+v", q, want)
	}
	male, age := 0, 67
	q, known = s.Query(Request{UserID: "nobody", Gender: &male, Age: &age})
	if known || q.User != 0 || q.Gender != GenderMale || q.AgeBand != 6 || q.Kinds[0] != KindPad {
		t.Errorf("unknown member query = %+v, known %v", q, known)
	}
	if b := s.AgeBand(5); b != 1 {
		t.Errorf("age 5 → band %d, want 1", b)
	}
	if b := ParseAgeBand(s.AgeBands, "30s"); b != 3 {
		t.Errorf("30s → band %d, want 3", b)
	}
}

func TestTopK(t *testing.T) {
	scores := []float32{0.1, 0.9, 0.5, 0.9, 0.3, 0.7}
	got := TopK(scores, map[int]bool{5: true}, 3)
	var items []int
	for _, s := range got {
		items = append(items, s.Item)
	}
	if !reflect.DeepEqual(items, []int{1, 3, 2}) {
		t.Errorf("TopK = %v, want [1 3 2] (ties to the lower column, 5 excluded)", items)
	}
}

func TestAddRepeat(t *testing.T) {
	s := &MemberSpec{Items: []string{"a", "b", "c"}, ContextLen: 2, KindWeights: []float32{0, 0.5, 0.8, 1},
		Users: []User{{ID: "m1", Index: 1, RepeatItems: []int32{2, 0}, RepeatScores: []float32{0.5, 0.25}}}}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	scores := []float32{1, 1, 1}
	s.AddRepeat("m1", scores) // weight 0: the graph alone
	if !reflect.DeepEqual(scores, []float32{1, 1, 1}) {
		t.Errorf("weight 0 changed scores: %v", scores)
	}
	s.RepeatWeight = 2
	s.AddRepeat("m1", scores)
	if want := []float32{1.5, 1, 2}; !reflect.DeepEqual(scores, want) {
		t.Errorf("AddRepeat(m1) = %v, want %v", scores, want)
	}
	s.AddRepeat("stranger", scores)
	if want := []float32{1.5, 1, 2}; !reflect.DeepEqual(scores, want) {
		t.Errorf("an unknown member changed scores: %v", scores)
	}
	// Round trip through member.json keeps the blend.
	data, _ := json.Marshal(s)
	back, err := ParseMemberSpec(data)
	if err != nil || back.RepeatWeight != 2 || !reflect.DeepEqual(back.Users[0].RepeatItems, []int32{2, 0}) {
		t.Errorf("round trip: %+v %v", back, err)
	}
	for _, bad := range []User{
		{ID: "m1", Index: 1, RepeatItems: []int32{2}, RepeatScores: []float32{0.5, 0.1}},
		{ID: "m1", Index: 1, RepeatItems: []int32{3}, RepeatScores: []float32{0.5}},
	} {
		b := *s
		b.Users = []User{bad}
		if err := b.Check(); err == nil {
			t.Errorf("Check accepted %+v", bad)
		}
	}
	neg := *s
	neg.RepeatWeight = -1
	if err := neg.Check(); err == nil {
		t.Error("Check accepted a negative repeat weight")
	}
}
