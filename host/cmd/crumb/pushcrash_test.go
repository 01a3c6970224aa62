//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// TestPushExactlyOnceAcrossCrashes queues 1,000 pushes (two segments each:
// 2,000 messages), starts `crumb serve` as a subprocess and kills it with
// SIGKILL at random points while it writes copy and delivers, restarting
// it each time, until the queue is done. A recording webhook server, which
// also fails some requests and answers slowly, checks every signature and
// counts each Idempotency-Key; the store's feed is checked the same way.
// Every key must be acted on exactly once: none lost, none twice. Requests
// that the host made but could not record before it died are sent again
// under the same key, and the receiver (as the webhook contract asks)
// de-duplicates them; the test reports how many there were.
func TestPushExactlyOnceAcrossCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and kills subprocesses; skipped with -short")
	}
	const (
		rows     = 1000
		segments = "vip,all"
		kills    = 12
		secret   = "crash-test-secret"
	)
	t0 := time.Now()
	crumbBin := plugintest.Build(t, "github.com/crumb-dev/crumb/host/cmd/crumb")
	campaignBin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/campaign")
	t.Logf("build crumb and the campaign plugin: %s", time.Since(t0).Round(time.Millisecond))

	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	if err := os.Mkdir(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(campaignBin, filepath.Join(pluginDir, "campaign")); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "data", "crumb.db")

	// The receiving end: slow, and failing now and then.
	recv := &push.Receiver{Secret: []byte(secret)}
	var mu sync.Mutex
	raw := map[string]int{}
	rng := rand.New(rand.NewPCG(9, 17))
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		raw[r.Header.Get(push.HeaderKey)]++
		delay := time.Duration(2000+rng.IntN(8000)) * time.Microsecond
		fail := rng.IntN(100) < 3
		mu.Unlock()
		time.Sleep(delay)
		if fail {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		recv.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: hook, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })

	// The queue, as the forecast plugin leaves it: tomorrow's items, so
	// that none expires during the test whatever the hour.
	st, err := store.OpenSQLite(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	day := time.Now().In(scheduleZone).AddDate(0, 0, 1).Format("2006-01-02")
	items := make([]store.PushItem, rows)
	var want []string
	for i := range items {
		s, p := fmt.Sprintf("S%02d", i/50+1), fmt.Sprintf("P%03d", i%50+1)
		pl, _ := json.Marshal(map[string]any{"ewr": 12.5 + float64(i%20), "product": fmt.Sprintf("크루아상 %d", i%50+1), "store": fmt.Sprintf("매장 %d", i/50+1)})
		items[i] = store.PushItem{StoreID: s, ProductID: p, Date: day, Payload: pl}
		for _, seg := range strings.Split(segments, ",") {
			want = append(want, push.DeliveryKey(day, s, p, seg))
		}
	}
	if n, err := st.EnqueuePush(t.Context(), items); err != nil || n != rows {
		t.Fatalf("enqueue: %d %v", n, err)
	}

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CRUMB_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"CRUMB_DATA_DIR="+filepath.Join(dir, "data"),
		"CRUMB_DATABASE_URL="+dbPath,
		"CRUMB_PLUGINS_DIR="+pluginDir,
		"CRUMB_LISTEN=127.0.0.1:0",
		"CRUMB_LOG_LEVEL=warn",
		"CRUMB_SCHEDULE_WEBHOOK_URL=http://"+ln.Addr().String()+"/push",
		"CRUMB_SCHEDULE_WEBHOOK_SECRET="+secret,
		"CRUMB_SCHEDULE_PUSH_SEGMENTS="+segments,
		"CRUMB_SCHEDULE_PUSH_WINDOW_END=24:00",
		// A short lease: a killed host's rows are taken over 2 s later.
		"CRUMB_SCHEDULE_PUSH_LEASE=2s",
		"CRUMB_SCHEDULE_PUSH_BATCH=50",
		"CRUMB_SCHEDULE_PUSH_WORKERS=8",
		"CRUMB_SCHEDULE_PUSH_RETRY_BACKOFF=100ms",
		"CRUMB_SCHEDULE_PUSH_MAX_ATTEMPTS=50",
		"CRUMB_SCHEDULE_PUSH_POLL_INTERVAL=100ms",
	)
	logs := &crashLog{}
	// A customer's app on GET /v1/feed of each host, resuming after a kill
	// from the last event it saw.
	app := &crashApp{seen: map[string]int{}}
	start := func() *exec.Cmd {
		cmd := exec.Command(crumbBin, "serve")
		cmd.Env, cmd.Dir = env, dir
		// Its own process group, so that the kill takes the plugins too,
		// as a machine crash would.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		serving := make(chan string, 1)
		go logs.copy(stderr, serving)
		select {
		case addr := <-serving:
			go app.follow(t, addr, filepath.Join(dir, "data", "local-token"))
		case <-time.After(30 * time.Second):
			t.Fatalf("crumb serve did not start:\n%s", logs.tail(40))
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}
	done := func() bool {
		c, err := st.PushCounts(t.Context(), day)
		return err == nil && c[store.PushSent] == rows
	}
	progress := func() int { return recv.Stats().Unique }

	r := rand.New(rand.NewPCG(1, 2))
	var killedAt []string
	for k := 0; k < kills && !done(); k++ {
		cmd := start()
		before := progress()
		// Half the kills at a random moment after start (start-up, copy,
		// delivery), half after a random amount of delivery progress.
		if k%2 == 0 {
			time.Sleep(time.Duration(50+r.IntN(800)) * time.Millisecond)
		} else {
			target := before + 10 + r.IntN(120)
			deadline := time.Now().Add(30 * time.Second)
			for progress() < target && time.Now().Before(deadline) && !done() {
				time.Sleep(time.Millisecond)
			}
		}
		c, _ := st.PushCounts(t.Context(), day)
		killedAt = append(killedAt, fmt.Sprintf("kill %d: %d keys received, queue %v", k+1, progress(), c))
		kill(cmd)
	}
	// The last start runs to the end.
	cmd := start()
	deadline := time.Now().Add(3 * time.Minute)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// The app on the last host sees the rest.
	for app.count() < len(want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Let anything in flight land before looking, then stop.
	time.Sleep(300 * time.Millisecond)
	kill(cmd)
	for _, l := range killedAt {
		t.Log(l)
	}
	if !done() {
		c, _ := st.PushCounts(t.Context(), day)
		t.Fatalf("the queue did not finish: %v\nhost log:\n%s", c, logs.tail(40))
	}

	// Every key acted on exactly once by the receiver, none missing, none
	// unexpected.
	counts := recv.Counts()
	var missing, unexpected []string
	for _, k := range want {
		if counts[k] == 0 {
			missing = append(missing, k)
		}
	}
	for k := range counts {
		if !slices.Contains(want, k) {
			unexpected = append(unexpected, k)
		}
	}
	stats := recv.Stats()
	if len(missing) > 0 || len(unexpected) > 0 || stats.Unique != len(want) || stats.Rejected != 0 {
		t.Fatalf("webhook: %d missing (%v), %d unexpected, stats %+v", len(missing), crashFirst(missing, 5), len(unexpected), stats)
	}
	// The host's own records: each key delivered once per channel, the feed
	// with one event per key, every push sent.
	jobs, err := st.PushJobs(t.Context(), day, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	webhookRecords, feedRecords := 0, 0
	for _, j := range jobs {
		if j.Status != store.PushSent || len(j.Messages) != 2 {
			t.Fatalf("push %d: %s with %d messages (%s)", j.ID, j.Status, len(j.Messages), j.LastError)
		}
		for _, k := range []string{"vip", "all"} {
			key := push.DeliveryKey(day, j.StoreID, j.ProductID, k)
			if j.DeliveredOn(key, "webhook") {
				webhookRecords++
			}
			if j.DeliveredOn(key, push.FeedChannel) {
				feedRecords++
			}
		}
	}
	evs, err := st.FeedEvents(t.Context(), &store.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.Key] {
			t.Fatalf("feed event %s twice", e.Key)
		}
		seen[e.Key] = true
	}
	if webhookRecords != len(want) || feedRecords != len(want) || len(evs) != len(want) {
		t.Fatalf("records: webhook %d, feed %d, feed events %d; want %d each", webhookRecords, feedRecords, len(evs), len(want))
	}
	// The app saw every key once, across 1 + kills connections.
	app.mu.Lock()
	appTwice, appMissing := 0, 0
	for _, k := range want {
		switch app.seen[k] {
		case 0:
			appMissing++
		case 1:
		default:
			appTwice++
		}
	}
	appConns := app.conns
	app.mu.Unlock()
	if appTwice > 0 || appMissing > 0 {
		t.Fatalf("the app's feed: %d keys missing, %d seen more than once", appMissing, appTwice)
	}
	// Requests the host sent again: failures it was told about (503) and
	// deliveries it made but had not recorded when it was killed.
	mu.Lock()
	resent, maxPerKey := 0, 0
	for _, n := range raw {
		resent += n - 1
		maxPerKey = max(maxPerKey, n)
	}
	mu.Unlock()
	t.Logf("%d kills: %d keys acted on exactly once by the webhook receiver and %d feed events, one per key, each seen once by an app that followed /v1/feed over %d connections; %d HTTP requests in all: %d refused with 503 and sent again, %d in-doubt deliveries (made, not yet recorded when the host was killed) sent again under the same Idempotency-Key and de-duplicated by the receiver; at most %d requests for one key; %s",
		len(killedAt), stats.Unique, len(evs), appConns, resent+len(raw), resent-stats.Duplicates, stats.Duplicates, maxPerKey, time.Since(t0).Round(time.Millisecond))
}

func crashFirst(s []string, n int) []string { return s[:min(n, len(s))] }

// crashLog keeps the subprocesses' stderr for failure reports.
type crashLog struct {
	mu    sync.Mutex
	lines []string
}

// copy keeps r's lines and sends the address of "Crumb is serving on …".
func (l *crashLog) copy(r io.Reader, serving chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if addr, ok := strings.CutPrefix(line, "Crumb is serving on "); ok {
			select {
			case serving <- strings.TrimSpace(addr):
			default:
			}
		}
		l.mu.Lock()
		l.lines = append(l.lines, line)
		l.mu.Unlock()
	}
}

// crashApp follows the feed as a customer's app: one SSE connection per
// host, resumed with Last-Event-ID.
type crashApp struct {
	mu    sync.Mutex
	seen  map[string]int
	last  string
	conns int
}

func (a *crashApp) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.seen)
}

func (a *crashApp) follow(t *testing.T, base, tokenFile string) {
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Errorf("read the local token: %v", err)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/feed", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	a.mu.Lock()
	if a.last != "" {
		req.Header.Set("Last-Event-ID", a.last)
	} else {
		req.URL.RawQuery = "since=0"
	}
	a.conns++
	a.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return // killed before it answered
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/feed: %s", resp.Status)
		return
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var id string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			var m push.Message
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m); err != nil {
				t.Errorf("feed event: %v", err)
				return
			}
			a.mu.Lock()
			a.seen[m.Key]++
			a.last = id
			a.mu.Unlock()
		}
	}
}

func (l *crashLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines[max(0, len(l.lines)-n):], "\n")
}
