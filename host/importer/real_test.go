package importer

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// sharedData returns the shared data directory beside the checkout, or
// skips tb when it is absent.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		tb.Skip("../shared/data not found: the real datasets are only beside the checkout in CI and dev machines")
	}
	return data
}

// realData returns the directory of the real data set name, or skips t
// when the shared data directory is absent.
func realData(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(sharedData(t), name)
}

// importReal imports a real data set, checks that detection names the
// importer and that a SQLite store accepts the result, and returns it.
func importReal(t *testing.T, imp Importer, dirName string) *store.Data {
	t.Helper()
	dir := realData(t, dirName)
	if got, err := Detect(dir); err != nil || got != imp.Name() {
		t.Errorf("Detect(%s) = %q, %v; want %q", dirName, got, err, imp.Name())
	}
	ctx := context.Background()
	var last, total int
	d, err := imp.Import(ctx, dir, func(done, tot int) {
		if done < last || done > tot {
			t.Errorf("progress %d/%d after %d", done, tot, last)
		}
		last, total = done, tot
	})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || last != total {
		t.Errorf("progress ended at %d/%d", last, total)
	}
	for _, s := range Spans(d) {
		t.Logf("%-9s %6d rows %s %s", s.Dataset, s.Rows, s.From, s.To)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Replace(ctx, d, nil); err != nil {
		t.Fatalf("store.Replace: %v", err)
	}
	n := 0
	if err := st.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetHolidays}, func(any) error { n++; return nil }); err != nil || n != len(d.Holidays) {
		t.Errorf("read back %d holidays, %v; want %d", n, err, len(d.Holidays))
	}
	return d
}

// checkSpan fails t unless dataset has rows rows from..to.
func checkSpan(t *testing.T, d *store.Data, dataset string, rows int, from, to string) {
	t.Helper()
	for _, s := range Spans(d) {
		if s.Dataset == dataset {
			if s.Rows != rows || s.From != from || s.To != to {
				t.Errorf("%s: %d rows %s..%s, want %d rows %s..%s", dataset, s.Rows, s.From, s.To, rows, from, to)
			}
			return
		}
	}
	if rows != 0 {
		t.Errorf("%s: no rows, want %d", dataset, rows)
	}
}

func findSale(d *store.Data, date, storeID, productID string) (tools.Sale, bool) {
	for _, s := range d.Sales {
		if s.Date == date && s.StoreID == storeID && s.ProductID == productID {
			return s, true
		}
	}
	return tools.Sale{}, false
}

func findWeather(d *store.Data, date string) (tools.Weather, bool) {
	for _, w := range d.Weather {
		if w.Date == date {
			return w, true
		}
	}
	return tools.Weather{}, false
}

func TestRealMeteolytix(t *testing.T) {
	d := importReal(t, Meteolytix{}, "meteolytix_bakery_chain")
	checkSpan(t, d, tools.DatasetStores, 3, "", "")
	checkSpan(t, d, tools.DatasetProducts, 13, "", "")
	checkSpan(t, d, tools.DatasetSales, 62190, "2015-01-02", "2020-05-27")
	// 1,810 days in the file; 10 (2017-10-30 … 11-08) have neither weather
	// code nor cloud cover.
	checkSpan(t, d, tools.DatasetWeather, 1800, "2015-01-01", "2019-12-31")
	checkSpan(t, d, tools.DatasetHolidays, 9+9+10+10+10+10+10, "2015-01-01", "2021-12-26")

	if s, ok := findSale(d, "2015-01-07", "F1", "AG1"); !ok || s.Quantity != 50 || s.Revenue != 5009 || s.Price != 0 {
		t.Errorf("F1 AG1 2015-01-07 = %+v, %v; want 50 EUR, 5009 cents", s, ok)
	}
	if s, ok := findSale(d, "2015-03-02", "F1", "AG5"); !ok || s.Quantity != 0 || s.Revenue != -783 {
		t.Errorf("F1 AG5 2015-03-02 (net return −7.83 EUR) = %+v, %v", s, ok)
	}
	negative := 0
	for _, s := range d.Sales {
		if s.Revenue < 0 {
			negative++
		}
	}
	if negative != 165 {
		t.Errorf("%d days of negative turnover, want 165", negative)
	}
	for date, want := range map[string]tools.Weather{
		"2015-01-02": {TempMax: 7.75, TempMin: 7.75, Precipitation: 1}, // code 61, rain
		"2015-01-01": {TempMax: 4.125, TempMin: 4.125},                 // code 10, mist
		"2015-01-04": {TempMax: 4.75, TempMin: 4.75},                   // code NULL, cloud cover 0
	} {
		w, ok := findWeather(d, date)
		if !ok || w.TempMax != want.TempMax || w.TempMin != want.TempMin || w.Precipitation != want.Precipitation || w.District != "Kiel" {
			t.Errorf("weather %s = %+v, %v; want %+v", date, w, ok, want)
		}
	}
	if w, ok := findWeather(d, "2017-11-01"); ok {
		t.Errorf("weather 2017-11-01 (no code, no cloud cover) imported: %+v", w)
	}
}

