package knowledge

import (
	"math"
	"slices"
)

// BM25 parameters: the usual k1 and b.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// record is one chunk as the knowledge base keeps it for both arms.
type record struct {
	key        string // collection + "\x00" + chunk id
	Collection string
	DocID      string
	ChunkID    string
	Title      string
	Heading    string
	Text       string
	Metadata   map[string]string // the document's own metadata, no reserved keys
	length     int               // number of tokens
	dead       bool
}

type posting struct {
	slot int32
	tf   float32
}

// bm25Index is an inverted index over the chunks' Tokens. Removal marks a
// chunk dead; compact drops dead chunks from the postings, so document
// frequencies stay exact after every write. It is not safe for concurrent
// writes: the knowledge base's lock guards it.
type bm25Index struct {
	recs     []*record
	bySlot   map[string]int32 // key → slot
	postings map[string][]posting
	totalLen int
	live     int
	dead     int
}

func newBM25() *bm25Index {
	return &bm25Index{bySlot: map[string]int32{}, postings: map[string][]posting{}}
}

// add indexes r, replacing a chunk with the same key.
func (x *bm25Index) add(r *record, indexText string) {
	x.remove(r.key)
	toks := Tokens(indexText)
	tf := map[string]float32{}
	for _, t := range toks {
		tf[t]++
	}
	r.length = len(toks)
	slot := int32(len(x.recs))
	x.recs = append(x.recs, r)
	x.bySlot[r.key] = slot
	for t, n := range tf {
		x.postings[t] = append(x.postings[t], posting{slot, n})
	}
	x.totalLen += r.length
	x.live++
}

// remove marks the chunk with key dead.
func (x *bm25Index) remove(key string) {
	slot, ok := x.bySlot[key]
	if !ok {
		return
	}
	r := x.recs[slot]
	r.dead = true
	delete(x.bySlot, key)
	x.totalLen -= r.length
	x.live--
	x.dead++
}

func (x *bm25Index) get(key string) *record {
	if s, ok := x.bySlot[key]; ok {
		return x.recs[s]
	}
	return nil
}

// compact renumbers the live chunks and drops dead ones from every
// posting list.
func (x *bm25Index) compact() {
	if x.dead == 0 {
		return
	}
	remap := make([]int32, len(x.recs))
	recs := make([]*record, 0, x.live)
	for i, r := range x.recs {
		if r.dead {
			remap[i] = -1
			continue
		}
		remap[i] = int32(len(recs))
		x.bySlot[r.key] = int32(len(recs))
		recs = append(recs, r)
	}
	for t, ps := range x.postings {
		out := ps[:0]
		for _, p := range ps {
			if s := remap[p.slot]; s >= 0 {
				out = append(out, posting{s, p.tf})
			}
		}
		if len(out) == 0 {
			delete(x.postings, t)
			continue
		}
		x.postings[t] = slices.Clip(out)
	}
	x.recs = recs
	x.dead = 0
}

type scored struct {
	rec   *record
	score float64
}

// search returns the n best live chunks for the query's tokens among those
// keep accepts, by Okapi BM25.
func (x *bm25Index) search(query string, keep func(*record) bool, n int) []scored {
	if x.live == 0 || n <= 0 {
		return nil
	}
	qtf := map[string]float64{}
	for _, t := range Tokens(query) {
		qtf[t]++
	}
	N := float64(x.live)
	avg := float64(x.totalLen) / N
	// Dense arrays beat maps when common syllables touch most chunks.
	scores := make([]float64, len(x.recs))
	state := make([]int8, len(x.recs)) // 0 not seen, 1 kept, -1 filtered out
	var touched []int32
	for t, q := range qtf {
		ps := x.postings[t]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := math.Log(1 + (N-df+0.5)/(df+0.5))
		for _, p := range ps {
			switch state[p.slot] {
			case -1:
				continue
			case 0:
				r := x.recs[p.slot]
				if r.dead || !keep(r) {
					state[p.slot] = -1
					continue
				}
				state[p.slot] = 1
				touched = append(touched, p.slot)
			}
			tf := float64(p.tf)
			norm := tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(x.recs[p.slot].length)/avg))
			scores[p.slot] += q * idf * norm
		}
	}
	out := make([]scored, 0, len(touched))
	for _, s := range touched {
		out = append(out, scored{x.recs[s], scores[s]})
	}
	slices.SortFunc(out, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return cmpKey(a.rec.key, b.rec.key)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func cmpKey(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
