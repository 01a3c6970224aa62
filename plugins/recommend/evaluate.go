package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/ml/twotower"
	"github.com/crumb-dev/crumb/tools"
)

// EvalIn are evaluate's arguments.
type EvalIn struct {
	Seed   uint64 `json:"seed,omitempty" jsonschema:"seed of the held-out item choice and of training (default 1)"`
	Epochs int    `json:"epochs,omitempty" jsonschema:"member model epochs (default: chosen by validation HR@10 on each member's last training basket, up to 6)"`
	// Training settings to compare against the defaults; zero keeps the default.
	Dim         int     `json:"dim,omitempty" jsonschema:"embedding size (default 32)"`
	LR          float32 `json:"lr,omitempty" jsonschema:"Adagrad learning rate (default 0.05)"`
	L2          float32 `json:"l2,omitempty" jsonschema:"L2 penalty (default 1e-6)"`
	UserDropout float32 `json:"user_dropout,omitempty" jsonschema:"share of examples trained as the unknown member (default 0.1)"`
}

// Score is one method's hit rate and reciprocal rank at 10.
type Score struct {
	Method       string  `json:"method"`
	HR10         float64 `json:"hr10"`
	MRR10        float64 `json:"mrr10"`
	VsPopularity float64 `json:"vs_popularity"` // relative HR@10 change against popularity
}

