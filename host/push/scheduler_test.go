package push

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/store"
)

// countingAction records its runs and can be held inside a run.
type countingAction struct {
	mu    sync.Mutex
	runs  []RunInfo
	fail  error
	hold  chan struct{} // when set, a run waits on it
	start chan struct{} // when set, receives when a run starts
}

func (a *countingAction) Run(ctx context.Context, ri *RunInfo) (string, error) {
	a.mu.Lock()
	a.runs = append(a.runs, *ri)
	hold, start := a.hold, a.start
	a.mu.Unlock()
	if start != nil {
		start <- struct{}{}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return `{"ok":true}`, a.fail
}

func (a *countingAction) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.runs)
}

func job(t *testing.T, name, cron, tz string, grace time.Duration, a Action) *Job {
	t.Helper()
	jc := config.JobConfig{Cron: cron, TimeZone: tz}
	sched, loc, err := jc.ParseCron()
	if err != nil {
		t.Fatal(err)
	}
	return &Job{Name: name, Cron: cron, Location: loc, Schedule: sched, Grace: grace, Action: a, Destination: config.Destination{Kind: "none"}}
}

func newScheduler(t *testing.T, st store.Runs, clock Clock, owner string, jobs ...*Job) *Scheduler {
	t.Helper()
	s, err := NewScheduler(SchedulerOptions{Runs: st, Jobs: jobs, Clock: clock, Owner: owner, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchedulerKSTAndMonthEnds(t *testing.T) {
	for _, tc := range []struct {
		name, cron, tz string
		from           string // KST
		want           []string
	}{
		// 17:00 in Seoul is 08:00 UTC; across the end of January.
		{"daily 17:00 KST", "0 17 * * *", "Asia/Seoul", "2026-01-31 16:59", []string{"2026-01-31 17:00", "2026-02-01 17:00"}},
		// Midnight on the 1st in Seoul is still the last day of the month in UTC.
		{"first of month, KST midnight", "0 0 1 * *", "Asia/Seoul", "2026-02-15 12:00", []string{"2026-03-01 00:00", "2026-04-01 00:00"}},
		// The 31st skips the short months.
		{"the 31st", "30 23 31 * *", "Asia/Seoul", "2026-01-31 23:31", []string{"2026-03-31 23:30", "2026-05-31 23:30", "2026-07-31 23:30"}},
		// 29 February only in leap years.
		{"leap day", "0 17 29 2 *", "Asia/Seoul", "2026-01-01 00:00", []string{"2028-02-29 17:00"}},
		// Monday 09:00 (the weekly VIP report).
		{"monday 09:00", "0 9 * * 1", "Asia/Seoul", "2026-11-21 10:00", []string{"2026-11-23 09:00", "2026-11-30 09:00"}},
		// A job in another zone: 09:00 in New York is 23:00 in Seoul (22:00 in summer).
		{"new york", "0 9 * * *", "America/New_York", "2026-03-07 12:00", []string{"2026-03-07 23:00", "2026-03-08 22:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := job(t, "j", tc.cron, tc.tz, time.Minute, &countingAction{})
			at := kstTime(tc.from)
			var got []string
			for range tc.want {
				at = j.Schedule.Next(at)
				got = append(got, at.In(seoul).Format("2006-01-02 15:04"))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("next slots %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSchedulerTickRunsEachSlotOnce(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	clock := newFakeClock(kstTime("2026-01-31 16:59"))
	act := &countingAction{}
	s := newScheduler(t, st, clock, "a", job(t, "daily_waste_push", "0 17 * * *", "Asia/Seoul", 25*time.Minute, act))
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if runs := s.Tick(ctx); len(runs) != 0 {
		t.Fatalf("ran before 17:00: %+v", runs)
	}
	clock.Set(kstTime("2026-01-31 17:00"))
	runs := s.Tick(ctx)
	if len(runs) != 1 || runs[0].Status != store.RunOK || runs[0].Cause != store.CauseSchedule || !runs[0].ScheduledFor.Equal(kstTime("2026-01-31 17:00")) {
		t.Fatalf("17:00 tick: %+v", runs)
	}
	if runs[0].Output != `{"ok":true}` || runs[0].FinishedAt == nil {
		t.Fatalf("run record: %+v", runs[0])
	}
	clock.Set(kstTime("2026-01-31 17:05"))
	if runs := s.Tick(ctx); len(runs) != 0 {
		t.Fatalf("ran twice in a day: %+v", runs)
	}
	if got := s.Next("daily_waste_push"); !got.Equal(kstTime("2026-02-01 17:00")) {
		t.Fatalf("next %s", got.In(seoul))
	}
	// A second scheduler (another replica) at the same slot does not run it again.
	s2 := newScheduler(t, st, clock, "b", job(t, "daily_waste_push", "0 17 * * *", "Asia/Seoul", 25*time.Minute, act))
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s2.Wait()
	if act.count() != 1 {
		t.Fatalf("action ran %d times", act.count())
	}
}

func TestSchedulerCatchUpAfterDowntime(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	act := &countingAction{}
	mk := func(owner string, at string) (*Scheduler, *fakeClock) {
		clock := newFakeClock(kstTime(at))
		return newScheduler(t, st, clock, owner, job(t, "daily_waste_push", "0 17 * * *", "Asia/Seoul", 25*time.Minute, act)), clock
	}
	// Day 1: the host runs the 17:00 push.
	s, clock := mk("a", "2026-02-27 16:59")
	s.Start(ctx)
	clock.Set(kstTime("2026-02-27 17:00"))
	s.Tick(ctx)
	// Day 2 (the last day of February): the host is down from 16:50 to 17:10.
	s, _ = mk("b", "2026-02-28 17:10")
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	runs, _ := st.Runs(ctx, "daily_waste_push", 0)
	if act.count() != 2 || runs[0].Cause != store.CauseCatchUp || runs[0].Status != store.RunOK || !runs[0].ScheduledFor.Equal(kstTime("2026-02-28 17:00")) {
		t.Fatalf("catch-up: %d runs, latest %+v", act.count(), runs[0])
	}
	// It restarts again at 17:12: the slot ran, nothing happens.
	s, _ = mk("c", "2026-02-28 17:12")
	s.Start(ctx)
	s.Wait()
	if act.count() != 2 {
		t.Fatalf("restart ran the slot again: %d", act.count())
	}
	// Day 3 (1 March): back only at 17:40, past the 25 minute grace: recorded
	// as missed, not run.
	s, _ = mk("d", "2026-03-01 17:40")
	s.Start(ctx)
	s.Wait()
	runs, _ = st.Runs(ctx, "daily_waste_push", 1)
	if act.count() != 2 || runs[0].Status != store.RunMissed || !strings.Contains(runs[0].Error, "2026-03-01 17:00 KST") || !strings.Contains(runs[0].Error, "40m0s later") {
		t.Fatalf("missed: %d runs, latest %+v", act.count(), runs[0])
	}
	// A fresh install did not miss anything, late or not: it starts with
	// the next slot.
	for _, at := range []string{"2026-03-01 17:10", "2026-03-01 17:40"} {
		st2 := openStore(t)
		clock := newFakeClock(kstTime(at))
		s = newScheduler(t, st2, clock, "e", job(t, "daily_waste_push", "0 17 * * *", "Asia/Seoul", 25*time.Minute, act))
		s.Start(ctx)
		s.Wait()
		if runs, _ := st2.Runs(ctx, "", 0); len(runs) != 0 || act.count() != 2 {
			t.Fatalf("fresh install at %s: %+v", at, runs)
		}
		if next := s.Next("daily_waste_push"); !next.Equal(kstTime("2026-03-02 17:00")) {
			t.Fatalf("fresh install at %s: next %s", at, next)
		}
	}
}

func TestSchedulerInterruptedRunIsCaughtUp(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// A host started the 03:00 retrain and was killed: its run stays
	// "running" with a lease that runs out.
	slot := kstTime("2026-11-21 03:00")
	if _, _, err := st.BeginRun(ctx, &store.Run{Job: "nightly_retrain", ScheduledFor: &slot, Owner: "dead", StartedAt: slot}, time.Minute); err != nil {
		t.Fatal(err)
	}
	act := &countingAction{}
	clock := newFakeClock(kstTime("2026-11-21 03:20"))
	s := newScheduler(t, st, clock, "new", job(t, "nightly_retrain", "0 3 * * *", "Asia/Seoul", 3*time.Hour, act))
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	runs, _ := st.Runs(ctx, "nightly_retrain", 0)
	if len(runs) != 2 || runs[1].Status != store.RunInterrupted || runs[0].Status != store.RunOK || runs[0].Cause != store.CauseCatchUp || act.count() != 1 {
		t.Fatalf("runs %+v, action %d", runs, act.count())
	}
}

func TestSchedulerNeverRunsAJobTwiceAtOnce(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// Half a minute after the 16:59 slot, past the job's 10 s grace: no
	// catch-up run at start.
	clock := newFakeClock(kstTime("2026-11-21 16:59").Add(30 * time.Second))
	act := &countingAction{hold: make(chan struct{}), start: make(chan struct{}, 4)}
	s := newScheduler(t, st, clock, "a", job(t, "every_minute", "* * * * *", "Asia/Seoul", 10*time.Second, act))
	s.Start(ctx)
	clock.Set(kstTime("2026-11-21 17:00"))
	first := make(chan []*store.Run)
	go func() { first <- s.Tick(ctx) }()
	<-act.start
	// The run renews its lease (every third of it) while it works.
	clock.WaitForWaiters(1)
	clock.Set(kstTime("2026-11-21 17:00").Add(25 * time.Second))
	waitLease(t, st, "every_minute", kstTime("2026-11-21 17:01").Add(10*time.Second))
	// By hand while it runs: refused, saying who runs it.
	if _, err := s.RunNow(ctx, "every_minute"); !errors.Is(err, store.ErrJobBusy) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("manual run during a run: %v", err)
	}
	// Its next slot comes while it still runs: skipped and recorded.
	clock.Set(kstTime("2026-11-21 17:01"))
	runs := s.Tick(ctx)
	if len(runs) != 1 || runs[0].Status != store.RunSkipped || !strings.Contains(runs[0].Error, "still running") {
		t.Fatalf("overlapping slot: %+v", runs)
	}
	// The lease is renewed while it runs: another process is refused
	// even after the first lease period.
	clock.WaitForWaiters(1)
	clock.Advance(50 * time.Second)
	s2 := newScheduler(t, st, clock, "b", job(t, "every_minute", "* * * * *", "Asia/Seoul", 10*time.Second, act))
	waitLease(t, st, "every_minute", clock.Now().Add(30*time.Second))
	if _, err := s2.RunNow(ctx, "every_minute"); !errors.Is(err, store.ErrJobBusy) {
		t.Fatalf("other process during a run: %v", err)
	}
	close(act.hold)
	if r := <-first; len(r) != 1 || r[0].Status != store.RunOK {
		t.Fatalf("first run: %+v", *r[0])
	}
	if act.count() != 1 {
		t.Fatalf("action ran %d times at once", act.count())
	}
	// Free again.
	r, err := s2.RunNow(ctx, "every_minute")
	if err != nil || r.Cause != store.CauseManual || r.ScheduledFor != nil || r.Status != store.RunOK {
		t.Fatalf("manual run: %+v %v", r, err)
	}
}

func waitLease(t *testing.T, st *store.SQLite, jobName string, until time.Time) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ls, _ := st.JobLeases(context.Background(), until)
		for _, l := range ls {
			if l.Job == jobName {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the lease of %s was not renewed past %s", jobName, until)
}

func TestSchedulerRunLoopWithFakeClock(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(kstTime("2026-11-23 08:30")) // a Monday
	act := &countingAction{start: make(chan struct{}, 4)}
	s := newScheduler(t, st, clock, "a", job(t, "weekly_vip_report", "0 9 * * 1", "Asia/Seoul", time.Hour, act))
	s.Start(ctx)
	stopped := make(chan struct{})
	go func() { s.Run(ctx); close(stopped) }()
	clock.WaitForWaiters(1)
	if w := clock.NextWake(); !w.Equal(kstTime("2026-11-23 09:00")) {
		t.Fatalf("the loop sleeps until %s", w.In(seoul))
	}
	clock.Set(kstTime("2026-11-23 09:00"))
	<-act.start
	clock.WaitForWaiters(1)
	// The next wake is capped at an hour; the next run is a week later.
	if got := s.Next("weekly_vip_report"); !got.Equal(kstTime("2026-11-30 09:00")) {
		t.Fatalf("next %s", got.In(seoul))
	}
	cancel()
	<-stopped
	runs, _ := st.Runs(context.Background(), "", 0)
	if len(runs) != 1 || runs[0].Status != store.RunOK {
		t.Fatalf("runs: %+v", runs)
	}
}

func TestSchedulerRecordsFailures(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	clock := newFakeClock(kstTime("2026-11-21 02:59"))
	s := newScheduler(t, st, clock, "a",
		job(t, "broken", "0 3 * * *", "Asia/Seoul", time.Hour, &countingAction{fail: errors.New("forecast.train: the plugin stopped answering")}),
		job(t, "panics", "0 3 * * *", "Asia/Seoul", time.Hour, ActionFunc(func(context.Context, *RunInfo) (string, error) { panic("boom") })))
	s.Start(ctx)
	clock.Set(kstTime("2026-11-21 03:00"))
	s.Tick(ctx)
	last, _ := st.LastRuns(ctx)
	if r := last["broken"]; r.Status != store.RunFailed || r.Error != "forecast.train: the plugin stopped answering" || r.Output != `{"ok":true}` {
		t.Fatalf("failed run: %+v", r)
	}
	if r := last["panics"]; r.Status != store.RunFailed || !strings.Contains(r.Error, "panicked: boom") {
		t.Fatalf("panicking run: %+v", r)
	}
}

type fakeChat struct{ turns []chat.Turn }

func (c *fakeChat) Handle(_ context.Context, t *chat.Turn) (*chat.Reply, error) {
	c.turns = append(c.turns, *t)
	return &chat.Reply{Text: "VIP 고객은 전체의 1%이며 주로 주말 오전에 크루아상을 삽니다."}, nil
}

// TestWeeklyReportToSlack runs the built-in weekly_vip_report job: a chat
// turn whose answer goes to a Slack channel through an incoming webhook,
// here a real HTTP server that records what Slack would receive.
func TestWeeklyReportToSlack(t *testing.T) {
	var mu sync.Mutex
	var posts []map[string]any
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	defer slack.Close()
	st := openStore(t)
	ctx := context.Background()
	clock := newFakeClock(kstTime("2026-11-23 08:59"))
	ch := &fakeChat{}
	b := &Builtins{Chat: ch, Notifier: &SlackWebhook{URL: slack.URL + "/services/T000/B000/XXX"}, Clock: clock, Location: seoul}
	jobs, err := b.Jobs(config.Schedule{Jobs: map[string]config.JobConfig{
		config.JobDailyWastePush: {Disabled: true}, config.JobNightlyRetrain: {Disabled: true},
	}})
	if err != nil || len(jobs) != 1 || jobs[0].Name != config.JobWeeklyVIPReport {
		t.Fatalf("jobs: %v %v", jobs, err)
	}
	s, err := NewScheduler(SchedulerOptions{Runs: st, Jobs: jobs, Clock: clock, Deliver: b, Owner: "a"})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(ctx)
	clock.Set(kstTime("2026-11-23 09:00"))
	runs := s.Tick(ctx)
	if len(runs) != 1 || runs[0].Status != store.RunOK {
		t.Fatalf("runs %+v", runs)
	}
	if len(ch.turns) != 1 || ch.turns[0].Text != "VIP 고객들의 특징은?" || ch.turns[0].Locale != "ko" || ch.turns[0].Channel != "scheduler" {
		t.Fatalf("chat turns: %+v", ch.turns)
	}
	if len(posts) != 1 || posts[0]["channel"] != "#crumb-reports" || !strings.Contains(posts[0]["text"].(string), "주간 VIP 고객 리포트 · 2026-11-23") ||
		!strings.Contains(posts[0]["text"].(string), "주말 오전에 크루아상") {
		t.Fatalf("slack posts: %v", posts)
	}
	// Slack refusing the post fails the run, with the reason.
	slack.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no_service", http.StatusNotFound) })
	r, err := s.RunNow(ctx, config.JobWeeklyVIPReport)
	if err != nil || r.Status != store.RunFailed || !strings.Contains(r.Error, "HTTP 404: no_service") || strings.Contains(r.Error, "XXX") {
		t.Fatalf("refused post: %+v %v", r, err)
	}
}

// TestSchedulerManualRunCoversTheSlot: a job run by hand after its slot
// (the host was down at 17:00, staff ran it at 17:05) is not run again
// when the host comes back.
func TestSchedulerManualRunCoversTheSlot(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	act := &countingAction{}
	mk := func(at string) *Scheduler {
		return newScheduler(t, st, newFakeClock(kstTime(at)), "x", job(t, "daily_waste_push", "0 17 * * *", "Asia/Seoul", 25*time.Minute, act))
	}
	if _, err := mk("2026-11-20 17:00").RunNow(ctx, "daily_waste_push"); err != nil { // the day before
		t.Fatal(err)
	}
	if _, err := mk("2026-11-21 17:05").RunNow(ctx, "daily_waste_push"); err != nil {
		t.Fatal(err)
	}
	s := mk("2026-11-21 17:10")
	s.Start(ctx)
	s.Wait()
	if act.count() != 2 {
		t.Fatalf("action ran %d times, want 2", act.count())
	}
}
