package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()

// customer is one customer's purchase history, aggregated: RFM and what
// they buy, when and where. It is updated in place by order_placed.
type customer struct {
	ID       string
	Orders   int
	Spend    float64
	Last     time.Time
	Items    float64            // units bought
	Products map[string]float64 // units by product
	Hours    [24]int            // orders by hour, Seoul time
	Weekdays [7]int             // orders by weekday
	Stores   map[string]int     // orders by store

	// Proba is the soft membership in each segment; Seg its argmax.
	Proba []float64
	Seg   int
}

// rfm returns the customer's recency in days as of now, frequency and
// monetary value.
func (c *customer) rfm(now time.Time) [3]float64 {
	r := now.Sub(c.Last).Hours() / 24
	if r < 0 {
		r = 0
	}
	return [3]float64{r, float64(c.Orders), c.Spend}
}

// addOrder counts one order with its lines.
func (c *customer) addOrder(storeID string, at time.Time, total float64) {
	c.Orders++
	c.Spend += total
	if at.After(c.Last) {
		c.Last = at
	}
	local := at.In(seoul)
	c.Hours[local.Hour()]++
	c.Weekdays[local.Weekday()]++
	if storeID != "" {
		if c.Stores == nil {
			c.Stores = map[string]int{}
		}
		c.Stores[storeID]++
	}
}

func (c *customer) addItem(productID string, qty float64) {
	if c.Products == nil {
		c.Products = map[string]float64{}
	}
	c.Products[productID] += qty
	c.Items += qty
}

// brand is the data the plugin reads: the customers who ordered by a time,
// with the catalogue and stores.
type brand struct {
	Customers map[string]*customer
	Products  map[string]tools.Product
	Stores    map[string]tools.Store
}

// ids returns the customers' IDs, sorted, so that fits are reproducible.
func (b *brand) ids() []string {
	ids := make([]string, 0, len(b.Customers))
	for id := range b.Customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// loadBrand reads customers, orders, order items, products and stores, and
// aggregates every order placed at or before now.
func loadBrand(ctx context.Context, h tools.DatasetReader, now time.Time) (*brand, error) {
	b := &brand{Customers: map[string]*customer{}, Products: map[string]tools.Product{}, Stores: map[string]tools.Store{}}
	products, err := tools.ReadAll[tools.Product](ctx, h, &tools.DatasetQuery{Dataset: tools.DatasetProducts})
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		b.Products[p.ID] = p
	}
	stores, err := tools.ReadAll[tools.Store](ctx, h, &tools.DatasetQuery{Dataset: tools.DatasetStores})
	if err != nil {
		return nil, err
	}
	for _, s := range stores {
		b.Stores[s.ID] = s
	}
	to := now.In(seoul).Format(tools.DateLayout)
	orders, err := tools.ReadAll[tools.Order](ctx, h, &tools.DatasetQuery{Dataset: tools.DatasetOrders, To: to})
	if err != nil {
		return nil, err
	}
	owner := make(map[string]*customer, len(orders))
	for _, o := range orders {
		if o.CustomerID == "" || o.At.After(now) {
			continue
		}
		c := b.Customers[o.CustomerID]
		if c == nil {
			c = &customer{ID: o.CustomerID}
			b.Customers[o.CustomerID] = c
		}
		c.addOrder(o.StoreID, o.At, float64(o.Total))
		owner[o.ID] = c
	}
	items, err := tools.ReadAll[tools.OrderItem](ctx, h, &tools.DatasetQuery{Dataset: tools.DatasetOrderItems, To: to})
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if c := owner[it.OrderID]; c != nil {
			c.addItem(it.ProductID, float64(it.Quantity))
		}
	}
	return b, nil
}

// Scaler turns RFM into model features: log1p of each, standardized with
// the training means and deviations.
type Scaler struct {
	Means [3]float64 `json:"means"`
	Stds  [3]float64 `json:"stds"`
}

// features writes the standardized features of rfm into z.
func (s *Scaler) features(rfm [3]float64, z []float64) {
	for j := range 3 {
		z[j] = (math.Log1p(rfm[j]) - s.Means[j]) / s.Stds[j]
	}
}

// original maps a point in feature space back to RFM units.
func (s *Scaler) original(z []float64) [3]float64 {
	var out [3]float64
	for j := range 3 {
		out[j] = math.Expm1(z[j]*s.Stds[j] + s.Means[j])
	}
	return out
}

// fitScaler computes the scaler from the customers' RFM and returns their
// standardized features too.
func fitScaler(cs []*customer, now time.Time) (*Scaler, [][]float64, error) {
	if len(cs) == 0 {
		return nil, nil, fmt.Errorf("no customer ordered by %s", now.Format(tools.DateLayout))
	}
	s := &Scaler{}
	logs := make([][3]float64, len(cs))
	for i, c := range cs {
		r := c.rfm(now)
		for j := range 3 {
			logs[i][j] = math.Log1p(r[j])
			s.Means[j] += logs[i][j]
		}
	}
	n := float64(len(cs))
	for j := range 3 {
		s.Means[j] /= n
		var v float64
		for i := range logs {
			d := logs[i][j] - s.Means[j]
			v += d * d
		}
		s.Stds[j] = math.Sqrt(v / n)
		if s.Stds[j] < 1e-12 {
			s.Stds[j] = 1
		}
	}
	Z := make([][]float64, len(cs))
	for i, c := range cs {
		Z[i] = make([]float64, 3)
		s.features(c.rfm(now), Z[i])
	}
	return s, Z, nil
}
