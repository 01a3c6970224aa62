package intent

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var devReport = flag.Bool("dev.report", false, "print the full report on testdata/dev.tsv")

// TestDevSet guards the accuracy on the tuning set.
func TestDevSet(t *testing.T) {
	c := newTestClassifier(t)
	rep := Evaluate(ctx, c, readSet(t, "testdata/dev.tsv"), 1)
	if *devReport {
		rep.WriteText(os.Stdout)
	}
	t.Logf("dev accuracy %.3f (%d/%d), ECE %.3f", rep.Accuracy, rep.Correct, rep.N, rep.Calibration.ECE)
	if rep.Accuracy < 0.5 {
		t.Errorf("dev accuracy %.3f", rep.Accuracy)
	}
}

// TestHeldoutIsNotLearnt guards the held-out set: none of its utterances
// may be an example the classifier learns (spacing, case and punctuation
// aside), or its accuracy would not measure generalisation.
func TestHeldoutIsNotLearnt(t *testing.T) {
	key := func(s string) string { return strings.ReplaceAll(normalize(s), " ", "") }
	learnt := map[string]string{}
	for _, m := range testManifests(t) {
		for _, tool := range m.Tools {
			for _, in := range tool.Intents {
				for _, e := range in.Examples {
					learnt[key(e)] = m.Name + "." + tool.Name
				}
			}
		}
	}
	for name, hi := range hostIntents {
		for _, e := range slices.Concat(hi.examples, corpus[name]) {
			learnt[key(e)] = "host " + name
		}
	}
	sets, err := filepath.Glob("testdata/heldout*.tsv")
	if err != nil || len(sets) < 18 {
		t.Fatalf("held-out sets: %d found (%v), want the 18 in testdata", len(sets), err)
	}
	for _, f := range sets {
		for _, it := range readSet(t, f) {
			if src, ok := learnt[key(it.Text)]; ok {
				t.Errorf("%s line %d %q is an example of %s", f, it.Line, it.Text, src)
			}
		}
	}
}
