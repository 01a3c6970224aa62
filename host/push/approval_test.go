package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
)

// staffDesk is a staff-facing HTTP service in the test (as Slack would
// be): it receives approval requests and, like staff with buttons,
// approves S01's pushes, rejects S02's and ignores S03's.
type staffDesk struct {
	srv      *httptest.Server
	mu       sync.Mutex
	requests []ApprovalRequest
	down     bool
}

func newStaffDesk(t *testing.T) *staffDesk {
	d := &staffDesk{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.down {
			http.Error(w, "service_unavailable", http.StatusServiceUnavailable)
			return
		}
		var req ApprovalRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		d.requests = append(d.requests, req)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// approver posts each request to the desk.
func (d *staffDesk) approver() Approver {
	return ApproverFunc(func(ctx context.Context, req *ApprovalRequest) error {
		body, _ := json.Marshal(req)
		hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.srv.URL, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("staff desk: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
		}
		return nil
	})
}

func TestPipelineWaitsForStaffApproval(t *testing.T) {
	desk := newStaffDesk(t)
	f := newFixture(t, kstTime("2026-11-21 17:00"), func(o *PipelineOptions) {
		o.Approver = desk.approver()
		o.Settings.Approval, o.Settings.ApprovalTimeout, o.Settings.ApprovalChannel = true, 10*time.Minute, "#store-staff"
	})
	ctx := context.Background()
	desk.mu.Lock()
	desk.down = true
	desk.mu.Unlock()
	f.enqueue(t, "2026-11-21", 12) // 3 items for each of S01…S04
	rep, _ := f.p.Pass(ctx)
	if rep.Copied != 12 || rep.ApprovalAsked != 0 || rep.Deliveries != 0 {
		t.Fatalf("with the desk down: %+v", rep)
	}
	jobs, _ := f.st.PushJobs(ctx, "", nil, 0)
	if jobs[0].Status != store.PushReady || !strings.Contains(jobs[0].LastError, "HTTP 503") || jobs[0].NextAttemptAt == nil {
		t.Fatalf("approval request failure: %+v", jobs[0])
	}
	desk.mu.Lock()
	desk.down = false
	desk.mu.Unlock()
	f.clock.Advance(time.Minute)
	rep, _ = f.p.Pass(ctx)
	if rep.ApprovalAsked != 12 || rep.Deliveries != 0 {
		t.Fatalf("approval pass: %+v", rep)
	}
	if len(desk.requests) != 4 {
		t.Fatalf("%d requests, want one per store", len(desk.requests))
	}
	r0 := desk.requests[0]
	if r0.ID != "S01:2026-11-21" || len(r0.Items) != 3 || r0.Channel != "#store-staff" || r0.Store != "강남점" ||
		!r0.Deadline.Equal(kstTime("2026-11-21 17:11")) || r0.Items[0].Headline == "" || r0.Items[0].DiscountPct == 0 {
		t.Fatalf("request: %+v", r0)
	}
	// Nothing goes out before a decision.
	if rep, _ := f.p.Pass(ctx); rep.Deliveries != 0 || f.recv.Stats().Requests != 0 {
		t.Fatalf("sent without approval: %+v", rep)
	}
	// Staff click: approve S01 and one push of S04, reject S02.
	if n, err := f.p.HandleApproval(ctx, ActionApprove, "S01:2026-11-21", "U01STAFF"); err != nil || n != 3 {
		t.Fatalf("approve: %d %v", n, err)
	}
	if n, err := f.p.HandleApproval(ctx, ActionReject, "S02:2026-11-21", "U02STAFF"); err != nil || n != 3 {
		t.Fatalf("reject: %d %v", n, err)
	}
	s04 := desk.requests[3].Items[0].PushID
	if n, err := f.p.HandleApproval(ctx, ActionApprove, fmt.Sprintf("push:%d", s04), "U04STAFF"); err != nil || n != 1 {
		t.Fatalf("approve one: %d %v", n, err)
	}
	// A second click on the same button changes nothing.
	if n, _ := f.p.HandleApproval(ctx, ActionReject, "S01:2026-11-21", "U09LATE"); n != 0 {
		t.Fatalf("a second decision changed %d pushes", n)
	}
	if _, err := f.p.HandleApproval(ctx, "crumb_push_maybe", "S01:2026-11-21", "U01"); err == nil {
		t.Fatal("an unknown button was taken")
	}
	rep, _ = f.p.Pass(ctx)
	if rep.Sent != 4 {
		t.Fatalf("after the decisions: %+v", rep)
	}
	// S03 and the rest of S04 wait until the deadline, then expire.
	f.clock.Set(kstTime("2026-11-21 17:12"))
	rep, _ = f.p.Pass(ctx)
	c := f.counts(t)
	if rep.ApprovalTimeouts != 5 || c[store.PushSent] != 4 || c[store.PushRejected] != 3 || c[store.PushExpired] != 5 {
		t.Fatalf("after the deadline: %+v, %v", rep, c)
	}
	jobs, _ = f.st.PushJobs(ctx, "", []string{store.PushSent}, 0)
	if jobs[0].DecidedBy != "U01STAFF" || jobs[0].Approval != store.ApprovalApproved {
		t.Fatalf("decided by: %+v", jobs[0])
	}
	if st := f.recv.Stats(); st.Unique != 4 {
		t.Fatalf("webhook: %+v", st)
	}
}

func TestApprovalTimeoutCanSend(t *testing.T) {
	desk := newStaffDesk(t)
	f := newFixture(t, kstTime("2026-11-21 17:00"), func(o *PipelineOptions) {
		o.Approver = desk.approver()
		o.Settings.Approval, o.Settings.ApprovalTimeout, o.Settings.ApproveOnTimeout = true, 5*time.Minute, true
	})
	ctx := context.Background()
	f.enqueue(t, "2026-11-21", 2)
	f.p.Pass(ctx)
	f.clock.Set(kstTime("2026-11-21 17:05"))
	rep, _ := f.p.Pass(ctx)
	if rep.ApprovalTimeouts != 2 || rep.Sent != 2 {
		t.Fatalf("send on timeout: %+v", rep)
	}
	jobs, _ := f.st.PushJobs(ctx, "", nil, 0)
	if jobs[0].DecidedBy != "deadline" {
		t.Fatalf("decided by %q", jobs[0].DecidedBy)
	}
}

func TestApprovalNeedsAnApprover(t *testing.T) {
	_, err := NewPipeline(PipelineOptions{Store: openStore(t), Copy: &templateCopy{}, Settings: Settings{Approval: true}})
	if err == nil || !strings.Contains(err.Error(), "Slack") {
		t.Fatalf("approval without an approver: %v", err)
	}
}
