package demo

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools/holidays"
)

// dayKind is how the calendar treats a day.
type dayKind int

const (
	dayNormal    dayKind = iota
	dayHoliday           // a public holiday other than the 설날/추석 days
	dayFestEve           // 설날 전날, 추석 전날
	dayFestDay           // 설날, 추석
	dayFestAfter         // 설날 다음날, 추석 다음날
)

// dayInfo is one simulated day.
type dayInfo struct {
	date time.Time // civil date, at midnight UTC for arithmetic
	str  string
	kind dayKind
	// gift multiplies gift items in the days before 설날 and 추석.
	gift float64
}

func classify(d time.Time) dayKind {
	h, ok := holidays.Lookup(d)
	if !ok {
		return dayNormal
	}
	if !h.Substitute && (strings.Contains(h.Name, "설날") || strings.Contains(h.Name, "추석")) {
		switch {
		case strings.Contains(h.Name, "전날"):
			return dayFestEve
		case strings.Contains(h.Name, "다음날"):
			return dayFestAfter
		default:
			return dayFestDay
		}
	}
	return dayHoliday
}

// giftBeforeFestival is the gift-item multiplier k days before 설날 전날 or
// 추석 전날 (k = 0 is the eve itself).
func giftBeforeFestival(k int) float64 {
	return [4]float64{1.5, 2.8, 2.2, 1.5}[k]
}

func newDayInfo(d time.Time) dayInfo {
	info := dayInfo{date: d, str: d.Format(dateLayout), kind: classify(d), gift: 1}
	for k := 0; k <= 3; k++ {
		if classify(d.AddDate(0, 0, k)) == dayFestEve {
			info.gift = giftBeforeFestival(k)
			break
		}
	}
	return info
}

// dayFactor is the traffic factor of a trade area on a day: the weekday
// profile, with holidays treated as Sundays and scaled.
func dayFactor(a areaProfile, area string, d dayInfo) float64 {
	sun := a.weekday[time.Sunday]
	travel := 1.0
	if area == areaStation {
		travel = 1.25
	}
	switch d.kind {
	case dayHoliday:
		return sun * a.holiday
	case dayFestEve:
		return sun * 0.80 * travel
	case dayFestDay:
		return sun * 0.45
	case dayFestAfter:
		return sun * 0.65 * travel
	default:
		return a.weekday[d.date.Weekday()]
	}
}

// productModel holds the per-product parameters derived from its spec.
type productModel struct {
	spec      productSpec
	cat       int
	tags      map[string]bool
	seasonAmp float64
	seasonPk  float64 // day of year of the seasonal peak
	planBias  float64
	minShelf  int // fewest units a store puts out when the item is in season
}

func newProductModel(p productSpec) productModel {
	m := productModel{spec: p, cat: categoryIndex(p.category), tags: map[string]bool{}, planBias: 1, minShelf: 2}
	for _, t := range p.tags {
		m.tags[t] = true
	}
	switch {
	case m.tags["winter"]:
		m.seasonAmp, m.seasonPk = 0.40, 15
	case m.tags["summer"]:
		m.seasonAmp, m.seasonPk = 0.45, 205
	case p.category == catCake:
		m.seasonAmp, m.seasonPk = 0.12, 355
	case p.category == catSandwich:
		m.seasonAmp, m.seasonPk = 0.15, 200
	default:
		m.seasonAmp, m.seasonPk = 0.05, 300
	}
	switch {
	case m.tags["whole-cake"]:
		m.planBias, m.minShelf = 1.10, 1
	case p.category == catSandwich:
		m.planBias = 1.05
	case p.id == "P044": // gift boxes are stocked one at a time
		m.minShelf = 1
	}
	return m
}

func (m *productModel) available(d time.Time) bool {
	return m.spec.season == nil || m.spec.season.contains(d)
}

// seasonal is the annual cycle 1 + A·cos(2π(doy − peak)/365.25).
func (m *productModel) seasonal(d time.Time) float64 {
	return 1 + m.seasonAmp*math.Cos(2*math.Pi*(float64(d.YearDay())-m.seasonPk)/365.25)
}

