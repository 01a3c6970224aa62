package stock

import (
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

func TestLatest(t *testing.T) {
	h := func(hour int) time.Time { return time.Date(2026, 11, 21, hour, 0, 0, 0, time.UTC) }
	snaps := []tools.StockSnapshot{
		{StoreID: "S1", ProductID: "P1", At: h(9), Quantity: 30},
		{StoreID: "S1", ProductID: "P1", At: h(12), Quantity: 20},
		{StoreID: "S1", ProductID: "P1", At: h(15), Quantity: 10},
		{StoreID: "S1", ProductID: "P2", At: h(16), Quantity: 5},
		{StoreID: "S1", ProductID: "P2", At: h(14), Quantity: 7},
	}
	for _, c := range []struct {
		at   int
		want []int
	}{{13, []int{20, 7}}, {8, []int{30, 7}}, {23, []int{10, 5}}} {
		got := Latest(snaps, h(c.at))
		if len(got) != 2 || got[0].Quantity != c.want[0] || got[1].Quantity != c.want[1] {
			t.Errorf("at %02d:00: %+v, want quantities %v", c.at, got, c.want)
		}
	}
}
