package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/ml/gmm"
	"github.com/crumb-dev/crumb/plugins/internal/names"
)

// SegmentName is a segment's name: a key for code and filters, and the
// Korean and English names shown to people.
type SegmentName struct {
	Key string `json:"key"` // vip, loyal, regular, new, at_risk, dormant; with _high, _mid, _low when repeated
	KO  string `json:"ko"`
	EN  string `json:"en"`
}

var baseNames = map[string]SegmentName{
	"vip":     {"vip", "VIP", "VIP"},
	"loyal":   {"loyal", "단골", "Loyal"},
	"regular": {"regular", "일반", "Regular"},
	"new":     {"new", "신규", "New"},
	"at_risk": {"at_risk", "이탈 위험", "At risk"},
	"dormant": {"dormant", "휴면", "Dormant"},
}

// aliases are other words people use for a segment.
var aliases = map[string][]string{
	"vip":     {"vips", "vip고객", "최우수", "우수"},
	"loyal":   {"단골고객", "충성", "loyal customers"},
	"regular": {"일반고객", "보통"},
	"new":     {"신규고객", "새고객", "newcomers"},
	"at_risk": {"이탈", "이탈위험", "이탈위험고객", "atrisk", "churn", "churning", "risk"},
	"dormant": {"휴면고객", "inactive", "lapsed", "sleeping"},
}

// recentDays is the recency under which a component counts as recent
// whatever its rank.
const recentDays = 30

// minVIPWeight keeps a handful of outliers from being named the VIPs
// (2 of 260 customers once were) while letting a real top tier of a large
// customer base (69 of 4,334 in Online Retail) be one.
const minVIPWeight = 0.01

// nameSegments names the components from their centroids in RFM units
// (recency days, orders, spend). Each component is ranked on recency (more
// recent is higher), frequency and monetary value, as a fraction in [0, 1];
// value is the mean of the F and M ranks. Then:
//
//   - recent (recency rank ≥ 0.5, or a centroid's last order within
//     recentDays): the component of highest value, if
//     that value is ≥ 0.5, it averages 2+ orders and holds at least
//     minVIPWeight of the customers, is VIP; else a
//     component averaging under 1.5 orders, or of the lowest frequency, is
//     new; else value ≥ 0.5 is loyal; else regular.
//   - the rest: frequency rank ≥ 0.5 is at risk (bought often, not lately);
//     else dormant.
//
// Repeated names are qualified by value: high, (mid,) low.
func nameSegments(cents [][3]float64, weights []float64) []SegmentName {
	k := len(cents)
	rank := func(j int, sign float64) []float64 {
		out := make([]float64, k)
		for c := range k {
			var below, equal float64
			for o := range k {
				switch {
				case sign*cents[o][j] < sign*cents[c][j]:
					below++
				case o != c && cents[o][j] == cents[c][j]:
					equal++
				}
			}
			if k > 1 {
				out[c] = (below + equal/2) / float64(k-1)
			} else {
				out[c] = 0.5
			}
		}
		return out
	}
	rR, rF, rM := rank(0, -1), rank(1, 1), rank(2, 1)
	value := make([]float64, k)
	recent := make([]bool, k)
	vip, best := -1, -1.0
	for c := range k {
		value[c] = (rF[c] + rM[c]) / 2
		recent[c] = rR[c] >= 0.5 || cents[c][0] <= recentDays
		if recent[c] && value[c] >= 0.5 && cents[c][1] >= 2 && weights[c] >= minVIPWeight && value[c] > best {
			vip, best = c, value[c]
		}
	}
	keys := make([]string, k)
	for c := range k {
		switch {
		case recent[c] && c == vip:
			keys[c] = "vip"
		case recent[c] && (cents[c][1] < 1.5 || rF[c] == 0):
			keys[c] = "new"
		case recent[c] && value[c] >= 0.5:
			keys[c] = "loyal"
		case recent[c]:
			keys[c] = "regular"
		case rF[c] >= 0.5:
			keys[c] = "at_risk"
		default:
			keys[c] = "dormant"
		}
	}
	order := make([]int, k)
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case value[a] > value[b]:
			return -1
		case value[a] < value[b]:
			return 1
		}
		return a - b
	})
	// Components sharing a name are told apart by value: "Dormant · high
	// value" beside "Dormant · low value", rather than "Dormant 2".
	groups := map[string][]int{}
	for _, c := range order {
		groups[keys[c]] = append(groups[keys[c]], c)
	}
	out := make([]SegmentName, k)
	for key, cs := range groups {
		for i, c := range cs {
			out[c] = qualified(baseNames[key], i, len(cs))
		}
	}
	return out
}

