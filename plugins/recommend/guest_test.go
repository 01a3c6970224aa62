package main

import (
	"fmt"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// TestGuestPriorChosen: where baskets are random draws from popularity the guest model leans on
// popularity (a large prior); where items come in fixed pairs it keeps co-purchase as counted.
func TestGuestPriorChosen(t *testing.T) {
	h := &history{}
	for i := range 40 {
		h.products = append(h.products, tools.Product{ID: fmt.Sprintf("P%02d", i), Name: fmt.Sprintf("item %d", i)})
	}
	for _, tc := range []struct {
		name     string
		baskets  []basket
		min, max float32
	}{
		{"random baskets", synthetic(false, false), 100, 1e9},
		{"items in pairs", synthetic(true, false), 0, 3},
	} {
		g := buildGuest(h, tc.baskets)
		if g.Prior < tc.min || g.Prior > tc.max {
			t.Errorf("%s: prior %g, want %g..%g", tc.name, g.Prior, tc.min, tc.max)
		}
		if err := g.Check(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
