package server

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/reco"
)

// Models is one loaded bundle, ready to answer. It never changes once built; a new bundle is a
// new Models swapped in whole.
type Models struct {
	Version   int
	SHA256    string
	CreatedAt time.Time
	LoadedAt  time.Time
	Guest     *reco.Guest
	Spec      *reco.MemberSpec
	// member is nil when the member model cannot run; MemberReason says why.
	member       *ort.Session
	MemberForm   string // int8 or float32
	MemberLevel  ort.Level
	MemberReason string
	// MemberNote says why a lower optimisation level is in use, when it is.
	MemberNote string
	// ProbeErr is the largest |ONNX − Go reference| over the probes at the level in use.
	ProbeErr float64

	// modelName is "member-" + MemberForm; versionHeader and modelHeader are the X-Crumb-Bundle
	// and X-Crumb-Model values of its answers.
	modelName     string
	versionHeader []string
	modelHeader   []string

	// use is read-locked by every request using the models; retiring them takes the write lock,
	// so the ONNX session is freed only after the last request that started before the swap.
	use    sync.RWMutex
	closed bool
}

// acquire read-locks m for a request; false when m has been retired meanwhile.
func (m *Models) acquire() bool {
	m.use.RLock()
	if m.closed {
		m.use.RUnlock()
		return false
	}
	return true
}

func (m *Models) release() { m.use.RUnlock() }

// Close waits for requests in flight and frees the ONNX session.
func (m *Models) Close() {
	if m == nil {
		return
	}
	m.use.Lock()
	defer m.use.Unlock()
	if !m.closed && m.member != nil {
		m.member.Close()
	}
	m.closed = true
}

// MemberEnabled reports whether the member model answers members.
func (m *Models) MemberEnabled() bool { return m.member != nil }

// loadModels verifies and parses a bundle. The member graph (form "int8" or "float32") is
// loaded only when ortErr is nil, and used only when it reproduces the bundle's probes: first at
// the full optimisation level, then at the basic level (the fused int8 kernels were seen to give
// wrong scores on arm64 CPUs with SVE), else not at all and guests' answers serve everyone.
// A bundle that fails verification or parsing is an error: the caller keeps the previous one.
func loadModels(data []byte, form string, ortErr error, now time.Time) (*Models, error) {
	b, err := bundle.Read(data)
	if err != nil {
		return nil, err
	}
	if err := b.Require(reco.FileGuest, reco.FileMember, reco.FileFloat, reco.FileInt8, reco.FileProbes); err != nil {
		return nil, err
	}
	m := &Models{Version: b.Manifest.Version, SHA256: b.SHA256, CreatedAt: b.Manifest.CreatedAt, LoadedAt: now, MemberForm: form,
		modelName: "member-" + form, versionHeader: []string{strconv.Itoa(b.Manifest.Version)}, modelHeader: []string{"member-" + form}}
	if m.Guest, err = reco.ParseGuest(b.Files[reco.FileGuest]); err != nil {
		return nil, fmt.Errorf("bundle version %d: %w", m.Version, err)
	}
	if m.Spec, err = reco.ParseMemberSpec(b.Files[reco.FileMember]); err != nil {
		return nil, fmt.Errorf("bundle version %d: %w", m.Version, err)
	}
	probes, err := reco.ParseProbes(b.Files[reco.FileProbes])
	if err != nil {
		return nil, fmt.Errorf("bundle version %d: %w", m.Version, err)
	}
	if ortErr != nil {
		m.MemberReason = "ONNX Runtime unavailable: " + ortErr.Error()
		return m, nil
	}
	graph := b.Files[reco.FileInt8]
	if form == "float32" {
		graph = b.Files[reco.FileFloat]
	}
	var reasons []string
	for _, level := range []ort.Level{ort.LevelAll, ort.LevelBasic} {
		s, err := ort.NewSession(graph, reco.MemberInputs, []string{reco.MemberOutput}, ort.Options{Level: level})
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: %v", level, err))
			continue
		}
		worst, err := checkProbes(s, probes, form, len(m.Spec.Items))
		if err == nil {
			m.member, m.MemberLevel, m.ProbeErr = s, level, worst
			if len(reasons) > 0 {
				m.MemberNote = fmt.Sprintf("optimisation level %s disagreed with the Go reference (%s), so the %s graph runs at level %s", ort.LevelAll, reasons[0], form, level)
			}
			return m, nil
		}
		s.Close()
		reasons = append(reasons, fmt.Sprintf("%s: %v", level, err))
	}
	m.MemberReason = fmt.Sprintf("member model (%s) disabled: %v", form, reasons)
	return m, nil
}

