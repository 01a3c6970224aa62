package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// FuzzSVGText checks that whatever text a plugin puts in a chart, the SVG
// is well-formed XML and the title survives escaping.
func FuzzSVGText(f *testing.F) {
	for _, s := range []string{
		"예상 폐기율", "<script>alert(1)</script>", "a & b", `"quoted" 'single'`, "]]>", "<!--", "\x00\x01\x1f",
		"\xff\xfe invalid utf-8", "\uFFFE\uFFFF", "line\nbreak\r\n", "&amp;", "강남점 (low)", "\u202e rtl", "🥐",
	} {
		f.Add(s, s, "%", "bar")
	}
	f.Fuzz(func(t *testing.T, title, label, unit, kind string) {
		if kind != "line" {
			kind = "bar"
		}
		c := tools.Chart{
			Kind:   kind,
			Title:  title,
			Labels: []string{label, "b" + label, "크루아상"},
			Series: []tools.Series{
				{Name: label, Values: []float64{1, 2, 3}},
				{Name: title + " (low)", Values: []float64{0, 1, 2}},
				{Name: title + " (high)", Values: []float64{2, 3, 4}},
			},
			Unit:      unit,
			Threshold: ptr(2),
		}
		out, err := SVG(c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		var inTitle, sawTitle bool
		var got string
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, out)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inTitle = tok.Name.Local == "title" && !sawTitle
			case xml.CharData:
				if inTitle {
					got += string(tok)
				}
			case xml.EndElement:
				if inTitle {
					sawTitle, inTitle = true, false
				}
			}
		}
		want := cleanText(title)
		if want == "" {
			want = "Bar chart"
			if kind == "line" {
				want = "Line chart"
			}
		}
		if got != want {
			t.Errorf("<title> = %q, want %q", got, want)
		}
		// The PNG path measures and draws the same text: it must not fail.
		if _, err := PNG(c, Options{Width: minWidth, Height: minHeight}); err != nil {
			t.Fatal(err)
		}
	})
}
