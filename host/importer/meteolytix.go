package importer

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// The meteolytix files, named without their .gz.
const (
	meteolytixSalesFile   = "hackathon_meteolytix_Artikelgruppen_Umsatz_verschiedeneStandorte.csv"
	meteolytixGroupsFile  = "meteolytix_Artikelgruppen.csv"
	meteolytixWeatherFile = "wetter_kiel_2015-2019.csv"
)

// meteolytixDistrict is the district of the three branches and of the
// weather station.
const meteolytixDistrict = "Kiel"

// Meteolytix imports the Meteolytix hackathon data: three bakery branches
// in and around Kiel, daily turnover of 13 article groups, 2015-01-02 to
// 2020-05-27, with Kiel weather for 2015–2019.
//
// Turnover, not units: the data set has no unit counts, so a Sale's
// Quantity is the day's turnover of the article group in whole euros
// (round(Umsatz), negative days, net returns, as 0) and Revenue is the
// exact turnover in euro cents (round(Umsatz × 100), sign kept). Price is 0
// and Promotion false. A forecast on this data set predicts euros.
//
//   - Stores F1–F3 ("Filiale 1" …) in district Kiel. Which is the beach,
//     city-centre and periphery branch is not published, so Area is empty.
//   - Products AG1–AG13 from meteolytix_Artikelgruppen.csv (semicolons,
//     UTF-8 BOM, CRLF), with English names and categories given here.
//   - Weather from wetter_kiel_2015-2019.csv (semicolons, BOM, decimal
//     comma, NULL for missing): ttav, the daily mean temperature, becomes
//     both TempMax and TempMin (the file has no extremes). There is no
//     precipitation amount, so Precipitation is an indicator from the
//     present-weather code wwav (WMO 4677): 1 for codes 50 and up
//     (drizzle, rain, snow, showers, thunderstorms), else 0. A NULL wwav
//     on a day whose cloud cover nnav is known means no weather was
//     reported (those days are the least cloudy of all, 3.4 octas against
//     4.1 for code < 50 and 6.5 for rain), so it counts as dry; a day
//     missing ttav, or both wwav and nnav, is left out. Forecasters must
//     cope with missing weather days: 2020 has none at all.
//   - Holidays: the public holidays of Schleswig-Holstein from the first
//     sales year to the year after the last, computed (see germanRules).
type Meteolytix struct{}

// Name implements Importer.
func (Meteolytix) Name() string { return "meteolytix" }

// Describe implements Importer.
func (Meteolytix) Describe() string {
	return "Meteolytix hackathon: 3 Kiel branches × 13 article groups, daily turnover in EUR (not units) 2015–2020, Kiel weather, Schleswig-Holstein holidays"
}

// Detect implements Detector.
func (Meteolytix) Detect(dir string) bool {
	return hasAll(dir, meteolytixSalesFile, meteolytixGroupsFile, meteolytixWeatherFile)
}

// meteolytixGroups gives the English name and category of each article
// group, keyed by its German name.
func meteolytixGroups() map[string]struct{ en, category string } {
	return map[string]struct{ en, category string }{
		"Weizenbrot":         {"Wheat bread", "bread"},
		"Mischbrot":          {"Wheat and rye bread", "bread"},
		"Vollkornbrot":       {"Wholegrain bread", "bread"},
		"Spezialbrot":        {"Speciality bread", "bread"},
		"Stangenbrote":       {"Baguettes", "bread"},
		"Brötchen":           {"Rolls", "bread"},
		"Süße Brötchen":      {"Sweet rolls", "pastry"},
		"Herzhafte Brötchen": {"Savoury rolls", "bread"},
		"KonditoreiBlech1":   {"Patisserie tray bakes 1", "cake"},
		"KonditoreiBlech2":   {"Patisserie tray bakes 2", "cake"},
		"Stückgebäck":        {"Pastries", "pastry"},
		"Blechkuchen":        {"Sheet cake", "cake"},
		"Weihnachtsartikel":  {"Christmas specialities", "cookie"},
	}
}

