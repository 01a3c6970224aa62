package demo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/holidays"
)

// Defaults and limits of Config.
const (
	DefaultDays      = 400
	DefaultCustomers = 3000
	MaxDays          = 3650
	MaxCustomers     = 1_000_000
)

const dateLayout = tools.DateLayout

// Config chooses what Generate makes. The zero values of Days and Customers
// select the defaults; Seed and Today are always used as given.
type Config struct {
	// Seed selects the random draws: the same Config gives byte-identical
	// data.
	Seed uint64
	// Today is the demo's current date (its civil date in Asia/Seoul is
	// used). History ends the day before; Today has production, stock
	// snapshots and weather, and weather is forecast 14 days beyond.
	Today time.Time
	// Days is the length of the sales history in days (default 400).
	Days int
	// Customers is the number of loyalty members (default 3000); their IDs
	// run from 10001.
	Customers int
}

// seoul is the brand's time zone. Korea has kept UTC+9 without daylight
// saving since 1988, so a fixed zone needs no tz database.
func seoul() *time.Location { return time.FixedZone("KST", 9*3600) }

// normalize applies the defaults and checks cfg.
func (cfg Config) normalize() (Config, error) {
	var errs []error
	if cfg.Today.IsZero() {
		errs = append(errs, errors.New("today is not set: give the demo's current date, e.g. time.Date(2026, 11, 21, 0, 0, 0, 0, loc)"))
	}
	switch {
	case cfg.Days == 0:
		cfg.Days = DefaultDays
	case cfg.Days < 0 || cfg.Days > MaxDays:
		errs = append(errs, fmt.Errorf("days %d out of range: use 1..%d, or 0 for the default %d", cfg.Days, MaxDays, DefaultDays))
	}
	switch {
	case cfg.Customers == 0:
		cfg.Customers = DefaultCustomers
	case cfg.Customers < 0 || cfg.Customers > MaxCustomers:
		errs = append(errs, fmt.Errorf("customers %d out of range: use 1..%d, or 0 for the default %d", cfg.Customers, MaxCustomers, DefaultCustomers))
	}
	if len(errs) == 0 {
		loc := seoul()
		t := cfg.Today.In(loc)
		today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		first, last := holidays.Range()
		simStart := today.AddDate(0, 0, -cfg.Days-burnIn)
		if simStart.Year() < first {
			errs = append(errs, fmt.Errorf("days %d with today %s reaches back to %s, before the holiday table starts (%d): use fewer days or a later today",
				cfg.Days, today.Format(dateLayout), simStart.Format(dateLayout), first))
		}
		if end := today.AddDate(0, 0, forecastDays); end.Year() > last {
			errs = append(errs, fmt.Errorf("today %s: the weather forecast runs to %s, after the holiday table ends (%d): use an earlier today",
				today.Format(dateLayout), end.Format(dateLayout), last))
		}
		cfg.Today = today
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, fmt.Errorf("demo config: %w", err)
	}
	return cfg, nil
}

// generator holds one run of the model.
type generator struct {
	cfg      Config
	loc      *time.Location
	stores   []storeSpec
	areas    []areaProfile // by store
	products []productModel
	// districts lists the stores' districts in store order; storeDistrict
	// maps a store to its index there.
	districts     []string
	storeDistrict []int

	nSim, histStart, todayIdx int
	days                      []dayInfo
	weather                   [][]dayWeather // by day, district; nSim + forecastDays days

	base   [][]float64            // store×product base level B
	shares [][][openHours]float64 // store×category intraday shares

	// Simulated store×product×day cells, indexed by cell.
	demand, prod, sales, price []int32
	promo                      []bool
	cal                        []float64 // the planner's calendar factor; 0 when out of season

	progress func(done, total int)
	done     int
	total    int
}

func (g *generator) cell(day, s, p int) int {
	return (day*len(g.stores)+s)*len(g.products) + p
}

func (g *generator) step() {
	g.done++
	if g.progress != nil {
		g.progress(g.done, g.total)
	}
}

// Generate builds the demo brand's datasets for cfg. It is deterministic:
// the same cfg gives the same data. progress, when not nil, is called as
// work proceeds with the units done so far and the total.
func Generate(cfg Config, progress func(done, total int)) (*store.Data, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	g := &generator{cfg: cfg, loc: seoul(), stores: storeSpecs(), progress: progress}
	profiles := areaProfiles()
	for _, s := range g.stores {
		g.areas = append(g.areas, profiles[s.area])
	}
	for _, p := range productSpecs() {
		g.products = append(g.products, newProductModel(p))
	}
	g.districts = storeDistricts(g.stores)
	for _, s := range g.stores {
		for k, d := range g.districts {
			if d == s.district {
				g.storeDistrict = append(g.storeDistrict, k)
			}
		}
	}
	g.histStart = burnIn
	g.todayIdx = burnIn + cfg.Days
	g.nSim = g.todayIdx + 1
	g.total = g.nSim + cfg.Days + 3

	first := cfg.Today.AddDate(0, 0, -g.todayIdx)
	for i := range g.nSim {
		g.days = append(g.days, newDayInfo(first.AddDate(0, 0, i)))
	}
	g.weather = genWeather(newRand(cfg.Seed, streamWeather), first, g.nSim+forecastDays, g.districts)
	g.static()
	g.step()

	g.simulate()
	d := &store.Data{}
	g.emitCatalog(d)
	g.emitDaily(d)
	g.emitHolidays(d)
	g.emitStock(d)
	g.step()
	g.orders(d)
	g.step()
	return d, nil
}

