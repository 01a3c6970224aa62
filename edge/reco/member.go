package reco

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MemberSpec is member.json: what a runtime needs around the member graphs.
type MemberSpec struct {
	// Items are the item ids in the order of the graphs' score columns.
	Items []string `json:"items"`
	// Users are the members the model knows; index 0 is the unknown member.
	Users      []User `json:"users"`
	ContextLen int    `json:"context_len"`
	// KindWeights weigh context items by kind (pad, purchased, wishlist, cart); the graphs hold
	// them too.
	KindWeights []float32 `json:"kind_weights"`
	// AgeBands are the lower bounds of the age bands 1, 2, …: an age below the second bound is
	// band 1; 0 is unknown.
	AgeBands []int `json:"age_bands"`
	Dim      int   `json:"dim"`
	// RepeatWeight scales each member's repeat-purchase score (User.RepeatScores) added to the
	// graphs' scores outside the graphs (AddRepeat); 0 leaves the graph scores as they are.
	RepeatWeight float32 `json:"repeat_weight,omitempty"`
	// RepeatDecay is the per-basket recency decay the repeat scores were built with (for the
	// record; the scores in the bundle already carry it).
	RepeatDecay float32 `json:"repeat_decay,omitempty"`

	items map[string]int
	users map[string]int
}

// User is one member's lookups.
type User struct {
	ID      string `json:"id"`
	Index   int    `json:"index"`
	Gender  int    `json:"gender,omitempty"`
	AgeBand int    `json:"age_band,omitempty"`
	// Recent are the member's last purchased items (item indices), most recent first.
	Recent []int32 `json:"recent,omitempty"`
	// RepeatItems and RepeatScores are the member's own past items with their recency-decayed
	// purchase frequency (share of the member's baskets holding the item, each basket weighted
	// by decay^age), best first; only set when the spec's RepeatWeight is.
	RepeatItems  []int32   `json:"repeat_items,omitempty"`
	RepeatScores []float32 `json:"repeat_scores,omitempty"`
}

// ParseMemberSpec decodes and checks member.json.
func ParseMemberSpec(data []byte) (*MemberSpec, error) {
	var s MemberSpec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", FileMember, err)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Check verifies the spec and builds its indexes.
func (s *MemberSpec) Check() error {
	if s.ContextLen < 1 || s.ContextLen > 64 || len(s.KindWeights) != 4 || len(s.Items) == 0 {
		return fmt.Errorf("%s: context_len %d, %d kind weights, %d items: want 1–64, 4, some", FileMember, s.ContextLen, len(s.KindWeights), len(s.Items))
	}
	s.items = make(map[string]int, len(s.Items))
	for i, id := range s.Items {
		if _, dup := s.items[id]; dup {
			return fmt.Errorf("%s: item %q twice", FileMember, id)
		}
		s.items[id] = i
	}
	s.users = make(map[string]int, len(s.Users))
	for i, u := range s.Users {
		if _, dup := s.users[u.ID]; dup || u.ID == "" || u.Index < 1 {
			return fmt.Errorf("%s: user %d (%q, index %d): ids must be unique and indices ≥ 1", FileMember, i, u.ID, u.Index)
		}
		for _, r := range u.Recent {
			if r < 0 || int(r) >= len(s.Items) {
				return fmt.Errorf("%s: user %q has recent item %d out of range", FileMember, u.ID, r)
			}
		}
		if len(u.RepeatItems) != len(u.RepeatScores) {
			return fmt.Errorf("%s: user %q has %d repeat items and %d repeat scores", FileMember, u.ID, len(u.RepeatItems), len(u.RepeatScores))
		}
		for _, r := range u.RepeatItems {
			if r < 0 || int(r) >= len(s.Items) {
				return fmt.Errorf("%s: user %q has repeat item %d out of range", FileMember, u.ID, r)
			}
		}
		s.users[u.ID] = i
	}
	if s.RepeatWeight < 0 {
		return fmt.Errorf("%s: repeat_weight %g is negative", FileMember, s.RepeatWeight)
	}
	return nil
}

// AddRepeat adds RepeatWeight × the member's repeat-purchase score to the graph scores of a
// known member (in place); unknown members and a zero weight leave scores alone. The plugin,
// the evaluation and crumb-edge call it after the member graph so they rank alike.
func (s *MemberSpec) AddRepeat(userID string, scores []float32) {
	if s.RepeatWeight == 0 {
		return
	}
	u, ok := s.User(userID)
	if !ok {
		return
	}
	for i, it := range u.RepeatItems {
		if int(it) < len(scores) {
			scores[it] += s.RepeatWeight * u.RepeatScores[i]
		}
	}
}

// Item returns the score column of item id.
func (s *MemberSpec) Item(id string) (int, bool) {
	if s.items == nil {
		s.Check()
	}
	i, ok := s.items[id]
	return i, ok
}

// User returns a known member.
func (s *MemberSpec) User(id string) (*User, bool) {
	if s.users == nil {
		s.Check()
	}
	i, ok := s.users[id]
	if !ok {
		return nil, false
	}
	return &s.Users[i], true
}

// AgeBand maps an age in years to a band (1 …), 0 for a negative age.
func (s *MemberSpec) AgeBand(age int) int {
	if age < 0 || len(s.AgeBands) == 0 {
		return 0
	}
	band := 1
	for i, lo := range s.AgeBands {
		if age >= lo {
			band = i + 1
		}
	}
	return band
}

// ParseAgeBand maps a label like "30s" to its band among bounds, 0 when it does not fit.
func ParseAgeBand(bounds []int, label string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(label), "s"))
	if err != nil {
		return 0
	}
	if i := slices.Index(bounds, n); i >= 0 {
		return i + 1
	}
	return 0
}

