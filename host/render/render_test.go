package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	imgcolor "image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

var update = flag.Bool("update", false, "rewrite the golden SVGs and example PNGs under testdata/")

func ptr(v float64) *float64 { return &v }

// wasteKO is the main use: expected waste rate per item with the 12 %
// threshold, as the waste_forecast tool sends it.
func wasteKO() tools.Chart {
	return tools.Chart{
		Kind:   "bar",
		Title:  "강남점 예상 폐기율 (오늘)",
		Labels: []string{"크루아상", "소금빵", "바게트", "단팥빵", "크림빵", "우유식빵", "베이글", "마들렌", "스콘", "에그타르트", "치아바타", "초코 머핀"},
		Series: []tools.Series{{
			Name:   "예상 폐기율",
			Values: []float64{18.4, 15.1, 13.2, 11.8, 10.5, 9.7, 8.2, 7.9, 6.4, 5.1, 4.6, 2.3},
		}},
		Unit:      "%",
		Threshold: ptr(12),
	}
}

// waste40KO has 40 items: too many for columns, so it becomes a tall
// horizontal bar chart.
func waste40KO() tools.Chart {
	names := []string{"크루아상", "소금빵", "바게트", "단팥빵", "크림빵", "우유식빵", "베이글", "마들렌", "스콘", "에그타르트",
		"치아바타", "초코 머핀", "블루베리 머핀", "시나몬롤", "앙버터", "소보로빵", "카스테라", "치즈케이크", "티라미수", "마카롱",
		"휘낭시에", "프레첼", "호밀빵", "깜빠뉴", "포카치아", "햄치즈 샌드위치", "에그 샌드위치", "고로케", "피자빵", "옥수수빵",
		"밤식빵", "쑥떡 크림빵", "딸기 생크림 케이크 (조각)", "레몬 파운드", "녹차 롤케이크", "도넛", "꽈배기", "츄러스", "브라우니", "쿠키"}
	vals := make([]float64, len(names))
	for i := range vals {
		vals[i] = math.Round((21-float64(i)*0.47+3*math.Sin(float64(i)*1.7))*10) / 10
	}
	return tools.Chart{Kind: "bar", Title: "전 매장 품목별 예상 폐기율", Labels: names,
		Series: []tools.Series{{Name: "예상 폐기율", Values: vals}}, Unit: "%", Threshold: ptr(12)}
}

// storesKO is grouped columns: two series per store.
func storesKO() tools.Chart {
	return tools.Chart{
		Kind:   "bar",
		Title:  "매장별 폐기율: 지난주와 이번 주",
		Labels: []string{"강남점", "홍대점", "잠실점", "판교점", "분당점", "일산점"},
		Series: []tools.Series{
			{Name: "지난주", Values: []float64{9.8, 12.4, 7.5, 10.1, 13.6, 8.9}},
			{Name: "이번 주", Values: []float64{11.2, 14.1, 6.8, 9.4, 12.9, 7.7}},
		},
		Unit:      "%",
		Threshold: ptr(12),
	}
}

// forecastEN is a demand forecast with an interval band per item.
func forecastEN() tools.Chart {
	labels := make([]string, 14)
	var cro, lo1, hi1, bag, lo2, hi2 []float64
	for i := range labels {
		labels[i] = fmt.Sprintf("5/%d", i+4)
		weekend := 0.0
		if d := (i + 4) % 7; d == 2 || d == 3 {
			weekend = 1
		}
		c := math.Round(118 + 30*weekend + 6*math.Sin(float64(i)))
		b := math.Round(64 + 14*weekend + 4*math.Cos(float64(i)*0.8))
		w := 6 + 1.3*float64(i)
		cro, lo1, hi1 = append(cro, c), append(lo1, math.Round(c-w)), append(hi1, math.Round(c+w))
		bag, lo2, hi2 = append(bag, b), append(lo2, math.Round(b-w*0.6)), append(hi2, math.Round(b+w*0.6))
	}
	return tools.Chart{
		Kind:   "line",
		Title:  "Demand forecast, next 14 days (Gangnam)",
		Labels: labels,
		Series: []tools.Series{
			{Name: "Croissant", Values: cro},
			{Name: "Croissant (low)", Values: lo1},
			{Name: "Croissant (high)", Values: hi1},
			{Name: "Baguette", Values: bag},
			{Name: "Baguette (low)", Values: lo2},
			{Name: "Baguette (high)", Values: hi2},
		},
		Unit: "pcs",
	}
}