// static draws the parameters that do not change from day to day: the
// store×product base levels and the intraday curves.
func (g *generator) static() {
	r := newRand(g.cfg.Seed, streamStatic)
	g.base = make([][]float64, len(g.stores))
	for s, st := range g.stores {
		g.base[s] = make([]float64, len(g.products))
		for p, pm := range g.products {
			g.base[s][p] = baseScale * pm.spec.base * st.size * g.areas[s].affinity[pm.cat] * lognormal(r, spEffectSigma)
		}
	}
	g.shares = make([][][openHours]float64, len(g.stores))
	for s := range g.stores {
		g.shares[s] = make([][openHours]float64, len(categories()))
		for c, cat := range categories() {
			cc := categoryCurve(cat)
			var w [openHours]float64
			sum := 0.0
			for h := range openHours {
				w[h] = g.areas[s].curve[h] * cc[h] * lognormal(r, 0.05)
				sum += w[h]
			}
			for h := range openHours {
				w[h] /= sum
			}
			g.shares[s][c] = w
		}
	}
}

// simulate draws demand, plans production and censors sales, day by day
// from the start of the burn-in to Today.
func (g *generator) simulate() {
	r := newRand(g.cfg.Seed, streamDemand)
	nS, nP := len(g.stores), len(g.products)
	n := g.nSim * nS * nP
	g.demand = make([]int32, n)
	g.prod = make([]int32, n)
	g.sales = make([]int32, n)
	g.price = make([]int32, n)
	g.promo = make([]bool, n)
	g.cal = make([]float64, n)
	promoLeft := make([]int, nS*nP)
	promoDisc := make([]float64, nS*nP)
	discounts := promoDiscounts()

	for i := range g.nSim {
		d := g.days[i]
		dow := d.date.Weekday()
		for s, st := range g.stores {
			a := g.areas[s]
			df := dayFactor(a, st.area, d)
			w := g.weather[i][g.storeDistrict[s]]
			tr := traffic(a, w)
			trend := math.Exp(st.growth * float64(i-g.todayIdx) / 365)
			shock := lognormal(r, shockSigma)
			for p := range g.products {
				pm := &g.products[p]
				k := g.cell(i, s, p)
				sp := s*nP + p
				if promoLeft[sp] == 0 && r.Float64() < promoStart {
					promoLeft[sp] = 3 + r.IntN(5)
					promoDisc[sp] = discounts[r.IntN(len(discounts))]
				}
				disc := 0.0
				if promoLeft[sp] > 0 {
					disc = promoDisc[sp]
					promoLeft[sp]--
				}
				g.price[k] = int32(pm.spec.price)
				if !pm.available(d.date) {
					promoLeft[sp] = 0
					continue
				}
				if disc > 0 {
					g.promo[k] = true
					g.price[k] = int32(promoPrice(pm.spec.price, disc))
				}
				lift := promoLift(disc)
				ev := pm.event(d)
				lambda := g.base[s][p] * df * pm.seasonal(d.date) * ev * tr * pm.temperature(w.tmax) * lift * trend * shock
				dem := negBinomial(r, lambda, nbShape)
				cal := df / a.weekday[dow] * ev * math.Pow(lift, 0.8)
				g.cal[k] = cal
				var prod int
				if pm.spec.madeToOrder {
					prod = dem
				} else {
					prod = g.plan(r, i, s, p, cal, trend)
				}
				g.demand[k] = int32(dem)
				g.prod[k] = int32(prod)
				g.sales[k] = int32(min(dem, prod))
			}
		}
		g.step()
	}
}

// plan is the store's production rule: the mean of the last four same
// weekdays' sales, each divided by the calendar factor the planner knew for
// that day and raised 12 % when it sold out, times today's calendar factor,
// the planning margin, the store's and product's biases and a little noise.
// Without four comparable weeks it falls back to the expected level.
func (g *generator) plan(r *rand.Rand, i, s, p int, cal, trend float64) int {
	pm := &g.products[p]
	sum, ok := 0.0, true
	for j := 1; j <= 4; j++ {
		u := i - 7*j
		if u < 0 {
			ok = false
			break
		}
		k := g.cell(u, s, p)
		if g.cal[k] == 0 {
			ok = false
			break
		}
		adj := float64(g.sales[k]) / g.cal[k]
		if g.sales[k] >= g.prod[k] && g.prod[k] > 0 {
			adj *= planSoldOut
		}
		sum += adj
	}
	var level float64
	if ok {
		level = sum / 4
	} else {
		d := g.days[i]
		level = g.base[s][p] * g.areas[s].weekday[d.date.Weekday()] * pm.seasonal(d.date) * trend
	}
	x := level * cal * planMargin * g.stores[s].bias * pm.planBias * math.Exp(planNoiseSigma*r.NormFloat64())
	return max(int(math.Round(x)), pm.minShelf)
}

