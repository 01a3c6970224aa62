package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Orders records new member orders as they happen.
type Orders interface {
	// AppendOrder adds an order and its items in one transaction. An order
	// id already recorded is left as it is and created is false, so that a
	// retried request never counts an order twice. A customer seen for the
	// first time is added with what the order tells (home store, join day).
	AppendOrder(ctx context.Context, o *tools.Order, items []tools.OrderItem) (created bool, err error)
}

var _ Orders = (*SQLite)(nil)

// AppendOrder implements Orders.
func (s *SQLite) AppendOrder(ctx context.Context, o *tools.Order, items []tools.OrderItem) (bool, error) {
	switch {
	case o == nil || o.ID == "" || o.CustomerID == "" || o.StoreID == "":
		return false, fmt.Errorf("append order: id, customer_id and store_id are required")
	case o.At.IsZero():
		return false, fmt.Errorf("append order %s: the order time is required", o.ID)
	case len(items) == 0:
		return false, fmt.Errorf("append order %s: an order needs at least one item", o.ID)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("append order %s: %w", o.ID, err)
	}
	defer func() { _ = tx.Rollback() }()
	day := o.At.In(s.loc).Format("2006-01-02")
	if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, gender, age_band, joined_on, home_store_id)
VALUES (?, '', '', ?, ?) ON CONFLICT (id) DO NOTHING`, o.CustomerID, day, o.StoreID); err != nil {
		return false, fmt.Errorf("append order %s: customer: %w", o.ID, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO orders (id, customer_id, store_id, at, total) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`, o.ID, o.CustomerID, o.StoreID, encodeTime(o.At), o.Total)
	if err != nil {
		return false, fmt.Errorf("append order %s: %w", o.ID, explainFK(err, "store "+o.StoreID))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	for i, it := range items {
		if it.Quantity <= 0 {
			return false, fmt.Errorf("append order %s: item %d: quantity %d must be positive", o.ID, i, it.Quantity)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (order_id, line, product_id, quantity, price) VALUES (?, ?, ?, ?, ?)`,
			o.ID, i, it.ProductID, it.Quantity, it.Price); err != nil {
			return false, fmt.Errorf("append order %s: item %d: %w", o.ID, i, explainFK(err, "product "+it.ProductID))
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("append order %s: commit: %w", o.ID, err)
	}
	return true, nil
}

// explainFK turns a foreign-key failure into words about what is unknown.
func explainFK(err error, what string) error {
	if strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("unknown %s", what)
	}
	return err
}