// salesKO is a plain multi-series line chart over 60 days: thinned labels.
func salesKO() tools.Chart {
	labels := make([]string, 60)
	a, b := make([]float64, 60), make([]float64, 60)
	for i := range labels {
		labels[i] = fmt.Sprintf("%d월 %d일", 3+i/30, 1+i%30)
		a[i] = math.Round(1200000 + 250000*math.Sin(float64(i)/4) + 8000*float64(i))
		b[i] = math.Round(900000 + 180000*math.Cos(float64(i)/5))
	}
	return tools.Chart{Kind: "line", Title: "일별 매출", Labels: labels,
		Series: []tools.Series{{Name: "강남점", Values: a}, {Name: "홍대점", Values: b}}, Unit: "원"}
}

type example struct {
	name  string
	chart tools.Chart
	opts  Options
}

func examples() []example {
	return []example{
		{"waste_ko", wasteKO(), Options{Locale: "ko"}},
		{"waste40_ko", waste40KO(), Options{Locale: "ko"}},
		{"stores_ko", storesKO(), Options{Locale: "ko"}},
		{"forecast_en", forecastEN(), Options{Locale: "en"}},
		{"sales_ko", salesKO(), Options{Locale: "ko"}},
	}
}

// TestGoldenSVG compares each example's SVG byte for byte with its golden
// file. With -update it rewrites them and the example PNGs for review.
func TestGoldenSVG(t *testing.T) {
	for _, ex := range examples() {
		t.Run(ex.name, func(t *testing.T) {
			got, err := SVG(ex.chart, ex.opts)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", ex.name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				p, err := PNG(ex.chart, ex.opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join("testdata", ex.name+".png"), p, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("SVG differs from %s; run go test -update and review the diff", path)
			}
		})
	}
}

func TestSVGIsAccessibleXML(t *testing.T) {
	got, err := SVG(wasteKO(), Options{Locale: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName    xml.Name `xml:"svg"`
		Role       string   `xml:"role,attr"`
		FontFamily string   `xml:"font-family,attr"`
		Title      string   `xml:"title"`
		Desc       string   `xml:"desc"`
		Texts      []string `xml:"text"`
	}
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Role != "img" {
		t.Errorf("role = %q, want img", doc.Role)
	}
	if !strings.Contains(doc.FontFamily, "Noto Sans KR") || !strings.HasSuffix(doc.FontFamily, "sans-serif") {
		t.Errorf("font-family = %q, want a Korean font stack", doc.FontFamily)
	}
	if doc.Title != "강남점 예상 폐기율 (오늘)" {
		t.Errorf("title = %q", doc.Title)
	}
	for _, want := range []string{"크루아상 18.4%", "기준 12% 초과 3개: 크루아상, 소금빵, 바게트"} {
		if !strings.Contains(doc.Desc, want) {
			t.Errorf("desc = %q, want it to contain %q", doc.Desc, want)
		}
	}
	texts := strings.Join(doc.Texts, "|")
	for _, want := range []string{"크루아상", "에그타르트", "18.4%", "12%", "기준 초과"} {
		if !strings.Contains(texts, want) {
			t.Errorf("no <text> with %q in %s", want, texts)
		}
	}
}

func TestSVGBarsOverThresholdAreWarnings(t *testing.T) {
	got, err := SVG(wasteKO(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), `class="bar over"`); n != 3 {
		t.Errorf("%d bars marked over the threshold, want 3", n)
	}
	if !strings.Contains(string(got), `class="threshold" x1=`) || !strings.Contains(string(got), `stroke-dasharray="5 4"`) {
		t.Error("no dashed threshold line")
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return img
}

func TestPNGSize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chart tools.Chart
		opts  Options
		w, h  int
	}{
		{"default", wasteKO(), Options{}, 720, 360},
		{"sized", forecastEN(), Options{Width: 600, Height: 300}, 600, 300},
		{"scale 2", storesKO(), Options{Scale: 2}, 1440, 720},
		// 40 rows of at least 18 px do not fit in 360 px: the image grows.
		{"grows", waste40KO(), Options{}, 720, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := PNG(tc.chart, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			size := decodePNG(t, b).Bounds().Size()
			if size.X != tc.w {
				t.Errorf("width %d, want %d", size.X, tc.w)
			}
			if tc.h > 0 && size.Y != tc.h {
				t.Errorf("height %d, want %d", size.Y, tc.h)
			}
			if tc.h < 0 && size.Y < 40*minRow {
				t.Errorf("height %d, want at least %g for 40 rows", size.Y, 40*minRow)
			}
		})
	}
}

