package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// custType is a member's latent behaviour, the structure an RFM + GMM
// segmenter should recover.
type custType int

const (
	typeVIP custType = iota
	typeLoyal
	typeRegular
	typeNew
	typeAtRisk
	typeDormant
	numTypes
)

// Per-type parameters, in custType order.
func typeShares() [numTypes]float64 { return [numTypes]float64{0.06, 0.14, 0.30, 0.10, 0.15, 0.25} }

// typeRates is the chance of a visit on an average day while active.
func typeRates() [numTypes]float64 { return [numTypes]float64{0.30, 0.14, 0.055, 0.10, 0.09, 0} }

// typeBasket is μ in basket lines = 1 + Poisson(μ), capped at 6.
func typeBasket() [numTypes]float64 { return [numTypes]float64{1.8, 1.2, 0.9, 0.8, 1.0, 0.7} }

func ageBands() []string { return []string{"10s", "20s", "30s", "40s", "50s", "60s"} }

func ageShares() []float64 { return []float64{0.07, 0.25, 0.27, 0.21, 0.13, 0.07} }

const (
	femaleShare    = 0.62
	homeStoreShare = 0.88 // orders at the home store; the rest at another
	favorites      = 3
	favoriteBoost  = 3.5
	beverageAnchor = 0.35 // drinks are mostly bought beside something else
	maxLines       = 6
)

// preference is how much a member of this type, age band and gender likes a
// product, before favourites and the day's availability.
func preference(t custType, age int, female bool, pm *productModel) float64 {
	w := math.Pow(pm.spec.base, 0.6)
	tag := pm.tags
	cat := pm.spec.category
	mul := func(cond bool, f float64) {
		if cond {
			w *= f
		}
	}
	switch t {
	case typeVIP:
		mul(cat == catCake, 2.2)
		mul(tag["premium"], 1.8)
		mul(tag["gift"], 1.5)
	case typeLoyal:
		mul(cat == catBread, 1.3)
		mul(tag["coffee-pairing"], 1.1)
	case typeNew:
		mul(tag["trending"], 1.6)
		mul(cat == catPastry, 1.2)
	case typeDormant:
		mul(cat == catSandwich, 1.3)
	}
	switch ageBands()[age] {
	case "10s":
		mul(tag["kids"], 1.8)
		mul(tag["sweet"], 1.5)
		mul(tag["chocolate"], 1.6)
		mul(tag["coffee"], 0.3)
	case "20s":
		mul(tag["trending"], 1.8)
		mul(cat == catPastry, 1.3)
		mul(tag["dessert"], 1.4)
		mul(tag["coffee"], 1.3)
	case "30s":
		mul(tag["coffee"], 1.3)
		mul(cat == catSandwich, 1.4)
		mul(tag["healthy"], 1.2)
		mul(tag["kids"], 1.3)
	case "40s":
		mul(cat == catBread, 1.3)
		mul(tag["kids"], 1.3)
		mul(cat == catCake, 1.2)
		mul(tag["healthy"], 1.2)
	case "50s":
		mul(tag["traditional"], 1.8)
		mul(tag["healthy"], 1.4)
		mul(tag["rice"], 1.4)
		mul(tag["trending"], 0.7)
	case "60s":
		mul(tag["traditional"], 2.3)
		mul(tag["rice"], 1.6)
		mul(tag["red-bean"], 1.5)
		mul(tag["coffee"], 0.6)
		mul(tag["trending"], 0.5)
	}
	if female {
		mul(tag["sweet"], 1.15)
		mul(tag["cream"], 1.2)
		mul(tag["dessert"], 1.2)
		mul(tag["healthy"], 1.2)
	} else {
		mul(tag["savory"], 1.25)
		mul(cat == catSandwich, 1.3)
		mul(tag["hearty"], 1.2)
	}
	return w
}

// member is one simulated loyalty member.
type member struct {
	id      string
	typ     custType
	female  bool
	age     int
	home    int
	joined  int // simulation day index; negative before the simulation
	churn   int // at-risk members stop visiting from this day
	visits  []int
	weights []float64
}