func TestRealNorthSea(t *testing.T) {
	d := importReal(t, NorthSea{}, "north_sea_bakery")
	checkSpan(t, d, tools.DatasetStores, 1, "", "")
	checkSpan(t, d, tools.DatasetProducts, 64, "", "")
	// 1,715 days, of which 483 closed (is_open 0): 1,232 open days × 64.
	checkSpan(t, d, tools.DatasetSales, 1232*64, "2019-02-20", "2023-10-31")
	checkSpan(t, d, tools.DatasetWeather, 1715, "2019-02-20", "2023-10-31")
	checkSpan(t, d, tools.DatasetHolidays, 6*10, "2019-01-01", "2024-12-26")

	if s, ok := findSale(d, "2019-02-20", "N1", "A10"); !ok || s.Quantity != 61 {
		t.Errorf("A10 2019-02-20 = %+v, %v; want 61", s, ok)
	}
	if s, ok := findSale(d, "2019-12-25", "N1", "A10"); ok {
		t.Errorf("sale on closed Christmas Day 2019: %+v", s)
	}
	names := map[string]string{}
	for _, p := range d.Products {
		names[p.ID] = p.Name
		if p.NameEN == "" || p.Category == "" {
			t.Errorf("product %+v lacks an English name or category", p)
		}
	}
	if names["A10"] != "Normale" || names["A80"] != "Buttercroissant" || names["A126"] != "Artikel 126" {
		t.Errorf("names A10 %q, A80 %q, A126 %q", names["A10"], names["A80"], names["A126"])
	}
	// The summed kelvins give plausible daily means, the 23-hour spring
	// days included.
	for _, w := range d.Weather {
		if w.TempMax < -8 || w.TempMax > 30 || w.TempMax != w.TempMin || w.Precipitation < 0 || w.Precipitation > 60 {
			t.Errorf("implausible weather %+v", w)
		}
	}
	for date, want := range map[string]float64{"2019-02-20": 7.67, "2020-03-29": 4.27, "2020-03-28": 5.98} {
		if w, _ := findWeather(d, date); math.Abs(w.TempMax-want) > 0.005 {
			t.Errorf("temperature %s = %v, want %v", date, w.TempMax, want)
		}
	}
	if w, _ := findWeather(d, "2023-10-20"); w.Precipitation != 36.7 {
		t.Errorf("precipitation 2023-10-20 = %v, want 36.7", w.Precipitation)
	}
}

func TestRealDDOP(t *testing.T) {
	d := importReal(t, DDOP{}, "ddop_bakery")
	checkSpan(t, d, tools.DatasetStores, 1, "", "")
	checkSpan(t, d, tools.DatasetProducts, 3, "", "")
	// 1,155 days, 16 of them closed (all three products 0, all holidays).
	checkSpan(t, d, tools.DatasetSales, (1155-16)*3, "2016-03-02", "2019-04-30")
	checkSpan(t, d, tools.DatasetWeather, 1155, "2016-03-02", "2019-04-30")

	if s, ok := findSale(d, "2016-03-02", "D1", "roll"); !ok || s.Quantity != 204 {
		t.Errorf("roll 2016-03-02 = %+v, %v; want 204", s, ok)
	}
	if s, ok := findSale(d, "2016-12-25", "D1", "roll"); ok {
		t.Errorf("sale on closed Christmas Day 2016: %+v", s)
	}
	promo := 0
	for _, s := range d.Sales {
		if s.Promotion {
			promo++
		}
	}
	// 70 promotion days, one of them closed (Corpus Christi 2016).
	if promo != 69*3 {
		t.Errorf("%d promoted sales, want %d", promo, 69*3)
	}
	if w, _ := findWeather(d, "2016-03-02"); w.TempMax != 4.2 || w.Precipitation != 2.3 {
		t.Errorf("weather 2016-03-02 = %+v, want 4.2 °C, 2.3 mm", w)
	}
	// 46 days marked is_holiday, named from the calendar, then Baden-
	// Württemberg's calendar (with Easter and Whit Sunday) to 2020.
	marked, named := 0, 0
	for _, h := range d.Holidays {
		if h.Date <= "2019-04-30" {
			marked++
			if h.Name != "Feiertag" {
				named++
			}
		}
	}
	if marked != 46 || named != marked {
		t.Errorf("%d holidays in the data, %d named; want 46, all named", marked, named)
	}
	if last := d.Holidays[len(d.Holidays)-1]; last.Date != "2020-12-26" {
		t.Errorf("last holiday %+v, want 2020-12-26", last)
	}
}

// BenchmarkImport reads each real data set.
func BenchmarkImport(b *testing.B) {
	for _, tt := range []struct {
		imp Importer
		dir string
	}{{Meteolytix{}, "meteolytix_bakery_chain"}, {NorthSea{}, "north_sea_bakery"}, {DDOP{}, "ddop_bakery"}} {
		b.Run(tt.imp.Name(), func(b *testing.B) {
			dir := filepath.Join(sharedData(b), tt.dir)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tt.imp.Import(context.Background(), dir, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
