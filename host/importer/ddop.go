package importer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// The ddop files, named without their .gz.
const (
	ddopDataFile   = "bakery_data.csv"
	ddopTargetFile = "bakery_target.csv"
)

const (
	ddopStoreID  = "D1"
	ddopDistrict = "Süddeutschland"
)

// ddopProducts are the target columns of bakery_target.csv, which are also
// the product IDs, with German and English names.
func ddopProducts() []tools.Product {
	return []tools.Product{
		{ID: "roll", Name: "Brötchen", NameEN: "Roll", Category: "bread", Tags: []string{}},
		{ID: "seeded_roll", Name: "Körnerbrötchen", NameEN: "Seeded roll", Category: "bread", Tags: []string{}},
		{ID: "pretzel", Name: "Brezel", NameEN: "Pretzel", Category: "bread", Tags: []string{}},
	}
}

// ddopHeader is bakery_data.csv's header.
func ddopHeader() []string {
	h := []string{"date", "weekday", "month", "year", "is_schoolholiday", "is_holiday", "rainfall", "temperature",
		"promotion_currentweek", "promotion_lastweek"}
	for _, p := range ddopProducts() {
		for i := 1; i <= 7; i++ {
			h = append(h, fmt.Sprintf("%s_t%d", p.ID, i))
		}
		for w := 2; w <= 4; w++ {
			h = append(h, fmt.Sprintf("%s_mean_same_wday_w%d", p.ID, w))
		}
	}
	return h
}

// Columns of bakery_data.csv.
const (
	ddDate = iota
	ddWeekday
	ddMonth
	ddYear
	ddSchoolHoliday
	ddHoliday
	ddRainfall
	ddTemperature
	ddPromotion
	ddPromotionLastWeek
	ddLags // first of the lag features
)

// DDOP imports the bakery data set of the ddop library (d3group/ddop, the
// 1,155-day version): one German bakery, rolls, seeded rolls and pretzels,
// 2016-03-02 to 2019-04-30, with rainfall, temperature, promotions and
// holidays. bakery_data.csv holds the features and bakery_target.csv,
// line by line, the demand.
//
//   - One store D1 in district Süddeutschland: the location is not
//     published, but the holiday column has Epiphany, Corpus Christi and All
//     Saints' Day and no Assumption Day, the calendar of Baden-Württemberg
//     (or of Bavaria's Protestant communities).
//   - Products roll, seeded_roll and pretzel, category bread.
//   - Sales per day and product, Quantity the demand, Promotion when
//     promotion_currentweek is 1. Days on which all three sold 0 are closed
//     days (every one is a holiday: Christmas, New Year, Good Friday,
//     Corpus Christi) and have no sales rows. Price 0.
//   - Weather per day: TempMax = TempMin = temperature, Precipitation =
//     rainfall.
//   - Holidays on the days marked is_holiday (Easter and Whit Sunday
//     included, as the data marks them), named from the German calendar.
//     When the marks agree with Baden-Württemberg's calendar on every day of
//     the data, that calendar continues the list to the end of the year
//     after the last day, so forecasts past the data still see holidays.
//   - The lag features and the school holiday flag are checked but not
//     imported: forecasters compute their own lags from the sales.
type DDOP struct{}

// Name implements Importer.
func (DDOP) Name() string { return "ddop" }

// Describe implements Importer.
func (DDOP) Describe() string {
	return "ddop bakery: 1 German bakery, rolls / seeded rolls / pretzels, daily demand 2016–2019, rainfall, temperature, promotions, holidays"
}

// Detect implements Detector.
func (DDOP) Detect(dir string) bool {
	return hasAll(dir, ddopDataFile, ddopTargetFile)
}

