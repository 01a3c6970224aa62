package store

import (
	"sync"
	"testing"
	"time"
)

func TestSlackEventClaimedOnce(t *testing.T) {
	clock := &clockAt{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(clock.now))
	ctx := t.Context()
	const lease = 5 * time.Minute

	// A retry storm: 20 claims of one event at once, one winner.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.ClaimSlackEvent(ctx, "event:Ev1", "C1", lease, 3)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims won, want 1", won)
	}
	if err := s.SetSlackReply(ctx, "event:Ev1", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	// Within the lease nobody else gets it.
	clock.add(time.Minute)
	if _, ok, _ := s.ClaimSlackEvent(ctx, "event:Ev1", "C1", lease, 3); ok {
		t.Fatal("claimed again within the lease")
	}
	// The owner crashed: after the lease the event is taken over, and the
	// message it posted is handed on so that it is updated, not duplicated.
	clock.add(lease)
	c, ok, err := s.ClaimSlackEvent(ctx, "event:Ev1", "C1", lease, 3)
	if err != nil || !ok || c.ReplyTS != "1700000000.000100" || c.Attempts != 2 {
		t.Fatalf("take-over = %+v, %v, %v; want the posted reply ts and attempt 2", c, ok, err)
	}
	if err := s.FinishSlackEvent(ctx, "event:Ev1", SlackAnswered, ""); err != nil {
		t.Fatal(err)
	}
	clock.add(time.Hour)
	if _, ok, _ := s.ClaimSlackEvent(ctx, "event:Ev1", "C1", lease, 3); ok {
		t.Fatal("an answered event was claimed again")
	}

	// A failed attempt may be retried, up to maxAttempts.
	if _, ok, _ := s.ClaimSlackEvent(ctx, "event:Ev2", "C1", lease, 2); !ok {
		t.Fatal("first claim of Ev2 refused")
	}
	if err := s.FinishSlackEvent(ctx, "event:Ev2", SlackFailed, "chat.postMessage: ratelimited"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimSlackEvent(ctx, "event:Ev2", "C1", lease, 2); !ok {
		t.Fatal("retry of a failed event refused")
	}
	_ = s.FinishSlackEvent(ctx, "event:Ev2", SlackFailed, "again")
	if _, ok, _ := s.ClaimSlackEvent(ctx, "event:Ev2", "C1", lease, 2); ok {
		t.Fatal("claimed beyond maxAttempts")
	}
	if err := s.FinishSlackEvent(ctx, "event:Ev2", "done", ""); err == nil {
		t.Error("unknown status accepted")
	}

	// The ledger survives a restart: a new store on the same file refuses.
	n, err := s.PruneSlackEvents(ctx, clock.now().Add(-30*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("prune = %d, %v; want 1 (Ev1 is older than 30 minutes)", n, err)
	}
}

func TestSlackLedgerDurable(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/crumb.db"
	s, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClaimSlackEvent(t.Context(), "event:Ev9", "C1", time.Minute, 3); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := s.FinishSlackEvent(t.Context(), "event:Ev9", SlackAnswered, ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, ok, err := s2.ClaimSlackEvent(t.Context(), "event:Ev9", "C1", time.Minute, 3); ok || err != nil {
		t.Fatalf("after a restart the answered event was claimed again (ok=%v, err=%v)", ok, err)
	}
}
