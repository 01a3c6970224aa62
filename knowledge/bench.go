package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// BenchOptions configures Bench.
type BenchOptions struct {
	// Sizes are the numbers of chunks to measure at (default 1k, 10k, 100k).
	Sizes []int
	// Queries is the number of searches per mode and size (default 200).
	Queries int
	// Embedder embeds (default: the hash embedder).
	Embedder Embedder
	// Seed makes the synthetic chunks (default 1).
	Seed uint64
	// Progress, when not nil, hears what is being done.
	Progress func(string)
}

// BenchLatency is the latency of one kind of search, in milliseconds.
type BenchLatency struct {
	Mode string  `json:"mode"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
}

// BenchResult is one size's measurements.
type BenchResult struct {
	Chunks int `json:"chunks"`
	// IngestSeconds is the time to chunk, embed and index the documents in
	// memory; ChunksPerSecond the resulting throughput.
	IngestSeconds   float64        `json:"ingest_seconds"`
	ChunksPerSecond float64        `json:"chunks_per_second"`
	Latency         []BenchLatency `json:"latency"`
}

// Bench measures ingest throughput and search latency on synthetic
// knowledge bases of the given sizes in memory. The chunks are sentences
// of the embedded corpus recombined at random (seeded), one section per
// document, spread over six collections and carrying a segment; the
// queries are questions about the corpus, searched in every mode and once
// more scoped to a collection and a segment.
func Bench(ctx context.Context, opt BenchOptions) ([]BenchResult, error) {
	if len(opt.Sizes) == 0 {
		opt.Sizes = []int{1000, 10000, 100000}
	}
	if opt.Queries <= 0 {
		opt.Queries = 200
	}
	if opt.Embedder == nil {
		opt.Embedder = NewHashEmbedder(0)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	say := func(format string, args ...any) {
		if opt.Progress != nil {
			opt.Progress(fmt.Sprintf(format, args...))
		}
	}
	lines, titles, err := corpusLines()
	if err != nil {
		return nil, err
	}
	queries := []string{
		"크루아상에 계란 들어가요?", "how is EWR calculated?", "VIP 고객에게 어떤 혜택을 주나요?",
		"쿠폰 두 장 같이 써도 돼?", "which store is near Gangnam station", "휴면 고객 마케팅",
		"케이크 예약 취소 언제까지 가능해", "what tone should our copy have?", "저녁 할인 알림은 몇 시에 나가?",
		"소금빵 버터 함량", "croisant allergens", "딸기 케이크는 언제부터 팔아?",
	}
	segments := []string{"vip", "loyal", "regular", "new", "at_risk", "dormant"}
	var out []BenchResult
	for _, size := range opt.Sizes {
		if size <= 0 {
			return nil, fmt.Errorf("bench size %d: want a positive number of chunks", size)
		}
		r := rand.New(rand.NewPCG(opt.Seed, uint64(size)))
		byCol := map[string][]Document{}
		for i := range size {
			var b strings.Builder
			for range 2 + r.IntN(4) {
				b.WriteString(lines[r.IntN(len(lines))])
				b.WriteByte('\n')
			}
			col := fmt.Sprintf("c%d", i%6)
			byCol[col] = append(byCol[col], Document{
				ID:       fmt.Sprintf("d%06d", i),
				Title:    titles[r.IntN(len(titles))],
				Text:     b.String(),
				Metadata: map[string]string{"segment": segments[r.IntN(len(segments))]},
			})
		}
		kb, err := Open(ctx, Options{Embedder: opt.Embedder, Chunk: ChunkOptions{Max: 1 << 20}})
		if err != nil {
			return nil, err
		}
		say("ingesting %d chunks", size)
		start := time.Now()
		n := 0
		for c := range 6 {
			col := fmt.Sprintf("c%d", c)
			docs := byCol[col]
			for i := 0; i < len(docs); i += 2000 {
				added, err := kb.Ingest(ctx, col, docs[i:min(i+2000, len(docs))])
				if err != nil {
					return nil, err
				}
				n += added
			}
		}
		res := BenchResult{Chunks: n, IngestSeconds: time.Since(start).Seconds()}
		res.ChunksPerSecond = float64(n) / res.IngestSeconds
		kinds := []struct {
			name string
			q    func(text string) Query
		}{
			{ModeVector, func(t string) Query { return Query{Text: t, Mode: ModeVector} }},
			{ModeBM25, func(t string) Query { return Query{Text: t, Mode: ModeBM25} }},
			{ModeHybrid, func(t string) Query { return Query{Text: t} }},
			{"hybrid scoped", func(t string) Query {
				return Query{Text: t, Collections: []string{"c0"}, Where: map[string]string{"segment": "vip"}}
			}},
		}
		for _, k := range kinds {
			say("%d chunks: %d %s searches", n, opt.Queries, k.name)
			lat := make([]float64, 0, opt.Queries)
			for i := range opt.Queries {
				t0 := time.Now()
				if _, err := kb.Search(ctx, k.q(queries[i%len(queries)])); err != nil {
					return nil, err
				}
				lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e6)
			}
			slices.Sort(lat)
			var sum float64
			for _, x := range lat {
				sum += x
			}
			res.Latency = append(res.Latency, BenchLatency{Mode: k.name, P50: lat[len(lat)/2],
				P99: lat[min(len(lat)-1, len(lat)*99/100)], Mean: sum / float64(len(lat))})
		}
		kb.Close()
		out = append(out, res)
	}
	return out, nil
}

// corpusLines are the embedded corpus's text lines (no headings, no
// front matter) and its document titles.
func corpusLines() (lines, titles []string, err error) {
	err = fs.WalkDir(Docs, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isDocFile(p) {
			return err
		}
		doc, _, err := ParseDocument(Docs, p)
		if err != nil {
			return err
		}
		titles = append(titles, doc.Title)
		for _, l := range strings.Split(doc.Text, "\n") {
			l = strings.TrimSpace(l)
			if runeLen(l) >= 10 && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "|") && !strings.HasPrefix(l, "```") {
				lines = append(lines, l)
			}
		}
		return nil
	})
	if err == nil && len(lines) == 0 {
		err = fmt.Errorf("the embedded corpus has no text")
	}
	return lines, titles, err
}
