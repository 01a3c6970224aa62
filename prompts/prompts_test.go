package prompts

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden renders every answer template in both locales and compares
// the text with testdata/<id>.<locale>.golden.
func TestGolden(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	type tool struct{ Description, Example string }
	data := map[string]any{
		"help":         map[string]any{"Tools": []tool{{"Stock on hand by store and product.", "강남점 크루아상 재고 몇 개야?"}, {"Find products.", ""}}},
		"out_of_scope": map[string]any{"Examples": []string{"“홍대점 재고 알려줘”", "“how much is a croissant?”"}},
		"tool_failure": map[string]any{"Reason": `unknown store "부산"`},
		"tool_error":   map[string]any{"Tool": "stock_on_hand", "Error": "plugin catalog is restarting"},
		"no_text":      map[string]any{"Tool": "stock_on_hand"},
	}
	for id, d := range data {
		for _, loc := range []string{"ko", "en"} {
			t.Run(id+"."+loc, func(t *testing.T) {
				got, err := s.Render(id, loc, d)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", id+"."+loc+".golden")
				if *update {
					if err := os.MkdirAll("testdata", 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./prompts -update)", err)
				}
				if got+"\n" != string(want) {
					t.Errorf("render %s.%s:\n got: %s\nwant: %s", id, loc, got, want)
				}
			})
		}
	}
	if _, err := s.Render("nope", "ko", nil); err == nil {
		t.Error("unknown template rendered")
	}
	if _, err := s.Render("tool_failure", "ko", map[string]any{}); err == nil {
		t.Error("missing key rendered")
	}
}
