package push

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/crumb-dev/crumb/host/store"
)

const testSecret = "s3cret-for-tests"

var seoul = mustLoad("Asia/Seoul")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// kstTime is a wall time in Seoul.
func kstTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, seoul)
	if err != nil {
		panic(err)
	}
	return t
}

func openStore(t *testing.T) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// templateCopy writes copy the way the campaign plugin's template mode
// does, counting calls.
type templateCopy struct {
	calls atomic.Int64
	fail  func(r CopyRequest) error
}

func (c *templateCopy) WriteCopy(_ context.Context, reqs []CopyRequest) ([]CopyResult, error) {
	c.calls.Add(1)
	out := make([]CopyResult, len(reqs))
	for i, r := range reqs {
		if c.fail != nil {
			if err := c.fail(r); err != nil {
				out[i].Err = err
				continue
			}
		}
		out[i].Copy = Copy{Headline: "오늘 저녁 " + r.ProductName, PushText: fmt.Sprintf("%s %d%% 할인, 오늘 저녁까지", r.ProductName, r.DiscountPct),
			ActionLine: "가까운 매장에서 만나요", Outcome: "fallback", Reason: "template mode"}
	}
	return out, nil
}

// receiver is a signed webhook receiver over real HTTP whose answers the
// test can script per request.
type receiver struct {
	*Receiver
	srv    *httptest.Server
	mu     sync.Mutex
	script func(key string, n int) (int, string) // status, Retry-After; 0 = accept
	raw    map[string]int
	gate   chan struct{} // when set, each request waits for it
}