func (g *generator) emitCatalog(d *store.Data) {
	for _, s := range g.stores {
		d.Stores = append(d.Stores, tools.Store{
			ID: s.id, Name: s.name, NameEN: s.nameEN, District: s.district, DistrictEN: s.districtEN,
			Area: s.area, Lat: s.lat, Lon: s.lon, OpenedOn: s.openedOn,
		})
	}
	for _, pm := range g.products {
		p := pm.spec
		d.Products = append(d.Products, tools.Product{
			ID: p.id, Name: p.name, NameEN: p.nameEN, Category: p.category,
			Tags: append([]string(nil), p.tags...), Price: p.price, ShelfLifeHours: p.shelfLife,
			Allergens: append([]string(nil), p.allergens...),
		})
	}
	for s := range g.stores {
		for c, cat := range categories() {
			for h := range openHours {
				d.Intraday = append(d.Intraday, tools.IntradayShare{
					StoreID: g.stores[s].id, Category: cat, Hour: openHour + h, Share: g.shares[s][c][h],
				})
			}
		}
	}
}

func (g *generator) emitDaily(d *store.Data) {
	nS, nP := len(g.stores), len(g.products)
	hist := g.todayIdx - g.histStart
	d.Production = make([]tools.Production, 0, (hist+1)*nS*nP)
	d.Sales = make([]tools.Sale, 0, hist*nS*nP)
	for i := g.histStart; i <= g.todayIdx; i++ {
		date := g.days[i].str
		for s, st := range g.stores {
			for p, pm := range g.products {
				k := g.cell(i, s, p)
				d.Production = append(d.Production, tools.Production{
					Date: date, StoreID: st.id, ProductID: pm.spec.id, Quantity: int(g.prod[k]),
				})
				if i == g.todayIdx {
					continue
				}
				q, price := int(g.sales[k]), int(g.price[k])
				d.Sales = append(d.Sales, tools.Sale{
					Date: date, StoreID: st.id, ProductID: pm.spec.id, Quantity: q,
					Price: price, Revenue: q * price, Promotion: g.promo[k],
				})
			}
		}
	}
	first := g.days[0].date
	for i := g.histStart; i < len(g.weather); i++ {
		date := first.AddDate(0, 0, i).Format(dateLayout)
		for k, district := range g.districts {
			w := g.weather[i][k]
			d.Weather = append(d.Weather, tools.Weather{
				Date: date, District: district, TempMax: w.tmax, TempMin: w.tmin,
				Precipitation: w.precip, Forecast: i >= g.todayIdx,
			})
		}
	}
}

// emitHolidays lists the Korean public holidays from the first day of the
// history to the last forecast day, the span the weather covers, so that a
// forecaster reads the calendar from the data rather than assuming it.
func (g *generator) emitHolidays(d *store.Data) {
	from := g.days[g.histStart].str
	to := g.cfg.Today.AddDate(0, 0, forecastDays).Format(dateLayout)
	for y := g.days[g.histStart].date.Year(); y <= g.cfg.Today.AddDate(0, 0, forecastDays).Year(); y++ {
		for _, h := range holidays.In(y) {
			if h.Date >= from && h.Date <= to {
				d.Holidays = append(d.Holidays, tools.Holiday{Date: h.Date, Name: h.Name, NameEN: h.NameEN})
			}
		}
	}
}

// emitStock spreads Today's demand over the opening hours along the store's
// intraday curve, sells from Today's production until it runs out, and
// records the stock on the hour from opening to closing.
func (g *generator) emitStock(d *store.Data) {
	r := newRand(g.cfg.Seed, streamToday)
	today := g.cfg.Today
	for s, st := range g.stores {
		for p, pm := range g.products {
			k := g.cell(g.todayIdx, s, p)
			sh := &g.shares[s][pm.cat]
			var hourly [openHours]int
			for range g.demand[k] {
				u := r.Float64()
				h := 0
				for h < openHours-1 && u >= sh[h] {
					u -= sh[h]
					h++
				}
				hourly[h]++
			}
			left := int(g.prod[k])
			for h := 0; h <= openHours; h++ {
				at := time.Date(today.Year(), today.Month(), today.Day(), openHour+h, 0, 0, 0, g.loc).UTC()
				d.Stock = append(d.Stock, tools.StockSnapshot{StoreID: st.id, ProductID: pm.spec.id, At: at, Quantity: left})
				if h < openHours {
					left -= min(left, hourly[h])
				}
			}
		}
	}
}
