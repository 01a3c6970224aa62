package gmm

import (
	"fmt"
	"sync"
)

// SelectK fits a mixture for every k in [kmin, kmax] with the options o and
// returns the one of lowest BIC on X (the smallest k on ties), with the BIC
// of every k: bics[i] is that of k = kmin+i. The values of k are fitted in
// parallel; the result does not depend on Workers.
func SelectK(X [][]float64, kmin, kmax int, o Options) (best *Model, bics []float64, err error) {
	o, err = o.withDefaults()
	if err != nil {
		return nil, nil, fmt.Errorf("select gaussian mixture k: %w", err)
	}
	flat, d, err := flatten(X)
	if err != nil {
		return nil, nil, fmt.Errorf("select gaussian mixture k: %w", err)
	}
	if kmin < 1 || kmax < kmin || kmax > len(X) {
		return nil, nil, fmt.Errorf("select gaussian mixture k: k range [%d, %d]: need 1 <= kmin <= kmax <= %d, the number of points", kmin, kmax, len(X))
	}
	nk := kmax - kmin + 1
	models := make([]*Model, nk)
	errs := make([]error, nk)
	// Fit several k at once, each with a share of the workers; the largest
	// k, the slowest, go first.
	outer := min(o.Workers, nk)
	inner := max(1, o.Workers/outer)
	next := make(chan int, nk)
	for i := nk - 1; i >= 0; i-- {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range outer {
		wg.Go(func() {
			for i := range next {
				models[i], errs[i] = fitBest(X, flat, d, kmin+i, o, inner)
			}
		})
	}
	wg.Wait()
	bics = make([]float64, nk)
	bestI := 0
	for i, m := range models {
		if errs[i] != nil {
			return nil, nil, fmt.Errorf("select gaussian mixture k: %w", errs[i])
		}
		bics[i] = m.BIC(X)
		if best == nil || bics[i] < bics[bestI] {
			best, bestI = m, i
		}
	}
	return best, bics, nil
}
