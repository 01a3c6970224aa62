//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// The demo is kept small so that the test stays fast; its "today" is the
// real today in Asia/Seoul, because `crumb serve` answers with the clock.
const (
	e2eDemoDays      = 40
	e2eDemoCustomers = 200
	e2eKoQuestion    = "강남점 크루아상 재고 몇 개야?"
	e2eEnQuestion    = "what is in stock at Hongdae?"
)

// seoulZone is the brand's time zone. Korea keeps UTC+9 without daylight
// saving, so a fixed zone needs no tz database (the store does the same).
var seoulZone = time.FixedZone("KST", 9*3600)

// TestEndToEnd builds the crumb binary and the catalog plugin, writes the
// demo brand with `crumb demo`, starts `crumb serve` as a subprocess and
// talks to it over HTTP and through the CLI. Expected stock is read from the
// SQLite file directly, independently of the plugin.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and runs subprocesses; skipped with -short")
	}
	e := newE2E(t)

	t0 := time.Now()
	e.demo(t)
	t.Logf("crumb demo: %s", time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	srv := e.serve(t)
	t.Logf("crumb serve ready: %s", time.Since(t0).Round(time.Millisecond))

	st, err := store.Open(t.Context(), e.dbPath)
	if err != nil {
		t.Fatalf("open the demo database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	croissant := productID(t, st, "Croissant")
	products, err := st.ListProducts(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	// Tool calls that reached the plugin through the server, for /metrics.
	serverCalls := 0
	var koReply *chat.Reply
	var koExpect stockView

	t.Run("chat ko", func(t *testing.T) {
		id := "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		before := e.expect(t, st, "S01", croissant)
		resp, raw := e.post(t, "/v1/chat", `{"text":"`+e2eKoQuestion+`"}`, id)
		after := e.expect(t, st, "S01", croissant)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /v1/chat: %s: %s", resp.Status, raw)
		}
		serverCalls++
		if got := resp.Header.Get("X-Request-ID"); got != id {
			t.Errorf("X-Request-ID header = %q, want %q", got, id)
		}
		r := decodeReply(t, raw)
		if r.RequestID != id {
			t.Errorf("request_id = %q, want %q", r.RequestID, id)
		}
		if r.Intent != "knowledge_qa" || r.SubIntent != "stock_lookup" || r.Locale != "ko" {
			t.Errorf("intent, sub, locale = %s, %s, %s; want knowledge_qa, stock_lookup, ko", r.Intent, r.SubIntent, r.Locale)
		}
		if r.Slots.Store() != "S01" || r.Slots.Product() != croissant {
			t.Errorf("slots = %+v, want store S01, product %s", r.Slots, croissant)
		}
		if len(r.ToolCalls) != 1 || r.ToolCalls[0].Tool != "stock_on_hand" {
			t.Fatalf("tool calls = %+v, want one call of stock_on_hand", r.ToolCalls)
		}
		call := r.ToolCalls[0]
		if call.Error != "" || call.Failure != "" {
			t.Fatalf("stock_on_hand: error %q, failure %q", call.Error, call.Failure)
		}
		var args map[string]string
		if err := json.Unmarshal(call.Args, &args); err != nil || args["store"] != "S01" || args["product"] != croissant {
			t.Errorf("tool args = %s, want store S01 and product %s", call.Args, croissant)
		}
		res := decodeStock(t, r.Result)
		if len(res.Rows) != 1 {
			t.Fatalf("result has %d rows, want 1: %s", len(res.Rows), r.Result)
		}
		row := res.Rows[0]
		if row.StoreID != "S01" || row.ProductID != croissant || row.Quantity != res.Total {
			t.Errorf("result row = %+v, total %d; want S01 %s with the total", row, res.Total, croissant)
		}
		koExpect = pick(t, res.Total, row.At, before, after)
		checkKoSentence(t, r.Text, koExpect)
		koReply = r

		// The request's id is on the server's log lines of this request,
		// and on no other request's.
		lines := srv.waitLog(t, func(lines []string) bool {
			return hasLine(lines, "request_id="+id, "msg=turn") && hasLine(lines, "request_id="+id, "msg=http", "path=/v1/chat")
		})
		for _, l := range lines {
			if strings.Contains(l, "request_id="+id) && strings.Contains(l, "path=") && !strings.Contains(l, "path=/v1/chat") {
				t.Errorf("request id %s is on another request's log line: %s", id, l)
			}
		}
	})

	t.Run("chat en", func(t *testing.T) {
		before := e.expect(t, st, "S02", "")
		resp, raw := e.post(t, "/v1/chat", `{"text":"`+e2eEnQuestion+`"}`, "")
		after := e.expect(t, st, "S02", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /v1/chat: %s: %s", resp.Status, raw)
		}
		serverCalls++
		if id := resp.Header.Get("X-Request-ID"); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
			t.Errorf("generated X-Request-ID = %q, want 16 hex digits", id)
		}
		r := decodeReply(t, raw)
		if r.Intent != "knowledge_qa" || r.SubIntent != "stock_lookup" || r.Locale != "en" || chat.DetectLocale(r.Text) != "en" {
			t.Errorf("intent, locale = %s, %s, text %q; want stock_lookup in English", r.Intent, r.Locale, r.Text)
		}
		if r.Slots.Store() != "S02" || r.Slots.Product() != "" {
			t.Errorf("slots = %+v, want store S02 only", r.Slots)
		}
		if len(r.ToolCalls) != 1 || r.ToolCalls[0].Tool != "stock_on_hand" || string(r.ToolCalls[0].Args) != `{"store":"S02"}` {
			t.Fatalf("tool calls = %+v, want stock_on_hand {\"store\":\"S02\"}", r.ToolCalls)
		}
		res := decodeStock(t, r.Result)
		want := pick(t, res.Total, res.AsOf, before, after)
		if !strings.Contains(r.Text, "Hongdae") || !strings.Contains(r.Text, fmt.Sprintf("%d units", want.Total)) {
			t.Errorf("text %q does not name Hongdae and %d units", r.Text, want.Total)
		}
		if r.Blocks == nil || len(r.Blocks.Tables) != 1 {
			t.Fatalf("blocks = %+v, want one table", r.Blocks)
		}
		tab := r.Blocks.Tables[0]
		if len(tab.Rows) != len(products) {
			t.Fatalf("table has %d rows, want one per product (%d)", len(tab.Rows), len(products))
		}
		byName := map[string]string{}
		for _, p := range products {
			byName[p.NameEN] = p.ID
		}
		seen := map[string]bool{}
		sum := 0
		for _, row := range tab.Rows {
			if len(row) != len(tab.Columns) || len(row) < 3 {
				t.Fatalf("table row %v does not fit columns %v", row, tab.Columns)
			}
			name, _ := row[1].(string)
			qty, ok := row[2].(float64)
			id := byName[name]
			switch {
			case row[0] != "Hongdae":
				t.Errorf("row %v is not for Hongdae", row)
			case id == "" || seen[id]:
				t.Errorf("row %v: unknown or repeated product", row)
			case !ok || int(qty) != want.Qty[id]:
				t.Errorf("row %v: stock %v, want %d from the database", row, row[2], want.Qty[id])
			}
			seen[id] = true
			sum += int(qty)
		}
		if sum != want.Total || res.Total != want.Total {
			t.Errorf("table sums to %d and result total is %d; the database says %d", sum, res.Total, want.Total)
		}
	})

	t.Run("ask through the server", func(t *testing.T) {
		if koReply == nil {
			t.Skip("chat ko failed")
		}
		turns := countLines(srv.lines(), "msg=turn")
		before := e.expect(t, st, "S01", croissant)
		out, errOut := e.run(t, "ask", e2eKoQuestion)
		after := e.expect(t, st, "S01", croissant)
		serverCalls++
		first, _, _ := strings.Cut(out, "\n")
		if before.equal(koExpect) && after.equal(koExpect) {
			if first != koReply.Text {
				t.Errorf("crumb ask printed %q, want the server's sentence %q", first, koReply.Text)
			}
		} else {
			// The hour turned since the chat: check against the data instead.
			n, at := parseKoSentence(t, first)
			checkKoSentence(t, first, pick(t, n, at, before, after))
		}
		if !strings.Contains(out, "크루아상") || !strings.Contains(out, "─") {
			t.Errorf("crumb ask printed no table:\n%s", out)
		}
		srv.waitLog(t, func(lines []string) bool { return countLines(lines, "msg=turn") == turns+1 })
		if strings.Contains(errOut, "level=ERROR") {
			t.Errorf("crumb ask logged errors:\n%s", errOut)
		}
	})

	t.Run("ask local json", func(t *testing.T) {
		turns := countLines(srv.lines(), "msg=turn")
		before := e.expect(t, st, "S01", croissant)
		out, errOut := e.run(t, "ask", "--local", "--json", e2eKoQuestion)
		after := e.expect(t, st, "S01", croissant)
		r := decodeReply(t, []byte(out))
		if r.Intent != "knowledge_qa" || r.SubIntent != "stock_lookup" || r.Locale != "ko" || len(r.ToolCalls) != 1 {
			t.Fatalf("reply = %s", out)
		}
		res := decodeStock(t, r.Result)
		if len(res.Rows) != 1 {
			t.Fatalf("result has %d rows, want 1", len(res.Rows))
		}
		checkKoSentence(t, r.Text, pick(t, res.Total, res.Rows[0].At, before, after))
		// In process: the server saw no turn. Its log is read after a
		// request of our own, so that a late line would be there by now.
		barrier := "e2e-barrier-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		e.get(t, "/healthz", barrier)
		srv.waitLog(t, func(lines []string) bool { return hasLine(lines, "request_id="+barrier) })
		if n := countLines(srv.lines(), "msg=turn"); n != turns {
			t.Errorf("the server answered %d turns during crumb ask --local, want none", n-turns)
		}
		if strings.Contains(errOut, "level=ERROR") {
			t.Errorf("crumb ask --local logged errors:\n%s", errOut)
		}
	})

	t.Run("plugins ls", func(t *testing.T) {
		out, _ := e.run(t, "plugins", "ls", "--json")
		var got []pluginhost.Status
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("crumb plugins ls --json: %v\n%s", err, out)
		}
		if len(got) != 1 {
			t.Fatalf("got %d plugins, want 1: %s", len(got), out)
		}
		p := got[0]
		names := slices.Sorted(slices.Values(p.Tools))
		if p.Name != "catalog" || p.State != pluginhost.StateRunning || p.Restarts != 0 || p.Version == "" ||
			!slices.Equal(names, []string{"product_lookup", "stock_on_hand"}) {
			t.Errorf("plugin = %+v, want catalog running with product_lookup and stock_on_hand and 0 restarts", p)
		}
		// The status came from the server: its plugin process, not a new one.
		raw := e.get(t, "/v1/plugins", "")
		var fromServer struct{ Plugins []pluginhost.Status }
		if err := json.Unmarshal(raw, &fromServer); err != nil || len(fromServer.Plugins) != 1 {
			t.Fatalf("GET /v1/plugins: %v: %s", err, raw)
		}
		if p.PID == 0 || p.PID != fromServer.Plugins[0].PID {
			t.Errorf("plugins ls shows pid %d, the server's plugin is pid %d", p.PID, fromServer.Plugins[0].PID)
		}
		srv.pluginPID = fromServer.Plugins[0].PID
	})

	t.Run("metrics", func(t *testing.T) {
		raw := e.get(t, "/metrics", "")
		metrics := string(raw)
		ok := metricValue(t, metrics, "crumb_tool_calls_total", `plugin="catalog"`, `tool="stock_on_hand"`, `outcome="ok"`)
		if ok != float64(serverCalls) {
			t.Errorf("crumb_tool_calls_total{plugin=catalog, tool=stock_on_hand, outcome=ok} = %v, want %d", ok, serverCalls)
		}
		if v := metricValue(t, metrics, "crumb_http_requests_total", `route="POST /v1/chat"`, `code="200"`); v != float64(serverCalls) {
			t.Errorf(`crumb_http_requests_total{route="POST /v1/chat",code="200"} = %v, want %d`, v, serverCalls)
		}
		if v := metricValue(t, metrics, "crumb_plugin_up", `plugin="catalog"`); v != 1 {
			t.Errorf("crumb_plugin_up{plugin=catalog} = %v, want 1", v)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		bare := func(method, path, token, body string) (*http.Response, []byte) {
			req, err := http.NewRequestWithContext(t.Context(), method, "http://"+e.addr+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return do(t, req)
		}
		if resp, raw := bare(http.MethodPost, "/v1/chat", "", `{"text":"`+e2eKoQuestion+`"}`); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(raw), "crumb token create") {
			t.Errorf("chat without a token: %s %s", resp.Status, raw)
		}
		out, _ := e.run(t, "token", "create", "--role", "staff", "--name", "e2e-staff")
		token := strings.TrimSpace(out)
		resp, raw := bare(http.MethodGet, "/v1/me", token, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"role":"staff"`) || !strings.Contains(string(raw), `"name":"e2e-staff"`) {
			t.Fatalf("GET /v1/me with a new staff token: %s %s", resp.Status, raw)
		}
		id, _ := tokenID(token)
		if out, _ := e.run(t, "token", "ls"); !strings.Contains(out, id) || strings.Contains(out, token) {
			t.Errorf("token ls:\n%s", out)
		}
		e.run(t, "token", "revoke", id)
		if resp, _ := bare(http.MethodGet, "/v1/me", token, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: %s", resp.Status)
		}
		// The audit log names who called which tool with which arguments.
		if out, _ := e.run(t, "audit", "--limit", "200"); !regexp.MustCompile(`local-cli\s+admin\s+tool:stock_on_hand\s+\{"product":"[^"]+","store":"S01"\}\s+ok`).MatchString(out) {
			t.Errorf("crumb audit does not show the chat's stock_on_hand call:\n%s", out)
		}
		// The one-time sign-in link crumb serve printed signs in once.
		m := regexp.MustCompile(`/#signin=([A-Za-z0-9_-]+)`).FindStringSubmatch(srv.log.String())
		if m == nil {
			t.Fatalf("crumb serve printed no sign-in link:\n%s", srv.log.String())
		}
		resp, raw = bare(http.MethodPost, "/v1/auth/signin", "", `{"code":"`+m[1]+`"}`)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"role":"admin"`) {
			t.Errorf("sign-in link: %s %s", resp.Status, raw)
		}
		if resp, _ := bare(http.MethodPost, "/v1/auth/signin", "", `{"code":"`+m[1]+`"}`); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("second use of the sign-in link: %s", resp.Status)
		}
	})

	t0 = time.Now()
	srv.stop(t)
	t.Logf("crumb serve stopped: %s", time.Since(t0).Round(time.Millisecond))
	// The local token is revoked and removed at shutdown.
	if _, err := os.Stat(filepath.Join(e.dir, "data", "local-token")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the local token file is still there after shutdown: %v", err)
	}
}

// e2e is one test's binaries, directories and environment.
type e2e struct {
	crumb  string // the crumb binary
	dir    string // working directory of the subprocesses
	dbPath string
	addr   string // host:port of crumb serve
	env    []string
}

func newE2E(t *testing.T) *e2e {
	t0 := time.Now()
	crumbBin := plugintest.Build(t, "github.com/crumb-dev/crumb/host/cmd/crumb")
	catalogBin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/catalog")
	t.Logf("build crumb and catalog: %s", time.Since(t0).Round(time.Millisecond))

	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	if err := os.Mkdir(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(catalogBin, filepath.Join(pluginDir, "catalog")); err != nil {
		t.Fatal(err)
	}
	e := &e2e{
		crumb:  crumbBin,
		dir:    dir,
		dbPath: filepath.Join(dir, "data", "crumb.db"),
		addr:   freeAddr(t),
	}
	// The parent's CRUMB_* variables (a developer's CRUMB_CONFIG, say) must
	// not reach the subprocesses: unknown ones are errors and known ones
	// would change what is tested.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CRUMB_") {
			e.env = append(e.env, kv)
		}
	}
	e.env = append(e.env,
		"CRUMB_DATA_DIR="+filepath.Join(dir, "data"),
		"CRUMB_DATABASE_URL="+e.dbPath,
		"CRUMB_PLUGINS_DIR="+pluginDir,
		"CRUMB_LISTEN="+e.addr,
		"CRUMB_LOG_LEVEL=info",
		"CRUMB_LOG_FORMAT=text",
		"CRUMB_DEMO_DAYS="+strconv.Itoa(e2eDemoDays),
		"CRUMB_DEMO_CUSTOMERS="+strconv.Itoa(e2eDemoCustomers),
	)
	return e
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (e *e2e) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.crumb, args...)
	cmd.Env = e.env
	cmd.Dir = e.dir // no crumb.yaml here
	return cmd
}

// run runs crumb to completion and fails the test unless it exits 0.
func (e *e2e) run(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := e.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("crumb %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

var demoSummary = regexp.MustCompile(`^demo brand written to (.+) \(seed (\d+), today (\d{4}-\d{2}-\d{2})\): ` +
	`(\d+) stores, (\d+) products, (\d+) sales rows, (\d+) stock snapshots, (\d+) customers, (\d+) orders — ` +
	`generated in \S+, written in \S+\n$`)

func (e *e2e) demo(t *testing.T) {
	t.Helper()
	out, _ := e.run(t, "demo")
	m := demoSummary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("crumb demo printed %q, want the summary line", out)
	}
	today := time.Now().In(seoulZone).Format(tools.DateLayout)
	want := []string{e.dbPath, "42", today, "12", "52",
		strconv.Itoa(12 * 52 * e2eDemoDays), strconv.Itoa(12 * 52 * 16), strconv.Itoa(e2eDemoCustomers)}
	if !slices.Equal(m[1:len(want)+1], want) {
		t.Errorf("crumb demo summary %q:\n got %q\nwant %q (database, seed, today, stores, products, sales, stock, customers)", out, m[1:len(want)+1], want)
	}
	if n, _ := strconv.Atoi(m[9]); n == 0 {
		t.Errorf("crumb demo wrote no orders: %q", out)
	}
}

// server is a running `crumb serve`.
type server struct {
	cmd       *exec.Cmd
	log       *lockedBuffer // its stderr
	done      chan struct{} // closed when it has exited
	err       error         // its exit status, once done
	pluginPID int           // the catalog plugin's process, when known
	once      sync.Once
}

func (e *e2e) serve(t *testing.T) *server {
	t.Helper()
	s := &server{log: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd = e.command(context.Background(), "serve")
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start crumb serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("crumb serve log:\n%s", s.log.String())
		}
	})

	deadline := time.Now().Add(20 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-s.done:
			t.Fatalf("crumb serve exited before it was ready: %v\n%s", s.err, s.log.String())
		default:
		}
		var health struct {
			Status  string
			Plugins struct{ Running, Total int }
		}
		resp, err := client.Get("http://" + e.addr + "/healthz")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if err == nil && health.Status == "ok" && health.Plugins.Running == 1 && health.Plugins.Total == 1 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("crumb serve not healthy after 20 s (last: %+v, %v)\n%s", health, err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop interrupts the server as Ctrl-C would, waits for a clean exit and
// checks that its plugin process is gone too; it kills the server if it
// does not stop in time.
func (s *server) stop(t *testing.T) {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
			t.Errorf("crumb serve did not stop within 15 s of an interrupt; killed")
			return
		}
		if s.err != nil {
			t.Errorf("crumb serve exited with %v after an interrupt, want a clean exit", s.err)
		}
		if !strings.Contains(s.log.String(), `msg="shutting down"`) {
			t.Errorf("crumb serve did not log its shutdown")
		}
		if s.pluginPID == 0 {
			return
		}
		for deadline := time.Now().Add(5 * time.Second); processAlive(s.pluginPID); {
			if time.Now().After(deadline) {
				t.Errorf("plugin process %d still runs after crumb serve exited", s.pluginPID)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// processAlive reports whether pid is a live process (a zombie counts as
// gone: it has exited and only waits to be reaped).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs, or it exited just now: the next look tells
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

func (s *server) lines() []string {
	return strings.Split(s.log.String(), "\n")
}

// waitLog waits until ok holds for the server's log lines: stderr reaches
// the test through a pipe, a little after the response.
func (s *server) waitLog(t *testing.T, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		lines := s.lines()
		if ok(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server log does not show what was expected:\n%s", strings.Join(lines, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hasLine(lines []string, parts ...string) bool {
	return slices.ContainsFunc(lines, func(l string) bool {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				return false
			}
		}
		return true
	})
}

func countLines(lines []string, part string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, part) {
			n++
		}
	}
	return n
}

// request sends a request to the server; requestID, when not empty, goes
// in X-Request-ID.
func (e *e2e) request(t *testing.T, method, path, body, requestID string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, "http://"+e.addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if requestID != "" {
		req.Header.Set("X-Request-ID", requestID)
	}
	// crumb serve leaves an admin token for this machine's command line.
	if tok, err := os.ReadFile(filepath.Join(e.dir, "data", "local-token")); err == nil {
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	}
	return do(t, req)
}

func (e *e2e) post(t *testing.T, path, body, requestID string) (*http.Response, []byte) {
	t.Helper()
	return e.request(t, http.MethodPost, path, body, requestID)
}

// get sends a GET and fails the test unless it answers 200.
func (e *e2e) get(t *testing.T, path, requestID string) []byte {
	t.Helper()
	resp, raw := e.request(t, http.MethodGet, path, "", requestID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, raw)
	}
	return raw
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return resp, raw
}

func decodeReply(t *testing.T, raw []byte) *chat.Reply {
	t.Helper()
	var r chat.Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode reply: %v\n%s", err, raw)
	}
	return &r
}

// stockResult is the part of stock_on_hand's result the test reads.
type stockResult struct {
	AsOf  time.Time `json:"as_of"`
	Total int       `json:"total"`
	Rows  []struct {
		StoreID   string    `json:"store_id"`
		ProductID string    `json:"product_id"`
		Quantity  int       `json:"quantity"`
		At        time.Time `json:"at"`
	} `json:"rows"`
}

func decodeStock(t *testing.T, raw json.RawMessage) *stockResult {
	t.Helper()
	var r stockResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode stock_on_hand result: %v\n%s", err, raw)
	}
	return &r
}

func productID(t *testing.T, st store.Store, nameEN string) string {
	t.Helper()
	ps, err := st.ListProducts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.NameEN == nameEN {
			return p.ID
		}
	}
	t.Fatalf("no product %q in the demo data", nameEN)
	return ""
}

// stockView is the stock on hand at one moment as the database has it.
type stockView struct {
	At    time.Time      // the latest snapshot's time (the answer's "as of")
	Qty   map[string]int // by product id
	Total int
}

func (v stockView) equal(w stockView) bool {
	if !v.At.Equal(w.At) || v.Total != w.Total || len(v.Qty) != len(w.Qty) {
		return false
	}
	for k, q := range v.Qty {
		if wq, ok := w.Qty[k]; !ok || wq != q {
			return false
		}
	}
	return true
}

// expect reads today's snapshots of a store (and product, when not empty)
// from the database and keeps, per product, the latest taken at or before
// now, or the day's first when now is before opening.
func (e *e2e) expect(t *testing.T, st store.Store, storeID, product string) stockView {
	t.Helper()
	now := time.Now().In(seoulZone)
	day := now.Format(tools.DateLayout)
	q := &tools.DatasetQuery{Dataset: tools.DatasetStock, Stores: []string{storeID}, From: day, To: day}
	if product != "" {
		q.Products = []string{product}
	}
	best := map[string]tools.StockSnapshot{}
	err := st.ReadDataset(t.Context(), q, func(row any) error {
		s := row.(tools.StockSnapshot)
		cur, ok := best[s.ProductID]
		switch {
		case !ok:
			best[s.ProductID] = s
		case !s.At.After(now) && (cur.At.After(now) || s.At.After(cur.At)):
			best[s.ProductID] = s
		case s.At.After(now) && cur.At.After(now) && s.At.Before(cur.At):
			best[s.ProductID] = s
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read stock: %v", err)
	}
	if len(best) == 0 {
		// `crumb demo` wrote the day it ran; past midnight in Seoul there
		// is no stock for the new day.
		t.Skipf("no stock in the database for %s: did the day change in Asia/Seoul during the test?", day)
	}
	v := stockView{Qty: map[string]int{}}
	for id, s := range best {
		v.Qty[id] = s.Quantity
		v.Total += s.Quantity
		if s.At.After(v.At) {
			v.At = s.At
		}
	}
	return v
}

// pick returns whichever of the views computed before and after a request
// the answer (total and as-of time) matches: a snapshot hour may turn while
// the request runs.
func pick(t *testing.T, total int, at time.Time, before, after stockView) stockView {
	t.Helper()
	for _, v := range []stockView{before, after} {
		if v.Total == total && v.At.Equal(at) {
			return v
		}
	}
	t.Fatalf("answer: %d units as of %s; the database says %d as of %s (before the request) or %d as of %s (after)",
		total, at.In(seoulZone).Format("15:04"), before.Total, before.At.In(seoulZone).Format("15:04"),
		after.Total, after.At.In(seoulZone).Format("15:04"))
	return stockView{}
}

var koCount = regexp.MustCompile(`(\d+)개`)

// parseKoSentence reads the count (N개) and the as-of time (HH:MM) of a
// Korean stock sentence.
func parseKoSentence(t *testing.T, s string) (int, time.Time) {
	t.Helper()
	counts := koCount.FindAllStringSubmatch(s, -1)
	hm := regexp.MustCompile(`\b(\d{2}):(\d{2})\b`).FindStringSubmatch(s)
	if len(counts) != 1 || hm == nil {
		t.Fatalf("sentence %q: want one count (N개) and one time (HH:MM)", s)
	}
	n, _ := strconv.Atoi(counts[0][1])
	h, _ := strconv.Atoi(hm[1])
	m, _ := strconv.Atoi(hm[2])
	d := time.Now().In(seoulZone)
	return n, time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, seoulZone)
}

// checkKoSentence checks that a Korean answer names 강남점 and 크루아상, the
// stock in want and the time of its snapshot.
func checkKoSentence(t *testing.T, s string, want stockView) {
	t.Helper()
	if !strings.Contains(s, "강남점") || !strings.Contains(s, "크루아상") {
		t.Errorf("sentence %q does not name 강남점 and 크루아상", s)
	}
	n, at := parseKoSentence(t, s)
	if n != want.Total || !at.Equal(want.At) {
		t.Errorf("sentence %q says %d as of %s; the database says %d as of %s",
			s, n, at.Format("15:04"), want.Total, want.At.In(seoulZone).Format("15:04"))
	}
}

// metricValue returns the value of the one sample of name whose labels
// contain every one of labels.
func metricValue(t *testing.T, exposition, name string, labels ...string) float64 {
	t.Helper()
	var found []string
	sc := bufio.NewScanner(strings.NewReader(exposition))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		lbls, _, _ := strings.Cut(rest, "}")
		if !slices.ContainsFunc(labels, func(l string) bool { return !strings.Contains(lbls, l) }) {
			found = append(found, line)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s sample with %v, found %d:\n%s", name, labels, len(found), exposition)
	}
	fields := strings.Fields(found[0])
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		t.Fatalf("sample %q: %v", found[0], err)
	}
	return v
}

// lockedBuffer is a bytes.Buffer safe for a writer and readers at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
