package main

import (
	"fmt"
	"math"

	"github.com/crumb-dev/crumb/plugins/internal/ml/kmeans"
)

// DefaultClusters is the number of store clusters, as in the seed.
const DefaultClusters = 5

// storeProfile describes how a store sells over the last year: its weekday
// shape (share of sales per weekday), its category mix and its volume.
func (h *history) storeProfiles(until int) [][]float64 {
	cats := map[string]int{}
	for _, p := range h.products {
		if _, ok := cats[p.Category]; !ok {
			cats[p.Category] = len(cats)
		}
	}
	from := max(0, until-365)
	prof := make([][]float64, len(h.stores))
	for i := range prof {
		prof[i] = make([]float64, 7+len(cats)+1)
	}
	totals := make([]float64, len(h.stores))
	for _, s := range h.series {
		cat := cats[h.products[s.product].Category]
		for t := from; t < until && t < len(s.y); t++ {
			if v := s.y[t]; !math.IsNaN(v) {
				p := prof[s.store]
				p[int(h.date(t).Weekday())] += v
				p[7+cat] += v
				totals[s.store] += v
			}
		}
	}
	for i, p := range prof {
		if totals[i] > 0 {
			for j := range len(p) - 1 {
				p[j] /= totals[i]
			}
		}
		p[len(p)-1] = math.Log1p(totals[i] / float64(max(1, until-from)))
	}
	return prof
}

// Clusters is the store clustering.
type Clusters struct {
	K          int            `json:"k"`
	Silhouette float64        `json:"silhouette"`
	Of         map[string]int `json:"of"` // store id → cluster
}

// clusterStores groups stores by their sales profile with k-means++ on
// standardised profiles (k is capped by the number of stores).
func (h *history) clusterStores(until, k int, seed uint64) (*Clusters, error) {
	k = min(k, len(h.stores))
	c := &Clusters{K: k, Of: map[string]int{}}
	if k <= 1 {
		for _, s := range h.stores {
			c.Of[s.ID] = 0
		}
		return c, nil
	}
	z, _, _ := kmeans.Standardize(h.storeProfiles(until))
	res, err := kmeans.Fit(z, k, kmeans.Options{Restarts: 10, MaxIter: 100, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("cluster stores: %w", err)
	}
	for i, s := range h.stores {
		c.Of[s.ID] = res.Labels[i]
	}
	if k < len(h.stores) {
		c.Silhouette = kmeans.Silhouette(z, res.Labels)
	}
	return c, nil
}
