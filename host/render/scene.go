package render

// scene is a laid-out chart: shapes in drawing order, in logical pixels with
// the origin top left. Both the SVG writer and the rasteriser read it, so
// the two formats cannot drift apart.
type scene struct {
	w, h   float64
	lang   string
	title  string // accessible name
	desc   string // accessible description
	bg     color
	font   string // CSS font-family for the SVG
	shapes []shape
}

type shapeKind uint8

const (
	shapeRect   shapeKind = iota // x, y, w, h, radius; fill and/or stroke
	shapeLine                    // pts[0]–pts[1]; stroke, width, dash
	shapePath                    // pts; stroke (polyline) or fill (closed polygon)
	shapeCircle                  // centre x, y, radius; fill and/or stroke
	shapeText                    // text with its baseline at (x, y)
)

type anchor uint8

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

type point struct{ X, Y float64 }

// shape is one element. Fields not used by a kind stay zero.
type shape struct {
	kind  shapeKind
	class string // SVG class, so the web UI can restyle (e.g. dark mode)

	x, y, w, h, r float64
	pts           []point
	closed        bool

	fill, stroke color
	strokeW      float64
	dash         []float64

	text   string
	full   string // the untruncated text when text was shortened
	size   float64
	bold   bool
	anchor anchor
}

// color is sRGB with straight (not premultiplied) alpha.
type color struct{ R, G, B, A uint8 }

func rgb(hex uint32) color {
	return color{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xFF}
}

func (c color) withAlpha(a float64) color {
	c.A = uint8(a*255 + 0.5)
	return c
}

func (c color) none() bool { return c.A == 0 }

func (s *scene) add(sh shape) { s.shapes = append(s.shapes, sh) }

func (s *scene) rect(class string, x, y, w, h, r float64, fill color) {
	s.add(shape{kind: shapeRect, class: class, x: x, y: y, w: w, h: h, r: r, fill: fill})
}

func (s *scene) line(class string, x1, y1, x2, y2, width float64, stroke color, dash []float64) {
	s.add(shape{kind: shapeLine, class: class, pts: []point{{x1, y1}, {x2, y2}}, strokeW: width, stroke: stroke, dash: dash})
}

func (s *scene) text(class string, x, y float64, text string, size float64, bold bool, fill color, a anchor) {
	s.add(shape{kind: shapeText, class: class, x: x, y: y, text: text, size: size, bold: bold, fill: fill, anchor: a})
}