// Import implements Importer.
func (DDOP) Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error) {
	srcs, err := findSources(dir, ddopTargetFile, ddopDataFile)
	if err != nil {
		return nil, err
	}
	rep := newReporter(progress, srcs)
	var targets [][3]int
	var targetFile, dataFile string
	err = withFile(srcs[0], rep, func(r io.Reader, file string) error {
		targetFile = file
		return readDDOPTargets(ctx, r, file, func(q [3]int) { targets = append(targets, q) })
	})
	if err != nil {
		return nil, err
	}
	products := ddopProducts()
	d := &store.Data{
		Stores:   []tools.Store{{ID: ddopStoreID, Name: "ddop-Bäckerei", NameEN: "ddop bakery", District: ddopDistrict, DistrictEN: "Southern Germany"}},
		Products: products,
	}
	var days []ddopDay
	err = withFile(srcs[1], rep, func(r io.Reader, file string) error {
		dataFile = file
		err := readDDOPData(ctx, r, file, func(day ddopDay) error {
			if len(days) >= len(targets) {
				return fmt.Errorf("a row beyond the %d of %s: the files must be row-aligned", len(targets), targetFile)
			}
			days = append(days, day)
			return nil
		})
		if err == nil && len(days) < len(targets) {
			err = fmt.Errorf("%s has %d rows but %s has %d: the files must be row-aligned", file, len(days), targetFile, len(targets))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.finish()
	if len(days) == 0 {
		return nil, fmt.Errorf("%s has no rows", srcs[1].name)
	}
	bw := map[string]bool{}
	for _, h := range germanHolidays(regionBW, days[0].t.Year(), days[len(days)-1].t.Year()+1) {
		bw[h.Date] = true
	}
	agree := true
	for i, day := range days {
		q := targets[i]
		// The lag features repeat the previous day's targets: a check that
		// the two files line up.
		if i > 0 && days[i-1].t.AddDate(0, 0, 1).Equal(day.t) {
			for j, p := range products {
				if day.hasLag1[j] && day.lag1[j] != float64(targets[i-1][j]) {
					return nil, fmt.Errorf("%s row %d (%s) has %s_t1 = %g, but row %d of %s has %s = %d: the files are not row-aligned",
						dataFile, i+1, day.date, p.ID, day.lag1[j], i, targetFile, p.ID, targets[i-1][j])
				}
			}
		}
		if q != [3]int{} {
			for j, p := range products {
				d.Sales = append(d.Sales, tools.Sale{Date: day.date, StoreID: ddopStoreID, ProductID: p.ID, Quantity: q[j], Promotion: day.promotion})
			}
		}
		d.Weather = append(d.Weather, tools.Weather{Date: day.date, District: ddopDistrict,
			TempMax: day.temperature, TempMin: day.temperature, Precipitation: day.rainfall})
		if day.holiday {
			h := tools.Holiday{Date: day.date, Name: "Feiertag", NameEN: "Public holiday"}
			if n, en, ok := germanHolidayName(day.t); ok {
				h.Name, h.NameEN = n, en
			}
			d.Holidays = append(d.Holidays, h)
		}
		// Easter and Whit Sunday are marked but are not in the state's list.
		if sunday := day.t.Weekday() == time.Sunday; day.holiday != bw[day.date] && !(day.holiday && sunday) {
			agree = false
		}
	}
	if agree {
		last := days[len(days)-1]
		for _, h := range germanHolidays(regionBW, last.t.Year(), last.t.Year()+1) {
			if h.Date > last.date {
				d.Holidays = append(d.Holidays, h)
			}
		}
		// The data marks Easter and Whit Sunday too; so does the sequel.
		for y := last.t.Year(); y <= last.t.Year()+1; y++ {
			for _, off := range []int{0, 49} {
				day := easterSunday(y).AddDate(0, 0, off)
				if date := day.Format(tools.DateLayout); date > last.date {
					name, en, _ := germanHolidayName(day)
					d.Holidays = append(d.Holidays, tools.Holiday{Date: date, Name: name, NameEN: en})
				}
			}
		}
		slices.SortFunc(d.Holidays, func(a, b tools.Holiday) int { return strings.Compare(a.Date, b.Date) })
	}
	return d, nil
}

// readDDOPTargets reads bakery_target.csv: header "roll,seeded_roll,pretzel",
// then one line of whole-number demands per day.
func readDDOPTargets(ctx context.Context, r io.Reader, file string, fn func([3]int)) error {
	products := ddopProducts()
	header := make([]string, len(products))
	for i, p := range products {
		header[i] = p.ID
	}
	t, err := newTable(ctx, r, file, ",", header, false)
	if err != nil {
		return err
	}
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		var q [3]int
		for i := range q {
			if q[i], err = t.count(i); err != nil {
				return err
			}
		}
		fn(q)
	}
}

// ddopDay is the part of a bakery_data.csv line that is imported.
type ddopDay struct {
	t           time.Time
	date        string
	holiday     bool
	promotion   bool
	rainfall    float64
	temperature float64
	// lag1 is the previous day's demand by product, from the lag features,
	// with hasLag1 false where they are empty (the first day).
	lag1    [3]float64
	hasLag1 [3]bool
}

// readDDOPData reads bakery_data.csv (see ddopHeader), checking every
// column: the date DD.MM.YYYY, one line per day in order, and weekday,
// month and year agreeing with it.
func readDDOPData(ctx context.Context, r io.Reader, file string, fn func(ddopDay) error) error {
	t, err := newTable(ctx, r, file, ",", ddopHeader(), false)
	if err != nil {
		return err
	}
	var prev time.Time
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		day, err := parseDDOPDay(t)
		if err != nil {
			return err
		}
		if !prev.IsZero() && !day.t.After(prev) {
			return t.errorf(ddDate, "%s after %s: want one line per day in date order", day.date, prev.Format(tools.DateLayout))
		}
		prev = day.t
		if err := fn(day); err != nil {
			return t.lineErrorf("%w", err)
		}
	}
}

func parseDDOPDay(t *table) (ddopDay, error) {
	var d ddopDay
	var err error
	if d.t, d.date, err = t.date(ddDate, germanDate, "02.03.2016"); err != nil {
		return d, err
	}
	if want := strings.ToUpper(d.t.Weekday().String()[:3]); t.fields[ddWeekday] != want {
		return d, t.errorf(ddWeekday, "%q: %s is a %s, want %s", clip(t.fields[ddWeekday]), t.fields[ddDate], d.t.Weekday(), want)
	}
	if want := strings.ToUpper(d.t.Month().String()[:3]); t.fields[ddMonth] != want {
		return d, t.errorf(ddMonth, "%q: want %s for %s", clip(t.fields[ddMonth]), want, t.fields[ddDate])
	}
	if want := fmt.Sprint(d.t.Year()); t.fields[ddYear] != want {
		return d, t.errorf(ddYear, "%q: want %s for %s", clip(t.fields[ddYear]), want, t.fields[ddDate])
	}
	if _, err = t.flag(ddSchoolHoliday); err != nil {
		return d, err
	}
	if d.holiday, err = t.flag(ddHoliday); err != nil {
		return d, err
	}
	if d.rainfall, err = t.float(ddRainfall); err != nil {
		return d, err
	}
	if d.rainfall < 0 || d.rainfall > 500 {
		return d, t.errorf(ddRainfall, "%g mm: want 0–500", d.rainfall)
	}
	if d.temperature, err = t.float(ddTemperature); err != nil {
		return d, err
	}
	if d.temperature < -60 || d.temperature > 60 {
		return d, t.errorf(ddTemperature, "%g °C is implausible", d.temperature)
	}
	if d.promotion, err = t.flag(ddPromotion); err != nil {
		return d, err
	}
	if _, err = t.flag(ddPromotionLastWeek); err != nil {
		return d, err
	}
	for c := ddLags; c < len(t.header); c++ {
		if err := t.optionalFloat(c); err != nil {
			return d, err
		}
	}
	for j := range d.lag1 {
		// Each product has 10 lag columns, <id>_t1 first.
		if c := ddLags + 10*j; t.fields[c] != "" {
			if d.lag1[j], err = t.float(c); err != nil {
				return d, err
			}
			d.hasLag1[j] = true
		}
	}
	return d, nil
}
