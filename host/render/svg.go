package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
)

// writeSVG writes sc as an SVG document. Every piece of text goes through
// xml.EscapeText; everything else written is numbers and constants.
func writeSVG(b *bytes.Buffer, sc *scene) {
	h := fnv.New32a()
	h.Write([]byte(sc.title))
	h.Write([]byte{0})
	h.Write([]byte(sc.desc))
	id := fmt.Sprintf("crumb-chart-%08x", h.Sum32())

	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %[1]s %[2]s" role="img" aria-labelledby="%[3]s-title" aria-describedby="%[3]s-desc" lang="%[4]s" font-family="%[5]s">`+"\n",
		num(sc.w), num(sc.h), id, sc.lang, sc.font)
	fmt.Fprintf(b, `<title id="%s-title">`, id)
	escape(b, sc.title)
	fmt.Fprintf(b, "</title>\n<desc id=\"%s-desc\">", id)
	escape(b, sc.desc)
	b.WriteString("</desc>\n")
	fmt.Fprintf(b, `<rect class="background" width="100%%" height="100%%" fill="%s"/>`+"\n", hex(sc.bg))
	for _, s := range sc.shapes {
		writeShape(b, s)
	}
	b.WriteString("</svg>\n")
}

func writeShape(b *bytes.Buffer, s shape) {
	switch s.kind {
	case shapeRect:
		fmt.Fprintf(b, `<rect%s x="%s" y="%s" width="%s" height="%s"`, class(s), num(s.x), num(s.y), num(s.w), num(s.h))
		if s.r > 0 {
			fmt.Fprintf(b, ` rx="%s"`, num(s.r))
		}
		paint(b, s)
		b.WriteString("/>\n")
	case shapeLine:
		fmt.Fprintf(b, `<line%s x1="%s" y1="%s" x2="%s" y2="%s"`, class(s), num(s.pts[0].X), num(s.pts[0].Y), num(s.pts[1].X), num(s.pts[1].Y))
		paint(b, s)
		b.WriteString("/>\n")
	case shapePath:
		tag := "polyline"
		if s.closed {
			tag = "polygon"
		}
		fmt.Fprintf(b, `<%s%s points="`, tag, class(s))
		for i, p := range s.pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(p.X) + "," + num(p.Y))
		}
		b.WriteByte('"')
		paint(b, s)
		if !s.closed {
			b.WriteString(` stroke-linejoin="round" stroke-linecap="round"`)
		}
		b.WriteString("/>\n")
	case shapeCircle:
		fmt.Fprintf(b, `<circle%s cx="%s" cy="%s" r="%s"`, class(s), num(s.x), num(s.y), num(s.r))
		paint(b, s)
		b.WriteString("/>\n")
	case shapeText:
		fmt.Fprintf(b, `<text%s x="%s" y="%s" font-size="%s"`, class(s), num(s.x), num(s.y), num(s.size))
		if s.bold {
			b.WriteString(` font-weight="700"`)
		}
		switch s.anchor {
		case anchorMiddle:
			b.WriteString(` text-anchor="middle"`)
		case anchorEnd:
			b.WriteString(` text-anchor="end"`)
		}
		fmt.Fprintf(b, ` fill="%s">`, hex(s.fill))
		if s.full != "" {
			b.WriteString("<title>")
			escape(b, s.full)
			b.WriteString("</title>")
		}
		escape(b, s.text)
		b.WriteString("</text>\n")
	}
}

// paint writes fill and stroke attributes.
func paint(b *bytes.Buffer, s shape) {
	if s.kind != shapeLine {
		if s.fill.none() {
			b.WriteString(` fill="none"`)
		} else {
			fmt.Fprintf(b, ` fill="%s"`, hex(s.fill))
			if s.fill.A != 0xFF {
				fmt.Fprintf(b, ` fill-opacity="%s"`, num(float64(s.fill.A)/255))
			}
		}
	}
	if !s.stroke.none() && s.strokeW > 0 {
		fmt.Fprintf(b, ` stroke="%s" stroke-width="%s"`, hex(s.stroke), num(s.strokeW))
		if s.stroke.A != 0xFF {
			fmt.Fprintf(b, ` stroke-opacity="%s"`, num(float64(s.stroke.A)/255))
		}
		if len(s.dash) > 0 {
			b.WriteString(` stroke-dasharray="`)
			for i, d := range s.dash {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(num(d))
			}
			b.WriteByte('"')
		}
	}
}

func class(s shape) string {
	if s.class == "" {
		return ""
	}
	return ` class="` + s.class + `"`
}

func escape(b *bytes.Buffer, s string) {
	// xml.EscapeText only fails when the writer does; a bytes.Buffer does not.
	_ = xml.EscapeText(b, []byte(s))
}

func hex(c color) string {
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
