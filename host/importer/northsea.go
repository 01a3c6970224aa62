package importer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// The north_sea files, named without their .gz.
const (
	northSeaSalesFile   = "sales_forecasting_1d_top64.csv"
	northSeaMappingFile = "item_mapping.txt"
)

const (
	northSeaStoreID  = "N1"
	northSeaDistrict = "Nordsee"
)

// northSeaTail is the header after the item columns.
func northSeaTail() []string {
	return []string{"is_open", "holidays", "gaestezahlen", "arrival", "departure",
		"temperature", "precipitation", "cloud_cover", "wind_speed", "wind_direction"}
}

// Column offsets in northSeaTail().
const (
	nsOpen = iota
	nsSchoolHolidays
	nsGuests
	nsArrival
	nsDeparture
	nsTemperature
	nsPrecipitation
	nsCloudCover
	nsWindSpeed
	nsWindDirection
)

// NorthSea imports the North Sea island bakery data (lleisner/
// bakery_sales_forecasting): daily unit sales of the bakery's 64 best
// sellers, 2019-02-20 to 2023-10-31, with weather.
//
// The table was made by summing hourly rows to days, and it shows in most
// columns: is_open is the number of opening hours (0–9; 0 is a closed day),
// holidays is 24 × the number of German states on school holidays that day
// (0–384; it is not a public-holiday flag: 2019-05-01 is 0, and most of
// July is 336 or more), and temperature is the sum of the hourly readings in
// kelvin (about 6,700 = 24 × 279 K). What this importer makes of it:
//
//   - One store N1 "Inselbäckerei" in district Nordsee.
//   - Products A<Nummer> for the item columns, named from item_mapping.txt
//     (UTF-16 LE, tab-separated, padded with tabs), with English names and
//     categories given here; items without a name there are "Artikel
//     <Nummer>", their category guessed from the number range.
//   - Sales only on open days (is_open > 0), one row per item, Quantity the
//     units sold (zeros kept); a closed day has no sales rows rather than
//     zeros, because nothing was on offer. Price 0, Promotion false.
//   - Weather every day: TempMax = TempMin = temperature / hours − 273.15,
//     where hours is 23 on the last Sunday of March (the switch to summer
//     time, a 23-hour day: dividing by 24 would put those days 11 °C too
//     cold) and 24 otherwise; Precipitation as given, the day's sum of
//     hourly millimetres (760–950 mm a year, as on the German North Sea
//     coast).
//   - Holidays: the public holidays of Schleswig-Holstein, which are those
//     of Niedersachsen too (the islands belong to one or the other), from
//     the first year of the data to the year after the last; the school
//     holiday column is not a public-holiday calendar and is not imported,
//     nor are the guest and ferry counts, cloud cover and wind.
type NorthSea struct{}

// Name implements Importer.
func (NorthSea) Name() string { return "northsea" }

// Describe implements Importer.
func (NorthSea) Describe() string {
	return "North Sea island bakery: 64 items, daily units 2019–2023 (open days only), weather, Schleswig-Holstein/Niedersachsen holidays"
}

// Detect implements Detector.
func (NorthSea) Detect(dir string) bool {
	return hasAll(dir, northSeaSalesFile, northSeaMappingFile)
}

