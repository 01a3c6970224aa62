package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"testing"
)

var benchQueries = []string{
	"크루아상에 계란 들어가요?", "how is EWR calculated?", "VIP 고객에게 어떤 혜택을 주나요?",
	"쿠폰 두 장 같이 써도 돼?", "which store is near Gangnam station", "휴면 고객 마케팅",
}

// BenchmarkSearch measures one search over the embedded corpus (about 150
// documents, 660 chunks) with the hash embedder, query embedding included.
func BenchmarkSearch(b *testing.B) {
	kb := openCorpus(b)
	ctx := context.Background()
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := kb.Search(ctx, Query{Text: benchQueries[i%len(benchQueries)], Mode: mode, Limit: 5}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("scoped", func(b *testing.B) {
		for b.Loop() {
			if _, err := kb.Search(ctx, Query{Text: "VIP 고객 특징", Collections: []string{"segments"}, Where: map[string]string{"segment": "vip"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHashEmbed measures embedding one question.
func BenchmarkHashEmbed(b *testing.B) {
	h := NewHashEmbedder(0)
	ctx := context.Background()
	for b.Loop() {
		h.Embed(ctx, []string{"VIP 고객에게 어떤 혜택을 주나요?"})
	}
}

// BenchmarkIngestCorpus measures ingesting the embedded corpus into a
// database in memory.
func BenchmarkIngestCorpus(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		kb, _ := Open(ctx, Options{})
		if _, err := kb.IngestFS(ctx, Docs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchScale measures a hybrid search over about 1k and 10k
// chunks: copies of the corpus under other ids.
func BenchmarkSearchScale(b *testing.B) {
	ctx := context.Background()
	var docs []Document
	_ = fs.WalkDir(Docs, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isDocFile(p) {
			doc, _, err := ParseDocument(Docs, p)
			if err == nil {
				docs = append(docs, doc)
			}
		}
		return nil
	})
	for _, chunks := range []int{1000, 10000} {
		kb, _ := Open(ctx, Options{})
		for n, copy := 0, 0; n < chunks; copy++ {
			batch := make([]Document, len(docs))
			for i, d := range docs {
				d.ID = fmt.Sprintf("%s-%d", d.ID, copy)
				batch[i] = d
			}
			added, err := kb.Ingest(ctx, fmt.Sprintf("copy%d", copy%8), batch)
			if err != nil {
				b.Fatal(err)
			}
			n += added
		}
		total := 0
		for _, c := range kb.Collections() {
			total += c.Chunks
		}
		for _, mode := range modes {
			b.Run(fmt.Sprintf("%dchunks/%s", total, mode), func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := kb.Search(ctx, Query{Text: benchQueries[i%len(benchQueries)], Mode: mode, Limit: 5}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

func TestBench(t *testing.T) {
	var said []string
	res, err := Bench(context.Background(), BenchOptions{Sizes: []int{50, 200}, Queries: 4, Progress: func(s string) { said = append(said, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Chunks != 50 || res[1].Chunks != 200 || len(said) == 0 {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res {
		if r.ChunksPerSecond <= 0 || len(r.Latency) != 4 || r.Latency[3].Mode != "hybrid scoped" {
			t.Errorf("result %+v", r)
		}
		for _, l := range r.Latency {
			if l.P50 <= 0 || l.P99 < l.P50 {
				t.Errorf("latency %+v", l)
			}
		}
	}
	if _, err := Bench(context.Background(), BenchOptions{Sizes: []int{0}}); err == nil {
		t.Errorf("size 0 accepted")
	}
}