// tiers qualify the i-th of n same-named components, best first.
var tiers = []struct{ key, ko, en string }{
	{"high", "고가치", "high value"},
	{"mid", "중간", "mid value"},
	{"low", "저가치", "low value"},
}

func qualified(n SegmentName, i, count int) SegmentName {
	if count == 1 {
		return n
	}
	t := tiers[1]
	switch {
	case i == 0:
		t = tiers[0]
	case i == count-1:
		t = tiers[2]
	}
	key, ko, en := n.Key+"_"+t.key, n.KO+" · "+t.ko, n.EN+" · "+t.en
	if t.key == "mid" && count > 3 {
		key, ko, en = fmt.Sprintf("%s_%d", key, i), fmt.Sprintf("%s %d", ko, i), fmt.Sprintf("%s %d", en, i)
	}
	return SegmentName{Key: key, KO: ko, EN: en}
}

// findSegment returns the segment that q names, in Korean or English, by
// key or alias; -1 when none does.
func findSegment(q string, segs []SegmentName) int {
	nq := names.Normalize(q)
	nq = strings.TrimSuffix(nq, "고객들")
	nq = strings.TrimSuffix(nq, "고객")
	nq = strings.TrimSuffix(nq, "customer")
	if nq == "" {
		return -1
	}
	for i, s := range segs {
		for _, n := range []string{s.Key, s.KO, s.EN} {
			if names.Normalize(n) == nq {
				return i
			}
		}
	}
	for i, s := range segs {
		if baseKey(s.Key) != s.Key {
			continue // a qualified name matches only exactly
		}
		for _, a := range aliases[s.Key] {
			if names.Normalize(a) == nq {
				return i
			}
		}
	}
	best, bestScore := -1, 0
	for i, s := range segs {
		for _, n := range append([]string{s.Key, s.KO, s.EN}, aliases[s.Key]...) {
			if sc := names.Score(nq, names.Normalize(n)); sc > bestScore {
				best, bestScore = i, sc
			}
		}
	}
	if bestScore >= 60 {
		return best
	}
	return -1
}

// Artifact is the stored model: the mixture, the scaler, the segment names
// and the assignments of the training snapshot.
type Artifact struct {
	GMM         []byte        `json:"gmm"` // gmm.Model.MarshalBinary
	Scaler      Scaler        `json:"scaler"`
	Names       []SegmentName `json:"names"`
	TrainedAsOf time.Time     `json:"trained_as_of"`
	Assignments []Assignment  `json:"assignments"`

	model *gmm.Model
}

// Assignment is one customer's segment at training time.
type Assignment struct {
	CustomerID string    `json:"customer_id"`
	Segment    int       `json:"segment"`
	Proba      []float64 `json:"proba"`
}

func (a *Artifact) marshal() ([]byte, error) {
	raw, err := a.model.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode segment model: %w", err)
	}
	a.GMM = raw
	return json.Marshal(a)
}

func decodeArtifact(data []byte) (*Artifact, error) {
	a := &Artifact{}
	if err := json.Unmarshal(data, a); err != nil {
		return nil, fmt.Errorf("decode segment model: %w", err)
	}
	a.model = &gmm.Model{}
	if err := a.model.UnmarshalBinary(a.GMM); err != nil {
		return nil, fmt.Errorf("decode segment mixture: %w", err)
	}
	if a.model.Dim() != 3 || len(a.Names) != a.model.K() {
		return nil, fmt.Errorf("decode segment model: dimension %d with %d names for %d components", a.model.Dim(), len(a.Names), a.model.K())
	}
	return a, nil
}

// Metrics are the training metrics kept as the artifact's metadata.
type Metrics struct {
	Customers int           `json:"customers"`
	K         int           `json:"k"`
	BIC       []KBIC        `json:"bic"`
	Sizes     []int         `json:"sizes"`
	Names     []SegmentName `json:"names"`
	FitMillis float64       `json:"fit_ms"`
	Seed      uint64        `json:"seed"`
}

// KBIC is the BIC of one k.
type KBIC struct {
	K   int     `json:"k"`
	BIC float64 `json:"bic"`
}
