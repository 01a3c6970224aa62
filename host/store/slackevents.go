package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Slack event states.
const (
	SlackClaimed  = "claimed"
	SlackAnswered = "answered"
	SlackFailed   = "failed"
)

// SlackClaim is the ledger row of one Slack event the caller now owns.
type SlackClaim struct {
	Key      string
	Channel  string
	ReplyTS  string // the message already posted for it by an earlier attempt, if any
	Attempts int
}

// SlackEvents is the durable ledger that makes Slack replies happen once:
// an event is claimed before anything is posted, and a retry, a replay or a
// second replica finds the claim.
type SlackEvents interface {
	// ClaimSlackEvent claims key for the caller. ok is false when the key
	// was answered already, or is claimed by someone else whose lease has
	// not run out, or has used maxAttempts. An earlier attempt that failed
	// or whose lease ran out (a crash) is taken over, and its ReplyTS, if
	// it posted one, is returned so that the answer updates that message
	// instead of posting a second one.
	ClaimSlackEvent(ctx context.Context, key, channel string, lease time.Duration, maxAttempts int) (claim *SlackClaim, ok bool, err error)
	// SetSlackReply records the message that carries the answer.
	SetSlackReply(ctx context.Context, key, replyTS string) error
	// FinishSlackEvent records the outcome: SlackAnswered or SlackFailed.
	FinishSlackEvent(ctx context.Context, key, status, errText string) error
	// PruneSlackEvents deletes entries claimed before before (Slack stops
	// retrying after about an hour) and returns how many.
	PruneSlackEvents(ctx context.Context, before time.Time) (int, error)
}

var _ SlackEvents = (*SQLite)(nil)

// ClaimSlackEvent claims an event in one write transaction.
func (s *SQLite) ClaimSlackEvent(ctx context.Context, key, channel string, lease time.Duration, maxAttempts int) (*SlackClaim, bool, error) {
	if key == "" {
		return nil, false, errors.New("claim slack event: empty key")
	}
	now := s.now()
	at := encodeTime(now)
	var claim *SlackClaim
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO slack_events (key, channel, status, reply_ts, attempts, claimed_at, updated_at, error)
VALUES (?, ?, ?, '', 1, ?, ?, '') ON CONFLICT (key) DO NOTHING`, key, channel, SlackClaimed, at, at)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			claim = &SlackClaim{Key: key, Channel: channel, Attempts: 1}
			return nil
		}
		var status, replyTS, claimedAt, ch string
		var attempts int
		err = tx.QueryRowContext(ctx, "SELECT channel, status, reply_ts, attempts, claimed_at FROM slack_events WHERE key = ?", key).
			Scan(&ch, &status, &replyTS, &attempts, &claimedAt)
		if err != nil {
			return err
		}
		claimed, err := decodeTime(claimedAt)
		if err != nil {
			return err
		}
		switch {
		case status == SlackAnswered:
			return nil
		case status == SlackClaimed && now.Sub(claimed) < lease:
			return nil
		case attempts >= maxAttempts:
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE slack_events SET status = ?, attempts = attempts + 1, claimed_at = ?, updated_at = ? WHERE key = ?",
			SlackClaimed, at, at, key); err != nil {
			return err
		}
		claim = &SlackClaim{Key: key, Channel: ch, ReplyTS: replyTS, Attempts: attempts + 1}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim slack event %s: %w", key, err)
	}
	return claim, claim != nil, nil
}

// SetSlackReply records the answer's message timestamp.
func (s *SQLite) SetSlackReply(ctx context.Context, key, replyTS string) error {
	return s.updateSlackEvent(ctx, key, "reply_ts = ?", replyTS)
}

// FinishSlackEvent records the outcome of an event.
func (s *SQLite) FinishSlackEvent(ctx context.Context, key, status, errText string) error {
	if status != SlackAnswered && status != SlackFailed {
		return fmt.Errorf("finish slack event %s: status %q: want %s or %s", key, status, SlackAnswered, SlackFailed)
	}
	return s.updateSlackEvent(ctx, key, "status = ?, error = ?", status, errText)
}

func (s *SQLite) updateSlackEvent(ctx context.Context, key, set string, args ...any) error {
	args = append(args, encodeTime(s.now()), key)
	res, err := s.w.ExecContext(ctx, "UPDATE slack_events SET "+set+", updated_at = ? WHERE key = ?", args...)
	if err != nil {
		return fmt.Errorf("update slack event %s: %w", key, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update slack event %s: %w", key, err)
	} else if n == 0 {
		return fmt.Errorf("update slack event %s: %w", key, ErrNotFound)
	}
	return nil
}

// PruneSlackEvents deletes old ledger rows.
func (s *SQLite) PruneSlackEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, "DELETE FROM slack_events WHERE claimed_at < ?", encodeTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune slack events: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
