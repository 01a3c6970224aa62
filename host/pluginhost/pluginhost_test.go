package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// memBackend serves a small brand from memory. When block is set, stock
// reads signal on reading and then wait for release, so that a test can
// kill the plugin in the middle of a call.
type memBackend struct {
	data *store.Data

	mu      sync.Mutex
	block   bool
	reading chan struct{}
	release chan struct{}
	arts    []*store.Artifact
}

func newMemBackend(now time.Time) *memBackend {
	d := &store.Data{
		Stores: []tools.Store{
			{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu"},
			{ID: "S02", Name: "홍대점", NameEN: "Hongdae", District: "마포구", DistrictEN: "Mapo-gu"},
		},
		Products: []tools.Product{
			{ID: "P001", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Price: 3500},
			{ID: "P002", Name: "식빵", NameEN: "White Bread", Category: "bread", Price: 4500},
		},
	}
	for i, s := range []string{"S01", "S02"} {
		for j, p := range []string{"P001", "P002"} {
			d.Stock = append(d.Stock, tools.StockSnapshot{StoreID: s, ProductID: p, At: now.Add(-time.Hour), Quantity: 10*(i+1) + j})
		}
	}
	return &memBackend{data: d}
}

func (b *memBackend) ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(any) error) error {
	var rows []any
	switch q.Dataset {
	case tools.DatasetStores:
		for _, r := range b.data.Stores {
			rows = append(rows, r)
		}
	case tools.DatasetProducts:
		for _, r := range b.data.Products {
			rows = append(rows, r)
		}
	case tools.DatasetStock:
		b.mu.Lock()
		block, reading, release := b.block, b.reading, b.release
		b.mu.Unlock()
		if block {
			close(reading)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, r := range b.data.Stock {
			if (len(q.Stores) == 0 || q.Stores[0] == r.StoreID) && (len(q.Products) == 0 || q.Products[0] == r.ProductID) {
				rows = append(rows, r)
			}
		}
	default:
		return errors.New("memBackend: dataset not served: " + q.Dataset)
	}
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (b *memBackend) PutArtifact(_ context.Context, a *store.Artifact) (*store.Artifact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cp := *a
	cp.Version = len(b.arts) + 1
	b.arts = append(b.arts, &cp)
	return &cp, nil
}

func (b *memBackend) EnqueuePush(_ context.Context, items []store.PushItem) (int, error) {
	return len(items), nil
}

func (b *memBackend) Pushes(context.Context, string) ([]store.PushItem, error) { return nil, nil }

func (b *memBackend) GetArtifact(_ context.Context, plugin, key string, version int) (*store.Artifact, error) {
	return nil, store.ErrNotFound
}

// catalogDir builds the real catalog plugin into a fresh plugin directory.
func catalogDir(t *testing.T) string {
	t.Helper()
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/catalog")
	dir := t.TempDir()
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "catalog"), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func stockCall(now time.Time) *tools.Invocation {
	return &tools.Invocation{
		Tool:     "stock_on_hand",
		Args:     json.RawMessage(`{"store":"강남","product":"croissant"}`),
		CallInfo: tools.CallInfo{RequestID: "req-1", Locale: "ko", Now: now},
	}
}

// TestKillMidCall runs the real catalog binary, SIGKILLs it while a call is
// in flight, and checks that the call fails fast and clearly, that the
// plugin's tools are withdrawn while it is down, that it comes back, and
// that the next call succeeds.
func TestKillMidCall(t *testing.T) {
	now := time.Now()
	backend := newMemBackend(now)
	h := New(Config{Dir: catalogDir(t), MinBackoff: 300 * time.Millisecond, Logger: testLogger(t)}, backend)
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	ctx := context.Background()
	res, err := h.Invoke(ctx, stockCall(now))
	if err != nil {
		t.Fatalf("first call: %v", err)
	}
	var out struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(res.Output, &out); err != nil || out.Total != 10 {
		t.Fatalf("first call: total = %d (%v), want 10; output %s", out.Total, err, res.Output)
	}
	if res.Display == nil || !strings.Contains(res.Display.Text, "강남점의 크루아상 재고는 10개") {
		t.Fatalf("first call: display text %+v", res.Display)
	}

	st := h.Plugins()[0]
	if st.State != StateRunning || st.PID == 0 || st.Version == "" {
		t.Fatalf("status before kill: %+v", st)
	}
	backend.mu.Lock()
	backend.block, backend.reading, backend.release = true, make(chan struct{}), make(chan struct{})
	reading := backend.reading
	backend.mu.Unlock()

	type outcome struct {
		err error
		at  time.Time
	}
	done := make(chan outcome, 1)
	go func() {
		_, err := h.Invoke(ctx, stockCall(now))
		done <- outcome{err, time.Now()}
	}()
	select {
	case <-reading:
	case <-time.After(5 * time.Second):
		t.Fatal("the call never reached the host API")
	}
	killedAt := time.Now()
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var o outcome
	select {
	case o = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not return after the plugin was killed")
	}
	took := o.at.Sub(killedAt)
	if took > time.Second {
		t.Errorf("call returned %s after the kill, want < 1s", took)
	}
	t.Logf("the call failed %s after SIGKILL", took)
	var ce *CallError
	if !errors.As(o.err, &ce) || !strings.Contains(o.err.Error(), "plugin catalog") {
		t.Fatalf("call during kill: err = %v, want a CallError naming the plugin", o.err)
	}
	t.Logf("error seen by the caller: %v", o.err)
	backend.mu.Lock()
	backend.block = false
	backend.mu.Unlock()

	// While down: tools withdrawn, calls refused at once.
	waitFor(t, "plugin marked down", 2*time.Second, func() bool { return h.Plugins()[0].State != StateRunning })
	if got := h.Tools(); len(got) != 0 {
		t.Errorf("tools of a dead plugin still listed: %v", got)
	}
	t0 := time.Now()
	_, err = h.Invoke(ctx, stockCall(now))
	var ue *UnavailableError
	if !errors.As(err, &ue) || time.Since(t0) > 100*time.Millisecond {
		t.Errorf("call while down: err = %v after %s, want an immediate UnavailableError", err, time.Since(t0))
	} else {
		t.Logf("error while down: %v", err)
	}

	waitFor(t, "plugin restarted", 10*time.Second, func() bool { return h.Plugins()[0].State == StateRunning })
	t.Logf("back after %s", time.Since(killedAt).Round(time.Millisecond))
	st = h.Plugins()[0]
	if st.Restarts != 1 {
		t.Errorf("restarts = %d, want 1", st.Restarts)
	}
	if len(h.Tools()) != 2 {
		t.Errorf("tools after restart = %v, want 2", h.Tools())
	}
	if _, err := h.Invoke(ctx, stockCall(now)); err != nil {
		t.Fatalf("call after restart: %v", err)
	}
}

func TestInvalidArguments(t *testing.T) {
	now := time.Now()
	h := New(Config{Dir: catalogDir(t), Logger: testLogger(t)}, newMemBackend(now))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	cases := []struct {
		args, want string
	}{
		{`{"store": 3}`, `field "store": wrong type`},
		{`{"shop": "강남"}`, `field "shop": unknown field`},
		{`[1,2]`, `wrong type`},
		{`{"store":`, `not valid JSON`},
	}
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			_, err := h.Invoke(context.Background(), &tools.Invocation{Tool: "stock_on_hand", Args: json.RawMessage(c.args)})
			var ae *ArgumentError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want an ArgumentError containing %q", err, c.want)
			}
		})
	}
	_, err := h.Invoke(context.Background(), &tools.Invocation{Tool: "no_such_tool"})
	if !errors.Is(err, ErrUnknownTool) || !strings.Contains(err.Error(), "stock_on_hand") {
		t.Fatalf("unknown tool: err = %v", err)
	}
	res, err := h.Invoke(context.Background(), &tools.Invocation{Tool: "stock_on_hand", Args: json.RawMessage(`{"store":"부산"}`), CallInfo: tools.CallInfo{Now: now}})
	if err != nil || !strings.Contains(res.Failure, `unknown store "부산"`) {
		t.Fatalf("unknown store: res = %+v, err = %v; want a failure naming the store", res, err)
	}
}

