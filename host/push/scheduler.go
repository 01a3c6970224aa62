package push

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/store"
)

// RunInfo tells an action about its run.
type RunInfo struct {
	Job    string
	RunID  int64
	Cause  string     // schedule, catchup or manual
	Slot   *time.Time // the cron slot; nil for a manual run
	Now    time.Time
	Locale string
	Prompt string
	// Reply is set by a prompt action: the chat reply, with its tables and
	// charts, for destinations that can show them (Slack).
	Reply *chat.Reply
}

// Action is the work of a job. Its output (text or JSON) is recorded with
// the run and sent to the job's destination.
type Action interface {
	Run(ctx context.Context, ri *RunInfo) (output string, err error)
}

// ActionFunc adapts a function to an Action.
type ActionFunc func(ctx context.Context, ri *RunInfo) (string, error)

// Run calls f.
func (f ActionFunc) Run(ctx context.Context, ri *RunInfo) (string, error) { return f(ctx, ri) }

// Job is a scheduled job: when, what, and where its result goes.
type Job struct {
	Name        string
	Cron        string
	Location    *time.Location
	Schedule    cron.Schedule
	Grace       time.Duration
	Action      Action
	ActionName  string
	Locale      string
	Prompt      string
	Destination config.Destination
}

// Deliverer sends a job's output to its destination.
type Deliverer interface {
	Deliver(ctx context.Context, job *Job, run *store.Run, ri *RunInfo, output string) error
}

// SchedulerOptions configure a scheduler.
type SchedulerOptions struct {
	Runs  store.Runs
	Jobs  []*Job
	Clock Clock
	// Deliver sends results to destinations; nil records them only.
	Deliver Deliverer
	Logger  *slog.Logger
	Owner   string
	// Lease is how long a run holds its job between renewals (default 1m).
	Lease time.Duration
	// Metrics, when set, count runs by job and status.
	Metrics *Metrics
}

// Scheduler runs jobs on their schedules.
type Scheduler struct {
	o     SchedulerOptions
	jobs  []*Job
	clock Clock
	log   *slog.Logger
	lease time.Duration

	mu   sync.Mutex
	next map[string]time.Time
	wg   sync.WaitGroup
}