// near reports whether c is within tol of want on every channel.
func near(c imgcolor.Color, want color, tol int) bool {
	n := imgcolor.NRGBAModel.Convert(c).(imgcolor.NRGBA)
	d := func(a, b uint8) bool { return math.Abs(float64(a)-float64(b)) <= float64(tol) }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B)
}

// thresholdShape finds the threshold line the layout placed.
func thresholdShape(t *testing.T, c tools.Chart, o Options) shape {
	t.Helper()
	o, err := o.resolve()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range layout(cleanChart(c), o, newMeasurer(fs, 1)).shapes {
		if s.class == "threshold" {
			return s
		}
	}
	t.Fatal("layout has no threshold line")
	return shape{}
}

func TestPNGThresholdLineIsDrawn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chart tools.Chart
	}{
		{"horizontal bars", wasteKO()},
		{"columns", storesKO()},
		{"line", func() tools.Chart { c := forecastEN(); c.Threshold = ptr(150); return c }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := PNG(tc.chart, Options{})
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b)
			s := thresholdShape(t, tc.chart, Options{})
			a, z := s.pts[0], s.pts[1]
			// Walk along the dashed line: some samples are on a dash
			// (warning colour), some in a gap.
			var on, total int
			for i := 0; i <= 200; i++ {
				f := float64(i) / 200
				x, y := a.X+(z.X-a.X)*f, a.Y+(z.Y-a.Y)*f
				total++
				if near(img.At(int(x), int(y)), colWarn, 40) {
					on++
				}
			}
			if on < total/4 || on == total {
				t.Errorf("%d of %d samples along the threshold line are in the warning colour; want a dashed line", on, total)
			}
		})
	}
}

func TestPNGOverThresholdBarsAreRed(t *testing.T) {
	c := wasteKO()
	b, err := PNG(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	o, _ := Options{}.resolve()
	fs, _ := loadFonts()
	var over, normal int
	for _, s := range layout(cleanChart(c), o, newMeasurer(fs, 1)).shapes {
		if s.kind != shapeRect || !strings.HasPrefix(s.class, "bar") {
			continue
		}
		px := img.At(int(s.x+s.w/2), int(s.y+s.h/2))
		switch {
		case s.class == "bar over" && near(px, colWarn, 2):
			over++
		case s.class == "bar" && near(px, palette[0], 2):
			normal++
		}
	}
	if over != 3 || normal != 9 {
		t.Errorf("%d red and %d brown bars, want 3 and 9", over, normal)
	}
}

// inkIn counts pixels in r that are not background.
func inkIn(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !near(img.At(x, y), colBackground, 8) {
				n++
			}
		}
	}
	return n
}

