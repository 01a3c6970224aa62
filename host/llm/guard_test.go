package llm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/prompts"
)

func testGuard(t testing.TB) *Guard {
	t.Helper()
	set, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	return GuardFromPrompts(set)
}

func TestGuard(t *testing.T) {
	g := testGuard(t)
	cases := []struct {
		text string
		want []string // entries as written in the lists, in order
	}{
		{"오늘 폐기 예정 상품", []string{"폐기"}},
		{"폐 기", []string{"폐기"}},
		{"폐-기", []string{"폐기"}},
		{"폐.기될 빵", []string{"폐기"}},
		{"ㅍㅖㄱㅣ", []string{"폐기"}},                     // compatibility jamo
		{"ㅍ ㅖ ㄱ ㅣ", []string{"폐기"}},                  // spaced jamo
		{"ㄸㅓㄹㅇㅣ 세일", []string{"떨이"}},                 // jamo with a final consonant
		{"\u1111\u1168\u1100\u1175", []string{"폐기"}}, // conjoining jamo (NFD)
		{"ﾍﾟ기", nil},                                 // half-width katakana is not Hangul
		{"재고처리 세일", []string{"재고 처리"}},
		{"재고 처 리", []string{"재고 처리"}},
		{"유통기한임박 상품", []string{"유통기한 임박"}},
		{"폐\u200b기", []string{"폐기"}}, // zero-width space
		{"waste", []string{"waste"}},
		{"No WASTE today", []string{"waste"}},
		{"ＷＡＳＴＥ", []string{"waste"}},
		{"w.a.s.t.e", []string{"waste"}},
		{"w a s t e", []string{"waste"}},
		{"W-A-S-T-E!", []string{"waste"}},
		{"was-te", []string{"waste"}},
		{"wа" + "ste", []string{"waste"}}, // Cyrillic а
		{"wáste", []string{"waste"}},
		{"w\u0336a\u0336s\u0336t\u0336e\u0336", []string{"waste"}}, // strike-through
		{"wasted bread", []string{"waste"}},
		{"wasting", []string{"waste"}},
		{"wastes", []string{"waste"}},
		{"zero-waste pledge", []string{"waste"}},
		{"waste라는 말", []string{"waste"}},
		{"wasteland", nil},
		{"now a steal!", nil},
		{"It was tempting", nil},
		{"leftovers", []string{"leftover"}},
		{"left over", []string{"left over"}},
		{"left-over rolls", []string{"left over"}},
		{"CLEARANCE sale", []string{"clearance"}},
		{"Expired milk", []string{"expir*"}},
		{"expiry date", []string{"expir*"}},
		{"dumpling soup", nil},
		{"croissant 2+1 tonight only", nil},
		{"오늘 저녁 한정 혜택", nil},
		{"Fresh croissants, tonight only", nil},
		{"폐기 and waste", []string{"폐기", "waste"}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			var got []string
			for _, m := range g.Check(c.text) {
				got = append(got, m.Word)
				if m.Start < 0 || m.End > len(c.text) || m.Start >= m.End || c.text[m.Start:m.End] != m.Found {
					t.Errorf("match %+v: bad span", m)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Check(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestGuardSpanAndMessage(t *testing.T) {
	g := testGuard(t)
	text := "오늘은 폐 기 없는 날"
	ms := g.Check(text)
	if len(ms) != 1 {
		t.Fatalf("matches %v", ms)
	}
	if ms[0].Found != "폐 기" || ms[0].Start != strings.Index(text, "폐") {
		t.Errorf("match %+v", ms[0])
	}
	if s := ms[0].String(); !strings.Contains(s, `"폐기"`) || !strings.Contains(s, `"폐 기"`) {
		t.Errorf("message %q should name the word and how it was written", s)
	}
	vs := g.CheckJSON([]byte(`{"headline":"좋은 빵","items":[{"t":"ok"},{"t":"Wa Ste"}],"n":3}`))
	if len(vs) != 1 || vs[0].Field != "items[1].t" || !strings.Contains(vs[0].String(), `field "items[1].t"`) {
		t.Errorf("CheckJSON = %v", vs)
	}
}

func TestGuardAllowing(t *testing.T) {
	g := testGuard(t)
	a := g.Allowing("오늘 폐기될 상품은?")
	if ms := a.Check("강남점 폐기 위험 상품은 3개입니다."); len(ms) != 0 {
		t.Errorf("allowed word reported: %v", ms)
	}
	if ms := a.Check("떨이 세일"); len(ms) != 1 {
		t.Errorf("a word not in the context must still be caught: %v", ms)
	}
	if ms := g.Check("폐기"); len(ms) != 1 {
		t.Error("Allowing changed the original guard")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"폐 기", "ＷＡＳＴＥ", "w.a.s.t.e", "ㅍㅖㄱㅣ", "wáste", "\u1111\u1168", "\xff\xfe", "ﬁ", "ǅ", "ᄀᄀᄀ"} {
		f.Add(s)
	}
	g := testGuard(f)
	f.Fuzz(func(t *testing.T, s string) {
		rs := normalize(s)
		prev := 0
		for _, r := range rs {
			if r.start < prev || r.start > r.end || r.end > len(s) {
				t.Fatalf("span [%d,%d) out of order or bounds (len %d, prev %d)", r.start, r.end, len(s), prev)
			}
			prev = r.start
		}
		// Normalising twice changes nothing more.
		var once strings.Builder
		for _, r := range rs {
			once.WriteRune(r.r)
		}
		var twice strings.Builder
		for _, r := range normalize(once.String()) {
			twice.WriteRune(r.r)
		}
		if utf8.ValidString(s) && once.String() != twice.String() {
			t.Fatalf("not idempotent: %q → %q → %q", s, once.String(), twice.String())
		}
		for _, m := range g.Check(s) {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("match %+v out of bounds", m)
			}
		}
		// A banned word stays caught whatever separators are put inside it.
		for _, w := range []string{"폐기", "waste"} {
			var b strings.Builder
			for i, r := range w {
				if i > 0 {
					b.WriteString(sepOf(s))
				}
				b.WriteRune(r)
			}
			probe := " " + b.String() + " "
			found := false
			for _, m := range g.Check(probe) {
				found = found || strings.HasPrefix(m.Word, w)
			}
			if !found {
				t.Fatalf("%q not caught in %q", w, probe)
			}
		}
	})
}

// sepOf makes a separator from the fuzz input: its non-word runes, or a space.
func sepOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if isWordRune(r) || r == utf8.RuneError || b.Len() >= 8 {
			continue
		}
		// Some symbols hold letters under NFKC (㈜ is (주)): not separators.
		clean := true
		for _, n := range normalize(string(r)) {
			clean = clean && !isWordRune(n.r)
		}
		if clean {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return " "
	}
	return b.String()
}
