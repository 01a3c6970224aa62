package intent

import (
	"cmp"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

var crossValidation = flag.Bool("dev.cv", false, "5-fold cross-validation over the examples")

// labelledExample is an example with the canonical intent it teaches.
type labelledExample struct{ intent, text string }

// crossValidate classifies every example (host and manifests) with a
// classifier learnt from the other folds of k, and calls f with it: how
// the classifier fares on phrasings unlike its examples, which is what an
// independent person's questions are. Folds are chosen by a hash of the
// text, so they do not change when examples are added elsewhere.
func crossValidate(t testing.TB, p params, k int, f func(c *Classifier, e labelledExample)) {
	t.Helper()
	orig := hostIntents
	defer func() { hostIntents = orig }()
	mans := testManifests(t)
	fold := func(s string) int {
		h := uint32(2166136261)
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * 16777619
		}
		return int(h % uint32(k))
	}
	var all []labelledExample
	for _, name := range sortedKeys(orig) {
		for _, e := range orig[name].examples {
			all = append(all, labelledExample{name, e})
		}
	}
	for _, m := range mans {
		for _, tl := range m.Tools {
			for _, in := range tl.Intents {
				for _, e := range in.Examples {
					all = append(all, labelledExample{cmp.Or(in.Parent, in.Name), e})
				}
			}
		}
	}
	for fi := range k {
		hi := map[string]hostIntent{}
		for name, h := range orig {
			var keep []string
			for _, e := range h.examples {
				if fold(e) != fi {
					keep = append(keep, e)
				}
			}
			hi[name] = hostIntent{description: h.description, examples: keep}
		}
		hostIntents = hi
		var ms []tools.Manifest
		for _, m := range mans {
			m2 := m
			m2.Tools = nil
			for _, tl := range m.Tools {
				tl2 := tl
				tl2.Intents = nil
				for _, in := range tl.Intents {
					in2 := in
					in2.Examples = nil
					for _, e := range in.Examples {
						if fold(e) != fi {
							in2.Examples = append(in2.Examples, e)
						}
					}
					tl2.Intents = append(tl2.Intents, in2)
				}
				m2.Tools = append(m2.Tools, tl2)
			}
			ms = append(ms, m2)
		}
		c, err := newWith(Options{Manifests: ms, Catalog: testCatalog(t), Now: func() time.Time { return testNow }}, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			if fold(e.text) == fi {
				f(c, e)
			}
		}
	}
}

// TestCrossValidation reports the canonical accuracy of 5-fold
// cross-validation over the examples:
// go test ./host/intent -run TestCrossValidation -dev.cv -v
func TestCrossValidation(t *testing.T) {
	if !*crossValidation {
		t.Skip("no -dev.cv")
	}
	right, n := 0, 0
	crossValidate(t, defaultParams, 5, func(c *Classifier, e labelledExample) {
		n++
		if r := c.Classify(ctx, e.text, nil); r.Intent == e.intent {
			right++
		} else if testing.Verbose() {
			fmt.Printf("  %q: %s, got %s (%.2f)\n", e.text, e.intent, r.Intent, r.Confidence)
		}
	})
	fmt.Printf("cross-validation over the examples: %.1f%% (%d/%d)\n", 100*float64(right)/float64(n), right, n)
}
