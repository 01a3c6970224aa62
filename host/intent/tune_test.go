package intent

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var allSets = flag.Bool("dev.all", false, "accuracy on dev and every held-out set; -v lists the misses")

// tuneSets are the sets tuned on: dev and the held-out sets evaluated
// already.
var tuneSets = []string{"dev", "heldout", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14", "heldout15"}

// TestAllSets reports the accuracy on every tuning set:
// go test ./host/intent -run TestAllSets -dev.all [-v]
func TestAllSets(t *testing.T) {
	if !*allSets {
		t.Skip("no -dev.all")
	}
	reportAll(t, defaultParams, testing.Verbose())
}

func reportAll(t *testing.T, p params, verbose bool) int {
	t.Helper()
	c, err := newWith(Options{Manifests: testManifests(t), Catalog: testCatalog(t), Now: func() time.Time { return testNow }}, p)
	if err != nil {
		t.Fatal(err)
	}
	var line []string
	total := 0
	for _, s := range tuneSets {
		r := Evaluate(ctx, c, readSet(t, filepath.Join("testdata", s+".tsv")), 0)
		total += r.Correct
		line = append(line, fmt.Sprintf("%s %.1f (%d/%d)", strings.TrimPrefix(s, "heldout"), 100*r.Accuracy, r.Correct, r.N))
		if verbose {
			for _, m := range r.Errors {
				fmt.Printf("  %-9s %-18s got %-18s %.2f %q  ~ %q\n", s, m.Gold, m.Predicted, m.Confidence, m.Utterance, m.Example)
			}
		}
	}
	fmt.Printf("%s | correct %d\n", strings.Join(line, " · "), total)
	return total
}

var tuneSweep = flag.Bool("dev.tune", false, "sweep the foreign-help and finer-intent tunables over every tuning set")

func TestTuneSweep(t *testing.T) {
	if !*tuneSweep {
		t.Skip("no -dev.tune")
	}
	for _, x := range []float64{0, 0.15, 0.3, 0.45} {
		p := defaultParams
		p.permBoost = x
		fmt.Printf("permBoost=%.2f: ", x)
		reportAll(t, p, false)
	}
	for _, x := range []float64{0, 0.15, 0.3, 0.45} {
		p := defaultParams
		p.capBoost = x
		fmt.Printf("capBoost=%.2f: ", x)
		reportAll(t, p, false)
	}
	for _, x := range []float64{1, 0.8, 0.65, 0.5, 0.35} {
		p := defaultParams
		p.foreignHelp = x
		fmt.Printf("foreignHelp=%.2f: ", x)
		reportAll(t, p, false)
	}
	for _, x := range []float64{1, 0.5, 0.35, 0.25, 0.15} {
		p := defaultParams
		p.childRatio = x
		fmt.Printf("childRatio=%.2f: ", x)
		reportAll(t, p, false)
	}
}

var dumpResults = flag.String("dev.dump", "", "write every set's results (intent, sub, confidence, tool, slots) to this file, to compare two versions")

func TestDumpResults(t *testing.T) {
	if *dumpResults == "" {
		t.Skip("no -dev.dump")
	}
	c := newTestClassifier(t)
	var b strings.Builder
	for _, s := range tuneSets {
		for _, it := range readSet(t, filepath.Join("testdata", s+".tsv")) {
			r := c.Classify(ctx, it.Text, nil)
			js, _ := json.Marshal(r)
			fmt.Fprintf(&b, "%s\t%s\n", it.Text, js)
		}
	}
	if err := os.WriteFile(*dumpResults, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
