// Package stock reads stock counts for the plugins.
package stock

import (
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// Latest keeps, per store and product, the latest snapshot taken at or
// before at; before the first snapshot of the day it keeps the first. The
// result follows the order in which store × product pairs first appear.
func Latest(snaps []tools.StockSnapshot, at time.Time) []tools.StockSnapshot {
	type key struct{ store, product string }
	best := map[key]int{}
	var out []tools.StockSnapshot
	for _, s := range snaps {
		k := key{s.StoreID, s.ProductID}
		i, seen := best[k]
		if !seen {
			best[k] = len(out)
			out = append(out, s)
			continue
		}
		cur := out[i]
		switch {
		case !s.At.After(at) && (cur.At.After(at) || s.At.After(cur.At)):
			out[i] = s
		case cur.At.After(at) && s.At.Before(cur.At):
			out[i] = s
		}
	}
	return out
}