// TestCrashLoopOpensBreaker uses a "plugin" that exits at once: every start
// fails, restarts back off, and the breaker opens.
func TestCrashLoopOpensBreaker(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken"), []byte("#!/bin/sh\necho boom >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := New(Config{Dir: dir, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, BreakerFailures: 3, Logger: testLogger(t)}, newMemBackend(time.Now()))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	waitFor(t, "breaker open", 10*time.Second, func() bool { return h.Plugins()[0].Breaker == "open" })
	st := h.Plugins()[0]
	if st.Restarts < 3 || st.State == StateRunning || st.LastError == "" {
		t.Fatalf("status: %+v", st)
	}
}

func TestDiscoverMissingDir(t *testing.T) {
	_, err := Discover(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "make plugins") {
		t.Fatalf("err = %v, want a hint to run make plugins", err)
	}
}

// TestCapabilitiesEnforced runs a plugin over real gRPC against the host's
// own HostAPI implementation: reading a dataset it did not declare is a
// permission error, as is keeping artifacts without declaring it.
func TestCapabilitiesEnforced(t *testing.T) {
	type none struct{}
	type out struct {
		N int `json:"n"`
	}
	read := func(dataset string) func(context.Context, *tools.Call, none) (out, error) {
		return func(ctx context.Context, c *tools.Call, _ none) (out, error) {
			n := 0
			err := c.Host.ReadDataset(ctx, &tools.DatasetQuery{Dataset: dataset}, func(json.RawMessage) error { n++; return nil })
			return out{N: n}, err
		}
	}
	p := tools.Plugin{
		Name: "nosy", Version: "1",
		Tools: []tools.Tool{
			tools.NewTool("read_stores", "", read(tools.DatasetStores)),
			tools.NewTool("read_customers", "", read(tools.DatasetCustomers)),
			tools.NewTool("keep", "", func(ctx context.Context, c *tools.Call, _ none) (out, error) {
				_, err := c.Host.PutArtifact(ctx, &tools.Artifact{Key: "k", Data: []byte("x")})
				return out{}, err
			}),
		},
		Capabilities: tools.Capabilities{Datasets: []string{tools.DatasetStores}},
	}
	api := &pluginAPI{plugin: "nosy", backend: newMemBackend(time.Now()), log: testLogger(t)}
	m, err := p.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	api.caps.Store(&m.Capabilities)
	c := plugintest.Connect(t, p, api)
	call := func(tool string) (*tools.Result, error) {
		return c.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(`{}`)})
	}
	if res, err := call("read_stores"); err != nil || string(res.Output) != `{"n":2}` {
		t.Fatalf("declared dataset: %+v, %v", res, err)
	}
	for _, tool := range []string{"read_customers", "keep"} {
		_, err := call(tool)
		if !errors.Is(err, tools.ErrPermission) || !strings.Contains(err.Error(), "plugin nosy may not") {
			t.Errorf("%s: err = %v, want a permission error naming the plugin", tool, err)
		}
	}
}

