package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Brand colours: warm bakery browns and ambers, with a clear red-orange for
// what needs attention. They are never modified.
var (
	colBackground = rgb(0xFFFFFF)
	colTitle      = rgb(0x3B2A20)
	colText       = rgb(0x5C4B40)
	colMuted      = rgb(0x8C7B6E)
	colGrid       = rgb(0xEEE6DD)
	colAxis       = rgb(0xB9A595)
	colWarn       = rgb(0xD9452B)
	colHalo       = rgb(0xFFFFFF)

	// palette starts with crust brown and honey amber; the others stay warm
	// or muted so that several series remain distinguishable.
	palette = [...]color{
		rgb(0xA0673A), // crust brown
		rgb(0xE3A33B), // honey amber
		rgb(0x5E8A6E), // pistachio
		rgb(0x6B4F80), // blueberry
		rgb(0x4F7CA0), // slate
		rgb(0xC9A27A), // wheat
	}
)

const (
	// fontStack covers Korean on macOS, Windows, Linux and Android; the PNG
	// uses the embedded NanumSquare instead.
	fontStack = `'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', NanumGothic, sans-serif`

	margin     = 16.0
	sizeTitle  = 16.0
	sizeLegend = 12.0
	sizeLabel  = 12.0
	sizeTick   = 11.0
	sizeValue  = 11.0

	minRow        = 18.0 // smallest row of a horizontal bar chart
	minPlot       = 80.0 // smallest plot height; a taller header makes the image taller
	maxLabelShare = 0.30 // widest label column of a horizontal bar chart, as a share of the width
	maxXLabel     = 120.0
	lineWidth     = 2.25
)

var dashThreshold = []float64{5, 4}

// words are the renderer's own words in one locale.
type words struct {
	threshold, over, interval                        string
	barChart, lineChart, items, points, unit, unitOf string
	aboveThreshold                                   func(n int, t string) string
}

func wordsFor(locale string) words {
	if locale == "ko" {
		return words{
			threshold: "기준", over: "기준 초과", interval: "%s 구간",
			barChart: "막대 차트", lineChart: "꺾은선 차트", items: "항목 %d개", points: "%d개 시점",
			unit: "단위: %s", unitOf: "단위: %s",
			aboveThreshold: func(n int, t string) string { return fmt.Sprintf("기준 %s 초과 %d개", t, n) },
		}
	}
	return words{
		threshold: "Threshold", over: "Above threshold", interval: "%s interval",
		barChart: "Bar chart", lineChart: "Line chart", items: "%d items", points: "%d points",
		unit: "unit %s", unitOf: "Unit: %s",
		aboveThreshold: func(n int, t string) string {
			if n == 1 {
				return fmt.Sprintf("1 above the threshold of %s", t)
			}
			return fmt.Sprintf("%d above the threshold of %s", n, t)
		},
	}
}

// lay holds the state of laying out one chart.
type lay struct {
	c  tools.Chart
	m  *measurer
	wd words
	sc *scene

	// Line charts: which series are lines and which pairs are bands.
	lineIdx []int
	bands   []band
	colors  []color // per series index

	locale string
	valDec int     // decimals of value labels, after dividing by valDiv
	valDiv float64 // 1, or 10^4 for "만" and the like
	valSuf string  // suffix of divided values: "만", "M"
	thr    string  // formatted threshold, "" without one

	values []shape // value labels, drawn after the threshold line
}

// band is a pair of series drawn as a shaded interval.
type band struct {
	name      string
	low, high int
	color     color
}

type legendKind uint8

const (
	legendBox legendKind = iota
	legendLine
	legendDash
	legendBand
)

type legendEntry struct {
	kind  legendKind
	color color
	label string
}

