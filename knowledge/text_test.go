package knowledge

import (
	"context"
	"slices"
	"testing"
)

func TestTokensMatchKoreanAcrossParticles(t *testing.T) {
	for _, tc := range []struct{ doc, query string }{
		{"서울은 크다", "서울"},
		{"서울", "서울은"},
		{"고객에게 쿠폰을 보냅니다", "고객 쿠폰"},
		{"크루아상", "크루아상에"},
		{"VIP고객", "vip 고객"},
	} {
		d, q := Tokens(tc.doc), Tokens(tc.query)
		shared := 0
		for _, x := range q {
			if slices.Contains(d, x) && runeLen(x) >= 2 {
				shared++
			}
		}
		if shared == 0 {
			t.Errorf("%q and %q share no bigram or word: %v / %v", tc.doc, tc.query, d, q)
		}
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"서울은", []string{"서", "울", "서울"}},
		{"The Croissants are baked", []string{"croissant", "bak"}},
		{"P001 12개", []string{"p001", "12", "개"}},
		{"ＶＩＰ　고객", []string{"vip", "고", "객", "고객"}},              // full-width letters and space (NFKC)
		{"어떻게 해?", nil},                                          // only question words
		{"애플파이", []string{"애", "플", "애플", "파", "플파", "이", "파이"}}, // 이 after 파 (no final) is not a particle
	} {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitSuffix(t *testing.T) {
	for _, tc := range []struct{ in, stem string }{
		{"고객에게", "고객"},
		{"되나요", "되"},
		{"소금빵이", "소금빵"},
		{"케이크가", "케이크"},
		{"사과", "사과"},    // 과 needs a final consonant before it
		{"포도", "포도"},    // one-syllable particle needs two syllables before
		{"파이", "파이"},    // 이 needs a final consonant
		{"강남점은", "강남점"}, // 은 after a final consonant
		{"혜택을", "혜택"},
		{"쿠폰도", "쿠폰"},
		{"알려줘", "알려"},
		{"빵", "빵"},
		{"고객들은", "고객"},
		{"손님들", "손님"},
		{"구매해", "구매"},
		{"이해", "이해"},
	} {
		if stem, _ := SplitSuffix(tc.in); stem != tc.stem {
			t.Errorf("SplitSuffix(%q) stem = %q, want %q", tc.in, stem, tc.stem)
		}
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"croissants": "croissant", "pastries": "pastry", "baking": "bak", "shipping": "ship",
		"class": "class", "bus": "bus", "expired": "expir", "quickly": "quick", "boxes": "box", "egg": "egg",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashEmbedder(t *testing.T) {
	h := NewHashEmbedder(256)
	if h.Name() != "hash" || h.Dim() != 256 {
		t.Fatalf("name %s dim %d", h.Name(), h.Dim())
	}
	vs, err := h.Embed(context.Background(), []string{"크루아상 알레르기", "크루아상 알레르기 성분은?", "주차 가능한 매장", "", "?!"})
	if err != nil {
		t.Fatal(err)
	}
	dot := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	if n := dot(vs[0], vs[0]); n < 0.999 || n > 1.001 {
		t.Errorf("not unit length: %v", n)
	}
	if same, other := dot(vs[0], vs[1]), dot(vs[0], vs[2]); same <= other || same < 0.5 {
		t.Errorf("paraphrase similarity %.3f should beat an unrelated text's %.3f", same, other)
	}
	if !isZero(vs[3]) || !isZero(vs[4]) {
		t.Errorf("a text without features should be the zero vector")
	}
	again, _ := h.Embed(context.Background(), []string{"크루아상 알레르기"})
	if !slices.Equal(again[0], vs[0]) {
		t.Errorf("hash embedder is not deterministic")
	}
	// A typo keeps most of an English word's character trigrams.
	ws, _ := h.Embed(context.Background(), []string{"croissant", "croisant", "baguette"})
	if dot(ws[0], ws[1]) <= dot(ws[0], ws[2]) {
		t.Errorf("typo similarity %.3f should beat another word's %.3f", dot(ws[0], ws[1]), dot(ws[0], ws[2]))
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	r.Register("fake", func(cfg EmbedderConfig) (Embedder, error) { return NewHashEmbedder(cfg.Dim), nil })
	if _, err := r.New("nope", EmbedderConfig{}); err == nil || err.Error() != `unknown embedder "nope" (known: fake)` {
		t.Errorf("unknown embedder: %v", err)
	}
	mustPanic(t, func() { r.Register("fake", nil) })
	mustPanic(t, func() { r.Register("", func(EmbedderConfig) (Embedder, error) { return nil, nil }) })
	if got := Builtin().Names(); !slices.Equal(got, []string{"hash", "ollama", "onnx", "openai"}) {
		t.Errorf("builtin embedders %v", got)
	}
	e, err := NewEmbedder("", EmbedderConfig{})
	if err != nil || e.Name() != "hash" || e.Dim() != DefaultHashDim {
		t.Errorf("default embedder: %v %v", e, err)
	}
}

func mustPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("no panic")
		}
	}()
	f()
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"서울은 크다", "VIP 고객에게", "ｆｕｌｌ　ｗｉｄｔｈ", "a\x00b", "되나요?", "croissants 12개"} {
		f.Add(s)
	}
	h := NewHashEmbedder(64)
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok == "" {
				t.Fatalf("empty token from %q", s)
			}
		}
		v, err := h.Embed(context.Background(), []string{s})
		if err != nil || len(v[0]) != 64 {
			t.Fatalf("embed %q: %v", s, err)
		}
	})
}
