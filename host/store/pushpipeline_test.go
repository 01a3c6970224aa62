package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func openTestStore(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func enqueueN(t *testing.T, s *SQLite, date string, n int) {
	t.Helper()
	items := make([]PushItem, n)
	for i := range items {
		items[i] = PushItem{StoreID: fmt.Sprintf("S%02d", i%3+1), ProductID: fmt.Sprintf("P%03d", i), Date: date, Payload: json.RawMessage(`{"ewr":20}`)}
	}
	if _, err := s.EnqueuePush(context.Background(), items); err != nil {
		t.Fatal(err)
	}
}

func statuses(t *testing.T, s *SQLite) map[string]int {
	t.Helper()
	c, err := s.PushCounts(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClaimPushesLeases(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	enqueueN(t, s, "2026-11-21", 5)
	t0 := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	claim := func(owner string, at time.Time, limit int) []PushJob {
		t.Helper()
		jobs, err := s.ClaimPushes(ctx, &PushClaim{From: []string{PushPending}, To: PushGenerating, Owner: owner, Lease: 30 * time.Second, Now: at, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	}
	a := claim("a", t0, 3)
	if len(a) != 3 || a[0].Status != PushGenerating || a[0].LeaseOwner != "a" || !a[0].LeaseUntil.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("first claim: %+v", a)
	}
	// b gets only the two that a does not hold.
	b := claim("b", t0.Add(time.Second), 10)
	if len(b) != 2 || b[0].ID != a[2].ID+1 {
		t.Fatalf("second claim took %d rows (%v)", len(b), b)
	}
	if got := claim("c", t0.Add(29*time.Second), 10); len(got) != 0 {
		t.Fatalf("claim under live leases took %d rows", len(got))
	}
	// a dies; after its lease runs out c takes its rows over.
	c := claim("c", t0.Add(31*time.Second), 10)
	if len(c) != 3 || c[0].ID != a[0].ID {
		t.Fatalf("takeover claimed %d rows", len(c))
	}
	// a comes back and saves: its lease is gone, nothing is written.
	a[0].Status = PushReady
	lost, err := s.SavePushes(ctx, "a", t0.Add(32*time.Second), a[:1], true)
	if err != nil || len(lost) != 1 || lost[0] != a[0].ID {
		t.Fatalf("stale save: lost %v, %v", lost, err)
	}
	// c saves with messages; the row is ready, unleased, with its copy.
	c[0].Status = PushReady
	c[0].Messages = []PushMessage{{Segment: "all", Locale: "ko", Headline: "오늘의 크루아상", PushText: "지금 20% 할인", ActionLine: "매장에서 확인", DiscountPct: 20, Outcome: "fallback"}}
	if lost, err := s.SavePushes(ctx, "c", t0.Add(33*time.Second), c[:1], true); err != nil || len(lost) != 0 {
		t.Fatalf("save: %v %v", lost, err)
	}
	jobs, err := s.PushJobs(ctx, "2026-11-21", []string{PushReady}, 0)
	if err != nil || len(jobs) != 1 || jobs[0].LeaseOwner != "" || jobs[0].LeaseUntil != nil || len(jobs[0].Messages) != 1 || jobs[0].Messages[0].Headline != "오늘의 크루아상" {
		t.Fatalf("ready rows: %+v %v", jobs, err)
	}
	// Saving the copy again replaces it rather than adding a second.
	again, _ := s.ClaimPushes(ctx, &PushClaim{From: []string{PushReady}, To: PushGenerating, Owner: "c", Lease: time.Minute, Now: t0.Add(40 * time.Second)})
	again[0].Status = PushReady
	again[0].Messages[0].Headline = "새 헤드라인"
	if _, err := s.SavePushes(ctx, "c", t0.Add(41*time.Second), again, true); err != nil {
		t.Fatal(err)
	}
	jobs, _ = s.PushJobs(ctx, "", []string{PushReady}, 0)
	if len(jobs[0].Messages) != 1 || jobs[0].Messages[0].Headline != "새 헤드라인" {
		t.Fatalf("upserted copy: %+v", jobs[0].Messages)
	}
}

func TestClaimPushesRespectsBackoffExpiryAndApproval(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	enqueueN(t, s, "2026-11-21", 3)
	kst := time.FixedZone("KST", 9*3600)
	n, err := s.FillPushExpiry(ctx, func(date string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", date, kst)
		return d.Add(17*time.Hour + 30*time.Minute), err
	})
	if err != nil || n != 3 {
		t.Fatalf("fill expiry: %d %v", n, err)
	}
	at := func(hhmm string) time.Time {
		tt, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-21 "+hhmm, kst)
		return tt
	}
	jobs, err := s.ClaimPushes(ctx, &PushClaim{From: []string{PushPending}, To: PushSending, Owner: "w", Lease: time.Minute, Now: at("17:00"), Limit: 1})
	if err != nil || len(jobs) != 1 || jobs[0].ExpiresAt == nil || !jobs[0].ExpiresAt.Equal(at("17:30")) {
		t.Fatalf("claim: %+v %v", jobs, err)
	}
	// A failed attempt backs off: not claimable before next_attempt_at.
	next := at("17:05")
	jobs[0].Status, jobs[0].Attempts, jobs[0].LastError, jobs[0].NextAttemptAt = PushPending, 1, "HTTP 503", &next
	if _, err := s.SavePushes(ctx, "w", at("17:00"), jobs, false); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimPushes(ctx, &PushClaim{From: []string{PushPending}, To: PushSending, Owner: "w", Lease: time.Hour, Now: at("17:04"), Limit: 10})
	if slices.ContainsFunc(got, func(j PushJob) bool { return j.ID == jobs[0].ID }) {
		t.Fatal("a row backing off was claimed early")
	}
	if len(got) != 2 {
		t.Fatalf("claimed %d", len(got))
	}
	// Leave the two leased; at 17:31 the backing-off row is expired and the
	// leased ones only once their leases ran out.
	if n, err := s.ExpirePushes(ctx, at("17:31")); err != nil || n != 1 {
		t.Fatalf("expire at 17:31: %d %v", n, err)
	}
	if n, err := s.ExpirePushes(ctx, at("17:31").Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("expire after the leases: %d %v", n, err)
	}
	if c := statuses(t, s); c[PushExpired] != 3 {
		t.Fatalf("states: %v", c)
	}
	all, _ := s.PushJobs(ctx, "", nil, 0)
	if all[0].LastError != "the discount window closed before it was sent; last error: HTTP 503" {
		t.Fatalf("last error: %q", all[0].LastError)
	}
	// Expired rows are never claimed.
	if got, _ := s.ClaimPushes(ctx, &PushClaim{From: []string{PushPending, PushReady}, To: PushSending, Owner: "w", Lease: time.Minute, Now: at("17:00")}); len(got) != 0 {
		t.Fatalf("claimed expired rows: %d", len(got))
	}
}

func TestDecidePushes(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	enqueueN(t, s, "2026-11-21", 3)
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	jobs, _ := s.ClaimPushes(ctx, &PushClaim{From: []string{PushPending}, To: PushAwaitingApproval, Approval: []string{ApprovalNone}, Owner: "w", Lease: time.Minute, Now: now})
	deadline := now.Add(10 * time.Minute)
	for i := range jobs {
		jobs[i].Approval, jobs[i].ApprovalDeadline = ApprovalRequested, &deadline
	}
	if _, err := s.SavePushes(ctx, "w", now, jobs, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecidePushes(ctx, &PushDecision{IDs: []int64{jobs[0].ID}, Approve: true, Now: now}); err == nil {
		t.Fatal("a decision without who decided was accepted")
	}
	n, err := s.DecidePushes(ctx, &PushDecision{IDs: []int64{jobs[0].ID}, Approve: true, By: "U123", Now: now.Add(time.Minute)})
	if err != nil || n != 1 {
		t.Fatalf("approve: %d %v", n, err)
	}
	// A second click changes nothing.
	if n, _ := s.DecidePushes(ctx, &PushDecision{IDs: []int64{jobs[0].ID}, Approve: false, By: "U999", Now: now.Add(2 * time.Minute)}); n != 0 {
		t.Fatalf("second decision changed %d rows", n)
	}
	if n, _ := s.DecidePushes(ctx, &PushDecision{IDs: []int64{jobs[1].ID}, Approve: false, By: "U123", Now: now.Add(time.Minute)}); n != 1 {
		t.Fatal("reject")
	}
	// Past the deadline a click is refused; the timeout expires the row.
	if n, _ := s.DecidePushes(ctx, &PushDecision{IDs: []int64{jobs[2].ID}, Approve: true, By: "U123", Now: deadline}); n != 0 {
		t.Fatal("a late approval was taken")
	}
	if n, err := s.TimeoutApprovals(ctx, deadline, false); err != nil || n != 1 {
		t.Fatalf("timeout: %d %v", n, err)
	}
	all, _ := s.PushJobs(ctx, "", nil, 0)
	got := []string{all[0].Status + "/" + all[0].Approval + "/" + all[0].DecidedBy, all[1].Status + "/" + all[1].Approval, all[2].Status}
	want := []string{"ready/approved/U123", "rejected/rejected", "expired"}
	if !slices.Equal(got, want) {
		t.Fatalf("after decisions: %v, want %v", got, want)
	}
	// Approved rows are claimable by the approval filter.
	ready, _ := s.ClaimPushes(ctx, &PushClaim{From: []string{PushReady}, To: PushSending, Approval: []string{ApprovalApproved}, Owner: "w", Lease: time.Minute, Now: now.Add(3 * time.Minute)})
	if len(ready) != 1 || ready[0].ID != jobs[0].ID {
		t.Fatalf("approved claim: %+v", ready)
	}
}

func TestRecordDeliveriesAndFeed(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	exp := now.Add(30 * time.Minute)
	feed := func(store, seg string) *FeedEvent {
		return &FeedEvent{StoreID: store, ProductID: "P1", Segment: seg, Date: "2026-11-21", Message: json.RawMessage(`{"headline":"따끈한 크루아상"}`), ExpiresAt: &exp}
	}
	ds := []PushDelivery{
		{Key: "2026-11-21:S01:P1:all", Channel: "feed", PushID: 1, Segment: "all", Attempts: 1, Feed: feed("S01", "all")},
		{Key: "2026-11-21:S01:P1:all", Channel: "webhook", PushID: 1, Segment: "all", Attempts: 1},
		{Key: "2026-11-21:S02:P1:vip", Channel: "feed", PushID: 2, Segment: "vip", Attempts: 1, Feed: feed("S02", "vip")},
		{Key: "2026-11-21:S02:P1:loyal", Channel: "feed", PushID: 2, Segment: "loyal", Attempts: 1, Feed: feed("S02", "loyal")},
	}
	evs, err := s.RecordDeliveries(ctx, now, ds)
	if err != nil || len(evs) != 3 || evs[0].Seq >= evs[1].Seq || evs[0].Key != ds[0].Key {
		t.Fatalf("record: %+v %v", evs, err)
	}
	// Recording again (a takeover after a crash) adds nothing.
	evs, err = s.RecordDeliveries(ctx, now.Add(time.Minute), ds)
	if err != nil || len(evs) != 0 {
		t.Fatalf("second record: %d events, %v", len(evs), err)
	}
	last, _ := s.LastFeedSeq(ctx)
	if last != 3 {
		t.Fatalf("last seq %d", last)
	}
	for _, tc := range []struct {
		name string
		q    FeedQuery
		want []string
	}{
		{"everything", FeedQuery{}, []string{"S01/all", "S02/vip", "S02/loyal"}},
		{"store", FeedQuery{Stores: []string{"S02"}}, []string{"S02/vip", "S02/loyal"}},
		{"segment gets its own and all", FeedQuery{Segments: []string{"vip"}}, []string{"S01/all", "S02/vip"}},
		{"after", FeedQuery{AfterSeq: 1, UpToSeq: 2}, []string{"S02/vip"}},
		{"active", FeedQuery{ActiveAt: exp}, nil},
		{"active before expiry", FeedQuery{ActiveAt: exp.Add(-time.Second), Limit: 1}, []string{"S01/all"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := s.FeedEvents(ctx, &tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.StoreID+"/"+e.Segment)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRunsLeaseAndSlots(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	slot := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	r1, _, err := s.BeginRun(ctx, &Run{Job: "daily_waste_push", ScheduledFor: &slot, Owner: "a", StartedAt: slot}, time.Minute)
	if err != nil || r1.Status != RunRunning || r1.ID == 0 {
		t.Fatalf("begin: %+v %v", r1, err)
	}
	// One run at a time: b is refused while a holds the lease, for any slot.
	_, holder, err := s.BeginRun(ctx, &Run{Job: "daily_waste_push", Owner: "b", Cause: CauseManual, StartedAt: slot.Add(30 * time.Second)}, time.Minute)
	if !errors.Is(err, ErrJobBusy) || holder == nil || holder.RunID != r1.ID || holder.Owner != "a" {
		t.Fatalf("second begin: %v %+v", err, holder)
	}
	// Other jobs are not affected.
	if _, _, err := s.BeginRun(ctx, &Run{Job: "nightly_retrain", Owner: "b", StartedAt: slot}, time.Minute); err != nil {
		t.Fatal(err)
	}
	// a renews, so b is still refused after the first minute.
	if err := s.RenewJobLease(ctx, "daily_waste_push", r1.ID, slot.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginRun(ctx, &Run{Job: "daily_waste_push", Owner: "b", StartedAt: slot.Add(90 * time.Second)}, time.Minute); !errors.Is(err, ErrJobBusy) {
		t.Fatalf("begin under a renewed lease: %v", err)
	}
	// a dies. After its lease, the run is interrupted and the slot may run again.
	runs, err := s.InterruptRuns(ctx, slot.Add(3*time.Minute))
	if err != nil || len(runs) != 2 || runs[0].ID != r1.ID || runs[0].Status != RunInterrupted {
		t.Fatalf("interrupt: %+v %v", runs, err)
	}
	if _, err := s.SlotRun(ctx, "daily_waste_push", slot); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an interrupted slot counts as done: %v", err)
	}
	r2, _, err := s.BeginRun(ctx, &Run{Job: "daily_waste_push", ScheduledFor: &slot, Cause: CauseCatchUp, Owner: "b", StartedAt: slot.Add(3 * time.Minute)}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// a's stale renewal fails: the lease is b's now.
	if err := s.RenewJobLease(ctx, "daily_waste_push", r1.ID, slot.Add(10*time.Minute)); !errors.Is(err, ErrJobBusy) {
		t.Fatalf("stale renew: %v", err)
	}
	end := slot.Add(4 * time.Minute)
	r2.FinishedAt, r2.Status, r2.Output = &end, RunOK, `{"sent":12}`
	if err := s.FinishRun(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginRun(ctx, &Run{Job: "daily_waste_push", ScheduledFor: &slot, Owner: "c", StartedAt: end}, time.Minute); !errors.Is(err, ErrSlotDone) {
		t.Fatalf("a finished slot ran again: %v", err)
	}
	got, err := s.SlotRun(ctx, "daily_waste_push", slot)
	if err != nil || got.ID != r2.ID || got.Output != `{"sent":12}` || got.Cause != CauseCatchUp || !got.ScheduledFor.Equal(slot) {
		t.Fatalf("slot run: %+v %v", got, err)
	}
	last, err := s.LastRuns(ctx)
	if err != nil || last["daily_waste_push"].ID != r2.ID || len(last) != 2 {
		t.Fatalf("last runs: %v %v", last, err)
	}
	if ls, _ := s.JobLeases(ctx, end); len(ls) != 0 {
		t.Fatalf("leases left: %+v", ls)
	}
}