// layout lays c out; c has passed Validate and cleanChart, o resolve.
func layout(c tools.Chart, o Options, m *measurer) *scene {
	l := &lay{
		c:      c,
		m:      m,
		wd:     wordsFor(o.Locale),
		locale: o.Locale,
		sc:     &scene{w: float64(o.Width), h: float64(o.Height), lang: o.Locale, bg: colBackground, font: fontStack},
	}
	var all []float64
	for _, s := range c.Series {
		all = append(all, s.Values...)
	}
	l.valDec = decimals(all, 2)
	var maxAbs float64
	for _, v := range all {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	if l.valDiv, l.valSuf = compactScale(maxAbs, o.Locale); l.valDiv > 1 {
		scaled := make([]float64, len(all))
		for i, v := range all {
			scaled[i] = v / l.valDiv
		}
		l.valDec = min(decimals(scaled, 1), 1)
	}
	if c.Threshold != nil {
		l.thr = withUnit(formatNumber(*c.Threshold, decimals([]float64{*c.Threshold}, 2)), c.Unit)
	}
	l.assignColors()

	top := l.header()
	if c.Kind == "line" {
		l.lineChart(top)
	} else if !l.barVertical(top) {
		l.barHorizontal(top)
	}
	l.sc.title = c.Title
	if l.sc.title == "" {
		l.sc.title = l.wd.barChart
		if c.Kind == "line" {
			l.sc.title = l.wd.lineChart
		}
	}
	l.sc.desc = l.describe()
	return l.sc
}

// assignColors gives each series its colour and, for line charts, finds
// the "X (low)"/"X (high)" pairs.
func (l *lay) assignColors() {
	l.colors = make([]color, len(l.c.Series))
	if l.c.Kind != "line" {
		for i := range l.c.Series {
			l.colors[i] = palette[i%len(palette)]
		}
		return
	}
	type half struct{ low, high int }
	halves := map[string]*half{}
	var order []string
	for i, s := range l.c.Series {
		base, kind := bandSuffix(s.Name)
		if kind == 0 {
			continue
		}
		h := halves[base]
		if h == nil {
			h = &half{-1, -1}
			halves[base] = h
			order = append(order, base)
		}
		if kind < 0 && h.low < 0 {
			h.low = i
		} else if kind > 0 && h.high < 0 {
			h.high = i
		}
	}
	inBand := map[int]bool{}
	for _, base := range order {
		if h := halves[base]; h.low >= 0 && h.high >= 0 {
			l.bands = append(l.bands, band{name: base, low: h.low, high: h.high})
			inBand[h.low], inBand[h.high] = true, true
		}
	}
	byName := map[string]int{}
	for i, s := range l.c.Series {
		if inBand[i] {
			continue
		}
		l.colors[i] = palette[len(l.lineIdx)%len(palette)]
		if _, dup := byName[s.Name]; !dup {
			byName[s.Name] = i
		}
		l.lineIdx = append(l.lineIdx, i)
	}
	next := len(l.lineIdx)
	for j := range l.bands {
		b := &l.bands[j]
		if i, ok := byName[b.name]; ok {
			b.color = l.colors[i]
		} else {
			b.color = palette[next%len(palette)]
			next++
		}
		l.colors[b.low], l.colors[b.high] = b.color, b.color
	}
}

// bandSuffix splits "X (low)" into "X", -1 and "X (high)" into "X", +1;
// other names give 0.
func bandSuffix(name string) (string, int) {
	for _, s := range []struct {
		suffix string
		kind   int
	}{{"(low)", -1}, {"(high)", 1}, {"(하한)", -1}, {"(상한)", 1}} {
		if len(name) > len(s.suffix) && strings.EqualFold(name[len(name)-len(s.suffix):], s.suffix) {
			return strings.TrimSpace(name[:len(name)-len(s.suffix)]), s.kind
		}
	}
	return "", 0
}

func (l *lay) over(v float64) bool {
	return l.c.Threshold != nil && v > *l.c.Threshold
}

// valueLabel formats v for a label on a bar.
func (l *lay) valueLabel(v float64) string {
	s := formatNumber(v, l.valDec)
	if l.valDiv > 1 {
		s = formatNumber(v/l.valDiv, l.valDec) + l.valSuf
	}
	if shortUnit(l.c.Unit) {
		s = withUnit(s, l.c.Unit)
	}
	return s
}

// header draws the title, the legend and a long unit's caption, and returns
// the y below them.
func (l *lay) header() float64 {
	sc := l.sc
	y := margin
	if l.c.Title != "" {
		t := l.m.truncate(l.c.Title, sc.w-2*margin, sizeTitle, true)
		sc.add(shape{kind: shapeText, class: "title", x: margin, y: y + 13, text: t, full: fullIf(t, l.c.Title), size: sizeTitle, bold: true, fill: colTitle})
		y += 24
	}
	entries := l.legend()
	if len(entries) > 1 || len(l.bands) > 0 {
		x := margin
		row := y + 2
		for _, e := range entries {
			label := l.m.truncate(e.label, sc.w/2, sizeLegend, false)
			w := 16 + 6 + l.m.width(label, sizeLegend, false)
			if x > margin && x+w > sc.w-margin {
				x, row = margin, row+18
			}
			l.legendSwatch(e, x, row+7)
			sc.add(shape{kind: shapeText, class: "legend", x: x + 22, y: row + 11, text: label, full: fullIf(label, e.label), size: sizeLegend, fill: colText})
			x += w + 16
		}
		y = row + 18
	}
	if l.c.Unit != "" && !shortUnit(l.c.Unit) {
		sc.text("unit", margin, y+11, fmt.Sprintf(l.wd.unitOf, l.c.Unit), sizeTick, false, colMuted, anchorStart)
		y += 16
	}
	return y + 6
}

func fullIf(shown, full string) string {
	if shown == full {
		return ""
	}
	return full
}

func (l *lay) legend() []legendEntry {
	var es []legendEntry
	if l.c.Kind == "line" {
		for _, i := range l.lineIdx {
			es = append(es, legendEntry{legendLine, l.colors[i], l.c.Series[i].Name})
		}
		for _, b := range l.bands {
			es = append(es, legendEntry{legendBand, b.color, fmt.Sprintf(l.wd.interval, b.name)})
		}
	} else {
		for i, s := range l.c.Series {
			es = append(es, legendEntry{legendBox, l.colors[i], s.Name})
		}
		if len(l.c.Series) == 1 && l.anyOver() {
			es = append(es, legendEntry{legendBox, colWarn, l.wd.over})
		}
	}
	if l.thr != "" {
		es = append(es, legendEntry{legendDash, colWarn, l.wd.threshold + " " + l.thr})
	}
	return es
}

func (l *lay) anyOver() bool {
	for _, s := range l.c.Series {
		for _, v := range s.Values {
			if l.over(v) {
				return true
			}
		}
	}
	return false
}

// legendSwatch draws a 16 px wide swatch centred vertically on cy.
func (l *lay) legendSwatch(e legendEntry, x, cy float64) {
	sc := l.sc
	switch e.kind {
	case legendBox:
		sc.rect("swatch", x+3, cy-5, 10, 10, 2, e.color)
	case legendBand:
		sc.rect("swatch", x, cy-5, 16, 10, 2, e.color.withAlpha(0.22))
		sc.line("swatch", x, cy, x+16, cy, lineWidth, e.color, nil)
	case legendLine:
		sc.line("swatch", x, cy, x+16, cy, lineWidth, e.color, nil)
		sc.add(shape{kind: shapeCircle, class: "swatch", x: x + 8, y: cy, r: 3, fill: e.color})
	case legendDash:
		sc.line("swatch", x, cy, x+16, cy, 1.5, e.color, []float64{4, 3})
	}
}

// plotBottom is the bottom of a plot starting at top with room for an
// axis of height axis below, growing the image if the header left less
// than minPlot.
func (l *lay) plotBottom(top, axis float64) float64 {
	if need := top + minPlot + axis + margin; need > l.sc.h {
		l.sc.h = math.Ceil(need)
	}
	return l.sc.h - margin - axis
}

// valueDomain is the range the value axis must show.
func (l *lay) valueDomain(withZero bool) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range l.c.Series {
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if l.c.Threshold != nil {
		lo, hi = math.Min(lo, *l.c.Threshold), math.Max(hi, *l.c.Threshold)
	}
	if withZero {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	return lo, hi
}

// tickLabels formats ticks, with the unit when it is short and in 만 or M
// when they are large.
func (l *lay) tickLabels(ticks []float64, dec int) ([]string, float64) {
	labels := make([]string, len(ticks))
	div, suffix := compactScale(math.Max(math.Abs(ticks[0]), math.Abs(ticks[len(ticks)-1])), l.locale)
	if div > 1 {
		scaled := make([]float64, len(ticks))
		for i, t := range ticks {
			scaled[i] = t / div
		}
		dec = decimals(scaled, 6)
	}
	var w float64
	for i, t := range ticks {
		labels[i] = formatNumber(t/div, dec)
		if div > 1 && t != 0 {
			labels[i] += suffix
		}
		if shortUnit(l.c.Unit) {
			labels[i] = withUnit(labels[i], l.c.Unit)
		}
		w = math.Max(w, l.m.width(labels[i], sizeTick, false))
	}
	return labels, w
}

func tickTarget(length, per float64) int {
	return int(math.Max(3, math.Min(8, math.Round(length/per)+1)))
}

// crisp puts a 1 px line on a pixel centre so it is not smeared over two.
func crisp(v float64) float64 { return math.Floor(v) + 0.5 }

// valueGridH draws horizontal grid lines with tick labels left of the plot
// and returns the scale from value to y.
func (l *lay) valueGridH(ticks []float64, labels []string, left, right, top, bottom float64) func(float64) float64 {
	d0, d1 := ticks[0], ticks[len(ticks)-1]
	y := func(v float64) float64 { return bottom - (v-d0)/(d1-d0)*(bottom-top) }
	for i, t := range ticks {
		ty := crisp(y(t))
		sc := l.sc
		sc.line("grid", left, ty, right, ty, 1, colGrid, nil)
		sc.text("tick", left-8, y(t)+4, labels[i], sizeTick, false, colMuted, anchorEnd)
	}
	return y
}

// thresholdLabelWidth is the room the threshold's value needs right of the
// plot.
func (l *lay) thresholdLabelWidth() float64 {
	if l.thr == "" {
		return 0
	}
	return l.m.width(l.thr, sizeValue, true) + 8
}

// thresholdH draws the threshold across a plot with a vertical value axis,
// its value written right of the plot.
func (l *lay) thresholdH(y func(float64) float64, left, right float64) *shape {
	if l.thr == "" {
		return nil
	}
	ty := y(*l.c.Threshold)
	l.sc.line("threshold", left, ty, right+3, ty, 1.5, colWarn, dashThreshold)
	line := l.sc.shapes[len(l.sc.shapes)-1]
	l.sc.text("threshold-label", right+6, ty+4, l.thr, sizeValue, true, colWarn, anchorStart)
	return &line
}

// barVertical lays out columns and reports false, drawing nothing, when
// the labels do not fit under them.
func (l *lay) barVertical(top float64) bool {
	sc, c := l.sc, l.c
	n, k := len(c.Labels), len(c.Series)
	plotTop := top + 14 // room for the value above the tallest bar
	bottom := l.plotBottom(plotTop, 22)
	lo, hi := l.valueDomain(true)
	ticks, dec := niceTicks(lo, hi, tickTarget(bottom-plotTop, 56))
	tickLabels, tickW := l.tickLabels(ticks, dec)
	left := margin + tickW + 8
	right := sc.w - margin - l.thresholdLabelWidth()
	slot := (right - left) / float64(n)
	var labelW float64
	for _, s := range c.Labels {
		labelW = math.Max(labelW, l.m.width(s, sizeLabel, false))
	}
	if labelW > slot-4 {
		return false
	}

	y := l.valueGridH(ticks, tickLabels, left, right, plotTop, bottom)
	groupShare := 0.62
	if k > 1 {
		groupShare = 0.8
	}
	group := math.Min(slot*groupShare, 56*float64(k))
	barW := group / float64(k)
	gap := 0.0
	if k > 1 && barW > 6 {
		gap = 1.5
	}
	var valW float64
	for _, s := range c.Series {
		for _, v := range s.Values {
			valW = math.Max(valW, l.m.width(l.valueLabel(v), sizeValue, true))
		}
	}
	showValues := (k == 1 && valW <= slot-2) || (k > 1 && valW <= barW+2)
	y0 := y(0)
	for i := range c.Labels {
		gx := left + float64(i)*slot + (slot-group)/2
		for j, s := range c.Series {
			v := s.Values[i]
			x := gx + float64(j)*barW + gap/2
			w := barW - gap
			yt, yb := math.Min(y(v), y0), math.Max(y(v), y0)
			l.bar(x, yt, w, yb-yt, j, v)
			if showValues {
				vy := yt - 4
				if v < 0 {
					vy = yb + 12
				}
				l.valueText(x+w/2, vy, v, anchorMiddle)
			}
		}
	}
	sc.line("axis", left, crisp(y0), right, crisp(y0), 1, colAxis, nil)
	l.flushValues(l.thresholdH(y, left, right))
	for i, s := range c.Labels {
		sc.text("label", left+(float64(i)+0.5)*slot, bottom+17, s, sizeLabel, false, colText, anchorMiddle)
	}
	return true
}

// bar draws series j's bar for value v, in the warning colour when v is
// over the threshold.
func (l *lay) bar(x, y, w, h float64, j int, v float64) {
	sh := shape{kind: shapeRect, class: "bar", x: x, y: y, w: w, h: h, r: math.Min(2, math.Min(w, h)/2), fill: l.colors[j]}
	if l.over(v) {
		sh.class = "bar over"
		if len(l.c.Series) == 1 {
			sh.fill = colWarn
		} else {
			sh.stroke, sh.strokeW = colWarn, 2
		}
	}
	l.sc.add(sh)
}

// valueText queues v's label; flushValues draws the queue.
func (l *lay) valueText(x, y, v float64, a anchor) {
	col, class := colText, "value"
	if l.over(v) {
		col, class = colWarn, "value over"
	}
	l.values = append(l.values, shape{kind: shapeText, class: class, x: x, y: y, text: l.valueLabel(v), size: sizeValue, bold: l.over(v), fill: col, anchor: a})
}

// flushValues draws the queued value labels over the threshold line, on a
// patch of background where the line would cross them.
func (l *lay) flushValues(thr *shape) {
	for _, v := range l.values {
		if thr != nil {
			w := l.m.width(v.text, v.size, v.bold)
			x0 := v.x
			switch v.anchor {
			case anchorMiddle:
				x0 -= w / 2
			case anchorEnd:
				x0 -= w
			}
			x0, x1, y0, y1 := x0-2, x0+w+2, v.y-v.size*0.8, v.y+v.size*0.25
			a, b := thr.pts[0], thr.pts[1]
			if math.Max(a.X, b.X) >= x0 && math.Min(a.X, b.X) <= x1 && math.Max(a.Y, b.Y) >= y0 && math.Min(a.Y, b.Y) <= y1 {
				l.sc.rect("halo", x0, y0, x1-x0, y1-y0, 0, colBackground)
			}
		}
		l.sc.add(v)
	}
	l.values = nil
}

// barHorizontal lays out one row per label, growing the image so rows
// keep minRow.
func (l *lay) barHorizontal(top float64) {
	sc, c := l.sc, l.c
	n, k := len(c.Labels), len(c.Series)
	var labelW float64
	for _, s := range c.Labels {
		labelW = math.Max(labelW, l.m.width(s, sizeLabel, false))
	}
	labelW = math.Min(labelW, math.Round(sc.w*maxLabelShare))
	rowMin := math.Max(minRow, 7*float64(k)+8)
	plotTop := top + 4
	if l.thr != "" {
		plotTop += 14
	}
	bottom := sc.h - margin - 20
	if need := plotTop + rowMin*float64(n) + margin + 20; need > sc.h {
		sc.h = math.Min(math.Ceil(need), maxSide)
		bottom = sc.h - margin - 20
	}
	row := (bottom - plotTop) / float64(n)
	group := math.Min(row*0.68, 24*float64(k))
	barT := group / float64(k)
	showValues := k == 1 || barT >= 9
	var valW float64
	if showValues {
		for _, s := range c.Series {
			for _, v := range s.Values {
				valW = math.Max(valW, l.m.width(l.valueLabel(v), sizeValue, true))
			}
		}
	}
	left := margin + labelW + 10
	right := sc.w - margin
	if showValues {
		right -= valW + 6
	}

	lo, hi := l.valueDomain(true)
	ticks, dec := niceTicks(lo, hi, tickTarget(right-left, 90))
	tickLabels, _ := l.tickLabels(ticks, dec)
	d0, d1 := ticks[0], ticks[len(ticks)-1]
	x := func(v float64) float64 { return left + (v-d0)/(d1-d0)*(right-left) }
	for i, t := range ticks {
		tx := crisp(x(t))
		sc.line("grid", tx, plotTop, tx, bottom, 1, colGrid, nil)
		sc.text("tick", x(t), bottom+16, tickLabels[i], sizeTick, false, colMuted, anchorMiddle)
	}
	x0 := x(0)
	gap := 0.0
	if k > 1 && barT > 6 {
		gap = 1
	}
	for i, label := range c.Labels {
		ry := plotTop + float64(i)*row
		gy := ry + (row-group)/2
		for j, s := range c.Series {
			v := s.Values[i]
			by := gy + float64(j)*barT + gap/2
			xl, xr := math.Min(x(v), x0), math.Max(x(v), x0)
			l.bar(xl, by, xr-xl, barT-gap, j, v)
			if showValues {
				if v < 0 {
					l.valueText(xl-4, by+barT/2+3.5, v, anchorEnd)
				} else {
					l.valueText(xr+4, by+barT/2+3.5, v, anchorStart)
				}
			}
		}
		t := l.m.truncate(label, labelW, sizeLabel, false)
		sc.add(shape{kind: shapeText, class: "label", x: left - 10, y: ry + row/2 + 4, text: t, full: fullIf(t, label), size: sizeLabel, fill: colText, anchor: anchorEnd})
	}
	sc.line("axis", crisp(x0), plotTop, crisp(x0), bottom, 1, colAxis, nil)
	var thr *shape
	if l.thr != "" {
		tx := x(*c.Threshold)
		sc.line("threshold", tx, plotTop-3, tx, bottom, 1.5, colWarn, dashThreshold)
		line := sc.shapes[len(sc.shapes)-1]
		thr = &line
		sc.text("threshold-label", tx, plotTop-6, l.thr, sizeValue, true, colWarn, anchorMiddle)
	}
	l.flushValues(thr)
}

// lineChart lays out lines, bands and markers over a thinned x axis.
func (l *lay) lineChart(top float64) {
	sc, c := l.sc, l.c
	n := len(c.Labels)
	plotTop := top + 6
	bottom := l.plotBottom(plotTop, 22)
	lo, hi := l.valueDomain(false)
	if lo >= 0 && lo <= hi/2 {
		lo = 0 // near zero: show it, so sizes compare honestly
	}
	ticks, dec := niceTicks(lo, hi, tickTarget(bottom-plotTop, 56))
	tickLabels, tickW := l.tickLabels(ticks, dec)
	left := margin + tickW + 8
	right := sc.w - margin - l.thresholdLabelWidth()
	const inset = 12.0
	dx := 0.0
	if n > 1 {
		dx = (right - left - 2*inset) / float64(n-1)
	}
	x := func(i int) float64 {
		if n == 1 {
			return (left + right) / 2
		}
		return left + inset + float64(i)*dx
	}

	y := l.valueGridH(ticks, tickLabels, left, right, plotTop, bottom)
	base := bottom
	if ticks[0] < 0 && ticks[len(ticks)-1] > 0 {
		base = y(0)
	}
	sc.line("axis", left, crisp(base), right, crisp(base), 1, colAxis, nil)

	for _, b := range l.bands {
		pts := make([]point, 0, 2*n)
		for i, v := range c.Series[b.high].Values {
			pts = append(pts, point{x(i), y(v)})
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, point{x(i), y(c.Series[b.low].Values[i])})
		}
		sc.add(shape{kind: shapePath, class: "band", pts: pts, closed: true, fill: b.color.withAlpha(0.2)})
	}
	l.thresholdH(y, left, right)
	markers := n <= 40 && dx >= 10
	for _, i := range l.lineIdx {
		s := c.Series[i]
		pts := make([]point, n)
		for j, v := range s.Values {
			pts[j] = point{x(j), y(v)}
		}
		if n == 1 {
			markers = true
		} else {
			sc.add(shape{kind: shapePath, class: "line", pts: pts, stroke: l.colors[i], strokeW: lineWidth})
		}
		if markers {
			for _, p := range pts {
				sc.add(shape{kind: shapeCircle, class: "marker", x: p.X, y: p.Y, r: 3, fill: l.colors[i], stroke: colHalo, strokeW: 1.5})
			}
		}
	}

	// Labels: every step-th, so they never collide.
	labels := make([]string, n)
	var labelW float64
	for i, s := range c.Labels {
		labels[i] = l.m.truncate(s, maxXLabel, sizeLabel, false)
		labelW = math.Max(labelW, l.m.width(labels[i], sizeLabel, false))
	}
	step := 1
	if n > 1 {
		step = max(1, int(math.Ceil((labelW+12)/dx)))
	}
	for i := 0; i < n; i += step {
		lx := x(i)
		sc.line("tick-mark", crisp(lx), base, crisp(lx), base+4, 1, colAxis, nil)
		sc.add(shape{kind: shapeText, class: "label", x: lx, y: bottom + 17, text: labels[i], full: fullIf(labels[i], c.Labels[i]), size: sizeLabel, fill: colText, anchor: anchorMiddle})
	}
}

// describe is the accessible description: the kind, the data in words and
// what is over the threshold.
func (l *lay) describe() string {
	c, wd := l.c, l.wd
	var b strings.Builder
	kind, count := wd.barChart, fmt.Sprintf(wd.items, len(c.Labels))
	if c.Kind == "line" {
		kind, count = wd.lineChart, fmt.Sprintf(wd.points, len(c.Labels))
	}
	b.WriteString(kind + ", " + count)
	if c.Unit != "" {
		b.WriteString(", " + fmt.Sprintf(wd.unit, c.Unit))
	}
	b.WriteString(". ")
	const maxValues = 60
	skip := map[int]bool{}
	for _, bd := range l.bands {
		skip[bd.low], skip[bd.high] = true, true
	}
	first := true
	for i, s := range c.Series {
		if skip[i] {
			continue
		}
		if !first {
			b.WriteString("; ")
		}
		first = false
		if len(c.Series) > 1 && s.Name != "" {
			b.WriteString(s.Name + ": ")
		}
		for j, v := range s.Values {
			if j == maxValues {
				b.WriteString(", …")
				break
			}
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.Labels[j] + " " + withUnit(formatNumber(v, l.valDec), c.Unit))
		}
	}
	for _, bd := range l.bands {
		b.WriteString("; " + fmt.Sprintf(wd.interval, bd.name) + ": ")
		for j := range c.Labels {
			if j == maxValues {
				b.WriteString(", …")
				break
			}
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.Labels[j] + " " + formatNumber(c.Series[bd.low].Values[j], l.valDec) + "–" + withUnit(formatNumber(c.Series[bd.high].Values[j], l.valDec), c.Unit))
		}
	}
	b.WriteString(".")
	if l.thr != "" {
		var over []string
		for j, label := range c.Labels {
			for i, s := range c.Series {
				if !skip[i] && l.over(s.Values[j]) {
					over = append(over, label)
					break
				}
			}
		}
		b.WriteString(" " + wd.aboveThreshold(len(over), l.thr))
		if len(over) > 0 {
			if len(over) > maxValues {
				over = append(over[:maxValues], "…")
			}
			b.WriteString(": " + strings.Join(over, ", "))
		}
		b.WriteString(".")
	}
	return b.String()
}
