package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run states of a scheduled job.
const (
	RunRunning     = "running"
	RunOK          = "ok"
	RunFailed      = "failed"
	RunSkipped     = "skipped"     // the job was still running at its next slot
	RunMissed      = "missed"      // the host was down at the slot and came back after the grace period
	RunInterrupted = "interrupted" // the host stopped during the run
)

// Why a run started.
const (
	CauseSchedule = "schedule"
	CauseCatchUp  = "catchup"
	CauseManual   = "manual"
)

// Run is one run of a scheduled job.
type Run struct {
	ID           int64      `json:"id"`
	Job          string     `json:"job"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"` // the cron slot; nil when started by hand
	Cause        string     `json:"cause"`
	Owner        string     `json:"owner"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	Status       string     `json:"status"`
	Output       string     `json:"output,omitempty"`
	Error        string     `json:"error,omitempty"`
}

// JobLease says who runs a job now.
type JobLease struct {
	Job        string
	Owner      string
	RunID      int64
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// ErrJobBusy is returned (wrapped) when a job's lease is held by a live run.
var ErrJobBusy = errors.New("job is already running")

// ErrSlotDone is returned (wrapped) when a slot already has a run.
var ErrSlotDone = errors.New("the slot has run already")

// Runs records scheduled runs and keeps one run of a job at a time.
type Runs interface {
	// BeginRun takes the job's lease for owner until now+lease and records
	// a running run in the same transaction. It fails with ErrJobBusy (and
	// the holder's lease) when another run holds an unexpired lease, and
	// with ErrSlotDone when r.ScheduledFor is set and the slot already has
	// a run that did not end interrupted.
	BeginRun(ctx context.Context, r *Run, lease time.Duration) (*Run, *JobLease, error)
	// RenewJobLease extends the lease of run id to until; it fails with
	// ErrJobBusy when the lease is no longer the run's.
	RenewJobLease(ctx context.Context, job string, runID int64, until time.Time) error
	// FinishRun records the run's end and releases the job's lease.
	FinishRun(ctx context.Context, r *Run) error
	// RecordRun inserts a finished record (skipped, missed).
	RecordRun(ctx context.Context, r *Run) (*Run, error)
	// InterruptRuns marks running runs whose lease ran out (or is gone) as
	// interrupted, at now, and returns them.
	InterruptRuns(ctx context.Context, now time.Time) ([]Run, error)
	// SlotRun returns the latest run of job for slot that did not end
	// interrupted, or ErrNotFound.
	SlotRun(ctx context.Context, job string, slot time.Time) (*Run, error)
	// Runs lists a job's runs (every job when empty), newest first.
	Runs(ctx context.Context, job string, limit int) ([]Run, error)
	// LastRuns returns the latest run of each job.
	LastRuns(ctx context.Context) (map[string]Run, error)
	// JobLeases lists the leases currently held.
	JobLeases(ctx context.Context, now time.Time) ([]JobLease, error)
}

var _ Runs = (*SQLite)(nil)

const runCols = "id, job, scheduled_for, cause, owner, started_at, finished_at, status, output, error"

// BeginRun takes the lease and records the run in one write transaction.
func (s *SQLite) BeginRun(ctx context.Context, r *Run, lease time.Duration) (*Run, *JobLease, error) {
	switch {
	case r == nil || r.Job == "" || r.Owner == "":
		return nil, nil, errors.New("begin run: job and owner are required")
	case lease <= 0:
		return nil, nil, fmt.Errorf("begin run %s: the lease must be positive", r.Job)
	case r.StartedAt.IsZero():
		return nil, nil, fmt.Errorf("begin run %s: the start time is required", r.Job)
	}
	out := *r
	out.Status = RunRunning
	if out.Cause == "" {
		out.Cause = CauseSchedule
	}
	now := encodeTime(r.StartedAt)
	var holder *JobLease
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		l, err := readLease(ctx, tx, r.Job)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil && l.ExpiresAt.After(r.StartedAt) {
			holder = l
			return fmt.Errorf("%w: run %d holds it until %s", ErrJobBusy, l.RunID, l.ExpiresAt.Format(time.RFC3339))
		}
		if r.ScheduledFor != nil {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM scheduled_runs WHERE job = ? AND scheduled_for = ? AND status <> ? ORDER BY id DESC LIMIT 1`,
				r.Job, encodeTime(*r.ScheduledFor), RunInterrupted).Scan(&id)
			if err == nil {
				return fmt.Errorf("%w: run %d", ErrSlotDone, id)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO scheduled_runs (job, started_at, finished_at, status, output, error, scheduled_for, cause, owner)
VALUES (?, ?, NULL, ?, '', '', ?, ?, ?) RETURNING id`, out.Job, now, out.Status, optTime(out.ScheduledFor), out.Cause, out.Owner).Scan(&out.ID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO job_leases (job, owner, run_id, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, run_id = excluded.run_id, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
			out.Job, out.Owner, out.ID, now, encodeTime(r.StartedAt.Add(lease)))
		return err
	})
	if err != nil {
		return nil, holder, fmt.Errorf("begin run of %s: %w", r.Job, err)
	}
	out.StartedAt = r.StartedAt.UTC()
	return &out, nil, nil
}

func readLease(ctx context.Context, tx *sql.Tx, job string) (*JobLease, error) {
	var l JobLease
	var acquired, expires string
	err := tx.QueryRowContext(ctx, "SELECT job, owner, run_id, acquired_at, expires_at FROM job_leases WHERE job = ?", job).
		Scan(&l.Job, &l.Owner, &l.RunID, &acquired, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if l.AcquiredAt, err = decodeTime(acquired); err != nil {
		return nil, err
	}
	if l.ExpiresAt, err = decodeTime(expires); err != nil {
		return nil, err
	}
	return &l, nil
}

// RenewJobLease extends a run's lease.
func (s *SQLite) RenewJobLease(ctx context.Context, job string, runID int64, until time.Time) error {
	res, err := s.w.ExecContext(ctx, "UPDATE job_leases SET expires_at = ? WHERE job = ? AND run_id = ?", encodeTime(until), job, runID)
	if err != nil {
		return fmt.Errorf("renew lease of %s: %w", job, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("renew lease of %s for run %d: %w: another run took it over", job, runID, ErrJobBusy)
	}
	return nil
}

// FinishRun records the end of a run and drops its lease.
func (s *SQLite) FinishRun(ctx context.Context, r *Run) error {
	if r == nil || r.ID == 0 || r.FinishedAt == nil {
		return errors.New("finish run: id and finish time are required")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE scheduled_runs SET finished_at = ?, status = ?, output = ?, error = ? WHERE id = ?",
			encodeTime(*r.FinishedAt), r.Status, r.Output, r.Error, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("run %d: %w", r.ID, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM job_leases WHERE job = ? AND run_id = ?", r.Job, r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish run %d of %s: %w", r.ID, r.Job, err)
	}
	return nil
}

// RecordRun inserts a finished record.
func (s *SQLite) RecordRun(ctx context.Context, r *Run) (*Run, error) {
	if r == nil || r.Job == "" || r.Status == "" || r.StartedAt.IsZero() {
		return nil, errors.New("record run: job, status and start time are required")
	}
	out := *r
	if out.Cause == "" {
		out.Cause = CauseSchedule
	}
	if out.FinishedAt == nil {
		t := out.StartedAt
		out.FinishedAt = &t
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO scheduled_runs (job, started_at, finished_at, status, output, error, scheduled_for, cause, owner)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, out.Job, encodeTime(out.StartedAt), optTime(out.FinishedAt), out.Status, out.Output, out.Error,
		optTime(out.ScheduledFor), out.Cause, out.Owner).Scan(&out.ID)
	if err != nil {
		return nil, fmt.Errorf("record run of %s: %w", r.Job, err)
	}
	return &out, nil
}

// InterruptRuns closes the records of runs whose process went away.
func (s *SQLite) InterruptRuns(ctx context.Context, now time.Time) ([]Run, error) {
	at := encodeTime(now)
	var out []Run
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+runCols+` FROM scheduled_runs r WHERE status = ? AND NOT EXISTS
(SELECT 1 FROM job_leases l WHERE l.job = r.job AND l.run_id = r.id AND l.expires_at > ?) ORDER BY id`, RunRunning, at)
		if err != nil {
			return err
		}
		out, err = scanRuns(rows)
		if err != nil {
			return err
		}
		for i := range out {
			r := &out[i]
			t := now.UTC()
			r.FinishedAt, r.Status = &t, RunInterrupted
			r.Error = "the host stopped during the run (its lease ran out)"
			if _, err := tx.ExecContext(ctx, "UPDATE scheduled_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?", r.Status, at, r.Error, r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM job_leases WHERE job = ? AND run_id = ?", r.Job, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("interrupt stale runs: %w", err)
	}
	return out, nil
}

// SlotRun finds the run of a slot.
func (s *SQLite) SlotRun(ctx context.Context, job string, slot time.Time) (*Run, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+runCols+` FROM scheduled_runs WHERE job = ? AND scheduled_for = ? AND status <> ? ORDER BY id DESC LIMIT 1`,
		job, encodeTime(slot), RunInterrupted)
	if err != nil {
		return nil, fmt.Errorf("read run of %s at %s: %w", job, slot.Format(time.RFC3339), err)
	}
	runs, err := scanRuns(rows)
	if err != nil {
		return nil, fmt.Errorf("read run of %s: %w", job, err)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("run of %s at %s: %w", job, slot.Format(time.RFC3339), ErrNotFound)
	}
	return &runs[0], nil
}

// Runs lists runs, newest first.
func (s *SQLite) Runs(ctx context.Context, job string, limit int) ([]Run, error) {
	q := "SELECT " + runCols + " FROM scheduled_runs"
	var args []any
	if job != "" {
		q += " WHERE job = ?"
		args = append(args, job)
	}
	q += " ORDER BY id DESC"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	runs, err := scanRuns(rows)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// LastRuns returns each job's latest run.
func (s *SQLite) LastRuns(ctx context.Context) (map[string]Run, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+runCols+` FROM scheduled_runs WHERE id IN (SELECT MAX(id) FROM scheduled_runs GROUP BY job)`)
	if err != nil {
		return nil, fmt.Errorf("list last runs: %w", err)
	}
	runs, err := scanRuns(rows)
	if err != nil {
		return nil, fmt.Errorf("list last runs: %w", err)
	}
	out := make(map[string]Run, len(runs))
	for _, r := range runs {
		out[r.Job] = r
	}
	return out, nil
}

// JobLeases lists unexpired leases.
func (s *SQLite) JobLeases(ctx context.Context, now time.Time) ([]JobLease, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT job, owner, run_id, acquired_at, expires_at FROM job_leases WHERE expires_at > ? ORDER BY job", encodeTime(now))
	if err != nil {
		return nil, fmt.Errorf("list job leases: %w", err)
	}
	defer rows.Close()
	var out []JobLease
	for rows.Next() {
		var l JobLease
		var acquired, expires string
		if err := rows.Scan(&l.Job, &l.Owner, &l.RunID, &acquired, &expires); err != nil {
			return nil, fmt.Errorf("list job leases: %w", err)
		}
		if l.AcquiredAt, err = decodeTime(acquired); err != nil {
			return nil, err
		}
		if l.ExpiresAt, err = decodeTime(expires); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanRuns(rows *sql.Rows) ([]Run, error) {
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var slot, finished sql.NullString
		var started string
		if err := rows.Scan(&r.ID, &r.Job, &slot, &r.Cause, &r.Owner, &started, &finished, &r.Status, &r.Output, &r.Error); err != nil {
			return nil, err
		}
		var err error
		if r.StartedAt, err = decodeTime(started); err != nil {
			return nil, err
		}
		if r.ScheduledFor, err = decodeOptTime(slot); err != nil {
			return nil, err
		}
		if r.FinishedAt, err = decodeOptTime(finished); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