// Import implements Importer.
func (NorthSea) Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error) {
	srcs, err := findSources(dir, northSeaMappingFile, northSeaSalesFile)
	if err != nil {
		return nil, err
	}
	rep := newReporter(progress, srcs)
	names := map[int]string{}
	err = withFile(srcs[0], rep, func(r io.Reader, file string) error {
		return readItemMapping(ctx, r, file, func(id int, name string) { names[id] = name })
	})
	if err != nil {
		return nil, err
	}
	d := &store.Data{Stores: []tools.Store{{ID: northSeaStoreID, Name: "Inselbäckerei", NameEN: "Island bakery",
		District: northSeaDistrict, DistrictEN: "North Sea"}}}
	var items []string // product IDs by item column
	known := northSeaItems()
	err = withFile(srcs[1], rep, func(r io.Reader, file string) error {
		return readNorthSeaSales(ctx, r, file, func(ids []int) {
			for _, id := range ids {
				p := tools.Product{ID: "A" + strconv.Itoa(id), Name: names[id], Tags: []string{}}
				if k, ok := known[p.Name]; ok {
					p.NameEN, p.Category = k.en, k.category
				} else {
					if p.Name == "" {
						p.Name = "Artikel " + strconv.Itoa(id)
					}
					p.NameEN, p.Category = "Item "+strconv.Itoa(id), categoryByNumber(id)
				}
				items = append(items, p.ID)
				d.Products = append(d.Products, p)
			}
		}, func(day northSeaDay) {
			if day.openHours > 0 {
				for i, q := range day.units {
					d.Sales = append(d.Sales, tools.Sale{Date: day.date, StoreID: northSeaStoreID, ProductID: items[i], Quantity: q})
				}
			}
			d.Weather = append(d.Weather, tools.Weather{Date: day.date, District: northSeaDistrict,
				TempMax: day.tempC, TempMin: day.tempC, Precipitation: day.precipMM})
		})
	})
	if err != nil {
		return nil, err
	}
	rep.finish()
	if len(d.Weather) == 0 {
		return nil, fmt.Errorf("%s has no rows", srcs[1].name)
	}
	first, last := dateRange(d.Weather, func(w *tools.Weather) string { return w.Date })
	d.Holidays = germanHolidays(regionNorth, yearOf(first), yearOf(last)+1)
	return d, nil
}

// readItemMapping reads item_mapping.txt: UTF-16 text (LE unless a BOM
// says otherwise; UTF-8 is accepted too, for a re-saved copy), tab-
// separated, header "Nummer\tName", then item number and German name (may
// be empty), each line padded with empty columns.
func readItemMapping(ctx context.Context, r io.Reader, file string, fn func(id int, name string)) error {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		r = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	} else {
		r = br
	}
	t, err := newTable(ctx, r, file, "\t", []string{"Nummer", "Name"}, true)
	if pe, ok := err.(*ParseError); ok && pe.Line == 1 {
		pe.Err = fmt.Errorf("%w; the file must be UTF-16 with a byte order mark, or UTF-8", pe.Err)
		return pe
	}
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
			return nil
		}
		id, err := t.count(0)
		if err != nil {
			return t.errorf(0, "%q: want an item number", clip(t.fields[0]))
		}
		if prev, dup := seen[id]; dup {
			return t.errorf(0, "item %d again: first on line %d", id, prev)
		}
		seen[id] = t.line
		fn(id, strings.TrimSpace(t.fields[1]))
	}
}

// northSeaDay is one line of the sales table.
type northSeaDay struct {
	date      string
	units     []int // by item column
	openHours int
	tempC     float64
	precipMM  float64
}

// readNorthSeaSales reads sales_forecasting_1d_top64.csv: a header "date",
// the item numbers, then northSeaTail; one line per day in date order.
// header is called once with the item numbers, then day for each line.
func readNorthSeaSales(ctx context.Context, r io.Reader, file string, header func(ids []int), day func(northSeaDay)) error {
	t, err := newTable(ctx, r, file, ",", nil, false)
	if err != nil {
		return err
	}
	ids, err := northSeaHeader(t.header)
	if err != nil {
		return &ParseError{File: file, Line: 1, Err: err}
	}
	header(ids)
	prev := ""
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		d, err := parseNorthSeaDay(t, len(ids))
		if err != nil {
			return err
		}
		if d.date <= prev {
			return t.errorf(0, "%s after %s: want one line per day in date order", d.date, prev)
		}
		prev = d.date
		day(d)
	}
}

