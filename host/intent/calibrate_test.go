package intent

import (
	"flag"
	"fmt"
	"testing"
)

var fitCalibration = flag.Bool("dev.calibrate", false, "fit the calibration on testdata/dev.tsv and print it")

// TestCalibrationFit refits the constants of defaultCalibration on the
// dev set: go test ./host/intent -run TestCalibrationFit -dev.calibrate -v
func TestCalibrationFit(t *testing.T) {
	if !*fitCalibration {
		t.Skip("no -dev.calibrate")
	}
	var xin, xlow [][]float64
	var yin, ylow []bool
	add := func(c *Classifier, text, gold string) {
		d := newDoc(text)
		c.ext.extract(d, testNow)
		s := c.score(d.units(), c.cuesOf(d, d.units()))
		bi := s.order[0]
		margin := s.intentScore[bi] - s.intentScore[s.order[1]]
		if c.intents[bi] != OutOfScope && s.top < c.p.oos {
			xlow = append(xlow, []float64{1, s.top})
			ylow = append(ylow, gold == OutOfScope)
			return
		}
		xin = append(xin, []float64{1, s.intentScore[bi], margin})
		yin = append(yin, gold == c.Canonical(c.intents[bi]))
	}
	c := newTestClassifier(t)
	for _, it := range readSet(t, "testdata/dev.tsv") {
		add(c, it.Text, c.Canonical(it.Intent))
	}
	// The dev set is mostly right by now; the examples classified by
	// cross-validation add the errors of phrasings the model has not
	// seen, which is what confidence must warn of.
	crossValidate(t, defaultParams, 5, func(c *Classifier, e labelledExample) { add(c, e.text, e.intent) })
	w := fitLogistic(xin, yin, 20000)
	fmt.Printf("in scope (%d): a %.2f b %.2f c %.2f\n", len(xin), w[0], w[1], w[2])
	if len(xlow) > 0 {
		v := fitLogistic(xlow, ylow, 20000)
		fmt.Printf("below threshold (%d, %d out of scope): d %.2f e %.2f\n", len(xlow), count(ylow), v[0], v[1])
	}
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}
