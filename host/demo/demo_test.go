package demo

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/holidays"
)

var testToday = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// fullData is one generation with a full-length history, shared by the
// property tests (it is only read).
var fullData = sync.OnceValues(func() (*store.Data, error) {
	return Generate(Config{Seed: 7, Today: testToday, Customers: 600}, nil)
})

func full(t *testing.T) *store.Data {
	t.Helper()
	d, err := fullData()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return d
}

func digest(t *testing.T, d *store.Data) [32]byte {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return sha256.Sum256(b)
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Today: testToday, Days: 60, Customers: 200}
	a, err := Generate(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Error("two runs of the same config differ")
	}
	// Today given at another time of the same Seoul day is the same config.
	cfg2 := cfg
	cfg2.Today = time.Date(2026, 11, 21, 23, 30, 0, 0, seoul())
	c, err := Generate(cfg2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, c) {
		t.Error("the time of day of Today changed the data")
	}
	cfg.Seed = 43
	e, err := Generate(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, a) == digest(t, e) {
		t.Error("a different seed gave the same data")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no today", Config{}, "today is not set"},
		{"negative days", Config{Today: testToday, Days: -1}, "days -1 out of range"},
		{"too many days", Config{Today: testToday, Days: MaxDays + 1}, "out of range"},
		{"negative customers", Config{Today: testToday, Customers: -5}, "customers -5 out of range"},
		{"before the holiday table", Config{Today: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)}, "before the holiday table"},
		{"after the holiday table", Config{Today: time.Date(2030, 12, 25, 0, 0, 0, 0, time.UTC), Days: 30}, "after the holiday table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "demo config: ") {
				t.Errorf("Generate(%+v) error = %v, want one containing %q", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	var calls, last, total int
	_, err := Generate(Config{Seed: 1, Today: testToday, Days: 30, Customers: 50}, func(done, tot int) {
		calls++
		if done < last || tot <= 0 || done > tot {
			t.Errorf("progress(%d, %d) after %d", done, tot, last)
		}
		last, total = done, tot
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 10 || last != total {
		t.Errorf("progress called %d times, ended at %d/%d", calls, last, total)
	}
}

func TestSizes(t *testing.T) {
	d := full(t)
	if len(d.Stores) < 10 {
		t.Errorf("%d stores, want ≥ 10", len(d.Stores))
	}
	if len(d.Products) < 40 {
		t.Errorf("%d products, want ≥ 40", len(d.Products))
	}
	days := map[[2]string]int{}
	for _, s := range d.Sales {
		days[[2]string{s.StoreID, s.ProductID}]++
	}
	if len(days) != len(d.Stores)*len(d.Products) {
		t.Errorf("sales cover %d store×product pairs, want %d", len(days), len(d.Stores)*len(d.Products))
	}
	for k, n := range days {
		if n < 365 {
			t.Errorf("%v has %d days of sales, want ≥ 365", k, n)
		}
	}
	last := ""
	for _, s := range d.Sales {
		last = max(last, s.Date)
	}
	if want := testToday.AddDate(0, 0, -1).Format(tools.DateLayout); last != want {
		t.Errorf("sales end %s, want %s", last, want)
	}
	today := 0
	for _, p := range d.Production {
		if p.Date == testToday.Format(tools.DateLayout) {
			today++
		}
	}
	if today != len(d.Stores)*len(d.Products) {
		t.Errorf("%d production rows for today, want %d", today, len(d.Stores)*len(d.Products))
	}
	if len(d.Stock) != len(d.Stores)*len(d.Products)*(openHours+1) {
		t.Errorf("%d stock snapshots", len(d.Stock))
	}

	// The default member count reaches the IDs the chat examples use.
	c, err := Generate(Config{Seed: 1, Today: testToday, Days: 30}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Customers) != DefaultCustomers {
		t.Errorf("%d customers, want %d", len(c.Customers), DefaultCustomers)
	}
	ids := map[string]bool{}
	for _, cu := range c.Customers {
		ids[cu.ID] = true
	}
	for _, id := range []string{"10001", "12345", "13000"} {
		if !ids[id] {
			t.Errorf("customer %s missing", id)
		}
	}
}

func TestNames(t *testing.T) {
	d := full(t)
	for _, s := range d.Stores {
		if s.ID == "" || s.Name == "" || s.NameEN == "" || s.District == "" || s.DistrictEN == "" || s.Area == "" {
			t.Errorf("store %+v has an empty field", s)
		}
		if s.Lat < 37.4 || s.Lat > 37.7 || s.Lon < 126.8 || s.Lon > 127.2 {
			t.Errorf("store %s at %v,%v is not in Seoul", s.ID, s.Lat, s.Lon)
		}
	}
	for _, p := range d.Products {
		if p.ID == "" || p.Name == "" || p.NameEN == "" || p.Category == "" || len(p.Tags) == 0 || p.Price <= 0 || p.ShelfLifeHours <= 0 {
			t.Errorf("product %+v has an empty field", p)
		}
	}
	names := map[string]bool{}
	for _, p := range d.Products {
		names[p.Name] = true
	}
	for _, n := range []string{"크루아상", "식빵", "우유", "소금빵", "단팥빵", "바게트", "치즈케이크"} {
		if !names[n] {
			t.Errorf("product %s missing", n)
		}
	}
	stores := map[string]bool{}
	for _, s := range d.Stores {
		stores[s.Name] = true
	}
	for _, n := range []string{"강남점", "홍대점"} {
		if !stores[n] {
			t.Errorf("store %s missing", n)
		}
	}
}

// dailyTotals sums each store's sales per date.
func dailyTotals(d *store.Data) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, s := range d.Sales {
		if out[s.StoreID] == nil {
			out[s.StoreID] = map[string]float64{}
		}
		out[s.StoreID][s.Date] += float64(s.Quantity)
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestWeekendByArea(t *testing.T) {
	d := full(t)
	totals := dailyTotals(d)
	ratio := map[string][]float64{}
	for _, s := range d.Stores {
		var we, wd []float64
		for date, q := range totals[s.ID] {
			day, _ := time.Parse(tools.DateLayout, date)
			if holidays.IsHoliday(day) {
				continue
			}
			if w := day.Weekday(); w == time.Saturday || w == time.Sunday {
				we = append(we, q)
			} else {
				wd = append(wd, q)
			}
		}
		ratio[s.Area] = append(ratio[s.Area], mean(we)/mean(wd))
	}
	tests := []struct {
		area   string
		lo, hi float64
	}{
		{"office", 0, 0.65},
		{"university", 0.6, 0.95},
		{"station", 0.8, 1.1},
		{"residential", 1.15, 2},
		{"tourist", 1.2, 2},
	}
	for _, tt := range tests {
		r := mean(ratio[tt.area])
		t.Logf("%s weekend/weekday %.2f", tt.area, r)
		if r < tt.lo || r > tt.hi {
			t.Errorf("%s weekend/weekday = %.2f, want in [%.2f, %.2f]", tt.area, r, tt.lo, tt.hi)
		}
	}
}

func TestRainSellsLess(t *testing.T) {
	d := full(t)
	totals := dailyTotals(d)
	district := map[string]string{}
	for _, s := range d.Stores {
		district[s.ID] = s.District
	}
	rain := map[[2]string]float64{}
	for _, w := range d.Weather {
		rain[[2]string{w.District, w.Date}] = w.Precipitation
	}
	// Compare each rainy day with the mean of dry days of the same store
	// and weekday, skipping holidays.
	var ratios []float64
	for id, byDate := range totals {
		dry := map[time.Weekday][]float64{}
		var wet []struct {
			wd time.Weekday
			q  float64
		}
		for date, q := range byDate {
			day, _ := time.Parse(tools.DateLayout, date)
			if holidays.IsHoliday(day) {
				continue
			}
			switch p := rain[[2]string{district[id], date}]; {
			case p == 0:
				dry[day.Weekday()] = append(dry[day.Weekday()], q)
			case p >= 5:
				wet = append(wet, struct {
					wd time.Weekday
					q  float64
				}{day.Weekday(), q})
			}
		}
		for _, w := range wet {
			ratios = append(ratios, w.q/mean(dry[w.wd]))
		}
	}
	r := mean(ratios)
	t.Logf("rainy/dry same weekday %.3f over %d rainy store-days", r, len(ratios))
	if len(ratios) < 100 || r > 0.92 {
		t.Errorf("rainy days sell %.3f of dry days (n=%d), want ≤ 0.92", r, len(ratios))
	}
}

func TestHolidayEffect(t *testing.T) {
	d := full(t)
	totals := dailyTotals(d)
	area := map[string]string{}
	for _, s := range d.Stores {
		area[s.ID] = s.Area
	}
	// Weekday holidays against ordinary weekdays, by area.
	hol := map[string][]float64{}
	work := map[string][]float64{}
	for id, byDate := range totals {
		for date, q := range byDate {
			day, _ := time.Parse(tools.DateLayout, date)
			if w := day.Weekday(); w == time.Saturday || w == time.Sunday {
				continue
			}
			if h, ok := holidays.Lookup(day); ok {
				if !strings.Contains(h.Name, "설날") && !strings.Contains(h.Name, "추석") {
					hol[area[id]] = append(hol[area[id]], q)
				}
			} else {
				work[area[id]] = append(work[area[id]], q)
			}
		}
	}
	office := mean(hol["office"]) / mean(work["office"])
	resid := mean(hol["residential"]) / mean(work["residential"])
	t.Logf("holiday/weekday: office %.2f, residential %.2f (n=%d)", office, resid, len(hol["office"]))
	if office > 0.6 {
		t.Errorf("office holidays sell %.2f of weekdays, want ≤ 0.6", office)
	}
	if resid < 1.1 {
		t.Errorf("residential holidays sell %.2f of weekdays, want ≥ 1.1", resid)
	}

	// Gift items spike in the days before 설날 and 추석.
	gift := map[string]bool{}
	for _, p := range d.Products {
		if slices.Contains(p.Tags, "gift") {
			gift[p.ID] = true
		}
	}
	eve := map[string]bool{}
	for y := 2025; y <= 2026; y++ {
		for _, h := range holidays.In(y) {
			if h.Name == "설날 전날" || h.Name == "추석 전날" {
				day, _ := time.Parse(tools.DateLayout, h.Date)
				eve[day.AddDate(0, 0, -1).Format(tools.DateLayout)] = true
				eve[day.AddDate(0, 0, -2).Format(tools.DateLayout)] = true
			}
		}
	}
	var before, other []float64
	byDate := map[string]float64{}
	for _, s := range d.Sales {
		if gift[s.ProductID] {
			byDate[s.Date] += float64(s.Quantity)
		}
	}
	for date, q := range byDate {
		if eve[date] {
			before = append(before, q)
		} else {
			other = append(other, q)
		}
	}
	r := mean(before) / mean(other)
	t.Logf("gift items before 설날/추석: %.2f × other days (n=%d)", r, len(before))
	if len(before) < 2 || r < 1.5 {
		t.Errorf("gift items before festivals sell %.2f × other days (n=%d), want ≥ 1.5", r, len(before))
	}
}

func TestWasteRate(t *testing.T) {
	d := full(t)
	prod := map[[3]string]int{}
	for _, p := range d.Production {
		prod[[3]string{p.Date, p.StoreID, p.ProductID}] = p.Quantity
	}
	var made, sold, soldOut, cells int
	for _, s := range d.Sales {
		p, ok := prod[[3]string{s.Date, s.StoreID, s.ProductID}]
		if !ok {
			t.Fatalf("sale %+v has no production", s)
		}
		if s.Quantity > p || s.Quantity < 0 {
			t.Fatalf("sale %+v exceeds production %d", s, p)
		}
		if s.Revenue != s.Quantity*s.Price {
			t.Fatalf("sale %+v: revenue is not quantity × price", s)
		}
		made += p
		sold += s.Quantity
		if p > 0 {
			cells++
			if s.Quantity == p {
				soldOut++
			}
		}
	}
	waste := float64(made-sold) / float64(made)
	t.Logf("waste rate %.3f, sold out on %.3f of store×product days", waste, float64(soldOut)/float64(cells))
	if waste < 0.05 || waste > 0.15 {
		t.Errorf("waste rate %.3f, want within 5–15 %%", waste)
	}
}

func TestStockSnapshots(t *testing.T) {
	d := full(t)
	loc := seoul()
	prod := map[[2]string]int{}
	for _, p := range d.Production {
		if p.Date == testToday.Format(tools.DateLayout) {
			prod[[2]string{p.StoreID, p.ProductID}] = p.Quantity
		}
	}
	type key = [2]string
	series := map[key][]tools.StockSnapshot{}
	for _, s := range d.Stock {
		k := key{s.StoreID, s.ProductID}
		series[k] = append(series[k], s)
	}
	if len(series) != len(d.Stores)*len(d.Products) {
		t.Fatalf("stock covers %d store×product pairs", len(series))
	}
	sold := 0
	for k, ss := range series {
		if len(ss) != openHours+1 {
			t.Fatalf("%v has %d snapshots", k, len(ss))
		}
		for i, s := range ss {
			at := s.At.In(loc)
			if at.Hour() != openHour+i || at.Minute() != 0 || at.Format(tools.DateLayout) != testToday.Format(tools.DateLayout) {
				t.Fatalf("%v snapshot %d at %v", k, i, at)
			}
			if s.Quantity < 0 {
				t.Fatalf("%v negative stock at %v", k, at)
			}
			if i == 0 && s.Quantity != prod[k] {
				t.Fatalf("%v opens with %d, production is %d", k, s.Quantity, prod[k])
			}
			if i > 0 && s.Quantity > ss[i-1].Quantity {
				t.Fatalf("%v stock rises at %v", k, at)
			}
		}
		sold += ss[0].Quantity - ss[len(ss)-1].Quantity
	}
	if sold == 0 {
		t.Error("nothing sold today")
	}
}

func TestIntradayShares(t *testing.T) {
	d := full(t)
	sums := map[[2]string]float64{}
	peak := map[[2]string]int{}
	best := map[[2]string]float64{}
	for _, s := range d.Intraday {
		k := [2]string{s.StoreID, s.Category}
		if s.Hour < openHour || s.Hour >= closeHour || s.Share < 0 {
			t.Errorf("bad share %+v", s)
		}
		sums[k] += s.Share
		if s.Share > best[k] {
			best[k], peak[k] = s.Share, s.Hour
		}
	}
	if len(sums) != len(d.Stores)*len(categories()) {
		t.Errorf("intraday covers %d store×category pairs", len(sums))
	}
	for k, v := range sums {
		if math.Abs(v-1) > 1e-9 {
			t.Errorf("%v shares sum to %v", k, v)
		}
	}
	// Office sandwiches peak at lunch; residential bread in the evening.
	if h := peak[[2]string{"S01", "sandwich"}]; h < 11 || h > 13 {
		t.Errorf("Gangnam sandwiches peak at %d", h)
	}
	if h := peak[[2]string{"S04", "bread"}]; h < 17 || h > 20 {
		t.Errorf("Jamsil bread peaks at %d", h)
	}
}

func TestOrders(t *testing.T) {
	d := full(t)
	products := map[string]tools.Product{}
	for _, p := range d.Products {
		products[p.ID] = p
	}
	stores := map[string]bool{}
	for _, s := range d.Stores {
		stores[s.ID] = true
	}
	customers := map[string]tools.Customer{}
	for _, c := range d.Customers {
		if c.Gender != "F" && c.Gender != "M" || !slices.Contains(ageBands(), c.AgeBand) || !stores[c.HomeStoreID] {
			t.Errorf("bad customer %+v", c)
		}
		customers[c.ID] = c
	}
	orders := map[string]tools.Order{}
	totals := map[string]int{}
	lines := map[string]int{}
	prev := ""
	for _, o := range d.Orders {
		if _, ok := customers[o.CustomerID]; !ok || !stores[o.StoreID] {
			t.Fatalf("order %+v references unknown customer or store", o)
		}
		if o.ID <= prev {
			t.Fatalf("order IDs out of order: %s after %s", o.ID, prev)
		}
		prev = o.ID
		if o.At.In(seoul()).Format(tools.DateLayout) < customers[o.CustomerID].JoinedOn {
			t.Fatalf("order %s before customer joined", o.ID)
		}
		orders[o.ID] = o
	}
	for _, it := range d.OrderItems {
		if _, ok := orders[it.OrderID]; !ok {
			t.Fatalf("item %+v references unknown order", it)
		}
		if _, ok := products[it.ProductID]; !ok {
			t.Fatalf("item %+v references unknown product", it)
		}
		if it.Quantity <= 0 || it.Price <= 0 {
			t.Fatalf("bad item %+v", it)
		}
		totals[it.OrderID] += it.Quantity * it.Price
		lines[it.OrderID]++
	}
	for id, o := range orders {
		if o.Total != totals[id] || lines[id] < 1 || lines[id] > maxLines {
			t.Fatalf("order %+v: total %d over %d lines", o, totals[id], lines[id])
		}
	}

	// Members' purchases never exceed the store's sales of the day.
	sales := map[[3]string]int{}
	for _, s := range d.Sales {
		sales[[3]string{s.Date, s.StoreID, s.ProductID}] = s.Quantity
	}
	bought := map[[3]string]int{}
	for _, it := range d.OrderItems {
		o := orders[it.OrderID]
		k := [3]string{o.At.In(seoul()).Format(tools.DateLayout), o.StoreID, it.ProductID}
		bought[k] += it.Quantity
		if bought[k] > sales[k] {
			t.Fatalf("members bought %d of %v, the store sold %d", bought[k], k, sales[k])
		}
	}

	// Co-purchase structure: baskets with the anchor hold the companion far
	// more often than baskets in general.
	has := map[string]map[string]bool{}
	for _, it := range d.OrderItems {
		if has[it.OrderID] == nil {
			has[it.OrderID] = map[string]bool{}
		}
		has[it.OrderID][it.ProductID] = true
	}
	pairs := []struct {
		anchor, with string
		min          float64
	}{
		{"P018", "P048", 1.4}, // 크루아상 → 아메리카노
		{"P001", "P046", 2.0}, // 식빵 → 우유
		{"P040", "P046", 1.6}, // 초코칩 쿠키 → 우유
		{"P010", "P011", 3.0}, // 고로케 → 찹쌀도넛
	}
	for _, pr := range pairs {
		var withAnchor, both, withOther int
		for _, items := range has {
			if items[pr.with] {
				withOther++
			}
			if items[pr.anchor] {
				withAnchor++
				if items[pr.with] {
					both++
				}
			}
		}
		lift := (float64(both) / float64(withAnchor)) / (float64(withOther) / float64(len(has)))
		t.Logf("%s→%s lift %.2f (%d baskets with %s)", pr.anchor, pr.with, lift, withAnchor, pr.anchor)
		if lift < pr.min {
			t.Errorf("%s→%s lift %.2f, want ≥ %.1f", pr.anchor, pr.with, lift, pr.min)
		}
	}
	t.Logf("%d orders, %d items", len(d.Orders), len(d.OrderItems))
}

func TestWeatherRows(t *testing.T) {
	d := full(t)
	districts := map[string]bool{}
	for _, s := range d.Stores {
		districts[s.District] = true
	}
	perDistrict := map[string]int{}
	forecast := map[string]int{}
	var jul, jan []float64
	var snowDays int
	for _, w := range d.Weather {
		if !districts[w.District] {
			t.Fatalf("weather for unknown district %s", w.District)
		}
		if w.TempMin > w.TempMax || w.Precipitation < 0 {
			t.Fatalf("bad weather %+v", w)
		}
		perDistrict[w.District]++
		if w.Forecast {
			forecast[w.District]++
			if w.Date < testToday.Format(tools.DateLayout) {
				t.Fatalf("forecast before today: %+v", w)
			}
		} else if w.Date >= testToday.Format(tools.DateLayout) {
			t.Fatalf("observed weather from today on: %+v", w)
		}
		switch w.Date[5:7] {
		case "07", "08":
			jul = append(jul, w.Precipitation)
		case "01", "02":
			jan = append(jan, w.Precipitation)
			if w.Precipitation > 0 && w.TempMax <= 1 {
				snowDays++
			}
		}
	}
	for dist := range districts {
		if perDistrict[dist] != 400+forecastDays+1 || forecast[dist] != forecastDays+1 {
			t.Errorf("%s: %d days, %d forecast", dist, perDistrict[dist], forecast[dist])
		}
	}
	if mean(jul) < 3*mean(jan) {
		t.Errorf("monsoon missing: Jul–Aug %.1f mm/day, Jan–Feb %.1f", mean(jul), mean(jan))
	}
	if snowDays == 0 {
		t.Error("no snow days in winter")
	}
}

func TestHolidayRows(t *testing.T) {
	d := full(t)
	first := testToday.AddDate(0, 0, -400).Format(tools.DateLayout)
	last := testToday.AddDate(0, 0, forecastDays).Format(tools.DateLayout)
	// Every table holiday in the span of the weather, in date order, once.
	var want []tools.Holiday
	for y := 2025; y <= 2026; y++ {
		for _, h := range holidays.In(y) {
			if h.Date >= first && h.Date <= last {
				want = append(want, tools.Holiday{Date: h.Date, Name: h.Name, NameEN: h.NameEN})
			}
		}
	}
	if !slices.Equal(d.Holidays, want) {
		t.Errorf("holidays = %v\nwant %v", d.Holidays, want)
	}
	if len(want) < 15 {
		t.Errorf("only %d holidays in 400 days", len(want))
	}
	// The span is the weather's: no holiday before the first weather day or
	// after the last.
	wFirst, wLast := d.Weather[0].Date, d.Weather[0].Date
	for _, w := range d.Weather {
		wFirst, wLast = min(wFirst, w.Date), max(wLast, w.Date)
	}
	if wFirst != first || wLast != last {
		t.Errorf("weather spans %s..%s, want %s..%s", wFirst, wLast, first, last)
	}
	for _, h := range d.Holidays {
		if h.Name == "" || h.NameEN == "" {
			t.Errorf("holiday %+v has an empty name", h)
		}
	}
	// 설날 2026 (2026-02-17) is in the span.
	if !slices.ContainsFunc(d.Holidays, func(h tools.Holiday) bool { return h.Date == "2026-02-17" && h.Name == "설날" }) {
		t.Error("설날 2026-02-17 missing")
	}
}
