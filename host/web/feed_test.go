package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
)

// feedEvent is one server-sent event as an app parses it.
type feedEvent struct {
	ID    string
	Event string
	Data  string
}

// feedClient reads GET /v1/feed the way an app does: one request, events
// as they come.
type feedClient struct {
	resp   *http.Response
	events chan feedEvent
	cancel context.CancelFunc
}

func openFeed(t *testing.T, url, token, lastID string) *feedClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &feedClient{resp: resp, events: make(chan feedEvent, 100), cancel: cancel}
	t.Cleanup(c.close)
	if resp.StatusCode != http.StatusOK {
		return c
	}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		var ev feedEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Data != "" {
					c.events <- ev
				}
				ev = feedEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return c
}

func (c *feedClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

func (c *feedClient) next(t *testing.T) push.Message {
	t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			t.Fatal("the feed closed")
		}
		if ev.Event != "push" || ev.ID == "" {
			t.Fatalf("event %+v", ev)
		}
		var m push.Message
		if err := json.Unmarshal([]byte(ev.Data), &m); err != nil {
			t.Fatal(err)
		}
		m.PushID = 0
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return push.Message{}
}

func (c *feedClient) none(t *testing.T) {
	t.Helper()
	select {
	case ev := <-c.events:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestFeedDeliversPushesLive runs the push pipeline over a real store and
// watches GET /v1/feed as a customer's app: pushes for its store and
// segment arrive as they are sent, others do not, and a reconnect with
// Last-Event-ID resumes without loss or repeats.
func TestFeedDeliversPushesLive(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	now := time.Date(2026, 11, 21, 17, 0, 0, 0, seoul)
	clock := func() time.Time { return now }
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	feed := push.NewFeed(st, push.FeedOptions{Poll: time.Hour})
	fctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	if err := feed.Start(fctx); err != nil {
		t.Fatal(err)
	}
	copyw := push.CopywriterFunc(func(_ context.Context, reqs []push.CopyRequest) ([]push.CopyResult, error) {
		out := make([]push.CopyResult, len(reqs))
		for i, r := range reqs {
			out[i].Copy = push.Copy{Headline: "오늘 저녁 " + r.ProductName, PushText: fmt.Sprintf("%s %d%% 할인", r.ProductName, r.DiscountPct),
				ActionLine: "가까운 매장에서 만나요", Outcome: "fallback"}
		}
		return out, nil
	})
	p, err := push.NewPipeline(push.PipelineOptions{Store: st, Copy: copyw, Feed: feed, Clock: feedClock{now},
		Settings: push.Settings{Location: seoul, Segments: []string{"vip", "all"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Auth: auth.NewTokenAuth(st, clock), Tokens: st, Feed: feed, Now: clock})
	ts := httptest.NewUnstartedServer(srv.Handler())
	// The feed outlives the server's write timeout, which is for answers.
	ts.Config.WriteTimeout = 300 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	token, _, err := web.CreateToken(ctx, st, "bakery-app", "staff", nil)
	if err != nil {
		t.Fatal(err)
	}

	if c := openFeed(t, ts.URL+"/v1/feed?store=S01", "", ""); c.resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", c.resp.StatusCode)
	}
	if c := openFeed(t, ts.URL+"/v1/feed?store=%3Cscript%3E", token, ""); c.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad store: %d", c.resp.StatusCode)
	}
	if c := openFeed(t, ts.URL+"/v1/feed", token, "yesterday"); c.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad Last-Event-ID: %d", c.resp.StatusCode)
	}

	app := openFeed(t, ts.URL+"/v1/feed?store=S01&segment=vip", token, "")
	if ct := app.resp.Header.Get("Content-Type"); app.resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("feed: %d %s", app.resp.StatusCode, ct)
	}
	app.none(t)
	time.Sleep(400 * time.Millisecond) // past the server's write timeout

	enqueue := func(storeID, productID, name string) {
		pl, _ := json.Marshal(map[string]any{"ewr": 24.5, "product": name, "store": "강남점"})
		if _, err := st.EnqueuePush(ctx, []store.PushItem{{StoreID: storeID, ProductID: productID, Date: "2026-11-21", Payload: pl}}); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("S01", "P018", "크루아상")
	enqueue("S02", "P018", "크루아상")
	if rep, err := p.Pass(ctx); err != nil || rep.Sent != 2 {
		t.Fatalf("pass: %+v %v", rep, err)
	}
	// The two segments of a push are delivered side by side: any order.
	m1, m2 := app.next(t), app.next(t)
	if m1.Segment == "all" {
		m1, m2 = m2, m1
	}
	if m1.Key != "2026-11-21:S01:P018:vip" || m2.Key != "2026-11-21:S01:P018:all" || m1.Headline != "오늘 저녁 크루아상" || m1.DiscountPct != 20 || m1.Store != "강남점" {
		t.Fatalf("events: %+v / %+v", m1, m2)
	}
	app.none(t) // S02's pushes are not this app's

	// The app goes away after the first event and comes back with its id.
	app.close()
	enqueue("S01", "P020", "소금빵")
	p.Pass(ctx)
	first, _ := st.FeedEvents(ctx, &store.FeedQuery{Stores: []string{"S01"}, Limit: 1})
	back := openFeed(t, ts.URL+"/v1/feed?store=S01&segment=vip", token, fmt.Sprint(first[0].Seq))
	rest, _ := st.FeedEvents(ctx, &store.FeedQuery{AfterSeq: first[0].Seq, Stores: []string{"S01"}})
	var keys, want []string
	for _, e := range rest {
		keys = append(keys, back.next(t).Key)
		want = append(want, e.Key)
	}
	if len(want) != 3 || strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Fatalf("resumed with %v, want %v", keys, want)
	}
	back.none(t)

	// A new app without an id gets today's offers still valid.
	fresh := openFeed(t, ts.URL+"/v1/feed?store=S02&segment=loyal", token, "")
	if m := fresh.next(t); m.Key != "2026-11-21:S02:P018:all" {
		t.Fatalf("fresh app: %+v", m)
	}
	fresh.none(t)
}

type feedClock struct{ t time.Time }

func (c feedClock) Now() time.Time                         { return c.t }
func (c feedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
