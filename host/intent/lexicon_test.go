package intent

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestConceptsKOIndexed checks that the indexed scan finds the concepts
// that testing every key in turn finds, on every set's utterances.
func TestConceptsKOIndexed(t *testing.T) {
	texts := []string{"기준", "VIP 기준이 뭐야", "EWR 기준 위험 품목", "폐 기 될 상품", ""}
	for _, s := range tuneSets {
		for _, it := range readSet(t, filepath.Join("testdata", s+".tsv")) {
			texts = append(texts, it.Text)
		}
	}
	for _, text := range texts {
		h := squashHangul(newDoc(text).units())
		var got, want []string
		lexicon.conceptsKO(h, func(c string) { got = append(got, c) })
		for _, k := range lexicon.ko {
			if containsKO(h, k.key) {
				want = append(want, k.concept)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: concepts %v, want %v", text, got, want)
		}
	}
}
