package render

import (
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"math"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// NanumSquare (OFL-1.1, NAVER) covers all 11,172 Hangul syllables, Latin,
// digits and common punctuation in 0.7 MB a weight. It lacks accented Latin
// (é in "Café") and €, so the Go fonts (BSD, already in x/image) back it up.
// See README.md for where the files come from.
var (
	//go:embed fonts/NanumSquareR.ttf
	nanumSquareRegular []byte
	//go:embed fonts/NanumSquareB.ttf
	nanumSquareBold []byte
)

// fontSet is the parsed fonts, primary first then fallbacks. sfnt fonts are
// safe for concurrent use; faces are not, so each render makes its own.
type fontSet struct {
	regular, bold []*opentype.Font
}

// loadFonts parses the embedded fonts once; the result is never modified.
var loadFonts = sync.OnceValues(func() (*fontSet, error) {
	parse := func(name string, b []byte) (*opentype.Font, error) {
		f, err := opentype.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("parse embedded font %s: %w", name, err)
		}
		return f, nil
	}
	var fs fontSet
	for _, f := range []struct {
		name string
		data []byte
		dst  *[]*opentype.Font
	}{
		{"NanumSquareR.ttf", nanumSquareRegular, &fs.regular},
		{"Go-Regular.ttf", goregular.TTF, &fs.regular},
		{"NanumSquareB.ttf", nanumSquareBold, &fs.bold},
		{"Go-Bold.ttf", gobold.TTF, &fs.bold},
	} {
		p, err := parse(f.name, f.data)
		if err != nil {
			return nil, err
		}
		*f.dst = append(*f.dst, p)
	}
	return &fs, nil
})

// measurer measures and draws text at one scale. It caches faces for the
// sizes a render uses and is not safe for concurrent use.
type measurer struct {
	fs     *fontSet
	scale  float64
	chains map[faceKey]*faceChain
	buf    sfnt.Buffer
}

type faceKey struct {
	size float64
	bold bool
}

// faceChain is one size and weight: a face per font of the fallback chain.
type faceChain struct {
	fonts []*opentype.Font
	faces []font.Face
	pick  map[rune]int
	// ascent and descent in the measurer's pixels.
	ascent, descent float64
}

func newMeasurer(fs *fontSet, scale float64) *measurer {
	return &measurer{fs: fs, scale: scale, chains: map[faceKey]*faceChain{}}
}

func (m *measurer) chain(size float64, bold bool) *faceChain {
	k := faceKey{size, bold}
	if c, ok := m.chains[k]; ok {
		return c
	}
	fonts := m.fs.regular
	if bold {
		fonts = m.fs.bold
	}
	c := &faceChain{fonts: fonts, faces: make([]font.Face, len(fonts)), pick: map[rune]int{}}
	met := c.face(0, size*m.scale).Metrics()
	c.ascent = fixedToFloat(met.Ascent)
	c.descent = fixedToFloat(met.Descent)
	m.chains[k] = c
	return c
}

func (c *faceChain) face(i int, px float64) font.Face {
	if c.faces[i] == nil {
		// opentype.NewFace only fails for a bad size or DPI, which are
		// constants here.
		f, err := opentype.NewFace(c.fonts[i], &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			panic(fmt.Sprintf("render: new face at %gpx: %v", px, err))
		}
		c.faces[i] = f
	}
	return c.faces[i]
}

// fontFor is the index of the first font in the chain with a glyph for r,
// or 0 (the primary font's .notdef glyph, blank in NanumSquare) when none
// has one.
func (m *measurer) fontFor(c *faceChain, r rune) int {
	if i, ok := c.pick[r]; ok {
		return i
	}
	i := 0
	for j, f := range c.fonts {
		if g, err := f.GlyphIndex(&m.buf, r); err == nil && g != 0 {
			i = j
			break
		}
	}
	c.pick[r] = i
	return i
}

// width is the advance of s at size px in the measurer's pixels.
func (m *measurer) width(s string, size float64, bold bool) float64 {
	var w fixed.Int26_6
	m.glyphs(s, size, bold, func(f font.Face, r rune, kern fixed.Int26_6) {
		adv, _ := f.GlyphAdvance(r)
		w += kern + adv
	})
	return fixedToFloat(w)
}

// glyphs calls fn for every rune of s with the face that draws it and the
// kerning before it.
func (m *measurer) glyphs(s string, size float64, bold bool, fn func(f font.Face, r rune, kern fixed.Int26_6)) {
	c := m.chain(size, bold)
	prev, prevFont := rune(-1), -1
	for _, r := range s {
		i := m.fontFor(c, r)
		f := c.face(i, size*m.scale)
		var kern fixed.Int26_6
		if i == prevFont && prev >= 0 {
			kern = f.Kern(prev, r)
		}
		fn(f, r, kern)
		prev, prevFont = r, i
	}
}

// draw draws s with its baseline starting at (x, y) in device pixels.
func (m *measurer) draw(dst draw.Image, s string, x, y, size float64, bold bool, src image.Image) {
	dot := fixed.Point26_6{X: floatToFixed(x), Y: floatToFixed(y)}
	m.glyphs(s, size, bold, func(f font.Face, r rune, kern fixed.Int26_6) {
		dot.X += kern
		dr, mask, mp, adv, ok := f.Glyph(dot, r)
		if ok {
			draw.DrawMask(dst, dr, src, image.Point{}, mask, mp, draw.Over)
		}
		dot.X += adv
	})
}

// truncate shortens s with a trailing "…" until it is at most maxW wide.
// It searches the cut by bisection, so a long string costs O(n log n).
func (m *measurer) truncate(s string, maxW, size float64, bold bool) string {
	if m.width(s, size, bold) <= maxW {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)-1 // keep rs[:lo] fits; rs[:hi+1] may not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m.width(string(rs[:mid])+"…", size, bold) <= maxW {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRightFunc(string(rs[:lo]), unicode.IsSpace) + "…"
}

func fixedToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }

func floatToFixed(v float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(v * 64)) }