// Import implements Importer.
func (Meteolytix) Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error) {
	srcs, err := findSources(dir, meteolytixGroupsFile, meteolytixSalesFile, meteolytixWeatherFile)
	if err != nil {
		return nil, err
	}
	rep := newReporter(progress, srcs)
	d := &store.Data{}
	groups := map[int]string{} // article group → product ID
	names := meteolytixGroups()
	err = withFile(srcs[0], rep, func(r io.Reader, file string) error {
		return readMeteolytixGroups(ctx, r, file, func(id int, name string) {
			p := tools.Product{ID: "AG" + strconv.Itoa(id), Name: name, NameEN: name, Category: "other", Tags: []string{}}
			if g, ok := names[name]; ok {
				p.NameEN, p.Category = g.en, g.category
			}
			groups[id] = p.ID
			d.Products = append(d.Products, p)
		})
	})
	if err != nil {
		return nil, err
	}
	stores := map[int]bool{}
	err = withFile(srcs[1], rep, func(r io.Reader, file string) error {
		return readMeteolytixSales(ctx, r, file, groups, func(s meteolytixSale) {
			stores[s.branch] = true
			d.Sales = append(d.Sales, tools.Sale{
				Date: s.date, StoreID: "F" + strconv.Itoa(s.branch), ProductID: groups[s.group],
				Quantity: max(0, int(math.Round(s.umsatz))), Revenue: int(math.Round(s.umsatz * 100)),
			})
		})
	})
	if err != nil {
		return nil, err
	}
	for _, b := range slices.Sorted(maps.Keys(stores)) {
		d.Stores = append(d.Stores, tools.Store{
			ID: "F" + strconv.Itoa(b), Name: "Filiale " + strconv.Itoa(b), NameEN: "Branch " + strconv.Itoa(b),
			District: meteolytixDistrict, DistrictEN: meteolytixDistrict, Lat: 54.32, Lon: 10.13,
		})
	}
	err = withFile(srcs[2], rep, func(r io.Reader, file string) error {
		return readKielWeather(ctx, r, file, func(w tools.Weather) { d.Weather = append(d.Weather, w) })
	})
	if err != nil {
		return nil, err
	}
	rep.finish()
	if len(d.Sales) == 0 {
		return nil, fmt.Errorf("%s has no rows", srcs[1].name)
	}
	first, last := dateRange(d.Sales, func(s *tools.Sale) string { return s.Date })
	d.Holidays = germanHolidays(regionNorth, yearOf(first), yearOf(last)+1)
	return d, nil
}

// readMeteolytixGroups reads meteolytix_Artikelgruppen.csv: a header
// "Artikelgruppe;Name", then one line per group with its number (≥ 1,
// unique) and German name (not empty).
func readMeteolytixGroups(ctx context.Context, r io.Reader, file string, fn func(id int, name string)) error {
	t, err := newTable(ctx, r, file, ";", []string{"Artikelgruppe", "Name"}, false)
	if err != nil {
		return err
	}
	seen := map[int]int{}
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		id, err := t.count(0)
		if err != nil || id < 1 {
			return t.errorf(0, "%q: want an article group number ≥ 1", clip(t.fields[0]))
		}
		if prev, dup := seen[id]; dup {
			return t.errorf(0, "article group %d again: first defined on line %d", id, prev)
		}
		seen[id] = t.line
		if t.fields[1] == "" {
			return t.errorf(1, "empty name: want the article group's German name")
		}
		fn(id, t.fields[1])
	}
	if len(seen) == 0 {
		return &ParseError{File: file, Line: t.line, Err: fmt.Errorf("no article groups after the header")}
	}
	return nil
}

// meteolytixSale is one line of the sales file.
type meteolytixSale struct {
	branch, group int
	date          string
	umsatz        float64
}