// TestEncodePNG checks the Up-filter encoder against image/png's decoder,
// pixel for pixel.
func TestEncodePNG(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples() {
		o, err := ex.opts.resolve()
		if err != nil {
			t.Fatal(err)
		}
		img := rasterize(layout(cleanChart(ex.chart), o, newMeasurer(fs, 1)), 1, newMeasurer(fs, 1))
		var buf bytes.Buffer
		if err := encodePNG(&buf, img); err != nil {
			t.Fatal(err)
		}
		got := decodePNG(t, buf.Bytes())
		if got.Bounds() != img.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", ex.name, got.Bounds(), img.Bounds())
		}
		for y := range img.Rect.Dy() {
			for x := range img.Rect.Dx() {
				if a, b := imgcolor.NRGBAModel.Convert(got.At(x, y)), img.At(x, y); a != imgcolor.NRGBAModel.Convert(b) {
					t.Fatalf("%s: pixel (%d, %d) is %v, want %v", ex.name, x, y, a, b)
				}
			}
		}
	}
}

func TestHangulGlyphsAreInTheFont(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]int{"regular": 0, "bold": 0} {
		font := fs.regular[f]
		if name == "bold" {
			font = fs.bold[f]
		}
		for _, r := range "강남점폐기율크루아상" {
			g, err := font.GlyphIndex(nil, r)
			if err != nil || g == 0 {
				t.Errorf("%s NanumSquare has no glyph for %q (index %d, %v)", name, r, g, err)
			}
		}
	}
}

// drawText renders s alone and returns the image.
func drawText(fs *fontSet, s string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 120, 30))
	m := newMeasurer(fs, 1)
	m.draw(img, s, 4, 22, 20, false, image.NewUniform(imgcolor.Black))
	return img
}

func TestHangulIsNotTheNotdefGlyph(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	notdef := drawText(fs, "\uFFFF") // no font has it: the .notdef glyph
	for _, r := range "강남점폐기" {
		got := drawText(fs, string(r))
		if bytes.Equal(got.Pix, notdef.Pix) {
			t.Errorf("%q renders as the .notdef glyph", r)
		}
		if bytes.Equal(got.Pix, image.NewRGBA(got.Rect).Pix) {
			t.Errorf("%q renders nothing", r)
		}
	}
	if bytes.Equal(drawText(fs, "강").Pix, drawText(fs, "남").Pix) {
		t.Error("강 and 남 render the same")
	}
	// é is not in NanumSquare: the Go font draws it.
	m := newMeasurer(fs, 1)
	if i := m.fontFor(m.chain(12, false), 'é'); i != 1 {
		t.Errorf("é is drawn by font %d of the chain, want 1 (Go Regular)", i)
	}
	if i := m.fontFor(m.chain(12, true), '강'); i != 0 {
		t.Errorf("강 is drawn by font %d of the chain, want 0 (NanumSquare Bold)", i)
	}
	if bytes.Equal(drawText(fs, "é").Pix, notdef.Pix) {
		t.Error("é renders as the .notdef glyph; the fallback font is not used")
	}
}

