package intent

import "math"

// calibration maps the fast path's scores to the probability of being
// right, by two logistic regressions fitted on testdata/dev.tsv and on the
// examples classified by cross-validation, which are phrasings the model
// has not seen (see TestCalibrationFit):
//
//   - in scope: P(right) = σ(a + b·score + c·margin), where score is the
//     best intent's score and margin its lead over the runner-up;
//   - below the out-of-scope threshold: P(out of scope) = σ(d + e·top),
//     where top is the best example's similarity.
type calibration struct {
	a, b, c float64
	d, e    float64
}

var defaultCalibration = calibration{a: 0.47, b: 0.63, c: 5.79, d: 3.0, e: -8.0}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func (c calibration) inScope(score, margin float64) float64 {
	return sigmoid(c.a + c.b*score + c.c*margin)
}

func (c calibration) belowThreshold(top float64) float64 {
	return sigmoid(c.d + c.e*top)
}

// fitLogistic fits σ(w·x) to the labels by gradient descent on the log
// loss with a little L2, from zero; x[i][0] should be 1 for the bias.
func fitLogistic(x [][]float64, y []bool, iters int) []float64 {
	if len(x) == 0 {
		return nil
	}
	w := make([]float64, len(x[0]))
	lr := 0.5
	for range iters {
		grad := make([]float64, len(w))
		for i, xi := range x {
			z := 0.0
			for j := range w {
				z += w[j] * xi[j]
			}
			p := sigmoid(z)
			t := 0.0
			if y[i] {
				t = 1
			}
			for j := range w {
				grad[j] += (p - t) * xi[j]
			}
		}
		for j := range w {
			w[j] -= lr * (grad[j]/float64(len(x)) + 1e-4*w[j])
		}
	}
	return w
}