// event is the multiplier of calendar events on this product: Christmas,
// Valentine's Day, White Day, Children's Day, Parents' Day, Pepero Day and
// the gift days before 설날 and 추석.
func (m *productModel) event(d dayInfo) float64 {
	f := 1.0
	t := m.tags
	whole := t["whole-cake"]
	cake := m.spec.category == catCake
	mon, day := d.date.Month(), d.date.Day()
	switch {
	case mon == time.December && day >= 20 && day <= 22:
		if whole {
			f *= 1.4
		}
	case mon == time.December && day == 23:
		if whole {
			f *= 2.5
		} else if cake {
			f *= 1.3
		}
	case mon == time.December && day == 24:
		if whole {
			f *= 6.0
		} else if cake {
			f *= 2.0
		}
	case mon == time.December && day == 25:
		if whole {
			f *= 3.0
		} else if cake {
			f *= 1.6
		}
	case mon == time.February && day == 13:
		if t["chocolate"] {
			f *= 1.6
		}
	case mon == time.February && day == 14:
		if t["chocolate"] {
			f *= 2.0
		}
		if t["gift"] {
			f *= 1.3
		}
	case mon == time.March && day == 13:
		if t["gift"] {
			f *= 1.5
		}
	case mon == time.March && day == 14:
		if t["gift"] {
			f *= 2.0
		}
	case mon == time.May && day == 4:
		if t["kids"] {
			f *= 1.3
		}
	case mon == time.May && day == 5:
		if t["kids"] {
			f *= 1.6
		}
	case mon == time.May && day == 7:
		if whole {
			f *= 1.4
		}
		if t["gift"] {
			f *= 1.3
		}
	case mon == time.May && day == 8:
		if whole {
			f *= 1.8
		}
		if t["gift"] {
			f *= 1.6
		}
	case mon == time.November && day == 11:
		if t["chocolate"] {
			f *= 1.4
		}
	}
	if t["christmas"] && mon == time.December && day <= 25 {
		f *= 1.5
		if day == 24 {
			f *= 2
		}
	}
	if t["gift"] {
		f *= d.gift
	}
	return f
}

// temperature is the product's response to the day's maximum temperature.
func (m *productModel) temperature(tmax float64) float64 {
	f := 1.0
	if m.tags["cold"] {
		f *= math.Exp(0.035 * (tmax - 20))
	}
	if m.tags["hot"] {
		f *= math.Exp(-0.03 * (tmax - 15))
	}
	if m.spec.category == catSandwich {
		f *= math.Exp(0.008 * (tmax - 18))
	}
	if m.tags["cream"] && tmax > 28 {
		f *= 1 - 0.02*(tmax-28)
	}
	return f
}

// traffic is the weather's effect on everyone's visits: rain and snow keep
// people in, and so do heat waves and cold snaps.
func traffic(a areaProfile, w dayWeather) float64 {
	f := 1.0
	if w.precip >= 1 {
		f = math.Pow(0.88-0.14*math.Min(1, (w.precip-1)/29), a.rainExp)
		if w.tmax <= 1 {
			f *= 0.92 // snow
		}
	}
	if w.tmax > 33 {
		f *= 0.92
	}
	if w.tmax < -7 {
		f *= 0.90
	}
	return f
}

// Model constants; README.md states them with the formulas.
const (
	burnIn         = 35   // days simulated before the history so that planning has a past
	baseScale      = 1.5  // scales every product's base level
	nbShape        = 40.0 // negative binomial shape k: Var = μ + μ²/k
	shockSigma     = 0.05 // store-day traffic shock, log-sd
	spEffectSigma  = 0.20 // store×product level, log-sd
	promoStart     = 1.0 / 75
	promoLiftExp   = 2.2 // lift = (1 − discount)^−2.2
	planMargin     = 1.03
	planNoiseSigma = 0.05
	planSoldOut    = 1.15 // a sold-out day counts 15 % above its sales
	forecastDays   = 14
)

func promoDiscounts() []float64 { return []float64{0.10, 0.15, 0.20, 0.30} }

func promoLift(discount float64) float64 {
	if discount <= 0 {
		return 1
	}
	return math.Pow(1-discount, -promoLiftExp)
}

// promoPrice is the list price cut by discount, rounded to 100 KRW.
func promoPrice(price int, discount float64) int {
	return int(math.Round(float64(price)*(1-discount)/100)) * 100
}

// storeDistricts lists the stores' districts once each, in store order.
func storeDistricts(stores []storeSpec) []string {
	var ds []string
	for _, s := range stores {
		if !slices.Contains(ds, s.district) {
			ds = append(ds, s.district)
		}
	}
	return ds
}
