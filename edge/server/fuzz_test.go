package server

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
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

// jsonDecode is the reference: encoding/json with unknown fields refused.
func jsonDecode(body []byte) (Request, bool, error) {
	var in Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	return in, err == nil && dec.More(), err
}

// checkPlain fails when parsePlain accepts a body that encoding/json reads otherwise.
func checkPlain(t *testing.T, body []byte) {
	t.Helper()
	var got Request
	if !parsePlain(body, &got) {
		return
	}
	want, more, err := jsonDecode(body)
	if err != nil || more || !reflect.DeepEqual(got, want) {
		t.Fatalf("body %q: plain parse %s, encoding/json %s (more %v, err %v)", body, show(got), show(want), more, err)
	}
}

func show(r Request) string {
	b, _ := json.Marshal(r)
	return string(b)
}

var plainSeeds = []string{
	`{"user_id":"12345","gender":1,"age":34,"cart":["P01"],"wishlist":["P02"]}`,
	` { "cart_items" : [ "P01" , "P02" ] , "k" : 3 } `,
	`{"user_id":"guest","cart":[],"wishlist":[]}`,
	`{"user_id":"회원-7","gender":0,"age":-0,"k":100}`,
	`{}`,
}

func FuzzPlainDecode(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkPlain(t, body) })
}

// TestPlainDecodeMatchesJSON mutates the plain seeds at random (bytes changed, dropped,
// doubled, the fields' spellings and values varied): whatever the plain parser accepts,
// encoding/json must read the same way.
func TestPlainDecodeMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte(`{}[]:,"\ 0123456789-+.eEtruefalsnul` + "\t\n\x00\x1f\xff\xc3\xa9")
	accepted := 0
	for _, s := range plainSeeds {
		var ref Request
		if !parsePlain([]byte(s), &ref) {
			t.Fatalf("seed %s is not in the plain form", s)
		}
	}
	for range 50000 {
		b := []byte(plainSeeds[r.IntN(len(plainSeeds))])
		for range 1 + r.IntN(3) {
			if len(b) == 0 {
				break
			}
			i := r.IntN(len(b))
			switch r.IntN(4) {
			case 0:
				b[i] = alphabet[r.IntN(len(alphabet))]
			case 1:
				b = append(b[:i:i], b[i+1:]...)
			case 2:
				b = append(b[:i:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
			case 3:
				b = append(b[:i:i], append([]byte(string(b[i:min(len(b), i+r.IntN(8))])), b[i:]...)...)
			}
		}
		var x Request
		if parsePlain(b, &x) {
			accepted++
		}
		checkPlain(t, b)
	}
	if accepted < 1000 {
		t.Errorf("only %d mutated bodies were in the plain form: the test says little", accepted)
	}
}
