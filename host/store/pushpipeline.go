package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Push states after pending (see push.go). A push moves
// pending → generating → ready (→ awaiting_approval → ready) → sending → sent,
// or ends failed, expired or rejected.
const (
	PushGenerating       = "generating"
	PushReady            = "ready"
	PushAwaitingApproval = "awaiting_approval"
	PushSending          = "sending"
	PushSent             = "sent"
	PushFailed           = "failed"
	PushExpired          = "expired"
	PushRejected         = "rejected"
)

// PushStates lists every push state in pipeline order.
var PushStates = []string{PushPending, PushGenerating, PushReady, PushAwaitingApproval, PushSending, PushSent, PushFailed, PushExpired, PushRejected}

// PushTerminal reports whether a push in state s is finished.
func PushTerminal(s string) bool {
	return s == PushSent || s == PushFailed || s == PushExpired || s == PushRejected
}

// Approval values of a push.
const (
	ApprovalNone      = ""
	ApprovalRequested = "requested"
	ApprovalApproved  = "approved"
	ApprovalRejected  = "rejected"
)

// PushMessage is the copy of a push for one target segment.
type PushMessage struct {
	PushID      int64  `json:"push_id"`
	Segment     string `json:"segment"`
	Locale      string `json:"locale"`
	Headline    string `json:"headline"`
	PushText    string `json:"push_text"`
	ActionLine  string `json:"action_line"`
	DiscountPct int    `json:"discount_pct"`
	Outcome     string `json:"outcome"` // llm, repaired or fallback
	Reason      string `json:"reason,omitempty"`
}

// PushDelivery is a delivery that was made: one message on one channel.
type PushDelivery struct {
	Key      string // date:store:product:segment
	Channel  string
	PushID   int64
	Segment  string
	Attempts int
	Detail   string
	// Feed, on the feed channel, is the event to append to the customer
	// feed; it is written in the same transaction as the record.
	Feed *FeedEvent
}

// PushJob is a push row with what the pipeline keeps about it.
type PushJob struct {
	PushItem
	LeaseOwner       string
	LeaseUntil       *time.Time
	NextAttemptAt    *time.Time
	ExpiresAt        *time.Time
	Approval         string
	ApprovalDeadline *time.Time
	DecidedBy        string
	SentAt           *time.Time
	Messages         []PushMessage
	// Delivered holds "key channel" for each delivery already recorded.
	Delivered map[string]bool
}

// DeliveredOn reports whether the message with key was delivered on channel.
func (j *PushJob) DeliveredOn(key, channel string) bool { return j.Delivered[key+" "+channel] }

// PushClaim asks for rows to work on.
type PushClaim struct {
	// From are the states to take rows from; rows already in To whose lease
	// ran out (a worker died) are taken too.
	From []string
	To   string
	// Approval, when not nil, limits the rows to these approval values.
	Approval []string
	Owner    string
	Lease    time.Duration
	Now      time.Time
	Limit    int
}

