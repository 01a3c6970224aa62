package forest

import (
	"cmp"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// node is one node of a tree, 16 bytes so that four share a cache line.
type node struct {
	// thr is the split threshold of an internal node (go left when
	// x[feat] <= thr) and the prediction of a leaf.
	thr float64
	// feat is the split feature, or -1 for a leaf.
	feat int32
	// left is the index of the left child; the right child follows it.
	left int32
}

// tree is one regression tree stored as a flat array, root first.
type tree struct {
	nodes []node
	// count holds the number of distinct training rows that reached each
	// node.
	count []uint32
}

// predict returns the tree's prediction for x.
func (t *tree) predict(x []float64) float64 {
	nodes := t.nodes
	i := 0
	for {
		nd := &nodes[i]
		if nd.feat < 0 {
			return nd.thr
		}
		// Branch-free step: which way a row goes is unpredictable.
		var right int32
		if x[nd.feat] > nd.thr {
			right = 1
		}
		i = int(nd.left + right)
	}
}

// lanes is how many rows predictLanes walks down a tree side by side, so
// that their memory accesses overlap.
const lanes = 16

// predictLanes adds the tree's prediction for each row of X to out.
func (t *tree) predictLanes(X [][]float64, out []float64) {
	nodes := t.nodes
	out = out[:len(X)]
	n := len(X) / lanes * lanes
	for base := 0; base < n; base += lanes {
		xs := X[base : base+lanes : base+lanes]
		var at [lanes]int32
		for {
			moved := false
			for j, x := range xs {
				nd := &nodes[at[j]]
				if nd.feat < 0 {
					continue
				}
				var right int32
				if x[nd.feat] > nd.thr {
					right = 1
				}
				at[j] = nd.left + right
				moved = true
			}
			if !moved {
				break
			}
		}
		for j, a := range at {
			out[base+j] += nodes[a].thr
		}
	}
	for r := n; r < len(X); r++ {
		out[r] += t.predict(X[r])
	}
}

// sample is the contribution of one training row to a histogram bin: its
// bootstrap weight times its centred target, and its weight and row count
// packed as weight<<32 | 1 so one integer add accumulates both.
type sample struct {
	v float64
	c uint64
}

// entry is one histogram bin, or the totals of a node: a sum of samples.
type entry struct {
	s float64
	c uint64
}

func (e entry) rows() uint64      { return e.c & (1<<32 - 1) }
func (e entry) weight() float64   { return float64(e.c >> 32) }
func (e entry) sub(o entry) entry { return entry{e.s - o.s, e.c - o.c} }

// denseMin is the smallest node, in distinct rows, whose histograms are
// built over all bins at once and handed down to its children for the
// subtraction trick. Smaller nodes mark the bins they touch in a bitmap and
// scan and clear only those.
const denseMin = 256

// maxHeldDepth bounds the depth at which a node keeps its histograms for
// its children, and so the histogram buffers a builder holds at once.
const maxHeldDepth = 48

// dataset is the binned training data shared read-only by all builders.
type dataset struct {
	codes   []uint8 // row-major bin codes, nf per row
	nf      int
	nbins   []int       // bins per feature
	off     []int       // offset of each feature's bins in a histogram
	total   int         // bins over all features
	vals    [][]float64 // per feature, the value of each bin, or nil if binned by quantiles
	raw     [][]float64 // column-major raw features, for refining quantile splits
	y       []float64   // centred targets
	yMean   float64
	minGain float64 // gains per unit weight below this are rounding noise
}

// split is a candidate split of a node.
type split struct {
	feat int
	// prev and next are the non-empty bins on either side of the split.
	prev, next int
	score      float64
	left       entry
	thr        float64
}

// builder grows trees. Each worker owns one and reuses its scratch space.
type builder struct {
	d      *dataset
	p      Params
	mtry   int
	maxDep int

	rng    *rand.Rand
	counts []uint32
	samp   []sample
	idx    []int32
	tmp    []int32
	perm   []int
	bitmap [][4]uint64
	free   [][]entry // zeroed dense histograms
	sparse []entry   // zeroed histogram for the direct path
	mids   []int32   // rows of the two bins around a split being refined

	nodes []node
	count []uint32
	imp   []float64
}

func newBuilder(d *dataset, p Params) *builder {
	n := len(d.y)
	b := &builder{
		d:      d,
		p:      p,
		mtry:   p.numCandidates(d.nf),
		maxDep: p.MaxDepth,
		counts: make([]uint32, n),
		samp:   make([]sample, n),
		idx:    make([]int32, 0, n),
		tmp:    make([]int32, n),
		mids:   make([]int32, 0, 64),
		perm:   make([]int, d.nf),
		bitmap: make([][4]uint64, d.nf),
		sparse: make([]entry, d.total),
		imp:    make([]float64, d.nf),
	}
	if b.maxDep == 0 {
		b.maxDep = int(^uint(0) >> 1)
	}
	return b
}

// treeSeeds derives the two PCG seeds of tree t from the forest seed with
// SplitMix64, so trees get unrelated streams whichever worker grows them.
func treeSeeds(seed uint64, t int) (uint64, uint64) {
	s := seed + uint64(t+1)*0x9e3779b97f4a7c15
	a := mix64(s)
	return a, mix64(a ^ 0xd1b54a32d192ed03)
}

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// grow grows tree t and returns it with its unnormalised impurity-decrease
// importance per feature.
func (b *builder) grow(t int) (tree, []float64) {
	d := b.d
	n := len(d.y)
	b.rng = rand.New(rand.NewPCG(treeSeeds(b.p.Seed, t)))
	for i := range b.perm {
		b.perm[i] = i
	}
	clear(b.counts)
	if b.p.NoBootstrap {
		for i := range b.counts {
			b.counts[i] = 1
		}
	} else {
		for range n {
			b.counts[b.rng.IntN(n)]++
		}
	}
	b.idx = b.idx[:0]
	var root entry
	for i, w := range b.counts {
		if w == 0 {
			continue
		}
		s := sample{v: float64(w) * d.y[i], c: uint64(w)<<32 | 1}
		b.samp[i] = s
		b.idx = append(b.idx, int32(i))
		root.s += s.v
		root.c += s.c
	}
	capacity := 2*len(b.idx)/b.p.MinLeaf + 1
	if b.maxDep < 20 {
		capacity = min(capacity, 1<<(b.maxDep+1))
	}
	b.nodes = make([]node, 1, capacity)
	b.count = make([]uint32, 1, cap(b.nodes))
	b.imp = make([]float64, d.nf)
	b.grow1(0, 0, len(b.idx), 0, root, nil)
	return tree{nodes: b.nodes, count: b.count}, b.imp
}

// useSub reports whether every feature is examined at every node, so that
// histograms can be handed down and derived by subtraction.
func (b *builder) useSub() bool { return b.mtry == b.d.nf }

// splittable reports whether a node with totals st at depth dep may split.
func (b *builder) splittable(st entry, dep int) bool {
	return dep < b.maxDep && st.rows() >= uint64(2*b.p.MinLeaf)
}

// wantsDense reports whether a node gets dense histograms from its parent.
func (b *builder) wantsDense(st entry, dep int) bool {
	return b.useSub() && dep < maxHeldDepth && b.splittable(st, dep) && st.rows() >= denseMin
}

// grow1 makes node ni, holding rows idx[lo:hi] with totals st, a leaf or
// splits it and grows its children. h, when not nil, holds the dense
// histograms of all features over the node; grow1 takes ownership of it.
func (b *builder) grow1(ni, lo, hi, dep int, st entry, h []entry) {
	d := b.d
	b.nodes[ni] = node{thr: st.s/st.weight() + d.yMean, feat: -1}
	b.count[ni] = uint32(st.rows())
	if !b.splittable(st, dep) {
		b.release(h)
		return
	}
	var best split
	if b.useSub() && (h != nil || b.wantsDense(st, dep)) {
		if h == nil {
			h = b.get()
			b.accumulateAll(h, b.idx[lo:hi])
		}
		best = b.bestDense(h, st)
	} else {
		best = b.bestDirect(b.idx[lo:hi], st)
	}
	if best.feat < 0 {
		b.release(h)
		return
	}
	vals := d.vals[best.feat]
	if vals != nil {
		best.thr = midpoint(vals[best.prev], vals[best.next])
	} else {
		b.refine(lo, hi, st, &best)
	}
	gain := best.score - st.s*st.s/st.weight()
	if gain <= d.minGain*st.weight() {
		b.release(h)
		return
	}
	var mid int
	if vals != nil {
		mid = b.partition(lo, hi, best.feat, uint8(best.prev))
	} else {
		mid = b.partitionRaw(lo, hi, best)
	}
	li := len(b.nodes)
	b.nodes = append(b.nodes, node{}, node{})
	b.count = append(b.count, 0, 0)
	b.nodes[ni] = node{thr: best.thr, feat: int32(best.feat), left: int32(li)}
	b.imp[best.feat] += gain

	lst, rst := best.left, st.sub(best.left)
	var lh, rh []entry
	lDense, rDense := b.wantsDense(lst, dep+1), b.wantsDense(rst, dep+1)
	if h != nil && (lDense || rDense) {
		// Build the smaller child's histograms directly and derive the
		// larger's from the parent's.
		small := b.get()
		if lst.rows() <= rst.rows() {
			b.accumulateAll(small, b.idx[lo:mid])
			subtract(h, small)
			lh, rh = small, h
		} else {
			b.accumulateAll(small, b.idx[mid:hi])
			subtract(h, small)
			lh, rh = h, small
		}
		if !lDense {
			b.release(lh)
			lh = nil
		}
		if !rDense {
			b.release(rh)
			rh = nil
		}
	} else {
		b.release(h)
	}
	b.grow1(li, lo, mid, dep+1, lst, lh)
	b.grow1(li+1, mid, hi, dep+1, rst, rh)
}

// get returns a zeroed dense histogram.
func (b *builder) get() []entry {
	if n := len(b.free); n > 0 {
		h := b.free[n-1]
		b.free = b.free[:n-1]
		return h
	}
	return make([]entry, b.d.total)
}

// release zeroes h and keeps it for reuse.
func (b *builder) release(h []entry) {
	if h == nil {
		return
	}
	clear(h)
	b.free = append(b.free, h)
}

func subtract(h, small []entry) {
	small = small[:len(h)]
	for i := range h {
		h[i].s -= small[i].s
		h[i].c -= small[i].c
	}
}

// accumulateAll adds the rows idx to the histograms of all features.
func (b *builder) accumulateAll(h []entry, idx []int32) {
	d := b.d
	nf, codes, samp := d.nf, d.codes, b.samp
	off := d.off[:nf]
	for _, s := range idx {
		row := codes[int(s)*nf : int(s)*nf+nf]
		sm := samp[s]
		for f, c := range row {
			e := &h[off[f]+int(c)]
			e.s += sm.v
			e.c += sm.c
		}
	}
}

// bestDense scans the dense histograms of all features, in random order so
// that ties are broken at random.
func (b *builder) bestDense(h []entry, st entry) split {
	d := b.d
	best := split{feat: -1}
	b.shuffle(d.nf)
	for _, f := range b.perm {
		b.scanDense(h[d.off[f]:d.off[f]+d.nbins[f]], f, st, &best)
	}
	return best
}

// shuffle draws the first k entries of a random permutation of the features
// into b.perm[:k].
func (b *builder) shuffle(k int) {
	nf := len(b.perm)
	for i := range k {
		j := i + b.rng.IntN(nf-i)
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
}

// scanDense finds the best split of feature f from its histogram hf and
// records it in best if it beats it. It reports whether the feature takes
// more than one bin in the node.
func (b *builder) scanDense(hf []entry, f int, st entry, best *split) bool {
	minLeaf := uint64(b.p.MinLeaf)
	n, w := st.rows(), st.weight()
	var left entry
	prev := -1
	for k := range hf {
		e := hf[k]
		if e.c == 0 {
			continue
		}
		if prev >= 0 {
			nl := left.rows()
			if n-nl < minLeaf {
				// Every later split leaves too few rows on the right.
				return true
			}
			if nl >= minLeaf {
				b.consider(f, prev, k, left, st, w, best)
			}
		}
		left.s += e.s
		left.c += e.c
		prev = k
	}
	// The feature varies unless its only non-empty bin holds every row.
	return prev >= 0 && left.c != hf[prev].c
}

// consider scores the split between the non-empty bins prev and next, the
// left side summing to left.
func (b *builder) consider(f, prev, next int, left, st entry, w float64, best *split) {
	wl := left.weight()
	rs := st.s - left.s
	score := left.s*left.s/wl + rs*rs/(w-wl)
	if score > best.score || best.feat < 0 {
		*best = split{feat: f, prev: prev, next: next, score: score, left: left}
	}
}

// refine moves the split best of a feature binned by quantiles to the best
// threshold between two neighbouring distinct values of the rows in the
// bins around it, best.prev and best.next, and sets best.thr halfway
// between those values. A step inside a bin is thus still found exactly,
// at the cost of sorting the rows of two bins.
func (b *builder) refine(lo, hi int, st entry, best *split) {
	d := b.d
	f, nf, codes, samp := best.feat, d.nf, d.codes, b.samp
	col := d.raw[f]
	prev, next := uint8(best.prev), uint8(best.next)
	mids := b.mids[:0]
	var inPrev entry
	for _, s := range b.idx[lo:hi] {
		switch codes[int(s)*nf+f] {
		case prev:
			mids = append(mids, s)
			inPrev.s += samp[s].v
			inPrev.c += samp[s].c
		case next:
			mids = append(mids, s)
		}
	}
	b.mids = mids
	slices.SortFunc(mids, func(a, c int32) int {
		if col[a] != col[c] {
			return cmp.Compare(col[a], col[c])
		}
		return cmp.Compare(a, c)
	})
	minLeaf := uint64(b.p.MinLeaf)
	n, w := st.rows(), st.weight()
	left := best.left.sub(inPrev)
	found := false
	for i, s := range mids[:len(mids)-1] {
		left.s += samp[s].v
		left.c += samp[s].c
		x, xn := col[s], col[mids[i+1]]
		if x == xn {
			continue
		}
		nl := left.rows()
		if nl < minLeaf || n-nl < minLeaf {
			continue
		}
		wl := left.weight()
		rs := st.s - left.s
		score := left.s*left.s/wl + rs*rs/(w-wl)
		if !found || score > best.score {
			found = true
			best.score, best.left, best.thr = score, left, midpoint(x, xn)
		}
	}
}

// bestDirect examines features drawn at random, building their histograms
// over the rows idx, until b.mtry non-constant ones were examined or none
// are left.
func (b *builder) bestDirect(idx []int32, st entry) split {
	d := b.d
	best := split{feat: -1}
	nf := d.nf
	small := len(idx) < denseMin
	examined, next := 0, 0
	for examined < b.mtry && next < nf {
		k := min(b.mtry-examined, nf-next)
		for i := next; i < next+k; i++ {
			j := i + b.rng.IntN(nf-i)
			b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
		}
		batch := b.perm[next : next+k]
		next += k
		h := b.sparse
		if small {
			b.accumulateMarked(h, batch, idx)
		} else {
			b.accumulate(h, batch, idx)
		}
		for j, f := range batch {
			hf := h[d.off[f] : d.off[f]+d.nbins[f]]
			var varies bool
			if small {
				varies = b.scanMarked(hf, &b.bitmap[j], f, st, &best)
			} else {
				varies = b.scanDense(hf, f, st, &best)
				clear(hf)
			}
			if varies {
				examined++
			}
		}
	}
	return best
}

// accumulate adds the rows idx to the histograms of the features fs.
func (b *builder) accumulate(h []entry, fs []int, idx []int32) {
	d := b.d
	nf, codes, samp, off := d.nf, d.codes, b.samp, d.off
	for _, s := range idx {
		row := codes[int(s)*nf : int(s)*nf+nf]
		sm := samp[s]
		for _, f := range fs {
			e := &h[off[f]+int(row[f])]
			e.s += sm.v
			e.c += sm.c
		}
	}
}

// accumulateMarked is accumulate that also marks, for the j-th feature of
// fs, the bins it touches in b.bitmap[j].
func (b *builder) accumulateMarked(h []entry, fs []int, idx []int32) {
	d := b.d
	nf, codes, samp, off := d.nf, d.codes, b.samp, d.off
	bm := b.bitmap[:len(fs)]
	clear(bm)
	for _, s := range idx {
		row := codes[int(s)*nf : int(s)*nf+nf]
		sm := samp[s]
		for j, f := range fs {
			c := row[f]
			e := &h[off[f]+int(c)]
			e.s += sm.v
			e.c += sm.c
			bm[j][c>>6] |= 1 << (c & 63)
		}
	}
}

// scanMarked is scanDense over the bins marked in bm, which it also clears
// in hf.
func (b *builder) scanMarked(hf []entry, bm *[4]uint64, f int, st entry, best *split) bool {
	minLeaf := uint64(b.p.MinLeaf)
	n, w := st.rows(), st.weight()
	var left entry
	prev, nonEmpty := -1, 0
	for word, m := range bm {
		for m != 0 {
			k := word<<6 | bits.TrailingZeros64(m)
			m &= m - 1
			e := hf[k]
			hf[k] = entry{}
			nonEmpty++
			if prev >= 0 {
				nl := left.rows()
				if nl >= minLeaf && n-nl >= minLeaf {
					b.consider(f, prev, k, left, st, w, best)
				}
			}
			left.s += e.s
			left.c += e.c
			prev = k
		}
	}
	return nonEmpty > 1
}

// partitionRaw is partition for a refined split: rows in the bins around
// the split go left if their raw value is at most best.thr.
func (b *builder) partitionRaw(lo, hi int, best split) int {
	d := b.d
	nf, codes, f := d.nf, d.codes, best.feat
	col := d.raw[f]
	// side maps a code to 1 (left), 0 (right) or 2 (compare the raw
	// value), keeping the common case free of branches.
	var side [256]uint8
	for c := range best.prev {
		side[c] = 1
	}
	side[best.prev], side[best.next] = 2, 2
	idx := b.idx[lo:hi]
	tmp := b.tmp[:len(idx)]
	l, r := 0, 0
	for _, s := range idx {
		v := side[codes[int(s)*nf+f]]
		if v == 2 {
			v = 0
			if col[s] <= best.thr {
				v = 1
			}
		}
		idx[l] = s
		tmp[r] = s
		l += int(v)
		r += 1 - int(v)
	}
	copy(idx[l:], tmp[:r])
	return lo + l
}

// partition reorders idx[lo:hi] so that the rows whose code of feature f is
// at most bin come first, keeping the order within each side, and returns
// the index of the first row of the right side.
func (b *builder) partition(lo, hi, f int, bin uint8) int {
	d := b.d
	nf, codes := d.nf, d.codes
	idx := b.idx[lo:hi]
	tmp := b.tmp[:len(idx)]
	l, r := 0, 0
	for _, s := range idx {
		idx[l] = s
		tmp[r] = s
		var v int
		if codes[int(s)*nf+f] <= bin {
			v = 1
		}
		l += v
		r += 1 - v
	}
	copy(idx[l:], tmp[:r])
	return lo + l
}