// readMeteolytixSales reads the sales file: header
// "Filiale,Datum,Artikelgruppe,Umsatz", then branch number, ISO date,
// article group (one of groups) and turnover with a decimal point. A
// branch, date and group may appear once.
func readMeteolytixSales(ctx context.Context, r io.Reader, file string, groups map[int]string, fn func(meteolytixSale)) error {
	t, err := newTable(ctx, r, file, ",", []string{"Filiale", "Datum", "Artikelgruppe", "Umsatz"}, false)
	if err != nil {
		return err
	}
	seen := map[meteolytixSale]int{}
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		var s meteolytixSale
		if s, err = parseMeteolytixSale(t, groups); err != nil {
			return err
		}
		key := meteolytixSale{branch: s.branch, group: s.group, date: s.date}
		if prev, dup := seen[key]; dup {
			return t.lineErrorf("Filiale %d, %s, Artikelgruppe %d again: first on line %d", s.branch, s.date, s.group, prev)
		}
		seen[key] = t.line
		fn(s)
	}
}

func parseMeteolytixSale(t *table, groups map[int]string) (meteolytixSale, error) {
	var s meteolytixSale
	var err error
	if s.branch, err = t.count(0); err != nil || s.branch < 1 || s.branch > 999 {
		return s, t.errorf(0, "%q: want a branch number 1–999", clip(t.fields[0]))
	}
	if _, s.date, err = t.date(1, tools.DateLayout, "2015-01-07"); err != nil {
		return s, err
	}
	if s.group, err = t.count(2); err != nil {
		return s, t.errorf(2, "%q: want an article group number", clip(t.fields[2]))
	}
	if _, ok := groups[s.group]; !ok {
		return s, t.errorf(2, "article group %d is not in %s.gz", s.group, meteolytixGroupsFile)
	}
	if s.umsatz, err = t.float(3); err != nil {
		return s, err
	}
	if math.Abs(s.umsatz) > 1e7 {
		return s, t.errorf(3, "turnover %g EUR is implausible for one article group on one day", s.umsatz)
	}
	return s, nil
}

// readKielWeather reads wetter_kiel_2015-2019.csv: header
// "Date;nnav;ttav;ffav;wwav", dates DD.MM.YYYY, decimal commas and NULL for
// missing values. It calls fn for each day it can use (see Meteolytix).
func readKielWeather(ctx context.Context, r io.Reader, file string, fn func(tools.Weather)) error {
	t, err := newTable(ctx, r, file, ";", []string{"Date", "nnav", "ttav", "ffav", "wwav"}, false)
	if err != nil {
		return err
	}
	seen := map[string]int{}
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		w, use, err := parseKielWeather(t)
		if err != nil {
			return err
		}
		if prev, dup := seen[w.Date]; dup {
			return t.errorf(0, "%s again: first on line %d", w.Date, prev)
		}
		seen[w.Date] = t.line
		if use {
			fn(w)
		}
	}
}

// parseKielWeather checks every column of the current line and returns the
// day's weather, and whether the day is usable.
func parseKielWeather(t *table) (tools.Weather, bool, error) {
	w := tools.Weather{District: meteolytixDistrict}
	var err error
	if _, w.Date, err = t.date(0, germanDate, "01.01.2015"); err != nil {
		return w, false, err
	}
	nn, nnNull, err := t.commaFloat(1)
	if err != nil {
		return w, false, err
	}
	if !nnNull && (nn < 0 || nn > 9) {
		return w, false, t.errorf(1, "cloud cover %g: want 0–9 octas or NULL", nn)
	}
	tt, ttNull, err := t.commaFloat(2)
	if err != nil {
		return w, false, err
	}
	if !ttNull && (tt < -60 || tt > 60) {
		return w, false, t.errorf(2, "mean temperature %g °C is implausible", tt)
	}
	ff, ffNull, err := t.commaFloat(3)
	if err != nil {
		return w, false, err
	}
	if !ffNull && ff < 0 {
		return w, false, t.errorf(3, "wind speed %g: want ≥ 0 or NULL", ff)
	}
	ww, wwNull, err := t.commaFloat(4)
	if err != nil {
		return w, false, err
	}
	if !wwNull && (ww < 0 || ww > 99 || ww != math.Trunc(ww)) {
		return w, false, t.errorf(4, "weather code %g: want a WMO code 0–99 or NULL", ww)
	}
	if ttNull || (wwNull && nnNull) {
		return w, false, nil
	}
	w.TempMax, w.TempMin = tt, tt
	if !wwNull && ww >= 50 {
		w.Precipitation = 1
	}
	return w, true, nil
}