// northSeaHeader checks the header and returns the item numbers.
func northSeaHeader(h []string) ([]int, error) {
	northSeaTail := northSeaTail()
	want := "date, the item numbers, then " + strings.Join(northSeaTail, ",")
	if len(h) < 2+len(northSeaTail) || h[0] != "date" {
		return nil, fmt.Errorf("header %q: want %s", clip(strings.Join(h, ",")), want)
	}
	tail := h[len(h)-len(northSeaTail):]
	for i, name := range northSeaTail {
		if tail[i] != name {
			return nil, fmt.Errorf("header column %d is %q: want %q (the header is %s)", len(h)-len(northSeaTail)+i+1, clip(tail[i]), name, want)
		}
	}
	cols := h[1 : len(h)-len(northSeaTail)]
	ids := make([]int, len(cols))
	seen := map[int]bool{}
	for i, c := range cols {
		id, err := strconv.Atoi(c)
		if err != nil || id < 0 || c != strconv.Itoa(id) {
			return nil, fmt.Errorf("header column %d is %q: want an item number (the header is %s)", i+2, clip(c), want)
		}
		if seen[id] {
			return nil, fmt.Errorf("header column %d: item %d appears twice", i+2, id)
		}
		seen[id] = true
		ids[i] = id
	}
	return ids, nil
}

// parseNorthSeaDay parses and checks the current line of the sales table,
// which has nItems item columns.
func parseNorthSeaDay(t *table, nItems int) (northSeaDay, error) {
	var d northSeaDay
	date, iso, err := t.date(0, tools.DateLayout, "2019-02-20")
	if err != nil {
		return d, err
	}
	d.date = iso
	d.units = make([]int, nItems)
	for i := range nItems {
		if d.units[i], err = t.count(1 + i); err != nil {
			return d, err
		}
	}
	base := 1 + nItems
	if d.openHours, err = t.count(base + nsOpen); err != nil {
		return d, err
	}
	if d.openHours > 25 {
		return d, t.errorf(base+nsOpen, "%d opening hours: want 0–25", d.openHours)
	}
	if _, err := t.count(base + nsSchoolHolidays); err != nil {
		return d, err
	}
	for _, c := range []int{nsGuests, nsArrival, nsDeparture, nsCloudCover, nsWindSpeed, nsWindDirection, nsPrecipitation} {
		v, err := t.float(base + c)
		if err != nil {
			return d, err
		}
		if v < 0 {
			return d, t.errorf(base+c, "%g: want ≥ 0", v)
		}
		if c == nsPrecipitation {
			d.precipMM = math.Round(v*100) / 100
		}
	}
	sum, err := t.float(base + nsTemperature)
	if err != nil {
		return d, err
	}
	hours := dayHours(date)
	k := sum / float64(hours)
	if k < 220 || k > 330 {
		return d, t.errorf(base+nsTemperature, "%g: want the sum of %d hourly temperatures in kelvin (about %d × 280)", sum, hours, hours)
	}
	d.tempC = math.Round((k-273.15)*100) / 100
	return d, nil
}

// dayHours is the length in hours of a civil day in Germany: 23 on the
// last Sunday of March, when clocks go forward. The last Sunday of October
// has 25, but the north_sea table sums 24 hourly rows that day (its
// temperatures are in line with the days around it), so it counts 24.
func dayHours(d time.Time) int {
	if d.Month() == time.March && d.Weekday() == time.Sunday && d.Day() > 31-7 {
		return 23
	}
	return 24
}

// categoryByNumber guesses an unnamed item's category from the bakery's
// numbering, in which rolls and breads run to 79, pastries 80–129 and cakes
// from 130.
func categoryByNumber(id int) string {
	switch {
	case id >= 10 && id < 80:
		return "bread"
	case id >= 80 && id < 130:
		return "pastry"
	case id >= 130 && id < 200:
		return "cake"
	}
	return "other"
}