// FeedEvent is one message in the customers' feed.
type FeedEvent struct {
	Seq       int64           `json:"seq"`
	Key       string          `json:"key"`
	PushID    int64           `json:"push_id"`
	StoreID   string          `json:"store_id"`
	ProductID string          `json:"product_id"`
	Segment   string          `json:"segment"`
	Date      string          `json:"date"`
	Message   json.RawMessage `json:"message"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt *time.Time      `json:"expires_at,omitempty"`
}

// FeedQuery selects feed events.
type FeedQuery struct {
	AfterSeq int64 // events with a greater seq
	UpToSeq  int64 // and at most this seq (0: no bound)
	Stores   []string
	// Segments matches events for these segments and events for every
	// segment ("all"); empty matches all events.
	Segments []string
	// ActiveAt, when not zero, keeps only offers that have not expired.
	ActiveAt time.Time
	Limit    int
}

// PushDecision is a staff decision on pushes awaiting approval.
type PushDecision struct {
	IDs     []int64
	Approve bool
	By      string
	Now     time.Time
}

// PushPipeline is what the push pipeline keeps in the store. Times are
// passed in so that the pipeline's clock rules them.
type PushPipeline interface {
	PushQueue
	// FillPushExpiry sets expires_at on rows that have none, to
	// expiry(date); it returns how many rows it set.
	FillPushExpiry(ctx context.Context, expiry func(date string) (time.Time, error)) (int, error)
	// ClaimPushes moves up to c.Limit due rows to c.To under a lease held
	// by c.Owner and returns them, oldest first, with their messages and
	// recorded deliveries.
	ClaimPushes(ctx context.Context, c *PushClaim) ([]PushJob, error)
	// RenewPushLeases extends owner's lease on ids to until.
	RenewPushLeases(ctx context.Context, owner string, ids []int64, until time.Time) error
	// SavePushes writes the state fields of jobs leased by owner and
	// releases their leases; messages are upserted when withMessages. It
	// returns the ids whose lease owner had lost (they were not written).
	SavePushes(ctx context.Context, owner string, now time.Time, jobs []PushJob, withMessages bool) (lost []int64, err error)
	// RecordDeliveries records deliveries (once per key and channel) and
	// appends feed events; it returns the feed events that were new, with
	// their seq.
	RecordDeliveries(ctx context.Context, now time.Time, ds []PushDelivery) ([]FeedEvent, error)
	// ExpirePushes ends every pushUnfinished, unleased row whose window closed.
	ExpirePushes(ctx context.Context, now time.Time) (int, error)
	// TimeoutApprovals handles requests whose deadline passed: approved
	// (approve) or expired.
	TimeoutApprovals(ctx context.Context, now time.Time, approve bool) (int, error)
	// DecidePushes applies a staff decision to rows awaiting approval and
	// returns how many changed.
	DecidePushes(ctx context.Context, d *PushDecision) (int, error)
	// PushCounts counts rows by state for a day (every day when empty).
	PushCounts(ctx context.Context, date string) (map[string]int, error)
	// PushJobs lists rows of a day (every day when empty) in states (any
	// when empty), oldest first, at most limit (0: all).
	PushJobs(ctx context.Context, date string, states []string, limit int) ([]PushJob, error)
	// FeedEvents reads the feed, in seq order.
	FeedEvents(ctx context.Context, q *FeedQuery) ([]FeedEvent, error)
	// LastFeedSeq is the highest feed seq, 0 when the feed is empty.
	LastFeedSeq(ctx context.Context) (int64, error)
}

var _ PushPipeline = (*SQLite)(nil)

const pushJobCols = `id, store_id, product_id, date, status, segment, payload, attempts, last_error, created_at, updated_at,
lease_owner, lease_until, next_attempt_at, expires_at, approval, approval_deadline, decided_by, sent_at`

// FillPushExpiry sets the expiry of rows that have none, one day at a time.
func (s *SQLite) FillPushExpiry(ctx context.Context, expiry func(date string) (time.Time, error)) (int, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT DISTINCT date FROM push_queue WHERE expires_at IS NULL")
	if err != nil {
		return 0, fmt.Errorf("fill push expiry: %w", err)
	}
	var dates []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return 0, fmt.Errorf("fill push expiry: %w", err)
		}
		dates = append(dates, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("fill push expiry: %w", err)
	}
	n := 0
	for _, d := range dates {
		at, err := expiry(d)
		if err != nil {
			return n, fmt.Errorf("fill push expiry for %s: %w", d, err)
		}
		res, err := s.w.ExecContext(ctx, "UPDATE push_queue SET expires_at = ? WHERE expires_at IS NULL AND date = ?", encodeTime(at), d)
		if err != nil {
			return n, fmt.Errorf("fill push expiry for %s: %w", d, err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// ClaimPushes selects and leases rows in one write transaction. SQLite has
// one writer, so two claimers never take the same row; on PostgreSQL the
// select would be FOR UPDATE SKIP LOCKED.
func (s *SQLite) ClaimPushes(ctx context.Context, c *PushClaim) ([]PushJob, error) {
	switch {
	case c == nil || c.Owner == "" || c.To == "" || len(c.From) == 0:
		return nil, errors.New("claim pushes: owner, from and to states are required")
	case c.Lease <= 0:
		return nil, errors.New("claim pushes: the lease must be positive")
	}
	limit := c.Limit
	if limit <= 0 {
		limit = 100
	}
	now := encodeTime(c.Now)
	until := encodeTime(c.Now.Add(c.Lease))
	var q strings.Builder
	var args []any
	q.WriteString(`SELECT id FROM push_queue WHERE ((status IN (`)
	q.WriteString(sqlList(len(c.From)))
	q.WriteString(`) AND (lease_until IS NULL OR lease_until < ?)) OR (status = ? AND lease_until < ?))
AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
AND (expires_at IS NULL OR expires_at > ?)`)
	for _, f := range c.From {
		args = append(args, f)
	}
	args = append(args, now, c.To, now, now, now)
	if c.Approval != nil {
		q.WriteString(" AND approval IN (" + sqlList(len(c.Approval)) + ")")
		for _, a := range c.Approval {
			args = append(args, a)
		}
	}
	q.WriteString(" ORDER BY id LIMIT ?")
	args = append(args, limit)
	// Most passes find nothing to do: look on a reader first, so that an
	// idle pipeline takes no write lock.
	if ids, err := queryIDList(ctx, s.r, q.String(), args...); err != nil {
		return nil, fmt.Errorf("claim pushes %v → %s: %w", c.From, c.To, err)
	} else if len(ids) == 0 {
		return nil, nil
	}
	var jobs []PushJob
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := queryIDList(ctx, tx, q.String(), args...)
		if err != nil || len(ids) == 0 {
			return err
		}
		up := `UPDATE push_queue SET status = ?, lease_owner = ?, lease_until = ?, updated_at = ? WHERE id IN (` + sqlList(len(ids)) + `)`
		uargs := []any{c.To, c.Owner, until, now}
		for _, id := range ids {
			uargs = append(uargs, id)
		}
		if _, err := tx.ExecContext(ctx, up, uargs...); err != nil {
			return err
		}
		jobs, err = loadPushJobs(ctx, tx, "WHERE id IN ("+sqlList(len(ids))+") ORDER BY id", idArgs(ids)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim pushes %v → %s: %w", c.From, c.To, err)
	}
	return jobs, nil
}

// RenewPushLeases extends a worker's leases.
func (s *SQLite) RenewPushLeases(ctx context.Context, owner string, ids []int64, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := append([]any{encodeTime(until), owner}, idArgs(ids)...)
	_, err := s.w.ExecContext(ctx, `UPDATE push_queue SET lease_until = ? WHERE lease_owner = ? AND lease_until IS NOT NULL AND id IN (`+sqlList(len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("renew push leases: %w", err)
	}
	return nil
}

// SavePushes writes the jobs in one transaction.
func (s *SQLite) SavePushes(ctx context.Context, owner string, now time.Time, jobs []PushJob, withMessages bool) ([]int64, error) {
	var lost []int64
	at := encodeTime(now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lost = lost[:0]
		up, err := tx.PrepareContext(ctx, `UPDATE push_queue SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, expires_at = ?,
approval = ?, approval_deadline = ?, decided_by = ?, sent_at = ?, lease_owner = '', lease_until = NULL, updated_at = ?
WHERE id = ? AND lease_owner = ? AND lease_until IS NOT NULL`)
		if err != nil {
			return err
		}
		defer up.Close()
		var msg *sql.Stmt
		if withMessages {
			msg, err = tx.PrepareContext(ctx, `INSERT INTO push_messages (push_id, segment, locale, headline, push_text, action_line, discount_pct, outcome, reason, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (push_id, segment) DO UPDATE SET locale = excluded.locale, headline = excluded.headline, push_text = excluded.push_text,
action_line = excluded.action_line, discount_pct = excluded.discount_pct, outcome = excluded.outcome, reason = excluded.reason`)
			if err != nil {
				return err
			}
			defer msg.Close()
		}
		for i := range jobs {
			j := &jobs[i]
			if !slices.Contains(PushStates, j.Status) {
				return fmt.Errorf("push %d: unknown state %q", j.ID, j.Status)
			}
			res, err := up.ExecContext(ctx, j.Status, j.Attempts, j.LastError, optTime(j.NextAttemptAt), optTime(j.ExpiresAt),
				j.Approval, optTime(j.ApprovalDeadline), j.DecidedBy, optTime(j.SentAt), at, j.ID, owner)
			if err != nil {
				return fmt.Errorf("push %d: %w", j.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, j.ID)
				continue
			}
			if msg == nil {
				continue
			}
			for _, m := range j.Messages {
				if _, err := msg.ExecContext(ctx, j.ID, m.Segment, m.Locale, m.Headline, m.PushText, m.ActionLine, m.DiscountPct, m.Outcome, m.Reason, at); err != nil {
					return fmt.Errorf("push %d message %s: %w", j.ID, m.Segment, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save pushes: %w", err)
	}
	return lost, nil
}

// RecordDeliveries writes delivery records and feed events in one
// transaction. A key already recorded on a channel is left as it is.
func (s *SQLite) RecordDeliveries(ctx context.Context, now time.Time, ds []PushDelivery) ([]FeedEvent, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	at := encodeTime(now)
	var events []FeedEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		events = events[:0]
		rec, err := tx.PrepareContext(ctx, `INSERT INTO push_deliveries (key, channel, push_id, segment, attempts, detail, delivered_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, channel) DO NOTHING`)
		if err != nil {
			return err
		}
		defer rec.Close()
		var feed *sql.Stmt
		for _, d := range ds {
			if d.Key == "" || d.Channel == "" {
				return fmt.Errorf("delivery of push %d: key and channel are required", d.PushID)
			}
			res, err := rec.ExecContext(ctx, d.Key, d.Channel, d.PushID, d.Segment, d.Attempts, d.Detail, at)
			if err != nil {
				return fmt.Errorf("delivery %s on %s: %w", d.Key, d.Channel, err)
			}
			if n, _ := res.RowsAffected(); n == 0 || d.Feed == nil {
				continue
			}
			if feed == nil {
				feed, err = tx.PrepareContext(ctx, `INSERT INTO push_feed (key, push_id, store_id, product_id, segment, date, message, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING seq`)
				if err != nil {
					return err
				}
				defer feed.Close()
			}
			e := *d.Feed
			e.Key, e.PushID, e.CreatedAt = d.Key, d.PushID, now.UTC()
			err = feed.QueryRowContext(ctx, e.Key, e.PushID, e.StoreID, e.ProductID, e.Segment, e.Date, string(e.Message), at, optTime(e.ExpiresAt)).Scan(&e.Seq)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("feed event %s: %w", d.Key, err)
			}
			events = append(events, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record deliveries: %w", err)
	}
	return events, nil
}

// pushUnfinished lists the states a row can expire from, as SQL.
const pushUnfinished = "('pending', 'generating', 'ready', 'awaiting_approval', 'sending')"

// ExpirePushes expires rows whose discount window closed.
func (s *SQLite) ExpirePushes(ctx context.Context, now time.Time) (int, error) {
	at := encodeTime(now)
	const where = `WHERE status IN ` + pushUnfinished + ` AND expires_at IS NOT NULL AND expires_at <= ? AND (lease_until IS NULL OR lease_until < ?)`
	if n, err := s.countWhere(ctx, where, at, at); err != nil || n == 0 {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE push_queue SET status = 'expired', updated_at = ?, lease_owner = '', lease_until = NULL,
last_error = CASE WHEN last_error = '' THEN 'the discount window closed before it was sent' ELSE 'the discount window closed before it was sent; last error: ' || last_error END
`+where, at, at, at)
	if err != nil {
		return 0, fmt.Errorf("expire pushes: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// TimeoutApprovals ends the wait of requests whose deadline passed.
func (s *SQLite) TimeoutApprovals(ctx context.Context, now time.Time, approve bool) (int, error) {
	at := encodeTime(now)
	set := `status = 'expired', approval = '', last_error = 'no staff decision before the approval deadline'`
	if approve {
		set = `status = 'ready', approval = 'approved', decided_by = 'deadline'`
	}
	const where = `WHERE status = 'awaiting_approval' AND approval = 'requested' AND approval_deadline IS NOT NULL AND approval_deadline <= ?
AND (lease_until IS NULL OR lease_until < ?)`
	if n, err := s.countWhere(ctx, where, at, at); err != nil || n == 0 {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE push_queue SET `+set+`, updated_at = ?
`+where, at, at, at)
	if err != nil {
		return 0, fmt.Errorf("time out approvals: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DecidePushes approves or rejects rows awaiting approval.
func (s *SQLite) DecidePushes(ctx context.Context, d *PushDecision) (int, error) {
	if d == nil || len(d.IDs) == 0 {
		return 0, nil
	}
	if d.By == "" {
		return 0, errors.New("decide pushes: who decided is required")
	}
	at := encodeTime(d.Now)
	status, approval := PushReady, ApprovalApproved
	if !d.Approve {
		status, approval = PushRejected, ApprovalRejected
	}
	args := append([]any{status, approval, d.By, at, at}, idArgs(d.IDs)...)
	res, err := s.w.ExecContext(ctx, `UPDATE push_queue SET status = ?, approval = ?, decided_by = ?, updated_at = ?
WHERE status = 'awaiting_approval' AND approval = 'requested' AND (approval_deadline IS NULL OR approval_deadline > ?)
AND id IN (`+sqlList(len(d.IDs))+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("decide pushes: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// countWhere counts push_queue rows on a reader.
func (s *SQLite) countWhere(ctx context.Context, where string, args ...any) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM push_queue "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pushes: %w", err)
	}
	return n, nil
}

// PushCounts counts rows by state.
func (s *SQLite) PushCounts(ctx context.Context, date string) (map[string]int, error) {
	q := "SELECT status, COUNT(*) FROM push_queue"
	var args []any
	if date != "" {
		q += " WHERE date = ?"
		args = append(args, date)
	}
	rows, err := s.r.QueryContext(ctx, q+" GROUP BY status", args...)
	if err != nil {
		return nil, fmt.Errorf("count pushes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count pushes: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// PushJobs lists rows with their messages and deliveries.
func (s *SQLite) PushJobs(ctx context.Context, date string, states []string, limit int) ([]PushJob, error) {
	var where []string
	var args []any
	if date != "" {
		where = append(where, "date = ?")
		args = append(args, date)
	}
	if len(states) > 0 {
		where = append(where, "status IN ("+sqlList(len(states))+")")
		for _, st := range states {
			args = append(args, st)
		}
	}
	q := ""
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	var jobs []PushJob
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		jobs, err = loadPushJobs(ctx, tx, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list pushes: %w", err)
	}
	return jobs, nil
}

// FeedEvents reads feed events in seq order.
func (s *SQLite) FeedEvents(ctx context.Context, q *FeedQuery) ([]FeedEvent, error) {
	var b strings.Builder
	b.WriteString("SELECT seq, key, push_id, store_id, product_id, segment, date, message, created_at, expires_at FROM push_feed WHERE seq > ?")
	args := []any{q.AfterSeq}
	if q.UpToSeq > 0 {
		b.WriteString(" AND seq <= ?")
		args = append(args, q.UpToSeq)
	}
	if len(q.Stores) > 0 {
		b.WriteString(" AND store_id IN (" + sqlList(len(q.Stores)) + ")")
		for _, st := range q.Stores {
			args = append(args, st)
		}
	}
	if len(q.Segments) > 0 {
		b.WriteString(" AND segment IN (" + sqlList(len(q.Segments)+1) + ")")
		args = append(args, "all")
		for _, sg := range q.Segments {
			args = append(args, sg)
		}
	}
	if !q.ActiveAt.IsZero() {
		b.WriteString(" AND (expires_at IS NULL OR expires_at > ?)")
		args = append(args, encodeTime(q.ActiveAt))
	}
	b.WriteString(" ORDER BY seq")
	if q.Limit > 0 {
		b.WriteString(" LIMIT ?")
		args = append(args, q.Limit)
	}
	rows, err := s.r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	defer rows.Close()
	var out []FeedEvent
	for rows.Next() {
		var e FeedEvent
		var msg, created string
		var expires sql.NullString
		if err := rows.Scan(&e.Seq, &e.Key, &e.PushID, &e.StoreID, &e.ProductID, &e.Segment, &e.Date, &msg, &created, &expires); err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		e.Message = json.RawMessage(msg)
		if e.CreatedAt, err = decodeTime(created); err != nil {
			return nil, err
		}
		if e.ExpiresAt, err = decodeOptTime(expires); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastFeedSeq is the feed's highest seq.
func (s *SQLite) LastFeedSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM push_feed").Scan(&n); err != nil {
		return 0, fmt.Errorf("read feed position: %w", err)
	}
	return n, nil
}

type rowQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadPushJobs reads rows selected by the SQL tail (WHERE … ORDER BY …)
// with their messages and deliveries.
func loadPushJobs(ctx context.Context, q rowQuerier, tail string, args ...any) ([]PushJob, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+pushJobCols+" FROM push_queue "+tail, args...)
	if err != nil {
		return nil, err
	}
	var jobs []PushJob
	byID := map[int64]int{}
	for rows.Next() {
		var j PushJob
		var payload, created, updated string
		var leaseUntil, next, expires, deadline, sent sql.NullString
		if err := rows.Scan(&j.ID, &j.StoreID, &j.ProductID, &j.Date, &j.Status, &j.Segment, &payload, &j.Attempts, &j.LastError, &created, &updated,
			&j.LeaseOwner, &leaseUntil, &next, &expires, &j.Approval, &deadline, &j.DecidedBy, &sent); err != nil {
			rows.Close()
			return nil, err
		}
		j.Payload = json.RawMessage(payload)
		var errs []error
		var e error
		j.CreatedAt, e = decodeTime(created)
		errs = append(errs, e)
		j.UpdatedAt, e = decodeTime(updated)
		errs = append(errs, e)
		for _, f := range []struct {
			dst **time.Time
			src sql.NullString
		}{{&j.LeaseUntil, leaseUntil}, {&j.NextAttemptAt, next}, {&j.ExpiresAt, expires}, {&j.ApprovalDeadline, deadline}, {&j.SentAt, sent}} {
			*f.dst, e = decodeOptTime(f.src)
			errs = append(errs, e)
		}
		if err := errors.Join(errs...); err != nil {
			rows.Close()
			return nil, err
		}
		j.Delivered = map[string]bool{}
		byID[j.ID] = len(jobs)
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	// Chunks keep the IN lists under SQLite's variable limit.
	for chunk := range slices.Chunk(ids, 500) {
		in := "(" + sqlList(len(chunk)) + ")"
		mrows, err := q.QueryContext(ctx, `SELECT push_id, segment, locale, headline, push_text, action_line, discount_pct, outcome, reason
FROM push_messages WHERE push_id IN `+in+` ORDER BY push_id, segment`, idArgs(chunk)...)
		if err != nil {
			return nil, err
		}
		for mrows.Next() {
			var m PushMessage
			if err := mrows.Scan(&m.PushID, &m.Segment, &m.Locale, &m.Headline, &m.PushText, &m.ActionLine, &m.DiscountPct, &m.Outcome, &m.Reason); err != nil {
				mrows.Close()
				return nil, err
			}
			j := &jobs[byID[m.PushID]]
			j.Messages = append(j.Messages, m)
		}
		mrows.Close()
		if err := mrows.Err(); err != nil {
			return nil, err
		}
		drows, err := q.QueryContext(ctx, `SELECT push_id, key, channel FROM push_deliveries WHERE push_id IN `+in, idArgs(chunk)...)
		if err != nil {
			return nil, err
		}
		for drows.Next() {
			var id int64
			var key, ch string
			if err := drows.Scan(&id, &key, &ch); err != nil {
				drows.Close()
				return nil, err
			}
			jobs[byID[id]].Delivered[key+" "+ch] = true
		}
		drows.Close()
		if err := drows.Err(); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

func queryIDList(ctx context.Context, q rowQuerier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func sqlList(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func idArgs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func optTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return encodeTime(*t)
}

func decodeOptTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	t, err := decodeTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
