package gmm_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/crumb-dev/crumb/plugins/internal/ml/gmm"
	"github.com/crumb-dev/crumb/plugins/internal/ml/kmeans"
)

// ExampleSelectK segments customers by recency, frequency and monetary
// value: log-transform and standardize, let BIC choose the number of
// segments, then read a customer's soft membership.
func ExampleSelectK() {
	rng := rand.New(rand.NewPCG(1, 2))
	// Three kinds of customer: loyal (recent, frequent, big baskets),
	// occasional, and lapsed.
	kinds := []struct{ recency, frequency, monetary float64 }{
		{5, 30, 900_000}, {40, 6, 150_000}, {200, 2, 40_000},
	}
	var rfm [][]float64
	for i := range 900 {
		c := kinds[i%3]
		jitter := func(v float64) float64 { return v * math.Exp(0.35*rng.NormFloat64()) }
		rfm = append(rfm, []float64{jitter(c.recency), jitter(c.frequency), jitter(c.monetary)})
	}
	logRFM := make([][]float64, len(rfm))
	for i, r := range rfm {
		logRFM[i] = []float64{math.Log1p(r[0]), math.Log1p(r[1]), math.Log1p(r[2])}
	}
	Z, means, stds := kmeans.Standardize(logRFM)

	model, bics, err := gmm.SelectK(Z, 1, 6, gmm.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("segments: %d (BIC tried for k = 1..%d)\n", model.K(), len(bics))

	// A customer between occasional and lapsed belongs to both.
	customer := []float64{math.Log1p(90), math.Log1p(3.5), math.Log1p(80_000)}
	for j := range customer {
		customer[j] = (customer[j] - means[j]) / stds[j]
	}
	p := model.Proba(customer, nil)
	loyal := model.Predict(Z[0])
	occasional := model.Predict(Z[1])
	lapsed := model.Predict(Z[2])
	fmt.Printf("loyal %.2f, occasional %.2f, lapsed %.2f\n", p[loyal], p[occasional], p[lapsed])
	// Output:
	// segments: 3 (BIC tried for k = 1..6)
	// loyal 0.00, occasional 0.75, lapsed 0.25
}
