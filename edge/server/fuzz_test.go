package server

import (
	"strings"
	"testing"
)

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"user_id":"12345","gender":1,"age":34,"cart":["P01"],"wishlist":["P02"]}`))
	f.Add([]byte(`{"cart_items":["P01"],"k":3}`))
	f.Add([]byte(`{"gender":7}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, k, err := DecodeRequest(body)
		if err != nil {
			return
		}
		if k < 1 || k > 100 {
			t.Fatalf("accepted k = %d", k)
		}
		if r.Gender != nil && *r.Gender != 0 && *r.Gender != 1 {
			t.Fatalf("accepted gender %d", *r.Gender)
		}
		if r.Age != nil && (*r.Age < 0 || *r.Age > 130) {
			t.Fatalf("accepted age %d", *r.Age)
		}
		if r.UserID != strings.TrimSpace(r.UserID) || r.UserID == "guest" {
			t.Fatalf("user id %q kept as is", r.UserID)
		}
	})
}