type orderDraft struct {
	at    time.Time
	cust  int
	store int
	items []tools.OrderItem
}

// orders simulates the members and their orders over the history.
func (g *generator) orders(d *store.Data) {
	r := newRand(g.cfg.Seed, streamCustomers)
	hs, he, h := g.histStart, g.todayIdx, g.cfg.Days
	first := g.days[0].date

	homeW := make([]float64, len(g.stores))
	for s, st := range g.stores {
		homeW[s] = st.size * g.areas[s].members
	}
	shares := typeShares()
	members := make([]member, g.cfg.Customers)
	for c := range members {
		m := &members[c]
		m.id = fmt.Sprint(10001 + c)
		m.typ = custType(pick(r, shares[:]))
		m.female = r.Float64() < femaleShare
		m.age = pick(r, ageShares())
		m.home = pick(r, homeW)
		m.churn = he
		uniform := func(lo, hi int) int { // inclusive, hi ≥ lo enforced
			if hi < lo {
				hi = lo
			}
			return lo + r.IntN(hi-lo+1)
		}
		switch m.typ {
		case typeVIP, typeLoyal, typeRegular:
			m.joined = hs + uniform(-1095, min(200, h/2))
		case typeAtRisk:
			m.joined = hs + uniform(-730, h/4)
			m.churn = max(he-uniform(60, 150), m.joined+21)
		case typeNew:
			m.joined = max(he-1-r.IntN(60), hs)
		case typeDormant:
			m.joined = hs + uniform(-1095, h-151)
			last := max(hs, he-151)
			v := m.joined
			if v < hs {
				v = uniform(hs, last)
			}
			m.visits = append(m.visits, v)
			if r.Float64() < 0.4 {
				m.visits = append(m.visits, min(v+1+r.IntN(60), max(last, v)))
			}
		}
		m.weights = make([]float64, len(g.products))
		for p := range g.products {
			m.weights[p] = preference(m.typ, m.age, m.female, &g.products[p])
		}
		fav := slices.Clone(m.weights)
		for range favorites {
			p := pick(r, fav)
			fav[p] = 0
			m.weights[p] *= favoriteBoost
		}
	}
	for c := range members {
		m := &members[c]
		gender := "M"
		if m.female {
			gender = "F"
		}
		d.Customers = append(d.Customers, tools.Customer{
			ID: m.id, Gender: gender,
			AgeBand: ageBands()[m.age], JoinedOn: first.AddDate(0, 0, m.joined).Format(dateLayout),
			HomeStoreID: g.stores[m.home].id,
		})
	}

	rules := g.companionRules()
	meanW := make([]float64, len(g.stores))
	for s := range g.stores {
		for _, w := range g.areas[s].weekday {
			meanW[s] += w / 7
		}
	}

	remaining := slices.Clone(g.sales)
	rates := typeRates()
	scratch := make([]float64, len(g.products))
	seq := 0
	for i := hs; i < he; i++ {
		day := g.days[i]
		var drafts []orderDraft
		for c := range members {
			m := &members[c]
			visit := false
			switch {
			case m.typ == typeDormant:
				visit = slices.Contains(m.visits, i)
			case i < m.joined || i >= m.churn:
			case i == m.joined:
				visit = true
			default:
				a := g.areas[m.home]
				p := rates[m.typ] * dayFactor(a, g.stores[m.home].area, day) / meanW[m.home]
				visit = r.Float64() < math.Min(p, 0.95)
			}
			if !visit {
				continue
			}
			if o, ok := g.basket(r, m, c, i, rules, remaining, scratch, homeW); ok {
				drafts = append(drafts, o)
			}
		}
		slices.SortStableFunc(drafts, func(a, b orderDraft) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return a.cust - b.cust
		})
		for _, o := range drafts {
			seq++
			id := fmt.Sprintf("O%07d", seq)
			total := 0
			for _, it := range o.items {
				it.OrderID = id
				total += it.Quantity * it.Price
				d.OrderItems = append(d.OrderItems, it)
			}
			d.Orders = append(d.Orders, tools.Order{
				ID: id, CustomerID: members[o.cust].id, StoreID: g.stores[o.store].id, At: o.at, Total: total,
			})
		}
		g.step()
	}
}

