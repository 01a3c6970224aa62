package names

import "testing"

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Gangnam Store": "gangnam", "ｇａｎｇｎａｍ": "gangnam", "croissants": "croissant", "강남 점": "강남점", "Glass": "glass",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBest(t *testing.T) {
	items := []string{"크루아상", "식빵", "우유식빵", "Croissant"}
	id := func(s string) []string { return []string{s} }
	for q, want := range map[string]string{"크로아상": "크루아상", "우유식빵": "우유식빵", "croissants": "Croissant", "식빵": "식빵"} {
		if got, ok := Best(q, items, id); !ok || got != want {
			t.Errorf("Best(%q) = %q, %v; want %q", q, got, ok, want)
		}
	}
	if _, ok := Best("pizza", items, id); ok {
		t.Error("pizza matched")
	}
}
