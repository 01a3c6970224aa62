package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// synthetic makes 400 members × 6 weekly baskets of 3 items out of 40. pairs: items come in
// fixed pairs (2k, 2k+1); repeat: each member draws from 4 items of their own.
func synthetic(pairs, repeat bool) []basket {
	r := rand.New(rand.NewPCG(1, 2))
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []basket
	for w := range 6 {
		for m := range 400 {
			own := []int32{int32(m % 40), int32((m + 7) % 40), int32((m + 13) % 40), int32((m + 29) % 40)}
			var items []int32
			for len(items) < 3 {
				var it int32
				switch {
				case repeat:
					it = own[r.IntN(len(own))]
				default:
					it = int32(r.IntN(40))
				}
				items = append(items, it)
				if pairs {
					items = append(items, it^1)
				}
			}
			b := basket{member: string(rune('A'+m%26)) + string(rune('a'+m/26)), at: day.AddDate(0, 0, 7*w), items: items}
			slices.Sort(b.items)
			b.items = slices.Compact(b.items)
			out = append(out, b)
		}
	}
	return out
}

func TestSignal(t *testing.T) {
	random := measureSignal(synthetic(false, false), 40, 10, 1)
	t.Logf("independent: pairs %v; repeat %v; month %v", random.Pairs, random.Repeat, random.Month)
	if z := random.Pairs.Z; z > 3 || z < -3 {
		t.Errorf("independent items: pairs z = %.1f, want within ±3 (%v)", z, random.Pairs)
	}
	if z := random.Repeat.Z; z > 3 || z < -3 {
		t.Errorf("independent items: repeat z = %.1f, want within ±3 (%v)", z, random.Repeat)
	}
	paired := measureSignal(synthetic(true, false), 40, 10, 1)
	if paired.Pairs.Z < 10 || paired.Pairs.Lift() < 1 {
		t.Errorf("items bought in pairs: pairs %v, want z ≥ 10 and lift ≥ 100 %%", paired.Pairs)
	}
	loyal := measureSignal(synthetic(false, true), 40, 10, 1)
	if loyal.Repeat.Z < 10 {
		t.Errorf("members rebuying their own items: repeat %v, want z ≥ 10", loyal.Repeat)
	}
	if loyal.Repeat.Real < 0.5 {
		t.Errorf("members rebuying their own items: repeat rate %.2f, want ≥ 0.5", loyal.Repeat.Real)
	}
}