// basket draws one order of member m on day i: an anchor product from the
// member's preferences, its companions, and more products until the basket
// has its drawn number of lines. Lines are capped by what the store still
// has left of that day's sales.
func (g *generator) basket(r *rand.Rand, m *member, c, i int, rules [][]rule,
	remaining []int32, scratch, storeW []float64) (orderDraft, bool) {
	day := g.days[i]
	st := m.home
	if r.Float64() >= homeStoreShare {
		w := slices.Clone(storeW)
		w[m.home] = 0
		st = pick(r, w)
	}
	for p := range g.products {
		pm := &g.products[p]
		w := 0.0
		if g.sales[g.cell(i, st, p)] > 0 {
			w = m.weights[p] * pm.seasonal(day.date) * pm.event(day)
			if pm.spec.category == catBeverage {
				w *= beverageAnchor
			}
		}
		scratch[p] = w
	}
	if slices.Max(scratch) == 0 {
		return orderDraft{}, false
	}
	target := min(1+poisson(r, typeBasket()[m.typ]), maxLines)
	var lines []int
	add := func(p int, withCompanions float64) {
		if len(lines) >= maxLines || slices.Contains(lines, p) {
			return
		}
		lines = append(lines, p)
		scratch[p] = 0
		for _, cp := range rules[p] {
			q := cp.with
			if r.Float64() < cp.p*withCompanions && len(lines) < maxLines && !slices.Contains(lines, q) {
				lines = append(lines, q)
				scratch[q] = 0
			}
		}
	}
	anchor := pick(r, scratch)
	add(anchor, 1)
	for len(lines) < target && slices.Max(scratch) > 0 {
		add(pick(r, scratch), 0.5)
	}

	o := orderDraft{cust: c, store: st}
	for _, p := range lines {
		pm := &g.products[p]
		k := g.cell(i, st, p)
		q := 1
		u := r.Float64()
		switch {
		case pm.tags["whole-cake"] || pm.spec.id == "P044":
		case pm.spec.category == catBeverage:
			if u < 0.15 {
				q = 2
			}
		case pm.spec.category == catCake || pm.spec.category == catSandwich:
			if u < 0.20 {
				q = 2
			}
		default:
			if u < 0.08 {
				q = 3
			} else if u < 0.30 {
				q = 2
			}
		}
		q = min(q, int(remaining[k]))
		if q == 0 {
			continue
		}
		remaining[k] -= int32(q)
		o.items = append(o.items, tools.OrderItem{ProductID: pm.spec.id, Quantity: q, Price: int(g.price[k])})
	}
	if len(o.items) == 0 {
		return orderDraft{}, false
	}
	sh := &g.shares[st][g.products[anchor].cat]
	u := r.Float64()
	hour := 0
	for hour < openHours-1 && u >= sh[hour] {
		u -= sh[hour]
		hour++
	}
	o.at = time.Date(day.date.Year(), day.date.Month(), day.date.Day(), openHour+hour, r.IntN(60), r.IntN(60), 0, g.loc).UTC()
	return o, true
}

// rule is a companion rule with the product as an index.
type rule struct {
	with int
	p    float64
}

// companionRules indexes companions() by anchor product, keeping the rules'
// order.
func (g *generator) companionRules() [][]rule {
	index := map[string]int{}
	for p, pm := range g.products {
		index[pm.spec.id] = p
	}
	rules := make([][]rule, len(g.products))
	for _, c := range companions() {
		a, okA := index[c.anchor]
		w, okW := index[c.with]
		if !okA || !okW {
			panic("demo: companion rule names an unknown product: " + c.anchor + " → " + c.with)
		}
		rules[a] = append(rules[a], rule{with: w, p: c.p})
	}
	return rules
}
