package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// ReadDataset streams the rows of q.Dataset in a stable order, one row at a
// time from a read connection, so it runs beside a Replace and never holds a
// whole dataset in memory. Each row reaches fn as a value of the dataset's
// type in package tools.
//
// Filters apply as follows (others are ignored):
//
//	dataset      order                       Stores            Products              From/To
//	stores       id                          id                –                     –
//	products     id                          –                 id                    –
//	production   store, product, date        store_id          product_id            date
//	sales        store, product, date        store_id          product_id            date
//	stock        store, product, at          store_id          product_id            day of at
//	weather      district, date              stores' district  –                     date
//	customers    id                          home_store_id     –                     –
//	orders       at, id                      store_id          has an item of one    day of at
//	order_items  order's at, order id, line  order's store_id  product_id            day of order's at
//	intraday     store, category, hour       store_id          products' category    –
//	holidays     date                        –                 –                     date
//
// The day of a timestamp is taken in the brand's time zone (see
// WithLocation). Limit, when positive, caps the number of rows.
func (s *SQLite) ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(row any) error) error {
	if q == nil {
		return errors.New("read dataset: nil query")
	}
	f, err := s.newFilter(q)
	if err != nil {
		return fmt.Errorf("read dataset %s: %w", q.Dataset, err)
	}
	switch q.Dataset {
	case tools.DatasetStores:
		err = readStores(ctx, s.r, f, fn)
	case tools.DatasetProducts:
		err = readProducts(ctx, s.r, f, fn)
	case tools.DatasetProduction:
		err = readProduction(ctx, s.r, f, fn)
	case tools.DatasetSales:
		err = readSales(ctx, s.r, f, fn)
	case tools.DatasetStock:
		err = readStock(ctx, s.r, f, fn)
	case tools.DatasetWeather:
		err = readWeather(ctx, s.r, f, fn)
	case tools.DatasetCustomers:
		err = readCustomers(ctx, s.r, f, fn)
	case tools.DatasetOrders:
		err = readOrders(ctx, s.r, f, fn)
	case tools.DatasetOrderItems:
		err = readOrderItems(ctx, s.r, f, fn)
	case tools.DatasetIntraday:
		err = readIntraday(ctx, s.r, f, fn)
	case tools.DatasetHolidays:
		err = readHolidays(ctx, s.r, f, fn)
	default:
		return fmt.Errorf("read dataset %q: unknown dataset: known datasets are %s", q.Dataset, strings.Join(tools.Datasets, ", "))
	}
	var ce callbackError
	if errors.As(err, &ce) {
		return ce.err // fn's own error, as the interface promises
	}
	if err != nil {
		return fmt.Errorf("read dataset %s: %w", q.Dataset, err)
	}
	return nil
}

