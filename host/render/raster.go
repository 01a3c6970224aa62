package render

import (
	"image"
	imgcolor "image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// raster draws a scene into an RGBA image with anti-aliasing: shapes become
// polygons filled by vector.Rasterizer, text is drawn glyph by glyph.
type raster struct {
	img   *image.RGBA
	scale float64
	m     *measurer // at the same scale
	z     vector.Rasterizer
}

func rasterize(sc *scene, scale float64, m *measurer) *image.RGBA {
	w, h := int(math.Ceil(sc.w*scale)), int(math.Ceil(sc.h*scale))
	r := &raster{img: image.NewRGBA(image.Rect(0, 0, w, h)), scale: scale, m: m}
	draw.Draw(r.img, r.img.Bounds(), image.NewUniform(nrgba(sc.bg)), image.Point{}, draw.Src)
	for _, s := range sc.shapes {
		r.shape(s)
	}
	return r.img
}

func nrgba(c color) imgcolor.NRGBA { return imgcolor.NRGBA{c.R, c.G, c.B, c.A} }

func (r *raster) shape(s shape) {
	switch s.kind {
	case shapeRect:
		if !s.fill.none() {
			r.fill(s.fill, roundRect(s.x, s.y, s.w, s.h, s.r))
		}
		if !s.stroke.none() && s.strokeW > 0 {
			hw := s.strokeW / 2
			outer := roundRect(s.x-hw, s.y-hw, s.w+s.strokeW, s.h+s.strokeW, s.r+hw)
			inner := roundRect(s.x+hw, s.y+hw, s.w-s.strokeW, s.h-s.strokeW, math.Max(0, s.r-hw))
			r.fillHole(s.stroke, outer, inner)
		}
	case shapeCircle:
		if !s.fill.none() {
			r.fill(s.fill, circle(s.x, s.y, s.r))
		}
		if !s.stroke.none() && s.strokeW > 0 {
			hw := s.strokeW / 2
			r.fillHole(s.stroke, circle(s.x, s.y, s.r+hw), circle(s.x, s.y, math.Max(0, s.r-hw)))
		}
	case shapeLine:
		r.fill(s.stroke, dashed(s.pts[0], s.pts[1], s.strokeW, s.dash)...)
	case shapePath:
		if s.closed {
			if !s.fill.none() {
				r.fill(s.fill, s.pts)
			}
			return
		}
		r.fill(s.stroke, strokePolyline(s.pts, s.strokeW)...)
	case shapeText:
		x := s.x * r.scale
		switch s.anchor {
		case anchorMiddle:
			x -= r.m.width(s.text, s.size, s.bold) / 2
		case anchorEnd:
			x -= r.m.width(s.text, s.size, s.bold)
		}
		r.m.draw(r.img, s.text, x, s.y*r.scale, s.size, s.bold, image.NewUniform(nrgba(s.fill)))
	}
}

// fill fills the union of polys (in logical pixels). Each is first turned
// the same way round, so overlaps add up instead of cancelling out.
func (r *raster) fill(c color, polys ...[]point) {
	for _, p := range polys {
		if area(p) < 0 {
			reverse(p)
		}
	}
	r.draw(c, polys)
}

// fillHole fills outer less inner.
func (r *raster) fillHole(c color, outer, inner []point) {
	if area(outer) < 0 {
		reverse(outer)
	}
	if area(inner) > 0 {
		reverse(inner)
	}
	r.draw(c, [][]point{outer, inner})
}

// draw rasterises polys over their bounding box only: a rasteriser sized to
// the whole image would cost a full-image pass per shape.
func (r *raster) draw(c color, polys [][]point) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range polys {
		for _, q := range p {
			minX, minY = math.Min(minX, q.X), math.Min(minY, q.Y)
			maxX, maxY = math.Max(maxX, q.X), math.Max(maxY, q.Y)
		}
	}
	if math.IsInf(minX, 1) {
		return
	}
	s := r.scale
	box := image.Rect(int(math.Floor(minX*s)), int(math.Floor(minY*s)), int(math.Ceil(maxX*s)), int(math.Ceil(maxY*s))).Intersect(r.img.Bounds())
	if box.Empty() {
		return
	}
	z := &r.z
	z.Reset(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	for _, p := range polys {
		if len(p) < 3 {
			continue
		}
		z.MoveTo(float32(p[0].X*s-ox), float32(p[0].Y*s-oy))
		for _, q := range p[1:] {
			z.LineTo(float32(q.X*s-ox), float32(q.Y*s-oy))
		}
		z.ClosePath()
	}
	z.DrawOp = draw.Over
	z.Draw(r.img, box, image.NewUniform(nrgba(c)), image.Point{})
}

// area is twice the signed area of p.
func area(p []point) float64 {
	var a float64
	for i := range p {
		q := p[(i+1)%len(p)]
		a += p[i].X*q.Y - q.X*p[i].Y
	}
	return a
}

func reverse(p []point) {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// roundRect is a rectangle with corners of radius rad, as a polygon.
func roundRect(x, y, w, h, rad float64) []point {
	if w <= 0 || h <= 0 {
		return nil
	}
	rad = math.Min(rad, math.Min(w, h)/2)
	if rad <= 0.01 {
		return []point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}
	}
	const steps = 6
	corners := []struct{ cx, cy, a0 float64 }{
		{x + w - rad, y + rad, -math.Pi / 2},
		{x + w - rad, y + h - rad, 0},
		{x + rad, y + h - rad, math.Pi / 2},
		{x + rad, y + rad, math.Pi},
	}
	pts := make([]point, 0, 4*(steps+1))
	for _, c := range corners {
		for i := 0; i <= steps; i++ {
			a := c.a0 + float64(i)/steps*math.Pi/2
			pts = append(pts, point{c.cx + rad*math.Cos(a), c.cy + rad*math.Sin(a)})
		}
	}
	return pts
}

func circle(cx, cy, rad float64) []point {
	if rad <= 0 {
		return nil
	}
	n := int(math.Max(16, math.Min(64, rad*8)))
	pts := make([]point, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}
	}
	return pts
}

// segment is the quadrilateral covered by a line of width w from a to b
// with butt ends.
func segment(a, b point, w float64) []point {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return nil
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	return []point{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}}
}

// dashed splits a line into its dashes; pattern alternates on and off
// lengths, starting on, as SVG's stroke-dasharray does.
func dashed(a, b point, w float64, pattern []float64) [][]point {
	if len(pattern) == 0 {
		return [][]point{segment(a, b, w)}
	}
	l := math.Hypot(b.X-a.X, b.Y-a.Y)
	if l == 0 {
		return nil
	}
	ux, uy := (b.X-a.X)/l, (b.Y-a.Y)/l
	var out [][]point
	for t, i := 0.0, 0; t < l; i++ {
		d := pattern[i%len(pattern)]
		if d <= 0 {
			d = 0.5
		}
		if i%2 == 0 {
			e := math.Min(t+d, l)
			out = append(out, segment(point{a.X + ux*t, a.Y + uy*t}, point{a.X + ux*e, a.Y + uy*e}, w))
		}
		t += d
	}
	return out
}

// strokePolyline covers pts with segments joined and capped round, as
// SVG's stroke-linejoin="round" stroke-linecap="round".
func strokePolyline(pts []point, w float64) [][]point {
	out := make([][]point, 0, 2*len(pts))
	for i := 1; i < len(pts); i++ {
		if s := segment(pts[i-1], pts[i], w); s != nil {
			out = append(out, s)
		}
	}
	for _, p := range pts {
		out = append(out, circle(p.X, p.Y, w/2))
	}
	return out
}
