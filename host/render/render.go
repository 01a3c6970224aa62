package render

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Options says how big a chart is drawn and in which language its own words
// (legend entries, the accessible description) are written.
type Options struct {
	// Width and Height are the size in logical pixels; zero means 720×360.
	// A horizontal bar chart with many labels grows taller than Height so
	// that every row stays readable.
	Width, Height int
	// Locale is "ko" or "en" (also "ko-KR" and the like); anything else,
	// and the empty string, means English.
	Locale string
	// Scale multiplies the PNG's pixel size, e.g. 2 for a sharp image on
	// high-density screens; zero means 1. The SVG ignores it.
	Scale float64
}

// Default and allowed sizes. The limits keep a bad request from allocating
// a huge image.
const (
	DefaultWidth  = 720
	DefaultHeight = 360
	minWidth      = 240
	minHeight     = 160
	maxSide       = 4096
	maxScale      = 4
	maxPixels     = 8192 // per side of a PNG, after scaling

	maxBarLabels  = 200
	maxLineLabels = 2000
	maxSeries     = 12
	maxAbsValue   = 1e15 // beyond this, labels stop being readable numbers
	maxText       = 200  // runes kept of a title, label, name or unit
)

// ChartError reports a chart specification that cannot be drawn. Field names
// the offending field the way the JSON spells it ("series[1].values").
type ChartError struct {
	Field   string
	Problem string
}

func (e *ChartError) Error() string {
	return "chart " + e.Field + ": " + e.Problem
}

// OptionsError reports render options out of range.
type OptionsError struct {
	Field   string
	Problem string
}

func (e *OptionsError) Error() string {
	return "render options " + e.Field + ": " + e.Problem
}

// SVG renders c as a standalone SVG document, ready to inline in HTML.
func SVG(c tools.Chart, opts Options) ([]byte, error) {
	sc, _, _, err := prepare(c, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(4096 + 200*len(sc.shapes))
	writeSVG(&buf, sc)
	return buf.Bytes(), nil
}

// PNG renders c as an opaque PNG image of Width×Scale by Height×Scale
// pixels (or taller, see Options.Height).
func PNG(c tools.Chart, opts Options) ([]byte, error) {
	sc, o, fs, err := prepare(c, opts)
	if err != nil {
		return nil, err
	}
	if px := sc.h * o.Scale; px > maxPixels {
		return nil, &OptionsError{"scale", fmt.Sprintf("the chart is %g pixels tall at scale %g, more than %d; lower the scale", px, o.Scale, maxPixels)}
	}
	img := rasterize(sc, o.Scale, newMeasurer(fs, o.Scale))
	var buf bytes.Buffer
	buf.Grow(len(img.Pix) / 16)
	if err := encodePNG(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart png: %w", err)
	}
	return buf.Bytes(), nil
}

// prepare checks the options and the chart and lays the chart out.
func prepare(c tools.Chart, opts Options) (*scene, Options, *fontSet, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, o, nil, err
	}
	if err := Validate(c); err != nil {
		return nil, o, nil, err
	}
	fs, err := loadFonts()
	if err != nil {
		return nil, o, nil, err
	}
	return layout(cleanChart(c), o, newMeasurer(fs, 1)), o, fs, nil
}

// Validate reports the first problem that keeps c from being drawn, as a
// *ChartError, or nil.
func Validate(c tools.Chart) error {
	bad := func(field, format string, args ...any) error {
		return &ChartError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	limit := maxBarLabels
	switch c.Kind {
	case "bar":
	case "line":
		limit = maxLineLabels
	case "":
		return bad("kind", `is empty; use "bar" or "line"`)
	default:
		return bad("kind", `%q is not supported; use "bar" or "line"`, c.Kind)
	}
	if len(c.Labels) == 0 {
		return bad("labels", "is empty; give one label per data point")
	}
	if len(c.Labels) > limit {
		return bad("labels", "has %d entries, more than a %s chart can show (%d); aggregate the data first", len(c.Labels), c.Kind, limit)
	}
	if len(c.Series) == 0 {
		return bad("series", "is empty; give at least one series of values")
	}
	if len(c.Series) > maxSeries {
		return bad("series", "has %d series, more than can be told apart (%d)", len(c.Series), maxSeries)
	}
	for i, s := range c.Series {
		field := fmt.Sprintf("series[%d]", i)
		if len(s.Values) != len(c.Labels) {
			return bad(field+".values", "%s has %d values, want %d (one per label)", quoteName(s.Name), len(s.Values), len(c.Labels))
		}
		for j, v := range s.Values {
			if p := nonFinite(v); p != "" {
				return bad(fmt.Sprintf("%s.values[%d]", field, j), "%s is %s; values must be finite numbers", quoteName(s.Name), p)
			}
			if math.Abs(v) > maxAbsValue {
				return bad(fmt.Sprintf("%s.values[%d]", field, j), "%s is %g, beyond the ±%g a chart can show", quoteName(s.Name), v, maxAbsValue)
			}
		}
	}
	if c.Threshold != nil {
		if p := nonFinite(*c.Threshold); p != "" {
			return bad("threshold", "is %s; it must be a finite number", p)
		}
		if math.Abs(*c.Threshold) > maxAbsValue {
			return bad("threshold", "is %g, beyond the ±%g a chart can show", *c.Threshold, maxAbsValue)
		}
	}
	return nil
}

func quoteName(name string) string {
	if name == "" {
		return "the unnamed series"
	}
	return fmt.Sprintf("series %q", name)
}

func nonFinite(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return ""
}

func (o Options) resolve() (Options, error) {
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.Width < minWidth || o.Width > maxSide {
		return o, &OptionsError{"width", fmt.Sprintf("%d is out of range [%d, %d]", o.Width, minWidth, maxSide)}
	}
	if o.Height < minHeight || o.Height > maxSide {
		return o, &OptionsError{"height", fmt.Sprintf("%d is out of range [%d, %d]", o.Height, minHeight, maxSide)}
	}
	if math.IsNaN(o.Scale) || o.Scale < 1 || o.Scale > maxScale {
		return o, &OptionsError{"scale", fmt.Sprintf("%g is out of range [1, %d]", o.Scale, maxScale)}
	}
	if px := float64(o.Width) * o.Scale; px > maxPixels {
		return o, &OptionsError{"scale", fmt.Sprintf("width %d × scale %g is %g pixels, more than %d", o.Width, o.Scale, px, maxPixels)}
	}
	if strings.HasPrefix(strings.ToLower(o.Locale), "ko") {
		o.Locale = "ko"
	} else {
		o.Locale = "en"
	}
	return o, nil
}

// cleanChart returns a copy of c whose strings are single-line valid UTF-8
// made only of characters XML allows, so every later step (measuring,
// escaping, drawing) sees the same text.
func cleanChart(c tools.Chart) tools.Chart {
	c.Title = cleanText(c.Title)
	c.Unit = cleanText(c.Unit)
	labels := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		labels[i] = cleanText(l)
	}
	c.Labels = labels
	series := make([]tools.Series, len(c.Series))
	for i, s := range c.Series {
		series[i] = tools.Series{Name: cleanText(s.Name), Values: s.Values}
	}
	c.Series = series
	return c
}

func cleanText(s string) string {
	if len(s) > 4*maxText {
		s = s[:4*maxText] // a rune is at most 4 bytes; ToValidUTF8 mends a cut rune
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || (r >= 0x7F && r < 0xA0):
			return -1
		case r == 0xFFFE || r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if rs := []rune(s); len(rs) > maxText {
		s = string(rs[:maxText-1]) + "…"
	}
	return s
}