// ParseGender maps "M"/"F" (any case) to the model's codes.
func ParseGender(g string) int {
	switch strings.ToUpper(strings.TrimSpace(g)) {
	case "M", "MALE":
		return GenderMale
	case "F", "FEMALE":
		return GenderFemale
	}
	return GenderUnknown
}

// MemberQuery is one row of the member graphs' inputs.
type MemberQuery struct {
	User    int64   `json:"user"`
	Gender  int64   `json:"gender"`
	AgeBand int64   `json:"age_band"`
	Context []int64 `json:"context"`
	Kinds   []int64 `json:"context_kind"`
}

// Request is what a caller knows of a member: gender (0 male, 1 female) and age override the
// stored ones when set; cart and wishlist are item ids, unknown ones ignored.
type Request struct {
	UserID   string
	Gender   *int
	Age      *int
	Cart     []string
	Wishlist []string
}

// Query builds the graphs' inputs for a request and reports whether the member is known.
// Context slots are filled with the cart (last added first), then the wishlist, then the
// member's recent purchases, skipping repeats, up to ContextLen; the rest is padding.
func (s *MemberSpec) Query(r Request) (MemberQuery, bool) {
	q := MemberQuery{Context: make([]int64, s.ContextLen), Kinds: make([]int64, s.ContextLen)}
	u, known := s.User(r.UserID)
	var recent []int32
	if known {
		q.User, q.Gender, q.AgeBand, recent = int64(u.Index), int64(u.Gender), int64(u.AgeBand), u.Recent
	}
	if r.Gender != nil {
		switch *r.Gender {
		case 0:
			q.Gender = GenderMale
		case 1:
			q.Gender = GenderFemale
		}
	}
	if r.Age != nil {
		q.AgeBand = int64(s.AgeBand(*r.Age))
	}
	n := 0
	seen := map[int]bool{}
	add := func(item int, kind int64) {
		if n < s.ContextLen && !seen[item] {
			seen[item] = true
			q.Context[n], q.Kinds[n] = int64(item), kind
			n++
		}
	}
	for i := len(r.Cart) - 1; i >= 0; i-- {
		if it, ok := s.Item(r.Cart[i]); ok {
			add(it, KindCart)
		}
	}
	for i := len(r.Wishlist) - 1; i >= 0; i-- {
		if it, ok := s.Item(r.Wishlist[i]); ok {
			add(it, KindWishlist)
		}
	}
	for _, it := range recent {
		add(int(it), KindPurchased)
	}
	return q, known
}

// TopK returns the k best-scoring columns, skipping exclude, best first (ties to the lower
// column).
func TopK(scores []float32, exclude map[int]bool, k int) []Scored {
	out := make([]Scored, 0, k+1)
	for i, s := range scores {
		if exclude[i] {
			continue
		}
		if len(out) == k && float64(s) <= out[k-1].Score {
			continue
		}
		pos, _ := slices.BinarySearchFunc(out, Scored{Item: i, Score: float64(s)}, func(a, b Scored) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item))
		})
		out = slices.Insert(out, pos, Scored{Item: i, Score: float64(s), Source: SourceMember})
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// Probe is a member query with the pure-Go reference scores of some items under both graphs.
type Probe struct {
	Query MemberQuery `json:"query"`
	Items []int       `json:"items"`
	Float []float32   `json:"float"`
	Int8  []float32   `json:"int8"`
}

// ParseProbes decodes probes.json.
func ParseProbes(data []byte) ([]Probe, error) {
	var p []Probe
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", FileProbes, err)
	}
	for i, pr := range p {
		if len(pr.Items) != len(pr.Float) || len(pr.Items) != len(pr.Int8) {
			return nil, fmt.Errorf("%s: probe %d has %d items, %d float and %d int8 scores", FileProbes, i, len(pr.Items), len(pr.Float), len(pr.Int8))
		}
	}
	return p, nil
}