// ListStores returns every store, by id.
func (s *SQLite) ListStores(ctx context.Context) ([]tools.Store, error) {
	var out []tools.Store
	err := readStores(ctx, s.r, &filter{}, func(row any) error {
		out = append(out, row.(tools.Store))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list stores: %w", err)
	}
	return out, nil
}

// ListProducts returns every product, by id.
func (s *SQLite) ListProducts(ctx context.Context) ([]tools.Product, error) {
	var out []tools.Product
	err := readProducts(ctx, s.r, &filter{}, func(row any) error {
		out = append(out, row.(tools.Product))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return out, nil
}

// filter is a validated DatasetQuery.
type filter struct {
	stores, products []string
	from, to         string // dates, inclusive; "" for open
	fromAt, toAt     string // encoded instants: [fromAt, toAt); "" for open
	limit            int
}

func (s *SQLite) newFilter(q *tools.DatasetQuery) (*filter, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("limit %d: must not be negative", q.Limit)
	}
	f := &filter{stores: q.Stores, products: q.Products, from: q.From, to: q.To, limit: q.Limit}
	if q.From != "" {
		d, err := time.ParseInLocation(tools.DateLayout, q.From, s.loc)
		if err != nil {
			return nil, fmt.Errorf("from %q: want a date YYYY-MM-DD", q.From)
		}
		f.fromAt = encodeTime(d)
	}
	if q.To != "" {
		d, err := time.ParseInLocation(tools.DateLayout, q.To, s.loc)
		if err != nil {
			return nil, fmt.Errorf("to %q: want a date YYYY-MM-DD", q.To)
		}
		f.toAt = encodeTime(d.AddDate(0, 0, 1))
	}
	return f, nil
}

// selectBuilder assembles one SELECT with ? placeholders.
type selectBuilder struct {
	where []string
	args  []any
}

func (b *selectBuilder) cond(expr string, args ...any) {
	b.where = append(b.where, expr)
	b.args = append(b.args, args...)
}

// in adds "expr IN (…)" with one placeholder per value; expr may contain a
// %s for the list instead (a subquery).
func (b *selectBuilder) in(expr string, vals []string) {
	if len(vals) == 0 {
		return
	}
	list := strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")
	if strings.Contains(expr, "%s") {
		b.where = append(b.where, fmt.Sprintf(expr, list))
	} else {
		b.where = append(b.where, expr+" IN ("+list+")")
	}
	for _, v := range vals {
		b.args = append(b.args, v)
	}
}

func (b *selectBuilder) dates(col string, f *filter) {
	if f.from != "" {
		b.cond(col+" >= ?", f.from)
	}
	if f.to != "" {
		b.cond(col+" <= ?", f.to)
	}
}

func (b *selectBuilder) instants(col string, f *filter) {
	if f.fromAt != "" {
		b.cond(col+" >= ?", f.fromAt)
	}
	if f.toAt != "" {
		b.cond(col+" < ?", f.toAt)
	}
}

func (b *selectBuilder) build(base, orderBy string, limit int) (string, []any) {
	var sb strings.Builder
	sb.WriteString(base)
	if len(b.where) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(b.where, " AND "))
	}
	sb.WriteString(" ORDER BY ")
	sb.WriteString(orderBy)
	args := b.args
	if limit > 0 {
		sb.WriteString(" LIMIT ?")
		args = append(args, limit)
	}
	return sb.String(), args
}

// callbackError marks an error returned by the caller's fn, so that
// ReadDataset returns it unwrapped.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }
func (e callbackError) Unwrap() error { return e.err }

// stream runs query and calls fn with each row scanned into a T.
func stream[T any](ctx context.Context, db *sql.DB, query string, args []any,
	scan func(*sql.Rows, *T) error, fn func(row any) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r T
		if err := scan(rows, &r); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		if err := fn(r); err != nil {
			return callbackError{err}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	return nil
}

func readStores(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("id", f.stores)
	q, args := b.build(`SELECT id, name, name_en, district, district_en, area, lat, lon, opened_on FROM stores`, "id", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Store) error {
		return rows.Scan(&r.ID, &r.Name, &r.NameEN, &r.District, &r.DistrictEN, &r.Area, &r.Lat, &r.Lon, &r.OpenedOn)
	}, fn)
}

func readProducts(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("id", f.products)
	q, args := b.build(`SELECT id, name, name_en, category, tags, price, shelf_life_hours, allergens FROM products`, "id", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Product) error {
		var tags, allergens string
		if err := rows.Scan(&r.ID, &r.Name, &r.NameEN, &r.Category, &tags, &r.Price, &r.ShelfLifeHours, &allergens); err != nil {
			return err
		}
		var err error
		if r.Tags, err = decodeStrings(tags); err != nil {
			return fmt.Errorf("product %s tags: %w", r.ID, err)
		}
		if r.Tags == nil {
			r.Tags = []string{} // tags has no omitempty: encode as [], not null
		}
		if r.Allergens, err = decodeStrings(allergens); err != nil {
			return fmt.Errorf("product %s allergens: %w", r.ID, err)
		}
		return nil
	}, fn)
}

