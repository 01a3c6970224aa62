package intent

import (
	"testing"
	"time"
)

// BenchmarkClassify classifies the dev set's utterances in turn.
func BenchmarkClassify(b *testing.B) {
	c := newTestClassifier(b)
	items := readSet(b, "testdata/dev.tsv")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c.Classify(ctx, items[i%len(items)].Text, nil)
	}
}

// BenchmarkFollowup classifies a follow-up with the previous turn.
func BenchmarkFollowup(b *testing.B) {
	c := newTestClassifier(b)
	prev := c.Classify(ctx, "오늘 폐기될 상품은?", nil)
	b.ReportAllocs()
	for b.Loop() {
		c.Classify(ctx, "강남점은?", &prev)
	}
}

// BenchmarkNew learns every manifest's examples (done when the plugins
// change).
func BenchmarkNew(b *testing.B) {
	m, cat := testManifests(b), testCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{Manifests: m, Catalog: cat, Now: func() time.Time { return testNow }}); err != nil {
			b.Fatal(err)
		}
	}
}