// northSeaItems gives the English name and category of the items among the
// north_sea best sellers, keyed by their German name in item_mapping.txt.
func northSeaItems() map[string]struct{ en, category string } {
	return map[string]struct{ en, category string }{
		"Normale":                {"Plain roll", "bread"},
		"Mohnbrötchen":           {"Poppy seed roll", "bread"},
		"Sesambrötchen":          {"Sesame roll", "bread"},
		"Roggenpärchen":          {"Rye twin roll", "bread"},
		"Dänische":               {"Danish pastry", "pastry"},
		"Mehrkornbrötchen":       {"Multigrain roll", "bread"},
		"Dinkelvollkornbrötchen": {"Wholegrain spelt roll", "bread"},
		"Baguettebrötchen":       {"Baguette roll", "bread"},
		"Käsebrötchen":           {"Cheese roll", "bread"},
		"Dänisch Mohn/Sesam":     {"Danish pastry, poppy seed or sesame", "pastry"},
		"Laugenbrötchen":         {"Lye roll", "bread"},
		"Laugenbrezel":           {"Pretzel", "bread"},
		"Snack-Artikel":          {"Snack item", "sandwich"},
		"Laugendreieck":          {"Lye triangle", "bread"},
		"Laugenstange":           {"Pretzel stick", "bread"},
		"Seele":                  {"Seele (spelt stick)", "bread"},
		"Walnussbrötchen":        {"Walnut roll", "bread"},
		"Rosinenbrötchen":        {"Raisin roll", "pastry"},
		"Milchbrötchen":          {"Milk roll", "pastry"},
		"Baguette groß":          {"Large baguette", "bread"},
		"genetzes Landbrot":      {"Country bread", "bread"},
		"Kartoffelbrot":          {"Potato bread", "bread"},
		"Mehrkornbrot":           {"Multigrain bread", "bread"},
		"Weißbrot":               {"White bread", "bread"},
		"Roggenvollkornbrot":     {"Wholegrain rye bread", "bread"},
		"Dinkelvollkornbrot":     {"Wholegrain spelt bread", "bread"},
		"Rosinenbrot":            {"Raisin bread", "bread"},
		"Körnerträumchen":        {"Seeded roll", "bread"},
		"Sanddornbrot":           {"Sea buckthorn bread", "bread"},
		"Apfel Walnuss Brot":     {"Apple and walnut bread", "bread"},
		"Buttercroissant":        {"Butter croissant", "pastry"},
		"Schokocroissant":        {"Chocolate croissant", "pastry"},
		"Quarktasche":            {"Quark pastry", "pastry"},
		"Franzbrötchen":          {"Franzbrötchen (cinnamon pastry)", "pastry"},
		"Marillenspitz":          {"Apricot pastry", "pastry"},
		"Schnecke":               {"Pastry swirl", "pastry"},
		"Pastel de Nata":         {"Pastel de nata", "pastry"},
		"Quarkbällchen 1 Stk.":   {"Quark ball, 1 piece", "pastry"},
		"Quarkbällchen 3 Stk.":   {"Quark balls, 3 pieces", "pastry"},
		"Quarkbällchen 5 Stk.":   {"Quark balls, 5 pieces", "pastry"},
		"Mandelhörnchen":         {"Almond crescent", "cookie"},
		"Nuss-/Marzipanecke":     {"Nut or marzipan triangle", "pastry"},
		"Nougatring":             {"Nougat ring", "pastry"},
		"Amerikaner":             {"Amerikaner (iced cookie)", "cookie"},
		"Berliner":               {"Berliner (jam doughnut)", "pastry"},
		"Fruchtplunder":          {"Fruit Danish", "pastry"},
		"Brioche":                {"Brioche", "pastry"},
		"Sanddornwecke":          {"Sea buckthorn bun", "pastry"},
		"Stollenkonfekt 250g":    {"Stollen bites, 250 g", "cookie"},
		"Butterkuchen":           {"Butter cake", "cake"},
		"Streuselschnitte":       {"Crumble slice", "cake"},
		"Aktionskuchen":          {"Cake of the week", "cake"},
		"Bienenstich":            {"Bee sting cake", "cake"},
		"Käsekuchen Variation":   {"Cheesecake, varying", "cake"},
		"Obstkuchen":             {"Fruit cake", "cake"},
		"Gedeckter Apfelkuchen":  {"Covered apple pie", "cake"},
		"Torte Stück":            {"Slice of gateau", "cake"},
		"Zitronenrolle":          {"Lemon Swiss roll", "cake"},
		"Donauwelle":             {"Donauwelle (cherry chocolate cake)", "cake"},
		"Portion Sahne":          {"Portion of whipped cream", "other"},
	}
}
