package gmm

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func fittedModel(t testing.TB) (*Model, [][]float64) {
	t.Helper()
	X, _ := threeClusters(3).sample(600, 1)
	m, err := Fit(X, 3, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m, X
}

func TestMarshalRoundTrip(t *testing.T) {
	m, X := fittedModel(t)
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 5 + 4 + 8*(1+3*(1+3+6)); len(blob) != want {
		t.Errorf("encoded size %d bytes, want %d", len(blob), want)
	}
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var fromBin, fromJSON Model
	if err := fromBin.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*Model{"binary": &fromBin, "json": &fromJSON} {
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s round trip changed the model", name)
		}
		for _, x := range X[:50] {
			if a, b := got.Proba(x, nil), m.Proba(x, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("%s round trip: Proba %v, was %v", name, a, b)
			}
		}
		again, err := got.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, blob) {
			t.Errorf("%s round trip: re-encoding differs", name)
		}
	}
}

func TestUnmarshalBinaryErrors(t *testing.T) {
	m, _ := fittedModel(t)
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), blob...)) }
	// The first covariance's (0, 0) entry follows the header (9 bytes), the
	// log-likelihood, 3 weights and 3 means of 3.
	cov00 := 9 + 8*(1+3+9)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"forest", []byte("CRFR\x01"), "bad magic"},
		{"version", edit(func(b []byte) []byte { b[4] = 2; return b }), "format version 2"},
		{"truncated", blob[:len(blob)-1], "3 components of dimension 3"},
		{"trailing", append(append([]byte(nil), blob...), 0), "3 components of dimension 3"},
		{"header only", blob[:6], "truncated"},
		{"zero dimension", edit(func(b []byte) []byte { b[5] = 0; return b }), "dimension 0"},
		{"zero components", edit(func(b []byte) []byte { b[6] = 0; return b }), "no components"},
		{"converged byte", edit(func(b []byte) []byte { b[8] = 2; return b }), "converged byte 2"},
		{"overlong varint", append([]byte("CGMM\x01\x83\x00"), blob[6:]...), "shortest form"},
		{"negative variance", edit(func(b []byte) []byte {
			copy(b[cov00:], le(-1))
			return b
		}), "not positive definite"},
		{"NaN weight", edit(func(b []byte) []byte {
			copy(b[9+8:], le(math.NaN()))
			return b
		}), "weight 0 is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Model
			err := got.UnmarshalBinary(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func le(v float64) []byte {
	b := make([]byte, 8)
	u := math.Float64bits(v)
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	return b
}

func TestUnmarshalJSONChecks(t *testing.T) {
	var m Model
	err := json.Unmarshal([]byte(`{"weights":[1],"means":[[0,0]],"covariances":[[[1,2],[2,1]]]}`), &m)
	if err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Fatalf("error %v, want one about the covariance", err)
	}
	if err := json.Unmarshal([]byte(`{"weights":[1],"means":[[0,0]],"covariances":[[[1,0],[0,1]]]}`), &m); err != nil {
		t.Fatal(err)
	}
	if p := m.Proba([]float64{0, 0}, nil); len(p) != 1 || p[0] != 1 {
		t.Errorf("Proba of a one-component model %v", p)
	}
}

// FuzzUnmarshalBinary checks that decoding never panics and that whatever
// decodes scores points and encodes back to the same bytes.
func FuzzUnmarshalBinary(f *testing.F) {
	m, _ := fittedModel(f)
	blob, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add([]byte("CGMM\x01\x01\x01\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if m.UnmarshalBinary(data) != nil {
			return
		}
		x := make([]float64, m.Dim())
		p := m.Proba(x, nil)
		var s float64
		for _, v := range p {
			s += v
		}
		if !(math.Abs(s-1) < 1e-9) && !math.IsNaN(s) {
			t.Fatalf("memberships sum to %v", s)
		}
		again, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", again, data)
		}
	})
}