// probeTolerance is how far ONNX Runtime may be from the Go reference on a probe: float32
// rounding (scores of order 10 differ in the sixth digit), far below what a broken kernel gives.
func probeTolerance(scale float64) float64 { return 1e-3 + 1e-4*scale }

// checkProbes runs every probe and compares the scores with the reference ones.
func checkProbes(s *ort.Session, probes []reco.Probe, form string, items int) (float64, error) {
	if len(probes) == 0 {
		return 0, fmt.Errorf("the bundle has no probes to check the runtime against")
	}
	worst := 0.0
	for i, p := range probes {
		scores, err := runQuery(s, p.Query)
		if err != nil {
			return 0, err
		}
		if len(scores) != items {
			return 0, fmt.Errorf("probe %d: %d scores, the bundle has %d items", i, len(scores), items)
		}
		want := p.Int8
		if form == "float32" {
			want = p.Float
		}
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		for k, j := range p.Items {
			if j < 0 || j >= len(scores) {
				return 0, fmt.Errorf("probe %d: item %d out of range", i, j)
			}
			d := math.Abs(float64(scores[j] - want[k]))
			if math.IsNaN(d) || d > probeTolerance(scale) {
				return 0, fmt.Errorf("probe %d item %d: ONNX Runtime gives %g, the Go reference %g", i, j, scores[j], want[k])
			}
			worst = math.Max(worst, d)
		}
	}
	return worst, nil
}

// batch1 is the shape of the member graphs' per-member inputs at batch 1 (read only).
var batch1 = []int64{1}

// runQuery scores one member query at batch 1.
func runQuery(s *ort.Session, q reco.MemberQuery) ([]float32, error) {
	user, gender, age := [1]int64{q.User}, [1]int64{q.Gender}, [1]int64{q.AgeBand}
	ctx := [2]int64{1, int64(len(q.Context))}
	out, _, err := s.Run([]ort.Input{
		{Shape: batch1, Int64: user[:]},
		{Shape: batch1, Int64: gender[:]},
		{Shape: batch1, Int64: age[:]},
		{Shape: ctx[:], Int64: q.Context},
		{Shape: ctx[:], Int64: q.Kinds},
	})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Answer is a recommendation and the model that made it.
type Answer struct {
	UserID          string
	Recommendations []string
	Model           string // guest, member-int8 or member-float32
}

// Recommend answers one request: the member model for a known member when it runs, else the
// guest model. Cart and wishlist items are never recommended.
func (m *Models) Recommend(r reco.Request, k int) (Answer, error) {
	if r.UserID != "" && m.member != nil {
		if q, known := m.Spec.Query(r); known {
			scores, err := runQuery(m.member, q)
			if err != nil {
				return Answer{}, fmt.Errorf("member model: %w", err)
			}
			// The member's own repeat purchases, as the plugin ranks them.
			m.Spec.AddRepeat(r.UserID, scores)
			excl := make(map[int]bool, len(r.Cart)+len(r.Wishlist))
			for _, l := range [][]string{r.Cart, r.Wishlist} {
				for _, id := range l {
					if c, ok := m.Spec.Item(id); ok {
						excl[c] = true
					}
				}
			}
			top := reco.TopK(scores, excl, k)
			a := Answer{UserID: r.UserID, Model: m.modelName, Recommendations: make([]string, 0, len(top))}
			for _, s := range top {
				a.Recommendations = append(a.Recommendations, m.Spec.Items[s.Item])
			}
			return a, nil
		}
	}
	var cart, excl []int
	if len(r.Cart) > 0 {
		cart = make([]int, 0, len(r.Cart))
	}
	for _, id := range r.Cart {
		if i, ok := m.Guest.Index(id); ok {
			cart = append(cart, i)
		}
	}
	for _, id := range r.Wishlist {
		if i, ok := m.Guest.Index(id); ok {
			excl = append(excl, i)
		}
	}
	top := m.Guest.Recommend(cart, excl, k)
	a := Answer{UserID: "guest", Model: "guest", Recommendations: make([]string, 0, len(top))}
	for _, s := range top {
		a.Recommendations = append(a.Recommendations, m.Guest.Items[s.Item].ID)
	}
	return a, nil
}
