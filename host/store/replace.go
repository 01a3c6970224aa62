package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// maxParams bounds the placeholders in one INSERT. Multi-row inserts cut the
// per-statement cost (the database/sql round trip, argument conversion,
// sqlite3_step setup) that dominates a bulk load; past a few hundred rows per
// statement the gain flattens. 999 is SQLite's historical limit and well
// under PostgreSQL's 65535.
const maxParams = 999

// Replace deletes every dataset row and writes d in one transaction on the
// writer connection: readers keep seeing the old data until it commits. d is
// checked first (dates well formed, every reference to a store, product,
// customer or order resolves), so that a bad import fails with the offending
// row named, before anything is written. Rows that repeat a key are an error
// from the database and leave the old data in place.
//
// Replace holds the only writer connection until it returns, so progress
// must not write to the store (reading is fine).
func (s *SQLite) Replace(ctx context.Context, d *Data, progress Progress) error {
	if d == nil {
		return fmt.Errorf("replace datasets: nil data")
	}
	if err := validateData(d); err != nil {
		return fmt.Errorf("replace datasets: %w", err)
	}
	p := newProgressCounter(d.Rows(), progress)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("replace datasets: %w", err)
	}
	defer conn.Close()
	// Foreign keys are enforced everywhere but here: validateData has
	// checked every reference already, and without enforcement SQLite
	// empties each table at once instead of row by row (its truncate
	// optimisation) and skips a parent lookup per inserted row. The pragma
	// is a no-op inside a transaction, hence the order: off, begin, …,
	// rollback or commit, on.
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("replace datasets: disable foreign keys: %w", err)
	}
	defer restoreForeignKeys(conn)
	// The transaction does not watch ctx itself (the statements do): were it
	// rolled back from database/sql's watcher goroutine, that rollback could
	// race restoreForeignKeys.
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("replace datasets: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("replace datasets: %w", err)
	}

	// Children before parents: irrelevant without enforcement, but the
	// order a PostgreSQL store will need.
	for _, table := range []string{
		"holidays", "order_items", "orders", "intraday_shares", "weather", "stock_snapshots",
		"sales", "production", "customers", "products", "stores",
	} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("replace datasets: delete %s: %w", table, err)
		}
	}
	p.report()

	steps := []func() error{
		func() error {
			return insertRows(ctx, tx, p, "stores", []string{"id", "name", "name_en", "district", "district_en", "area", "lat", "lon", "opened_on"},
				d.Stores, func(a []any, _ int, r *tools.Store) []any {
					return append(a, r.ID, r.Name, r.NameEN, r.District, r.DistrictEN, r.Area, r.Lat, r.Lon, r.OpenedOn)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "products", []string{"id", "name", "name_en", "category", "tags", "price", "shelf_life_hours", "allergens"},
				d.Products, func(a []any, _ int, r *tools.Product) []any {
					return append(a, r.ID, r.Name, r.NameEN, r.Category, encodeStrings(r.Tags), r.Price, r.ShelfLifeHours, encodeStrings(r.Allergens))
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "customers", []string{"id", "gender", "age_band", "joined_on", "home_store_id"},
				d.Customers, func(a []any, _ int, r *tools.Customer) []any {
					return append(a, r.ID, r.Gender, r.AgeBand, r.JoinedOn, r.HomeStoreID)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "production", []string{"store_id", "product_id", "date", "quantity"},
				d.Production, func(a []any, _ int, r *tools.Production) []any {
					return append(a, r.StoreID, r.ProductID, r.Date, r.Quantity)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "sales", []string{"store_id", "product_id", "date", "quantity", "price", "revenue", "promotion"},
				d.Sales, func(a []any, _ int, r *tools.Sale) []any {
					return append(a, r.StoreID, r.ProductID, r.Date, r.Quantity, r.Price, r.Revenue, boolInt(r.Promotion))
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "stock_snapshots", []string{"store_id", "product_id", "at", "quantity"},
				d.Stock, func(a []any, _ int, r *tools.StockSnapshot) []any {
					return append(a, r.StoreID, r.ProductID, encodeTime(r.At), r.Quantity)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "weather", []string{"district", "date", "temp_max", "temp_min", "precipitation", "forecast"},
				d.Weather, func(a []any, _ int, r *tools.Weather) []any {
					return append(a, r.District, r.Date, r.TempMax, r.TempMin, r.Precipitation, boolInt(r.Forecast))
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "orders", []string{"id", "customer_id", "store_id", "at", "total"},
				d.Orders, func(a []any, _ int, r *tools.Order) []any {
					return append(a, r.ID, r.CustomerID, r.StoreID, encodeTime(r.At), r.Total)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "order_items", []string{"order_id", "line", "product_id", "quantity", "price"},
				d.OrderItems, func(a []any, i int, r *tools.OrderItem) []any {
					return append(a, r.OrderID, i, r.ProductID, r.Quantity, r.Price)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "intraday_shares", []string{"store_id", "category", "hour", "share"},
				d.Intraday, func(a []any, _ int, r *tools.IntradayShare) []any {
					return append(a, r.StoreID, r.Category, r.Hour, r.Share)
				})
		},
		func() error {
			return insertRows(ctx, tx, p, "holidays", []string{"date", "name", "name_en"},
				d.Holidays, func(a []any, _ int, r *tools.Holiday) []any {
					return append(a, r.Date, r.Name, r.NameEN)
				})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("replace datasets: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace datasets: commit: %w", err)
	}
	p.finish()
	// Refresh the planner's statistics for the new data; cheap when nothing
	// changed much, and a failure only costs query plans.
	_, _ = conn.ExecContext(ctx, "PRAGMA optimize")
	return nil
}

// restoreForeignKeys turns foreign key enforcement back on for the writer
// connection, or, if that fails, makes database/sql discard the connection
// so that no later write runs without enforcement.
func restoreForeignKeys(conn *sql.Conn) {
	ctx := context.Background()
	var on int
	_, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	if err == nil {
		err = conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on)
	}
	if err != nil || on != 1 {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// insertRows writes rows into table with multi-row INSERTs of up to
// maxParams placeholders. bind appends the column values of rows[i].
func insertRows[T any](ctx context.Context, tx *sql.Tx, p *progressCounter, table string, cols []string,
	rows []T, bind func(args []any, i int, r *T) []any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(cols))
	full, err := tx.PrepareContext(ctx, insertSQL(table, cols, per))
	if err != nil {
		return fmt.Errorf("prepare insert %s: %w", table, err)
	}
	defer full.Close()
	args := make([]any, 0, per*len(cols))
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args = args[:0]
		for i := start; i < end; i++ {
			args = bind(args, i, &rows[i])
		}
		if end-start == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(table, cols, end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("insert %s rows %d–%d: %w", table, start, end-1, err)
		}
		p.add(end - start)
	}
	return nil
}

// insertSQL is "INSERT INTO table (cols) VALUES (?, …), …" for n rows.
func insertSQL(table string, cols []string, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var b strings.Builder
	b.Grow(len(table) + 32 + n*(len(row)+2))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// encodeStrings encodes a string list as a JSON array; nil is [].
func encodeStrings(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // []string always marshals
	}
	return string(b)
}

// progressCounter calls a Progress about once per percent of the rows.
type progressCounter struct {
	fn                Progress
	done, total, last int
	step              int
}

func newProgressCounter(total int, fn Progress) *progressCounter {
	return &progressCounter{fn: fn, total: total, step: max(1000, total/100)}
}

func (p *progressCounter) add(n int) {
	p.done += n
	if p.done-p.last >= p.step {
		p.report()
	}
}

func (p *progressCounter) report() {
	p.last = p.done
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}

// finish reports completion unless the last report already did.
func (p *progressCounter) finish() {
	if p.last != p.done || p.done == 0 {
		p.report()
	}
}

// validateData checks what the database cannot explain well: malformed
// dates, and references that do not resolve (the database would only say
// "FOREIGN KEY constraint failed"). Duplicate keys are left to the database,
// whose message names the table and columns.
func validateData(d *Data) error {
	stores := make(map[string]bool, len(d.Stores))
	for i := range d.Stores {
		r := &d.Stores[i]
		if r.ID == "" {
			return fmt.Errorf("stores[%d]: empty id", i)
		}
		if r.OpenedOn != "" && !isDate(r.OpenedOn) {
			return fmt.Errorf("stores[%d] %s: opened_on %q: want YYYY-MM-DD", i, r.ID, r.OpenedOn)
		}
		stores[r.ID] = true
	}
	products := make(map[string]bool, len(d.Products))
	for i := range d.Products {
		if d.Products[i].ID == "" {
			return fmt.Errorf("products[%d]: empty id", i)
		}
		products[d.Products[i].ID] = true
	}
	customers := make(map[string]bool, len(d.Customers))
	for i := range d.Customers {
		r := &d.Customers[i]
		if r.ID == "" {
			return fmt.Errorf("customers[%d]: empty id", i)
		}
		if r.JoinedOn != "" && !isDate(r.JoinedOn) {
			return fmt.Errorf("customers[%d] %s: joined_on %q: want YYYY-MM-DD", i, r.ID, r.JoinedOn)
		}
		customers[r.ID] = true
	}
	ref := func(set map[string]bool, kind, id string) error {
		if !set[id] {
			return fmt.Errorf("unknown %s %q", kind, id)
		}
		return nil
	}
	check := func(dataset string, i int, errs ...error) error {
		for _, err := range errs {
			if err != nil {
				return fmt.Errorf("%s[%d]: %w", dataset, i, err)
			}
		}
		return nil
	}
	date := func(s string) error {
		if !isDate(s) {
			return fmt.Errorf("date %q: want YYYY-MM-DD", s)
		}
		return nil
	}
	for i, r := range d.Production {
		if err := check("production", i, date(r.Date), ref(stores, "store", r.StoreID), ref(products, "product", r.ProductID)); err != nil {
			return err
		}
	}
	for i, r := range d.Sales {
		if err := check("sales", i, date(r.Date), ref(stores, "store", r.StoreID), ref(products, "product", r.ProductID)); err != nil {
			return err
		}
	}
	for i, r := range d.Stock {
		if err := check("stock", i, ref(stores, "store", r.StoreID), ref(products, "product", r.ProductID)); err != nil {
			return err
		}
	}
	for i, r := range d.Weather {
		if err := check("weather", i, date(r.Date)); err != nil {
			return err
		}
	}
	orders := make(map[string]bool, len(d.Orders))
	for i, r := range d.Orders {
		if r.ID == "" {
			return fmt.Errorf("orders[%d]: empty id", i)
		}
		if err := check("orders", i, ref(customers, "customer", r.CustomerID), ref(stores, "store", r.StoreID)); err != nil {
			return err
		}
		orders[r.ID] = true
	}
	for i, r := range d.OrderItems {
		if err := check("order_items", i, ref(orders, "order", r.OrderID), ref(products, "product", r.ProductID)); err != nil {
			return err
		}
	}
	for i, r := range d.Intraday {
		if err := check("intraday", i, ref(stores, "store", r.StoreID)); err != nil {
			return err
		}
	}
	for i, r := range d.Holidays {
		if err := check("holidays", i, date(r.Date)); err != nil {
			return err
		}
	}
	return nil
}

// isDate reports whether s is a valid YYYY-MM-DD date.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := range 10 {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	_, err := time.Parse("2006-01-02", s) // also refuses 2024-02-31
	return err == nil
}
