package knowledge

import (
	"context"
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
