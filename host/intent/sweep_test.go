package intent

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

var sweep = flag.Bool("dev.sweep", false, "sweep the tunables on testdata/dev.tsv")

func TestSweep(t *testing.T) {
	if !*sweep {
		t.Skip("no -dev.sweep")
	}
	items := readSet(t, "testdata/dev.tsv")
	run := func(name string, p params) {
		c, err := newWith(Options{Manifests: testManifests(t), Catalog: testCatalog(t), Now: func() time.Time { return testNow }}, p)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(ctx, c, items, 0)
		fmt.Printf("%-28s acc %.3f  ece %.3f  brier %.3f\n", name, r.Accuracy, r.Calibration.ECE, r.Calibration.Brier)
	}
	run("default", defaultParams)
	for _, x := range []float64{1, 0.8, 0.6, 0.4} {
		p := defaultParams
		p.noAnchor = x
		run(fmt.Sprintf("noAnchor=%.2f", x), p)
	}
	for _, x := range []float64{1, 0.85, 0.7, 0.5} {
		p := defaultParams
		p.anchoredHelp, p.anchoredOOS = x, x
		run(fmt.Sprintf("anchoredHelp,OOS=%.2f", x), p)
	}
	for _, x := range [][3]float64{{0, 1, 1}, {0.2, 0.7, 0.5}, {0.35, 0.5, 0.3}, {0.5, 0.4, 0.2}} {
		p := defaultParams
		p.defBoost, p.defDamp, p.defOut = x[0], x[1], x[2]
		run(fmt.Sprintf("defBoost,Damp,Out=%v", x), p)
	}
	for _, e := range []int{20, 40, 80} {
		for _, l := range []float64{1e-4, 1e-3, 3e-3, 1e-2} {
			p := defaultParams
			p.epochs, p.lambda = e, l
			run(fmt.Sprintf("epochs=%d lambda=%g", e, l), p)
		}
	}
	for _, x := range []float64{0, 0.3, 0.6, 1, 1.5} {
		p := defaultParams
		p.weights.concept = x
		run(fmt.Sprintf("concept=%.2f", x), p)
	}
	for _, k := range []float64{0, 0.2, 0.35, 0.5, 0.65, 0.8, 1} {
		p := defaultParams
		p.knn = k
		run(fmt.Sprintf("knn=%.2f", k), p)
	}
	for _, x := range []float64{0, 0.25, 0.5, 1} {
		p := defaultParams
		p.weights.wh = x
		run(fmt.Sprintf("wh=%.2f", x), p)
	}
	for _, x := range []float64{0, 0.2, 0.35, 0.6} {
		p := defaultParams
		p.weights.trigram = x
		run(fmt.Sprintf("trigram=%.2f", x), p)
	}
	for _, x := range []float64{0.4, 0.8, 1.2} {
		p := defaultParams
		p.weights.bigram = x
		run(fmt.Sprintf("bigram=%.2f", x), p)
	}
	for _, x := range []float64{0, 0.25, 0.5} {
		p := defaultParams
		p.weights.unigram = x
		run(fmt.Sprintf("unigram=%.2f", x), p)
	}
	for _, x := range []float64{0, 0.25, 0.5, 1} {
		p := defaultParams
		p.weights.pair = x
		run(fmt.Sprintf("pair=%.2f", x), p)
	}
	for _, x := range []float64{0, 0.25, 0.5} {
		p := defaultParams
		p.second = x
		run(fmt.Sprintf("second=%.2f", x), p)
	}
	for _, x := range []float64{0.1, 0.15, 0.2, 0.25, 0.3} {
		p := defaultParams
		p.oos = x
		run(fmt.Sprintf("oos=%.2f", x), p)
	}
}