// decodeStrings decodes a JSON array of strings; an empty array is nil.
func decodeStrings(s string) ([]string, error) {
	if s == "" || s == "[]" || s == "null" {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

func readProduction(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("store_id", f.stores)
	b.in("product_id", f.products)
	b.dates("date", f)
	q, args := b.build(`SELECT date, store_id, product_id, quantity FROM production`, "store_id, product_id, date", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Production) error {
		return rows.Scan(&r.Date, &r.StoreID, &r.ProductID, &r.Quantity)
	}, fn)
}

func readSales(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("store_id", f.stores)
	b.in("product_id", f.products)
	b.dates("date", f)
	q, args := b.build(`SELECT date, store_id, product_id, quantity, price, revenue, promotion FROM sales`, "store_id, product_id, date", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Sale) error {
		return rows.Scan(&r.Date, &r.StoreID, &r.ProductID, &r.Quantity, &r.Price, &r.Revenue, &r.Promotion)
	}, fn)
}

func readStock(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("store_id", f.stores)
	b.in("product_id", f.products)
	b.instants("at", f)
	q, args := b.build(`SELECT store_id, product_id, at, quantity FROM stock_snapshots`, "store_id, product_id, at", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.StockSnapshot) error {
		var at string
		if err := rows.Scan(&r.StoreID, &r.ProductID, &at, &r.Quantity); err != nil {
			return err
		}
		var err error
		r.At, err = decodeTime(at)
		return err
	}, fn)
}

func readWeather(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("district IN (SELECT district FROM stores WHERE id IN (%s))", f.stores)
	b.dates("date", f)
	q, args := b.build(`SELECT date, district, temp_max, temp_min, precipitation, forecast FROM weather`, "district, date", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Weather) error {
		return rows.Scan(&r.Date, &r.District, &r.TempMax, &r.TempMin, &r.Precipitation, &r.Forecast)
	}, fn)
}

func readCustomers(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("home_store_id", f.stores)
	q, args := b.build(`SELECT id, gender, age_band, joined_on, home_store_id FROM customers`, "id", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Customer) error {
		return rows.Scan(&r.ID, &r.Gender, &r.AgeBand, &r.JoinedOn, &r.HomeStoreID)
	}, fn)
}

func readOrders(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("o.store_id", f.stores)
	b.in("EXISTS (SELECT 1 FROM order_items oi WHERE oi.order_id = o.id AND oi.product_id IN (%s))", f.products)
	b.instants("o.at", f)
	q, args := b.build(`SELECT o.id, o.customer_id, o.store_id, o.at, o.total FROM orders o`, "o.at, o.id", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Order) error {
		var at string
		if err := rows.Scan(&r.ID, &r.CustomerID, &r.StoreID, &at, &r.Total); err != nil {
			return err
		}
		var err error
		r.At, err = decodeTime(at)
		return err
	}, fn)
}

func readOrderItems(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("o.store_id", f.stores)
	b.in("oi.product_id", f.products)
	b.instants("o.at", f)
	q, args := b.build(`SELECT oi.order_id, oi.product_id, oi.quantity, oi.price FROM order_items oi JOIN orders o ON o.id = oi.order_id`,
		"o.at, o.id, oi.line", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.OrderItem) error {
		return rows.Scan(&r.OrderID, &r.ProductID, &r.Quantity, &r.Price)
	}, fn)
}

func readIntraday(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.in("store_id", f.stores)
	b.in("category IN (SELECT category FROM products WHERE id IN (%s))", f.products)
	q, args := b.build(`SELECT store_id, category, hour, share FROM intraday_shares`, "store_id, category, hour", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.IntradayShare) error {
		return rows.Scan(&r.StoreID, &r.Category, &r.Hour, &r.Share)
	}, fn)
}

func readHolidays(ctx context.Context, db *sql.DB, f *filter, fn func(any) error) error {
	var b selectBuilder
	b.dates("date", f)
	q, args := b.build(`SELECT date, name, name_en FROM holidays`, "date", f.limit)
	return stream(ctx, db, q, args, func(rows *sql.Rows, r *tools.Holiday) error {
		return rows.Scan(&r.Date, &r.Name, &r.NameEN)
	}, fn)
}