// NewScheduler checks the jobs and returns a scheduler.
func NewScheduler(o SchedulerOptions) (*Scheduler, error) {
	if o.Runs == nil {
		return nil, errors.New("scheduler: a run store is required")
	}
	seen := map[string]bool{}
	for _, j := range o.Jobs {
		switch {
		case j.Name == "":
			return nil, errors.New("scheduler: a job has no name")
		case seen[j.Name]:
			return nil, fmt.Errorf("scheduler: job %s is defined twice", j.Name)
		case j.Schedule == nil || j.Action == nil:
			return nil, fmt.Errorf("scheduler: job %s needs a schedule and an action", j.Name)
		}
		seen[j.Name] = true
		if j.Location == nil {
			j.Location = kst
		}
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Owner == "" {
		o.Owner = NewOwner()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	jobs := slices.Clone(o.Jobs)
	slices.SortFunc(jobs, func(a, b *Job) int { return cmp.Compare(a.Name, b.Name) })
	return &Scheduler{o: o, jobs: jobs, clock: o.Clock, log: o.Logger, lease: cmp.Or(o.Lease, time.Minute), next: map[string]time.Time{}}, nil
}

// Jobs returns the jobs, sorted by name.
func (s *Scheduler) Jobs() []*Job { return s.jobs }

// Job returns the named job.
func (s *Scheduler) Job(name string) (*Job, error) {
	for _, j := range s.jobs {
		if j.Name == name {
			return j, nil
		}
	}
	names := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		names[i] = j.Name
	}
	return nil, fmt.Errorf("no job named %q: the jobs are %v (`crumb schedule ls`)", name, names)
}

// LastSlot is the latest slot of j at or before t, or false when there is
// none in the week before t (a schedule may fire as rarely as once a year,
// but a missed run older than a week is not caught up anyway).
func LastSlot(j *Job, t time.Time) (time.Time, bool) {
	from := t.Add(-7 * 24 * time.Hour)
	var last time.Time
	for s := j.Schedule.Next(from); !s.After(t) && !s.IsZero(); s = j.Schedule.Next(s) {
		last = s
	}
	return last, !last.IsZero()
}

// Start recovers from a previous process: runs whose process died are
// marked interrupted, and a run missed while the host was down (a job that
// has run before, whose latest slot has no run) is started once, in the
// background, when its slot is still inside the job's grace period, and
// recorded as missed otherwise. It then arms each job's next slot; Run
// ticks afterwards.
func (s *Scheduler) Start(ctx context.Context) error {
	now := s.clock.Now()
	stale, err := s.o.Runs.InterruptRuns(ctx, now)
	if err != nil {
		return err
	}
	for _, r := range stale {
		s.log.Warn("scheduled run interrupted by a host stop", "job", r.Job, "run", r.ID, "started", r.StartedAt)
	}
	last, err := s.o.Runs.LastRuns(ctx)
	if err != nil {
		return err
	}
	for _, j := range s.jobs {
		s.mu.Lock()
		s.next[j.Name] = j.Schedule.Next(now)
		s.mu.Unlock()
		// Only a job that has run before can have been missed: a new
		// install, or a new job, starts with its next slot.
		prev, ran := last[j.Name]
		if !ran {
			continue
		}
		slot, ok := LastSlot(j, now)
		if !ok {
			continue
		}
		// A run started after the slot (by hand, say) did the slot's work.
		if !prev.StartedAt.Before(slot) && prev.Status != store.RunInterrupted {
			continue
		}
		if _, err := s.o.Runs.SlotRun(ctx, j.Name, slot); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		late := now.Sub(slot)
		if late > j.Grace {
			sl := slot
			_, err := s.o.Runs.RecordRun(ctx, &store.Run{Job: j.Name, ScheduledFor: &sl, Cause: store.CauseCatchUp, Owner: s.o.Owner,
				StartedAt: now, Status: store.RunMissed,
				Error: fmt.Sprintf("the host was down at %s and came back %s later, after the %s grace period", slot.In(j.Location).Format("2006-01-02 15:04 MST"), late.Round(time.Second), j.Grace)})
			if err != nil {
				return err
			}
			s.o.Metrics.run(j.Name, store.RunMissed, 0)
			s.log.Warn("scheduled run missed", "job", j.Name, "slot", slot, "late", late.Round(time.Second), "grace", j.Grace)
			continue
		}
		s.log.Info("catching up a run missed while the host was down", "job", j.Name, "slot", slot, "late", late.Round(time.Second))
		sl := slot
		s.wg.Go(func() { _, _ = s.execute(context.WithoutCancel(ctx), j, &sl, store.CauseCatchUp) })
	}
	return nil
}

// Next is the next slot armed for a job.
func (s *Scheduler) Next(name string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next[name]
}

// due returns the jobs whose armed slot has come, with the latest slot of
// each that is at or before now, and arms their next slot.
func (s *Scheduler) due(now time.Time) (jobs []*Job, slots []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		n, ok := s.next[j.Name]
		if !ok {
			n = j.Schedule.Next(now.Add(-time.Nanosecond))
			s.next[j.Name] = n
		}
		if n.After(now) {
			continue
		}
		// The clock may have jumped over several slots (a suspended
		// machine): they coalesce into the latest one.
		slot := n
		for x := j.Schedule.Next(n); !x.After(now) && !x.IsZero(); x = j.Schedule.Next(x) {
			slot = x
		}
		s.next[j.Name] = j.Schedule.Next(now)
		jobs = append(jobs, j)
		slots = append(slots, slot)
	}
	return jobs, slots
}

// Tick runs the jobs that are due at the clock's now and waits for them.
// Tests drive the scheduler with it; Run calls it in the background.
func (s *Scheduler) Tick(ctx context.Context) []*store.Run {
	now := s.clock.Now()
	jobs, slots := s.due(now)
	runs := make([]*store.Run, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() { runs[i], _ = s.fire(ctx, j, slots[i], now) })
	}
	wg.Wait()
	return slices.DeleteFunc(runs, func(r *store.Run) bool { return r == nil })
}

func (s *Scheduler) fire(ctx context.Context, j *Job, slot, now time.Time) (*store.Run, error) {
	if late := now.Sub(slot); late > j.Grace {
		sl := slot
		s.o.Metrics.run(j.Name, store.RunMissed, 0)
		return s.o.Runs.RecordRun(ctx, &store.Run{Job: j.Name, ScheduledFor: &sl, Cause: store.CauseSchedule, Owner: s.o.Owner, StartedAt: now,
			Status: store.RunMissed, Error: fmt.Sprintf("the scheduler woke %s after the slot, past the %s grace period (was the machine suspended?)", late.Round(time.Second), j.Grace)})
	}
	return s.execute(ctx, j, &slot, store.CauseSchedule)
}

