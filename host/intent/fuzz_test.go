package intent

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/tools"
)

// FuzzClassify feeds arbitrary text (outside input from every channel) to
// Classify: it must not panic, and what it returns must be well formed.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"오늘 폐기될 상품은?", "and tomorrow?", "₩300,000 1.5백만원 회원 12345 12월 24일", "2026-02-30", "next friday 5 days",
		"ㅋㅋ", "", "  ", "강남점은?", "폐 기 될", "crossaints", "\x00\xff", "#12345", "12/24/2026", "99월 99일", "1.2.3.4"} {
		f.Add(s)
	}
	c := newTestClassifier(f)
	f.Fuzz(func(t *testing.T, text string) {
		prev := c.Classify(ctx, "오늘 폐기될 상품은?", nil)
		for _, p := range []*Result{nil, &prev} {
			r := c.Classify(ctx, text, p)
			if r.Intent == "" || r.Confidence < 0 || r.Confidence > 1 || r.Confidence != r.Confidence {
				t.Fatalf("%q: %+v", text, r)
			}
			if r.OutOfScope != (r.Intent == OutOfScope) || (r.OutOfScope && r.Tool != "") {
				t.Fatalf("%q: %+v", text, r)
			}
			for _, d := range r.Slots.Dates {
				from, err1 := time.Parse(tools.DateLayout, d.From)
				to, err2 := time.Parse(tools.DateLayout, d.To)
				if err1 != nil || err2 != nil || to.Before(from) {
					t.Fatalf("%q: date %+v", text, d)
				}
			}
			if r.Slots.Budget < 0 || r.Slots.Days < 0 {
				t.Fatalf("%q: %+v", text, r.Slots)
			}
			if utf8.ValidString(text) && r.Locale != "ko" && r.Locale != "en" {
				t.Fatalf("%q: locale %q", text, r.Locale)
			}
		}
	})
}

// FuzzReadTSV: evaluation files are outside input too.
func FuzzReadTSV(f *testing.F) {
	f.Add("intent\tutterance\nhelp\t도움말\n")
	f.Add("intent\tutterance\r\nhelp\t\t\n")
	f.Add("\ufeffintent\tutterance\n")
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ReadTSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Intent == "" || it.Text == "" || strings.Contains(it.Text, "\t") {
				t.Fatalf("%+v", it)
			}
		}
	})
}