// TestMisbehavingPlugin checks the per-call timeout, a panicking tool and a
// result that breaks the tool's output schema, against a real plugin binary.
func TestMisbehavingPlugin(t *testing.T) {
	bin := plugintest.Build(t, "./testdata/misbehave")
	dir := t.TempDir()
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "misbehave"), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	h := New(Config{Dir: dir, CallTimeout: 200 * time.Millisecond, BreakerFailures: 100, Logger: testLogger(t)}, newMemBackend(time.Now()))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	call := func(tool, args string) error {
		_, err := h.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(args)})
		return err
	}
	if err := call("sleep", `{"millis":10}`); err != nil {
		t.Fatalf("quick sleep: %v", err)
	}
	t0 := time.Now()
	err = call("sleep", `{"millis":5000}`)
	if took := time.Since(t0); took > time.Second || err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Errorf("slow call: err = %v after %s, want a timeout after 200ms", err, took)
	}
	if err := call("panic", `{}`); err == nil || !strings.Contains(err.Error(), "panicked: on purpose") {
		t.Errorf("panic: err = %v", err)
	}
	if err := call("liar", `{}`); err == nil || !strings.Contains(err.Error(), `output schema: field "n": wrong type`) {
		t.Errorf("liar: err = %v", err)
	}
	// The plugin survived all of it.
	if st := h.Plugins()[0]; st.State != StateRunning || st.Restarts != 0 {
		t.Errorf("status: %+v", st)
	}
}

// TestFirstCallLongAfterStart guards against go-plugin's broker forgetting
// the host API's connection offer after five seconds: the first tool call
// can come long after the plugin started.
func TestFirstCallLongAfterStart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 6 s")
	}
	now := time.Now()
	h := New(Config{Dir: catalogDir(t), Logger: testLogger(t)}, newMemBackend(now))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	time.Sleep(6 * time.Second)
	if _, err := h.Invoke(context.Background(), stockCall(now)); err != nil {
		t.Fatalf("first call 6 s after start: %v", err)
	}
}

func TestToolIDs(t *testing.T) {
	now := time.Now()
	h := New(Config{Dir: catalogDir(t), Logger: testLogger(t)}, newMemBackend(now))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	inv := stockCall(now)
	inv.Tool = "catalog.stock_on_hand"
	if _, err := h.Invoke(context.Background(), inv); err != nil {
		t.Fatalf("by id: %v", err)
	}
	if ts := h.Tools(); len(ts) != 2 || ts[1].ID != "catalog.stock_on_hand" {
		t.Fatalf("tools: %+v", ts)
	}
}
