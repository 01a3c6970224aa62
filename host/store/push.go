package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Push states. A queued push starts pending; the push pipeline moves it on.
const (
	PushPending = "pending"
)

// PushItem is one row of the push queue.
type PushItem struct {
	ID        int64
	StoreID   string
	ProductID string
	Date      string
	Status    string
	Segment   string
	Payload   json.RawMessage
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PushQueue is the queue of pushes to customers.
type PushQueue interface {
	// EnqueuePush adds pending rows keyed by (store, product, date); a key
	// already queued is left as it is. It returns how many rows were new.
	EnqueuePush(ctx context.Context, items []PushItem) (created int, err error)
	// Pushes lists the queue for a day (all days when date is empty).
	Pushes(ctx context.Context, date string) ([]PushItem, error)
}

var _ PushQueue = (*SQLite)(nil)

// EnqueuePush inserts the new keys in one transaction; ON CONFLICT DO
// NOTHING (SQLite and PostgreSQL alike) makes a second run a no-op.
func (s *SQLite) EnqueuePush(ctx context.Context, items []PushItem) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue push: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO push_queue
(store_id, product_id, date, status, segment, payload, attempts, last_error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 0, '', ?, ?)
ON CONFLICT (store_id, product_id, date) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("enqueue push: %w", err)
	}
	defer stmt.Close()
	now := encodeTime(s.now())
	created := 0
	for _, it := range items {
		if it.StoreID == "" || it.ProductID == "" || !validDate(it.Date) {
			return 0, fmt.Errorf("enqueue push: item %s/%s/%s: store, product and a YYYY-MM-DD date are required", it.StoreID, it.ProductID, it.Date)
		}
		payload := it.Payload
		if len(payload) == 0 {
			payload = json.RawMessage("{}")
		}
		if !json.Valid(payload) {
			return 0, fmt.Errorf("enqueue push: item %s/%s/%s: payload is not valid JSON", it.StoreID, it.ProductID, it.Date)
		}
		status := it.Status
		if status == "" {
			status = PushPending
		}
		res, err := stmt.ExecContext(ctx, it.StoreID, it.ProductID, it.Date, status, it.Segment, string(payload), now, now)
		if err != nil {
			return 0, fmt.Errorf("enqueue push %s/%s/%s: %w", it.StoreID, it.ProductID, it.Date, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("enqueue push: %w", err)
		}
		created += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("enqueue push: commit: %w", err)
	}
	return created, nil
}

// Pushes lists the queue for a day, oldest first.
func (s *SQLite) Pushes(ctx context.Context, date string) ([]PushItem, error) {
	q := `SELECT id, store_id, product_id, date, status, segment, payload, attempts, last_error, created_at, updated_at FROM push_queue`
	var args []any
	if date != "" {
		q += " WHERE date = ?"
		args = append(args, date)
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("read push queue: %w", err)
	}
	defer rows.Close()
	var out []PushItem
	for rows.Next() {
		var it PushItem
		var payload, created, updated string
		if err := rows.Scan(&it.ID, &it.StoreID, &it.ProductID, &it.Date, &it.Status, &it.Segment, &payload, &it.Attempts, &it.LastError, &created, &updated); err != nil {
			return nil, fmt.Errorf("read push queue: %w", err)
		}
		it.Payload = json.RawMessage(payload)
		if it.CreatedAt, err = decodeTime(created); err != nil {
			return nil, err
		}
		if it.UpdatedAt, err = decodeTime(updated); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
