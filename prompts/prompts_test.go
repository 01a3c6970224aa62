package prompts

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crumb-dev/crumb/tools"
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

// TestGoldenPrompts renders every LLM prompt version in both locales with
// the variables in testdata/llm/<ref>.vars.json and compares system, user,
// fallback and repair with testdata/llm/<ref>.<locale>.golden.
func TestGoldenPrompts(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Prompts()) == 0 {
		t.Fatal("no LLM prompts loaded")
	}
	for _, ref := range s.Prompts() {
		p, err := s.Prompt(ref)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(ref, func(t *testing.T) {
			if got := p.Locales(); !slices.Equal(got, []string{"en", "ko"}) {
				t.Errorf("locales %v: write llm/%s.ko.tmpl and llm/%s.en.tmpl", got, ref, ref)
			}
			if len(p.Schema) == 0 {
				t.Errorf("no output schema: write llm/%s.schema.json", ref)
			}
			schema, err := tools.CompileSchema(p.Schema)
			if err != nil {
				t.Fatalf("schema: %v", err)
			}
			vars, err := os.ReadFile(filepath.Join("testdata", "llm", ref+".vars.json"))
			if err != nil {
				t.Fatalf("%v: write the variables of a realistic call as JSON there", err)
			}
			for _, loc := range []string{"ko", "en"} {
				in := Input{Locale: loc, Vars: json.RawMessage(vars)}
				r, err := s.RenderPrompt(ref, in)
				if err != nil {
					t.Fatal(err)
				}
				if r.Locale != loc || r.Ref != ref {
					t.Errorf("rendered %s.%s, want %s.%s", r.Ref, r.Locale, ref, loc)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "## system\n%s\n\n## user\n%s\n", r.System, r.User)
				if p.HasFallback(loc) {
					fb, err := s.RenderFallback(ref, in)
					if err != nil {
						t.Fatal(err)
					}
					if err := schema.Validate(fb); err != nil {
						t.Errorf("%s fallback fails its schema: %v\n%s", loc, err, fb)
					}
					fmt.Fprintf(&b, "\n## fallback\n%s\n", fb)
				}
				in.Errors = []string{`field "text": wrong type: want string`, `banned word "폐기"`}
				rep, err := s.RenderRepair(ref, in)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "\n## repair\n%s\n", rep)
				golden(t, filepath.Join("testdata", "llm", ref+"."+loc+".golden"), b.String())
			}
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./prompts -update)", err)
	}
	if got != string(want) {
		t.Errorf("render differs from %s (run go test ./prompts -update and read the diff):\n got: %s\nwant: %s", path, got, want)
	}
}

func TestPromptRefs(t *testing.T) {
	dir := fstest.MapFS{
		"llm/x.y@v1.en.tmpl":     {Data: []byte(`{{define "system"}}one{{end}}{{define "user"}}{{.Vars.a}}{{end}}{{define "fallback"}}{"a": {{json .Vars.a}}}{{end}}`)},
		"llm/x.y@v2.en.tmpl":     {Data: []byte(`{{define "system"}}two {{.Locale}}{{end}}{{define "user"}}{{.Vars.a}}{{end}}{{define "fallback"}}{"a": {{.Vars.a}}}{{end}}`)},
		"llm/x.y@v2.schema.json": {Data: []byte(`{"type":"object"}`)},
		"banned/en.txt":          {Data: []byte("# c\nfoo\n\nbar  # trailing\nfoo\n")},
	}
	s, err := Load(WithFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ ref, system string }{{"x.y", "two en"}, {"x.y@v1", "one"}, {"x.y@v2", "two en"}} {
		r, err := s.RenderPrompt(c.ref, Input{Locale: "ko", Vars: map[string]any{"a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if r.System != c.system || r.User != "b" {
			t.Errorf("%s: got %q / %q", c.ref, r.System, r.User)
		}
	}
	if _, err := s.RenderPrompt("x.y@v3", Input{}); !errors.Is(err, ErrNoPrompt) {
		t.Errorf("x.y@v3: %v, want ErrNoPrompt", err)
	}
	if _, err := s.RenderPrompt("x.y", Input{Vars: map[string]any{}}); err == nil || !strings.Contains(err.Error(), "a") {
		t.Errorf("missing var: %v", err)
	}
	if fb, err := s.RenderFallback("x.y@v1", Input{Vars: json.RawMessage(`{"a":"say \"hi\"\n"}`)}); err != nil || string(fb) != `{"a":"say \"hi\"\n"}` {
		t.Errorf("fallback: %s, %v", fb, err)
	}
	if fb, err := s.RenderFallback("x.y@v2", Input{Vars: json.RawMessage(`{"a":1500000}`)}); err != nil || string(fb) != `{"a":1500000}` {
		t.Errorf("numbers keep their form: %s, %v", fb, err)
	}
	if _, err := s.RenderFallback("x.y@v2", Input{Vars: map[string]any{"a": "not json"}}); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad fallback JSON: %v", err)
	}
	if got := s.Banned("en"); !slices.Equal(got, []string{"foo", "bar"}) {
		t.Errorf("banned en = %q", got)
	}
	if got := s.BannedFor("en")[0]; got != "foo" {
		t.Errorf("BannedFor(en) starts with %q", got)
	}
	if w := s.WithBanned("en", []string{"zap"}); w.Banned("en")[0] != "zap" || s.Banned("en")[0] != "foo" {
		t.Error("WithBanned changed the original or did not apply")
	}
	for name, body := range map[string]string{
		"llm/Bad@v1.en.tmpl": `{{define "system"}}{{end}}{{define "user"}}{{end}}`,
		"llm/a@v1.en.tmpl":   `{{define "system"}}x{{end}}`,
		"llm/b@v1.en.tmpl":   `{{define "system"}}{{.Vars.x}`,
	} {
		if _, err := Load(WithFS(fstest.MapFS{name: {Data: []byte(body)}})); err == nil {
			t.Errorf("%s loaded", name)
		}
	}
}

func TestEmbeddedBannedLists(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for loc, want := range map[string][]string{"ko": {"폐기", "재고 처리", "떨이", "유통기한 임박"}, "en": {"waste", "leftover", "clearance", "expir*"}} {
		got := s.Banned(loc)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("banned/%s.txt lacks the seed word %q", loc, w)
			}
		}
	}
}

func TestJoinTakesJSONLists(t *testing.T) {
	s, err := Load(WithFS(fstest.MapFS{
		"llm/j.k@v1.en.tmpl": {Data: []byte(`{{define "system"}}{{join .Vars.xs ", "}}{{end}}{{define "user"}}{{join .Vars.ys "/"}}{{end}}`)},
	}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.RenderPrompt("j.k", Input{Vars: json.RawMessage(`{"xs":["a","b",3]}`)})
	if err == nil {
		t.Fatalf("missing ys rendered: %+v", r)
	}
	r, err = s.RenderPrompt("j.k", Input{Vars: map[string]any{"xs": []any{"a", "b", json.Number("3")}, "ys": []string{"c", "d"}}})
	if err != nil || r.System != "a, b, 3" || r.User != "c/d" {
		t.Errorf("%+v %v", r, err)
	}
}
