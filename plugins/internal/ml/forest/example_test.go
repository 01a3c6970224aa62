package forest_test

import (
	"fmt"

	"github.com/crumb-dev/crumb/plugins/internal/ml/forest"
)

// ExampleFit learns demand that jumps on weekends and reads the forest's
// own uncertainty from the spread of its trees.
func ExampleFit() {
	var X [][]float64
	var y []float64
	for day := range 700 {
		weekday := float64(day % 7)
		temp := float64(day%30) - 5
		demand := 100 + 2*temp
		if weekday >= 5 {
			demand += 50
		}
		X = append(X, []float64{weekday, temp})
		y = append(y, demand)
	}
	f, err := forest.Fit(X, y, forest.Params{NumTrees: 50, MaxFeatures: 1, Seed: 1})
	if err != nil {
		panic(err)
	}
	trees := f.PredictTrees([]float64{6, 10}, nil)
	lo, hi := trees[0], trees[0]
	for _, v := range trees {
		lo, hi = min(lo, v), max(hi, v)
	}
	fmt.Printf("Sunday at 10°C: %.0f (trees %.0f..%.0f)\n", f.Predict([]float64{6, 10}), lo, hi)
	fmt.Printf("Monday at 10°C: %.0f\n", f.Predict([]float64{0, 10}))
	imp := f.Importance()
	fmt.Printf("importance: weekday %.2f, temperature %.2f\n", imp[0], imp[1])
	// Output:
	// Sunday at 10°C: 171 (trees 168..173)
	// Monday at 10°C: 120
	// importance: weekday 0.63, temperature 0.37
}