func newReceiver(t *testing.T, clock Clock) *receiver {
	r := &receiver{Receiver: &Receiver{Secret: []byte(testSecret), Clock: clock}, raw: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := req.Header.Get(HeaderKey)
		r.mu.Lock()
		r.raw[key]++
		n := r.raw[key]
		script, gate := r.script, r.gate
		r.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if script != nil {
			if code, after := script(key, n); code != 0 {
				_, _ = io.Copy(io.Discard, req.Body)
				if after != "" {
					w.Header().Set("Retry-After", after)
				}
				http.Error(w, "scripted failure", code)
				return
			}
		}
		r.Receiver.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

type fixture struct {
	st    *store.SQLite
	clock *fakeClock
	copy  *templateCopy
	recv  *receiver
	feed  *Feed
	p     *Pipeline
}

func newFixture(t *testing.T, now time.Time, mod func(*PipelineOptions)) *fixture {
	t.Helper()
	f := &fixture{st: openStore(t), clock: newFakeClock(now), copy: &templateCopy{}}
	f.recv = newReceiver(t, f.clock)
	// The feed polls on the real clock (never, in a test): the fake clock's
	// waiters are then only the pipeline's.
	f.feed = NewFeed(f.st, FeedOptions{Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := f.feed.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wh := NewWebhook(f.recv.srv.URL, testSecret, 5*time.Second)
	wh.Clock = f.clock
	o := PipelineOptions{Store: f.st, Copy: f.copy, Channels: []Channel{wh}, Feed: f.feed, Clock: f.clock, Owner: "test",
		Settings: Settings{Location: seoul, Segments: []string{"all"}, Batch: 50, Workers: 4, RetryBackoff: 2 * time.Second}}
	if mod != nil {
		mod(&o)
	}
	p, err := NewPipeline(o)
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	return f
}

func (f *fixture) enqueue(t *testing.T, date string, n int) {
	t.Helper()
	items := make([]store.PushItem, n)
	for i := range items {
		pl, _ := json.Marshal(map[string]any{"ewr": 12.5 + float64(i%30), "product": fmt.Sprintf("크루아상%d", i), "product_en": fmt.Sprintf("Croissant %d", i), "store": "강남점", "store_en": "Gangnam"})
		items[i] = store.PushItem{StoreID: fmt.Sprintf("S%02d", i%4+1), ProductID: fmt.Sprintf("P%04d", i), Date: date, Payload: pl}
	}
	if _, err := f.st.EnqueuePush(context.Background(), items); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) counts(t *testing.T) map[string]int {
	t.Helper()
	c, err := f.st.PushCounts(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPipelineDeliversOncePerKey(t *testing.T) {
	metrics := NewMetrics(prometheus.NewRegistry())
	f := newFixture(t, kstTime("2026-11-21 17:00"), func(o *PipelineOptions) {
		o.Settings.Segments = []string{"vip", "all"}
		o.Metrics = metrics
	})
	ctx := context.Background()
	_, sub, err := f.feed.Subscribe(ctx, FeedFilter{Stores: []string{"S01"}, Segments: []string{"vip"}}, 0, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	f.enqueue(t, "2026-11-21", 120)
	rep, err := f.p.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Copied != 120 || rep.Sent != 120 || rep.Deliveries != 480 || rep.FeedEvents != 240 || rep.Failed+rep.Retrying != 0 {
		t.Fatalf("report: %+v", rep)
	}
	if c := f.counts(t); c[store.PushSent] != 120 {
		t.Fatalf("states: %v", c)
	}
	if sent, ok := counter(metrics.rows.WithLabelValues("sent")), counter(metrics.deliveries.WithLabelValues("webhook", "ok")); sent != 120 || ok != 240 {
		t.Fatalf("metrics: sent %v, webhook deliveries %v", sent, ok)
	}
	st := f.recv.Stats()
	if st.Unique != 240 || st.Duplicates != 0 || st.Rejected != 0 {
		t.Fatalf("receiver: %+v", st)
	}
	// The body is the message, with the delivery key and the copy.
	var m Message
	key := DeliveryKey("2026-11-21", "S01", "P0000", "vip")
	if err := json.Unmarshal(f.recv.Body(key), &m); err != nil {
		t.Fatal(err)
	}
	if m.Key != key || m.Headline != "오늘 저녁 크루아상0" || m.DiscountPct != 10 || m.Store != "강남점" || !m.ExpiresAt.Equal(kstTime("2026-11-21 17:30")) {
		t.Fatalf("message: %+v", m)
	}
	// The subscriber of S01/vip gets S01's vip and all messages, live.
	want := 60 // 30 S01 items × (vip, all)
	got := map[string]bool{}
	for len(got) < want {
		select {
		case e := <-sub.Events():
			if e.StoreID != "S01" || (e.Segment != "vip" && e.Segment != "all") {
				t.Fatalf("filtered out event arrived: %+v", e)
			}
			got[e.Key] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("feed: %d of %d events", len(got), want)
		}
	}
	// A second pass, a second enqueue of the same keys: nothing new.
	f.enqueue(t, "2026-11-21", 120)
	rep, _ = f.p.Pass(ctx)
	if rep.Copied+rep.Sent+rep.Deliveries != 0 || f.recv.Stats().Requests != 240 {
		t.Fatalf("second pass did work: %+v, %+v", rep, f.recv.Stats())
	}
}

func TestPipelineRetriesWithBackoff(t *testing.T) {
	f := newFixture(t, kstTime("2026-11-21 17:00"), nil)
	ctx := context.Background()
	// The receiver is down for the first two tries of every key, and asks
	// for 30 s on the second.
	f.recv.script = func(_ string, n int) (int, string) {
		switch n {
		case 1:
			return http.StatusServiceUnavailable, ""
		case 2:
			return http.StatusTooManyRequests, "30"
		}
		return 0, ""
	}
	f.enqueue(t, "2026-11-21", 10)
	rep, _ := f.p.Pass(ctx)
	if rep.Retrying != 10 || rep.Sent != 0 || rep.FeedEvents != 10 {
		t.Fatalf("first pass: %+v", rep)
	}
	jobs, _ := f.st.PushJobs(ctx, "", nil, 0)
	j := jobs[0]
	if j.Status != store.PushReady || j.Attempts != 1 || !strings.Contains(j.LastError, "HTTP 503") || j.NextAttemptAt == nil {
		t.Fatalf("after a 503: %+v", j)
	}
	if d := j.NextAttemptAt.Sub(f.clock.Now()); d < 1600*time.Millisecond || d > 2400*time.Millisecond {
		t.Fatalf("first backoff %s, want 2s ± 20%%", d)
	}
	// Not due yet: nothing happens.
	if rep, _ := f.p.Pass(ctx); rep.Deliveries+rep.Retrying != 0 {
		t.Fatalf("pass before the backoff: %+v", rep)
	}
	f.clock.Advance(3 * time.Second)
	rep, _ = f.p.Pass(ctx)
	if rep.Retrying != 10 {
		t.Fatalf("second pass: %+v", rep)
	}
	jobs, _ = f.st.PushJobs(ctx, "", nil, 0)
	if d := jobs[0].NextAttemptAt.Sub(f.clock.Now()); d < 30*time.Second {
		t.Fatalf("Retry-After 30 not honoured: next in %s", d)
	}
	f.clock.Advance(31 * time.Second)
	rep, _ = f.p.Pass(ctx)
	if rep.Sent != 10 {
		t.Fatalf("third pass: %+v", rep)
	}
	jobs, _ = f.st.PushJobs(ctx, "", nil, 0)
	if jobs[0].Attempts != 3 || jobs[0].LastError != "" || jobs[0].SentAt == nil {
		t.Fatalf("sent row: %+v", jobs[0])
	}
	// The feed got each message once although the webhook needed three tries.
	evs, _ := f.st.FeedEvents(ctx, &store.FeedQuery{})
	if len(evs) != 10 || f.recv.Stats().Unique != 10 {
		t.Fatalf("feed %d, webhook %+v", len(evs), f.recv.Stats())
	}
}

func TestPipelineFailsAndExpires(t *testing.T) {
	f := newFixture(t, kstTime("2026-11-21 17:00"), func(o *PipelineOptions) { o.Settings.MaxAttempts = 2 })
	ctx := context.Background()
	f.recv.script = func(key string, n int) (int, string) {
		switch {
		case strings.Contains(key, "P0000"):
			return http.StatusBadRequest, "" // permanent
		case strings.Contains(key, "P0001"):
			return http.StatusBadGateway, "" // retried until attempts run out
		case strings.Contains(key, "P0002"):
			return http.StatusInternalServerError, "" // likewise
		}
		return 0, ""
	}
	f.enqueue(t, "2026-11-21", 4)
	if _, err := f.p.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Second)
	f.p.Pass(ctx)
	jobs, _ := f.st.PushJobs(ctx, "", nil, 0)
	got := []string{jobs[0].Status, jobs[1].Status, jobs[2].Status, jobs[3].Status}
	if fmt.Sprint(got) != "[failed failed failed sent]" {
		t.Fatalf("states %v", got)
	}
	if jobs[0].Attempts != 1 || !strings.Contains(jobs[0].LastError, "HTTP 400") || jobs[1].Attempts != 2 {
		t.Fatalf("failed rows: %+v / %+v", jobs[0], jobs[1])
	}
	// A fresh row that cannot be sent before 17:30 expires.
	f2 := newFixture(t, kstTime("2026-11-21 17:20"), nil)
	f2.recv.script = func(string, int) (int, string) { return http.StatusServiceUnavailable, "600" }
	f2.enqueue(t, "2026-11-21", 3)
	f2.p.Pass(ctx)
	f2.clock.Set(kstTime("2026-11-21 17:31"))
	rep, _ := f2.p.Pass(ctx)
	if rep.Expired != 3 {
		t.Fatalf("expired %d: %+v", rep.Expired, f2.counts(t))
	}
	jobs, _ = f2.st.PushJobs(ctx, "", nil, 0)
	if !strings.HasPrefix(jobs[0].LastError, "the discount window closed") || !strings.Contains(jobs[0].LastError, "HTTP 503") {
		t.Fatalf("expired row: %q", jobs[0].LastError)
	}
	// Rows queued after the window never go out.
	f3 := newFixture(t, kstTime("2026-11-21 18:00"), nil)
	f3.enqueue(t, "2026-11-21", 2)
	rep, _ = f3.p.Pass(ctx)
	if rep.Expired != 2 || rep.Copied != 0 || f3.recv.Stats().Requests != 0 {
		t.Fatalf("late rows: %+v", rep)
	}
}

func TestPipelineCopyFailuresBackOff(t *testing.T) {
	f := newFixture(t, kstTime("2026-11-21 17:00"), nil)
	ctx := context.Background()
	broken := true
	f.copy.fail = func(r CopyRequest) error {
		if broken && r.ProductID == "P0001" {
			return fmt.Errorf("push_copy: campaign plugin unavailable")
		}
		return nil
	}
	f.enqueue(t, "2026-11-21", 3)
	rep, _ := f.p.Pass(ctx)
	if rep.Copied != 2 || rep.CopyFailed != 1 || rep.Sent != 2 {
		t.Fatalf("report %+v", rep)
	}
	jobs, _ := f.st.PushJobs(ctx, "", []string{store.PushPending}, 0)
	if len(jobs) != 1 || !strings.Contains(jobs[0].LastError, "campaign plugin unavailable") {
		t.Fatalf("pending: %+v", jobs)
	}
	broken = false
	f.clock.Advance(3 * time.Second)
	if rep, _ := f.p.Pass(ctx); rep.Copied != 1 || rep.Sent != 1 {
		t.Fatalf("retry: %+v", rep)
	}
}

// TestPipelineSlowChannelKeepsItsLease: a webhook that answers only after
// several lease periods does not let a second worker send the same rows.
func TestPipelineSlowChannelKeepsItsLease(t *testing.T) {
	f := newFixture(t, kstTime("2026-11-21 17:00"), func(o *PipelineOptions) { o.Settings.Lease = 30 * time.Second })
	ctx := context.Background()
	f.enqueue(t, "2026-11-21", 5)
	if _, err := f.p.CopyAll(ctx); err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(gate) }) })
	f.recv.mu.Lock()
	f.recv.gate = gate
	f.recv.mu.Unlock()
	done := make(chan *Report)
	go func() {
		rep, _ := f.p.DeliverAll(ctx)
		done <- rep
	}()
	// A second worker on the same store, as another process would be.
	other, err := NewPipeline(PipelineOptions{Store: f.st, Copy: f.copy, Channels: f.p.o.Channels, Clock: f.clock, Owner: "other",
		Settings: Settings{Location: seoul, Lease: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	for range 6 { // three minutes, in lease renewals
		f.clock.WaitForWaiters(1) // the lease keeper waits for its next renewal
		f.clock.Advance(10 * time.Second)
		waitRenewed(t, f.st, f.clock.Now())
		if rep, _ := other.DeliverAll(ctx); rep.Deliveries != 0 {
			t.Fatalf("the other worker took rows under a live lease: %+v", rep)
		}
	}
	once.Do(func() { close(gate) })
	rep := <-done
	if rep.Sent != 5 {
		t.Fatalf("slow batch: %+v", rep)
	}
	if st := f.recv.Stats(); st.Unique != 5 || st.Duplicates != 0 {
		t.Fatalf("receiver: %+v", st)
	}
}

// waitRenewed waits until the leases reach past now (the keeper's renewal
// is asynchronous).
func waitRenewed(t *testing.T, st *store.SQLite, now time.Time) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		jobs, _ := st.PushJobs(context.Background(), "", []string{store.PushSending}, 0)
		ok := len(jobs) > 0
		for _, j := range jobs {
			ok = ok && j.LeaseUntil != nil && j.LeaseUntil.After(now)
		}
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("leases were not renewed")
}

// TestPipelineTakeoverAfterCrash: a worker claims a batch, delivers part of
// it and dies without recording; after its lease a new worker sends the
// rest, and what was recorded is not sent again.
func TestPipelineTakeoverAfterCrash(t *testing.T) {
	f := newFixture(t, kstTime("2026-11-21 17:00"), nil)
	ctx := context.Background()
	f.enqueue(t, "2026-11-21", 4)
	if _, err := f.p.CopyAll(ctx); err != nil {
		t.Fatal(err)
	}
	// The dead worker's state: 4 rows in sending under its lease, the feed
	// and webhook deliveries of row 1 recorded, row 2's webhook delivered
	// but not recorded (it died in between).
	jobs, err := f.st.ClaimPushes(ctx, &store.PushClaim{From: []string{store.PushReady}, To: store.PushSending, Owner: "dead", Lease: 30 * time.Second, Now: f.clock.Now()})
	if err != nil || len(jobs) != 4 {
		t.Fatal(jobs, err)
	}
	k1 := DeliveryKey("2026-11-21", jobs[0].StoreID, jobs[0].ProductID, "all")
	k2 := DeliveryKey("2026-11-21", jobs[1].StoreID, jobs[1].ProductID, "all")
	wh := f.p.o.Channels[0]
	for _, k := range []string{k1, k2} {
		if err := wh.Deliver(ctx, &Message{Key: k}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.RecordDeliveries(ctx, f.clock.Now(), []store.PushDelivery{{Key: k1, Channel: "webhook", PushID: jobs[0].ID, Segment: "all", Attempts: 1},
		{Key: k1, Channel: FeedChannel, PushID: jobs[0].ID, Segment: "all", Attempts: 1, Feed: &store.FeedEvent{StoreID: jobs[0].StoreID, ProductID: jobs[0].ProductID, Segment: "all", Date: "2026-11-21", Message: json.RawMessage(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	if rep, _ := f.p.Pass(ctx); rep.Deliveries != 0 {
		t.Fatalf("rows under the dead worker's live lease were taken: %+v", rep)
	}
	f.clock.Advance(31 * time.Second)
	rep, err := f.p.Pass(ctx)
	if err != nil || rep.Sent != 4 || rep.Deliveries != 6 {
		t.Fatalf("takeover: %+v %v", rep, err)
	}
	c := f.recv.Counts()
	if c[k1] != 1 || c[k2] != 2 || len(c) != 4 {
		t.Fatalf("webhook requests per key: %v", c)
	}
	if st := f.recv.Stats(); st.Unique != 4 {
		t.Fatalf("unique keys %+v", st)
	}
	evs, _ := f.st.FeedEvents(ctx, &store.FeedQuery{})
	if len(evs) != 4 {
		t.Fatalf("feed has %d events", len(evs))
	}
}

func TestWebhookSignature(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"key":"2026-11-21:S01:P001:all"}`)
	h := Sign([]byte("k"), now, body)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"valid", "k", h, body, now, nil},
		{"valid within age", "k", h, body, now.Add(4 * time.Minute), nil},
		{"wrong secret", "x", h, body, now, ErrBadSignature},
		{"changed body", "k", h, []byte(`{"key":"other"}`), now, ErrBadSignature},
		{"replayed later", "k", h, body, now.Add(10 * time.Minute), ErrStaleRequest},
		{"garbage", "k", "v1=abc", body, now, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature([]byte(tc.secret), tc.header, tc.body, tc.at, 0)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !strings.Contains(err.Error(), tc.want.Error())) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add("t=1790000000,v1=00", []byte("{}"))
	f.Add("", []byte(""))
	f.Add("t=x,v1=,v1=,t=", []byte("a"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		now := time.Unix(1_790_000_000, 0)
		if VerifySignature([]byte("k"), header, body, now, 0) != nil {
			return
		}
		// A header that verifies carries the MAC of its own timestamp.
		var ts string
		for _, part := range strings.Split(header, ",") {
			if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
				ts = v
			}
		}
		if !strings.Contains(header, "v1="+signature([]byte("k"), ts, body)) {
			t.Fatalf("verified without the MAC: %q", header)
		}
	})
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