// Run ticks whenever a job's next slot comes, until ctx ends; it then
// waits for the runs in progress.
func (s *Scheduler) Run(ctx context.Context) {
	defer s.wg.Wait()
	for {
		now := s.clock.Now()
		wait := time.Hour
		s.mu.Lock()
		for _, j := range s.jobs {
			n, ok := s.next[j.Name]
			if !ok {
				n = j.Schedule.Next(now)
				s.next[j.Name] = n
			}
			wait = min(wait, n.Sub(now))
		}
		s.mu.Unlock()
		if wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.clock.After(wait):
			}
		}
		now = s.clock.Now()
		jobs, slots := s.due(now)
		for i, j := range jobs {
			s.wg.Go(func() { _, _ = s.fire(ctx, j, slots[i], now) })
		}
	}
}

// Wait waits for runs started in the background.
func (s *Scheduler) Wait() { s.wg.Wait() }

// RunNow runs a job at once (`crumb schedule run`) and returns its record.
// A job that is running already is refused with store.ErrJobBusy.
func (s *Scheduler) RunNow(ctx context.Context, name string) (*store.Run, error) {
	j, err := s.Job(name)
	if err != nil {
		return nil, err
	}
	return s.execute(ctx, j, nil, store.CauseManual)
}

// execute runs j once under its lease and records the run.
func (s *Scheduler) execute(ctx context.Context, j *Job, slot *time.Time, cause string) (*store.Run, error) {
	start := s.clock.Now()
	run, holder, err := s.o.Runs.BeginRun(ctx, &store.Run{Job: j.Name, ScheduledFor: slot, Cause: cause, Owner: s.o.Owner, StartedAt: start}, s.lease)
	switch {
	case errors.Is(err, store.ErrSlotDone):
		s.log.Info("scheduled slot ran already (another process)", "job", j.Name, "slot", slot)
		return nil, err
	case errors.Is(err, store.ErrJobBusy) && cause != store.CauseManual:
		msg := fmt.Sprintf("%s was still running", j.Name)
		if holder != nil {
			msg = fmt.Sprintf("%s was still running (run %d by %s, lease until %s)", j.Name, holder.RunID, holder.Owner, holder.ExpiresAt.Format(time.RFC3339))
		}
		s.log.Warn("scheduled run skipped: the job is running", "job", j.Name, "slot", slot)
		s.o.Metrics.run(j.Name, store.RunSkipped, 0)
		return s.o.Runs.RecordRun(ctx, &store.Run{Job: j.Name, ScheduledFor: slot, Cause: cause, Owner: s.o.Owner, StartedAt: start, Status: store.RunSkipped, Error: msg})
	case err != nil:
		return nil, err
	}
	log := s.log.With("job", j.Name, "run", run.ID, "cause", cause)
	log.Info("scheduled run started")
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go func() { // keeps the lease while the action works
		for {
			select {
			case <-done:
				return
			case <-s.clock.After(s.lease / 3):
			}
			if err := s.o.Runs.RenewJobLease(context.WithoutCancel(ctx), j.Name, run.ID, s.clock.Now().Add(s.lease)); err != nil {
				log.Error("lost the job lease; stopping the run", "err", err)
				cancel(err)
				return
			}
		}
	}()
	ri := &RunInfo{Job: j.Name, RunID: run.ID, Cause: cause, Slot: slot, Now: start, Locale: j.Locale, Prompt: j.Prompt}
	output, err := runAction(rctx, j.Action, ri)
	if err == nil && s.o.Deliver != nil {
		if derr := s.o.Deliver.Deliver(rctx, j, run, ri, output); derr != nil {
			err = fmt.Errorf("deliver the result to %s: %w", j.Destination.Kind, derr)
		}
	}
	close(done)
	end := s.clock.Now()
	run.FinishedAt, run.Output, run.Status = &end, output, store.RunOK
	if err != nil {
		run.Status, run.Error = store.RunFailed, err.Error()
	}
	if ferr := s.o.Runs.FinishRun(context.WithoutCancel(ctx), run); ferr != nil {
		return run, errors.Join(err, ferr)
	}
	s.o.Metrics.run(j.Name, run.Status, end.Sub(start))
	log.Info("scheduled run finished", "status", run.Status, "ms", end.Sub(start).Milliseconds(), "err", run.Error)
	return run, nil
}

func runAction(ctx context.Context, a Action, ri *RunInfo) (out string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the action panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return a.Run(ctx, ri)
}