func TestPNGDrawsKoreanLabels(t *testing.T) {
	c := storesKO()
	blank := storesKO()
	blank.Labels = []string{"", "", "", "", "", ""}
	withText, err := PNG(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	without, err := PNG(blank, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := decodePNG(t, withText), decodePNG(t, without)
	// The label row: below the plot (columns layout), right of the tick
	// labels.
	row := image.Rect(60, 327, 720, 360)
	inkA, inkB := inkIn(a, row), inkIn(b, row)
	if inkA < 300 || inkB != 0 {
		t.Errorf("label row ink: %d pixels with Korean labels, %d without; want many and none", inkA, inkB)
	}
}

func TestValidate(t *testing.T) {
	ok := func() tools.Chart {
		return tools.Chart{Kind: "bar", Labels: []string{"a", "b"}, Series: []tools.Series{{Name: "s", Values: []float64{1, 2}}}}
	}
	with := func(f func(*tools.Chart)) tools.Chart { c := ok(); f(&c); return c }
	for _, tc := range []struct {
		name  string
		chart tools.Chart
		field string
		msg   string
	}{
		{"unknown kind", with(func(c *tools.Chart) { c.Kind = "pie" }), "kind", `"pie" is not supported; use "bar" or "line"`},
		{"no kind", with(func(c *tools.Chart) { c.Kind = "" }), "kind", "is empty"},
		{"no labels", with(func(c *tools.Chart) { c.Labels = nil }), "labels", "is empty"},
		{"no series", with(func(c *tools.Chart) { c.Series = nil }), "series", "is empty"},
		{"short series", with(func(c *tools.Chart) { c.Series[0].Values = []float64{1} }), "series[0].values", `series "s" has 1 values, want 2 (one per label)`},
		{"long second series", with(func(c *tools.Chart) {
			c.Series = append(c.Series, tools.Series{Values: []float64{1, 2, 3}})
		}), "series[1].values", "the unnamed series has 3 values, want 2"},
		{"NaN", with(func(c *tools.Chart) { c.Series[0].Values[1] = math.NaN() }), "series[0].values[1]", "is NaN; values must be finite numbers"},
		{"Inf", with(func(c *tools.Chart) { c.Series[0].Values[0] = math.Inf(1) }), "series[0].values[0]", "is +Inf"},
		{"-Inf", with(func(c *tools.Chart) { c.Series[0].Values[0] = math.Inf(-1) }), "series[0].values[0]", "is -Inf"},
		{"NaN threshold", with(func(c *tools.Chart) { c.Threshold = ptr(math.NaN()) }), "threshold", "is NaN"},
		{"huge value", with(func(c *tools.Chart) { c.Series[0].Values[1] = -math.MaxFloat64 }), "series[0].values[1]", "is -1.7976931348623157e+308, beyond the ±1e+15"},
		{"huge threshold", with(func(c *tools.Chart) { c.Threshold = ptr(2e15) }), "threshold", "is 2e+15, beyond"},
		{"too many bars", with(func(c *tools.Chart) {
			c.Labels = make([]string, 201)
			c.Series[0].Values = make([]float64, 201)
		}), "labels", "has 201 entries, more than a bar chart can show (200)"},
		{"too many series", with(func(c *tools.Chart) {
			for range 12 {
				c.Series = append(c.Series, c.Series[0])
			}
		}), "series", "has 13 series"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, render := range []func(tools.Chart, Options) ([]byte, error){SVG, PNG} {
				_, err := render(tc.chart, Options{})
				var ce *ChartError
				if !errors.As(err, &ce) {
					t.Fatalf("error %v, want a *ChartError", err)
				}
				if ce.Field != tc.field || !strings.Contains(ce.Problem, tc.msg) {
					t.Errorf("error %q, want field %q and a problem containing %q", err, tc.field, tc.msg)
				}
			}
		})
	}
	if err := Validate(ok()); err != nil {
		t.Errorf("valid chart: %v", err)
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		opts  Options
		field string
	}{
		{Options{Width: 100}, "width"},
		{Options{Width: 5000}, "width"},
		{Options{Height: -1}, "height"},
		{Options{Scale: 0.5}, "scale"},
		{Options{Scale: math.NaN()}, "scale"},
		{Options{Width: 4000, Scale: 3}, "scale"},
	} {
		_, err := PNG(wasteKO(), tc.opts)
		var oe *OptionsError
		if !errors.As(err, &oe) || oe.Field != tc.field {
			t.Errorf("%+v: error %v, want an OptionsError on %s", tc.opts, err, tc.field)
		}
	}
}

func TestEdgeCharts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chart tools.Chart
	}{
		{"one point line", tools.Chart{Kind: "line", Labels: []string{"오늘"}, Series: []tools.Series{{Name: "a", Values: []float64{3}}}}},
		{"all zero", tools.Chart{Kind: "bar", Labels: []string{"a", "b"}, Series: []tools.Series{{Values: []float64{0, 0}}}}},
		{"negative", tools.Chart{Kind: "bar", Labels: []string{"a", "b", "c"}, Series: []tools.Series{{Values: []float64{-5, 3, -1.5}}}, Threshold: ptr(2)}},
		{"negative horizontal", tools.Chart{Kind: "bar", Labels: []string{"아주 긴 상품 이름 하나", "b"}, Series: []tools.Series{{Values: []float64{-5, 3}}}}},
		{"huge values", tools.Chart{Kind: "line", Labels: []string{"a", "b"}, Series: []tools.Series{{Values: []float64{-1e15, 1e15}}}}},
		{"huge bars", tools.Chart{Kind: "bar", Labels: []string{"a", "b"}, Series: []tools.Series{{Values: []float64{1e15, 3}}}, Threshold: ptr(-1e15)}},
		{"tiny values", tools.Chart{Kind: "bar", Labels: []string{"a", "b"}, Series: []tools.Series{{Values: []float64{1e-9, 3e-9}}}}},
		{"lone low band", tools.Chart{Kind: "line", Labels: []string{"a", "b"}, Series: []tools.Series{{Name: "x (low)", Values: []float64{1, 2}}}}},
		{"band without line", tools.Chart{Kind: "line", Labels: []string{"a", "b"}, Series: []tools.Series{
			{Name: "수요 (하한)", Values: []float64{1, 2}}, {Name: "수요 (상한)", Values: []float64{3, 4}}}}},
		{"twelve grouped series", func() tools.Chart {
			c := tools.Chart{Kind: "bar", Labels: []string{"a", "b"}}
			for i := range 12 {
				c.Series = append(c.Series, tools.Series{Name: fmt.Sprint(i), Values: []float64{float64(i), 1}})
			}
			return c
		}()},
		{"emoji and accents", tools.Chart{Kind: "bar", Title: "Café 🥐 €", Labels: []string{"crème", "🥖"}, Series: []tools.Series{{Values: []float64{1, 2}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SVG(tc.chart, Options{}); err != nil {
				t.Fatal(err)
			}
			b, err := PNG(tc.chart, Options{})
			if err != nil {
				t.Fatal(err)
			}
			decodePNG(t, b)
		})
	}
}

func TestConcurrentRenders(t *testing.T) {
	var wg sync.WaitGroup
	want, err := PNG(wasteKO(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 8 {
		wg.Go(func() {
			got, err := PNG(wasteKO(), Options{})
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent render differs (err %v)", err)
			}
			if _, err := SVG(forecastEN(), Options{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   string
	}{
		{0, 18.4, 5, "[0 5 10 15 20]"},
		{0, 1, 5, "[0 0.2 0.4 0.6 0.8 1]"},
		{-5, 3, 5, "[-6 -4 -2 0 2 4]"},
		{0, 0, 5, "[0 0.2 0.4 0.6 0.8 1]"},
		{73, 171, 5, "[60 80 100 120 140 160 180]"},
	} {
		ticks, _ := niceTicks(tc.lo, tc.hi, tc.n)
		if got := fmt.Sprint(ticks); got != tc.want {
			t.Errorf("niceTicks(%g, %g) = %s, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		d    int
		unit string
		want string
	}{
		{12, 0, "%", "12%"},
		{1234567.891, 0, "원", "1,234,568원"},
		{-0.001, 1, "", "0.0"},
		{-1500, 0, "kg", "-1,500 kg"},
		{30, 0, "개", "30개"},
	} {
		if got := withUnit(formatNumber(tc.v, tc.d), tc.unit); got != tc.want {
			t.Errorf("format(%g, %d, %q) = %q, want %q", tc.v, tc.d, tc.unit, got, tc.want)
		}
	}
}

func ExampleValidate() {
	err := Validate(tools.Chart{
		Kind:   "bar",
		Labels: []string{"강남점", "홍대점"},
		Series: []tools.Series{{Name: "폐기율", Values: []float64{12.5}}},
	})
	fmt.Println(err)
	// Output: chart series[0].values: series "폐기율" has 1 values, want 2 (one per label)
}