// ONNXCheck compares ONNX Runtime with the Go reference on every test case.
type ONNXCheck struct {
	Runtime string `json:"runtime,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	// FloatMaxAbsErr is the largest |ONNX float − Go float| over all scores of all cases.
	FloatMaxAbsErr float64 `json:"float_max_abs_err"`
	// Int8MaxAbsErr is the largest |ONNX int8 − Go int8 reference|.
	Int8MaxAbsErr float64 `json:"int8_max_abs_err"`
	// Int8SameTop10 is the share of cases whose int8 top 10 (ONNX) is the float top 10 (ONNX).
	Int8SameTop10 float64 `json:"int8_same_top10"`
	// Int8Overlap10 is the mean share of the float top 10 that the int8 top 10 holds.
	Int8Overlap10 float64 `json:"int8_overlap10"`
	Level         string  `json:"level"`
}

// EvalOut is evaluate's result.
type EvalOut struct {
	Protocol     string  `json:"protocol"`
	Members      int     `json:"members"`
	Baskets      int     `json:"baskets"`
	Items        int     `json:"items"`
	Cases        int     `json:"cases"`
	KnownMembers int     `json:"known_members"` // cases whose member the member model knows
	Scores       []Score `json:"scores"`
	// Int8SameTop10Go is the share of cases whose int8 top 10 equals the float top 10 in the
	// pure-Go reference.
	Int8SameTop10Go float64 `json:"int8_same_top10_go"`
	Int8Overlap10Go float64 `json:"int8_overlap10_go"`
	// Gap10 are percentiles (10th, 50th) of the float score gap between the 10th and the 11th
	// item: how close the ties are that int8 rounding can swap.
	Gap10     [2]float64     `json:"gap10"`
	ONNX      ONNXCheck      `json:"onnx"`
	Train     twotower.Stats `json:"train"`
	Selection *Selection     `json:"epoch_selection,omitempty"`
	// GuestPrior is the co-purchase prior the guest model chose on validation.
	GuestPrior float32 `json:"guest_prior"`
	// Signal is how much the history holds beyond popularity, against shuffled copies.
	Signal       Signal  `json:"signal"`
	TrainSeconds float64 `json:"train_seconds"`
	Seconds      float64 `json:"seconds"`
}

const evalProtocol = "each member's last basket is left out of training; for those with at least 2 distinct items one item (seeded) is held out, the rest is the cart; hit when the held-out item is among the 10 recommendations (cart items never recommended)"

// evalCase is one held-out item.
type evalCase struct {
	member string
	cart   []int32
	target int32
}

func (p *recommender) evaluate(ctx context.Context, call *tools.Call, in EvalIn) (*EvalOut, error) {
	start := time.Now()
	seed := in.Seed
	if seed == 0 {
		seed = 1
	}
	h, err := loadHistory(ctx, call.Host, time.Time{}, nil)
	if err != nil {
		return nil, err
	}
	if len(h.baskets) == 0 {
		return nil, tools.Failf("no member orders to evaluate on: import a dataset with orders (crumb import groceries DIR)")
	}
	// Leave each member's last basket out.
	r := rand.New(rand.NewPCG(seed, 0xe7a1))
	s := split{byMember: map[string][]int{}, first: map[string]int{}}
	var train []basket
	var cases []evalCase
	for _, id := range h.members(nil) {
		bs := h.byMember[id]
		last := h.baskets[bs[len(bs)-1]]
		s.byMember[id] = bs[:len(bs)-1]
		for _, b := range bs[:len(bs)-1] {
			train = append(train, h.baskets[b])
		}
		if len(last.items) < 2 {
			continue
		}
		t := last.items[r.IntN(len(last.items))]
		cart := slices.DeleteFunc(slices.Clone(last.items), func(x int32) bool { return x == t })
		cases = append(cases, evalCase{member: id, cart: cart, target: t})
	}
	if len(cases) == 0 || len(train) == 0 {
		return nil, tools.Failf("too few baskets to evaluate: need members with at least two baskets")
	}
	out := &EvalOut{Protocol: evalProtocol, Members: len(h.byMember), Baskets: len(h.baskets), Items: len(h.products), Cases: len(cases)}
	out.Signal = measureSignal(h.baskets, len(h.products), signalShuffles, seed)

	guest := buildGuest(h, train)
	out.GuestPrior = guest.Prior
	cfg := twotower.DefaultConfig()
	cfg.Seed = seed
	if in.Epochs > 0 {
		cfg.Epochs = in.Epochs
	}
	if in.Dim > 0 {
		cfg.Dim = in.Dim
	}
	if in.LR > 0 {
		cfg.LR = in.LR
	}
	if in.L2 > 0 {
		cfg.L2 = in.L2
	}
	if in.UserDropout > 0 {
		cfg.UserDropout = in.UserDropout
	}
	t0 := time.Now()
	if in.Epochs == 0 {
		sel, err := chooseEpochs(h, s, cfg)
		if err != nil {
			return nil, err
		}
		cfg.Epochs, out.Selection = sel.Epochs, &sel
	}
	mm, st, err := trainMember(h, s, cfg)
	if err != nil {
		return nil, err
	}
	if out.Selection != nil {
		mm.repeat = out.Selection.Repeat
	}
	out.Train, out.TrainSeconds = st, time.Since(t0).Seconds()
	spec := mm.spec(h, s)
	q := mm.m.Quantize()

	count := make([]int32, len(h.products))
	for _, b := range train {
		for _, it := range b.items {
			count[it]++
		}
	}
	popular := popularity(count, len(count))

	type acc struct{ hits, rr float64 }
	var pop, gst, mf, mq acc
	rank := func(a *acc, items []int, target int32) {
		for i, it := range items {
			if i >= 10 {
				break
			}
			if int32(it) == target {
				a.hits++
				a.rr += 1 / float64(i+1)
				return
			}
		}
	}
	ids := func(items []int32) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = h.products[it].ID
		}
		return out
	}
	var sameGo int
	var overlapGo float64
	var gaps []float64
	queries := make([]reco.MemberQuery, len(cases))
	for ci, c := range cases {
		excl := map[int]bool{}
		cartInts := make([]int, len(c.cart))
		for i, it := range c.cart {
			excl[int(it)] = true
			cartInts[i] = int(it)
		}
		var top []int
		for _, p := range popular {
			if len(top) == 10 {
				break
			}
			if !excl[int(p)] {
				top = append(top, int(p))
			}
		}
		rank(&pop, top, c.target)
		rank(&gst, items(guest.Recommend(cartInts, nil, 10)), c.target)
		query, known := spec.Query(reco.Request{UserID: c.member, Cart: ids(c.cart)})
		if known {
			out.KnownMembers++
		}
		queries[ci] = query
		fs, err := mm.m.Scores(input(query))
		if err != nil {
			return nil, err
		}
		qs, err := q.Scores(input(query))
		if err != nil {
			return nil, err
		}
		spec.AddRepeat(c.member, fs)
		spec.AddRepeat(c.member, qs)
		f11 := reco.TopK(fs, excl, 11)
		if len(f11) == 11 {
			gaps = append(gaps, f11[9].Score-f11[10].Score)
		}
		ft, qt := items(f11[:min(10, len(f11))]), items(reco.TopK(qs, excl, 10))
		rank(&mf, ft, c.target)
		rank(&mq, qt, c.target)
		if sameSet(ft, qt) {
			sameGo++
		}
		overlapGo += overlap(ft, qt)
	}
	n := float64(len(cases))
	popHR := pop.hits / n
	add := func(name string, a acc) {
		sc := Score{Method: name, HR10: a.hits / n, MRR10: a.rr / n}
		if popHR > 0 {
			sc.VsPopularity = sc.HR10/popHR - 1
		}
		out.Scores = append(out.Scores, sc)
	}
	add("popularity", pop)
	add("guest (co-purchase + TF-IDF)", gst)
	add("member two-tower float32 (Go)", mf)
	add("member two-tower int8 (Go reference)", mq)
	out.Int8SameTop10Go = float64(sameGo) / n
	out.Int8Overlap10Go = overlapGo / n
	if len(gaps) > 0 {
		slices.Sort(gaps)
		out.Gap10 = [2]float64{gaps[len(gaps)/10], gaps[len(gaps)/2]}
	}

	out.ONNX = p.onnxCheck(mm, q, spec, cases, queries, func(name string, a [2]float64) { add(name, acc{a[0], a[1]}) })
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// onnxCheck runs both exported graphs on every case through ONNX Runtime (when it loads) and
// compares them with the Go reference; report adds the ONNX rows to the table.
func (p *recommender) onnxCheck(mm *member, q *twotower.Quantized, spec *reco.MemberSpec, cases []evalCase, queries []reco.MemberQuery, report func(string, [2]float64)) ONNXCheck {
	var chk ONNXCheck
	if err := ort.Init(ort.LibPath("")); err != nil {
		chk.Skipped = err.Error()
		return chk
	}
	chk.Runtime = ort.Version()
	fg, err := mm.m.ONNX(false, "eval")
	if err != nil {
		chk.Skipped = err.Error()
		return chk
	}
	qg, err := mm.m.ONNX(true, "eval")
	if err != nil {
		chk.Skipped = err.Error()
		return chk
	}
	chk.Level = ort.LevelAll.String()
	fs, err := ort.NewSession(fg, reco.MemberInputs, []string{reco.MemberOutput}, ort.Options{Level: ort.LevelAll})
	if err != nil {
		chk.Skipped = err.Error()
		return chk
	}
	defer fs.Close()
	qs, err := ort.NewSession(qg, reco.MemberInputs, []string{reco.MemberOutput}, ort.Options{Level: ort.LevelAll})
	if err != nil {
		chk.Skipped = err.Error()
		return chk
	}
	defer qs.Close()
	var fa, qa [2]float64
	same := 0
	for ci, c := range cases {
		query := queries[ci]
		excl := map[int]bool{}
		for _, it := range c.cart {
			excl[int(it)] = true
		}
		fo, err := runMember(fs, query)
		if err != nil {
			chk.Skipped = err.Error()
			return chk
		}
		qo, err := runMember(qs, query)
		if err != nil {
			chk.Skipped = err.Error()
			return chk
		}
		fref, _ := mm.m.Scores(input(query))
		qref, _ := q.Scores(input(query))
		for j := range fref {
			chk.FloatMaxAbsErr = math.Max(chk.FloatMaxAbsErr, math.Abs(float64(fo[j]-fref[j])))
			chk.Int8MaxAbsErr = math.Max(chk.Int8MaxAbsErr, math.Abs(float64(qo[j]-qref[j])))
		}
		// The graphs are compared raw above; what is ranked is the served score, with the
		// member's repeat-purchase blend added (reco.MemberSpec.AddRepeat) as the plugin adds it.
		spec.AddRepeat(c.member, fo)
		spec.AddRepeat(c.member, qo)
		ft, qt := items(reco.TopK(fo, excl, 10)), items(reco.TopK(qo, excl, 10))
		if sameSet(ft, qt) {
			same++
		}
		chk.Int8Overlap10 += overlap(ft, qt) / float64(len(cases))
		for k, it := range ft {
			if int32(it) == c.target {
				fa[0]++
				fa[1] += 1 / float64(k+1)
			}
		}
		for k, it := range qt {
			if int32(it) == c.target {
				qa[0]++
				qa[1] += 1 / float64(k+1)
			}
		}
	}
	chk.Int8SameTop10 = float64(same) / float64(len(cases))
	report("member two-tower float32 (ONNX Runtime)", fa)
	report("member two-tower int8 (ONNX Runtime)", qa)
	return chk
}

// runMember runs a member graph at batch 1.
func runMember(s *ort.Session, q reco.MemberQuery) ([]float32, error) {
	L := int64(len(q.Context))
	out, _, err := s.Run([]ort.Input{
		{Shape: []int64{1}, Int64: []int64{q.User}},
		{Shape: []int64{1}, Int64: []int64{q.Gender}},
		{Shape: []int64{1}, Int64: []int64{q.AgeBand}},
		{Shape: []int64{1, L}, Int64: q.Context},
		{Shape: []int64{1, L}, Int64: q.Kinds},
	})
	if err != nil {
		return nil, fmt.Errorf("run member graph: %w", err)
	}
	return out[0], nil
}

func items(s []reco.Scored) []int {
	out := make([]int, len(s))
	for i, x := range s {
		out[i] = x.Item
	}
	return out
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// overlap is the share of a's items that b holds.
func overlap(a, b []int) float64 {
	if len(a) == 0 {
		return 1
	}
	n := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			n++
		}
	}
	return float64(n) / float64(len(a))
}
