package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/demo"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// testToken signs the fixture's requests in as an admin named tester.
const testToken = "crumb_test_admin"

// seoul is the brand's time zone (UTC+9, no daylight saving).
var seoul = time.FixedZone("KST", 9*3600)

// fixture is the API wired to real parts: a SQLite store holding a small
// demo brand, the catalog plugin's binary under a plugin host, and a chat
// engine. The history is two weeks because writing rows is slow under -race
// (about 6 s for 40 days). The clock, injected into the engine and the
// server, is fixed at 12:30 on the demo's today, so the answers are the
// 12:00 snapshot whatever the real time.
type fixture struct {
	url       string
	host      *pluginhost.Host
	data      *store.Data
	now       time.Time
	croissant string // product id
	logs      *lockedBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 3, 10, 12, 30, 0, 0, seoul)
	f := &fixture{now: now, logs: &lockedBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
	})

	t0 := time.Now()
	var err error
	if f.data, err = demo.Generate(demo.Config{Seed: 7, Today: now, Days: 14, Customers: 100}, nil); err != nil {
		t.Fatalf("generate demo: %v", err)
	}
	for _, p := range f.data.Products {
		if p.NameEN == "Croissant" {
			f.croissant = p.ID
		}
	}
	if f.croissant == "" {
		t.Fatal("the demo has no Croissant")
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Replace(ctx, f.data, nil); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	t.Logf("demo generated and loaded: %s", time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	dir := catalogDir(t)
	t.Logf("catalog plugin built: %s", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	log := obs.NewLogger(f.logs, "debug", "text")
	reg := prometheus.NewRegistry()
	f.host = pluginhost.New(pluginhost.Config{
		Dir:     dir,
		Logger:  log,
		Metrics: pluginhost.NewMetrics(reg),
		// A restart waits long enough for the test to see the plugin down.
		MinBackoff: time.Second,
	}, st)
	if err := f.host.Start(ctx); err != nil {
		t.Fatalf("start plugins: %v", err)
	}
	t.Logf("plugin host started: %s", time.Since(t0).Round(time.Millisecond))
	t.Cleanup(func() { f.host.Close() })
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	engine, err := chat.New(chat.Options{Tools: f.host, Store: st, Texts: texts, Logger: log, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Chat: engine, Plugins: f.host, Logger: log, Registry: reg, Now: clock,
		Auth: auth.Static{testToken: {Name: "tester", Role: auth.Admin, TokenID: "t0"}}, Conversations: st, Audit: st})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// catalogDir builds the catalog plugin into a fresh plugin directory.
func catalogDir(t *testing.T) string {
	t.Helper()
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/catalog")
	dir := t.TempDir()
	if err := os.Rename(bin, filepath.Join(dir, "catalog")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stock returns the quantity of each product of a store at the fixture's
// now, computed from the generated data: the latest snapshot at or before
// now (the day's first before opening).
func (f *fixture) stock(storeID string) (qty map[string]int, total int) {
	best := map[string]tools.StockSnapshot{}
	day := f.now.Format(tools.DateLayout)
	for _, s := range f.data.Stock {
		if s.StoreID != storeID || s.At.In(seoul).Format(tools.DateLayout) != day {
			continue
		}
		cur, ok := best[s.ProductID]
		switch {
		case !ok,
			!s.At.After(f.now) && (cur.At.After(f.now) || s.At.After(cur.At)),
			s.At.After(f.now) && cur.At.After(f.now) && s.At.Before(cur.At):
			best[s.ProductID] = s
		}
	}
	qty = map[string]int{}
	for id, s := range best {
		qty[id] = s.Quantity
		total += s.Quantity
	}
	return qty, total
}

func (f *fixture) do(t *testing.T, method, path string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, raw
}

// apiError is the body of every error answer.
type apiError struct {
	Error struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Field   *string `json:"field"`
	} `json:"error"`
}

func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, raw)
	}
	return v
}

// stockResult is the part of stock_on_hand's result the tests read.
type stockResult struct {
	Total int `json:"total"`
	Rows  []struct {
		StoreID   string `json:"store_id"`
		ProductID string `json:"product_id"`
		Quantity  int    `json:"quantity"`
	} `json:"rows"`
}

var hangul = regexp.MustCompile(`\p{Hangul}`)

func TestAPI(t *testing.T) {
	f := newFixture(t)
	gangnam, _ := f.stock("S01")
	croissantS01 := gangnam[f.croissant]
	hongdae, hongdaeTotal := f.stock("S02")
	nProducts := len(f.data.Products)

	// checkStockReply checks a one-product answer for 강남점's croissants.
	checkCroissant := func(t *testing.T, r *chat.Reply, locale string) {
		t.Helper()
		if r.Intent != "knowledge_qa" || r.SubIntent != "stock_lookup" || r.Locale != locale {
			t.Errorf("intent, sub, locale = %s, %s, %s; want knowledge_qa, stock_lookup, %s", r.Intent, r.SubIntent, r.Locale, locale)
		}
		if r.Slots.Store() != "S01" || r.Slots.Product() != f.croissant {
			t.Errorf("slots = %+v, want S01 and %s", r.Slots, f.croissant)
		}
		if len(r.ToolCalls) != 1 || r.ToolCalls[0].Tool != "stock_on_hand" || r.ToolCalls[0].Failure != "" || r.ToolCalls[0].Error != "" {
			t.Fatalf("tool calls = %+v, want one successful stock_on_hand", r.ToolCalls)
		}
		res := decode[stockResult](t, r.Result)
		if res.Total != croissantS01 || len(res.Rows) != 1 || res.Rows[0].Quantity != croissantS01 {
			t.Errorf("result = %s, want %d croissants at S01", r.Result, croissantS01)
		}
		n := regexp.MustCompile(`(^|\D)` + strconv.Itoa(croissantS01) + `(\D|$)`)
		if !n.MatchString(r.Text) || !strings.Contains(r.Text, "12:00") {
			t.Errorf("text %q does not say %d as of 12:00", r.Text, croissantS01)
		}
		if got := hangul.MatchString(r.Text); got != (locale == "ko") {
			t.Errorf("text %q: Hangul %v, want an answer in %s", r.Text, got, locale)
		}
	}

	chatCases := []struct {
		name  string
		body  string
		code  int
		check func(t *testing.T, r *chat.Reply) // for 200
		error string                            // substring of error.message otherwise
	}{
		{
			name:  "ko one product",
			body:  `{"text":"강남점 크루아상 재고 몇 개야?"}`,
			code:  http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) { checkCroissant(t, r, "ko") },
		},
		{
			name:  "en one product",
			body:  `{"text":"how many croissants are left at Gangnam?"}`,
			code:  http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) { checkCroissant(t, r, "en") },
		},
		{
			name:  "locale overrides the text's language",
			body:  `{"text":"강남점 크루아상 재고 몇 개야?","locale":"en"}`,
			code:  http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) { checkCroissant(t, r, "en") },
		},
		{
			name: "en whole store",
			body: `{"text":"what is in stock at Hongdae?"}`,
			code: http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) {
				if r.Intent != "knowledge_qa" || r.SubIntent != "stock_lookup" || r.Locale != "en" || r.Slots.Store() != "S02" || r.Slots.Product() != "" {
					t.Errorf("intent %s (%s), locale %s, slots %+v; want knowledge_qa (stock_lookup), en, S02", r.Intent, r.SubIntent, r.Locale, r.Slots)
				}
				if hangul.MatchString(r.Text) || !strings.Contains(r.Text, fmt.Sprintf("%d units", hongdaeTotal)) {
					t.Errorf("text %q, want English with %d units", r.Text, hongdaeTotal)
				}
				res := decode[stockResult](t, r.Result)
				if res.Total != hongdaeTotal || len(res.Rows) != nProducts {
					t.Errorf("result: total %d over %d rows, want %d over %d", res.Total, len(res.Rows), hongdaeTotal, nProducts)
				}
				for _, row := range res.Rows {
					if row.StoreID != "S02" || row.Quantity != hongdae[row.ProductID] {
						t.Errorf("row %+v, want S02 with %d", row, hongdae[row.ProductID])
					}
				}
				if r.Blocks == nil || len(r.Blocks.Tables) != 1 || len(r.Blocks.Tables[0].Rows) != nProducts {
					t.Errorf("blocks = %+v, want one table with a row per product", r.Blocks)
				}
			},
		},
		{
			name: "conversation and user kept",
			body: `{"text":"홍대점 재고 알려줘","conversation_id":"conv-web-test","user":"tester"}`,
			code: http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) {
				if r.ConversationID != "conv-web-test" || r.Locale != "ko" || r.Slots.Store() != "S02" {
					t.Errorf("conversation %q, locale %s, slots %+v", r.ConversationID, r.Locale, r.Slots)
				}
			},
		},
		{
			name: "help",
			body: `{"text":"what can you do?"}`,
			code: http.StatusOK,
			check: func(t *testing.T, r *chat.Reply) {
				if r.Intent != "help" || len(r.ToolCalls) != 0 || !strings.Contains(r.Text, "what is in stock at Hongdae?") {
					t.Errorf("intent %s, %d tool calls, text %q; want help quoting a tool's example", r.Intent, len(r.ToolCalls), r.Text)
				}
			},
		},
		{name: "empty text", body: `{"text":""}`, code: http.StatusBadRequest, error: `field "text" is required`},
		{name: "no text", body: `{"locale":"ko"}`, code: http.StatusBadRequest, error: `field "text" is required`},
		{name: "blank text", body: `{"text":" \t\n"}`, code: http.StatusBadRequest, error: "text is empty"},
		{name: "unknown field", body: `{"text":"hi","colour":"red"}`, code: http.StatusBadRequest, error: `unknown field "colour"`},
		{name: "not JSON", body: `what is in stock?`, code: http.StatusBadRequest, error: `decode body: invalid character`},
		{name: "empty body", body: ``, code: http.StatusBadRequest, error: "decode body: EOF"},
		{name: "wrong type", body: `{"text":42}`, code: http.StatusBadRequest, error: "decode body: json: cannot unmarshal number"},
		{name: "two JSON values", body: `{"text":"a"} {"text":"b"}`, code: http.StatusBadRequest, error: "unexpected data after the JSON object"},
		{name: "unknown locale", body: `{"text":"hi","locale":"fr"}`, code: http.StatusBadRequest, error: `locale "fr": want ko or en`},
		{name: "long user", body: `{"text":"hi","user":"` + strings.Repeat("u", 129) + `"}`, code: http.StatusBadRequest, error: "limited to 128 bytes"},
		{name: "long text", body: `{"text":"` + strings.Repeat("빵", chat.MaxTextRunes+1) + `"}`, code: http.StatusBadRequest, error: "the limit is 2000"},
		{name: "too large", body: `{"text":"` + strings.Repeat("a", web.MaxBody) + `"}`, code: http.StatusRequestEntityTooLarge, error: "body larger than 65536 bytes"},
	}
	for _, tc := range chatCases {
		t.Run("chat/"+tc.name, func(t *testing.T) {
			resp, raw := f.do(t, http.MethodPost, "/v1/chat", []byte(tc.body), map[string]string{"Content-Type": "application/json"})
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, raw)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tc.code == http.StatusOK {
				r := decode[chat.Reply](t, raw)
				if r.RequestID == "" || r.RequestID != resp.Header.Get("X-Request-ID") || r.ConversationID == "" {
					t.Errorf("request id %q (header %q), conversation %q", r.RequestID, resp.Header.Get("X-Request-ID"), r.ConversationID)
				}
				tc.check(t, &r)
				return
			}
			e := decode[apiError](t, raw)
			wantCode := "invalid_request"
			if tc.code == http.StatusRequestEntityTooLarge {
				wantCode = "too_large"
			}
			if e.Error.Code != wantCode || !strings.Contains(e.Error.Message, tc.error) {
				t.Errorf("error = %+v, want code %s and a message with %q", e.Error, wantCode, tc.error)
			}
		})
	}

	toolCases := []struct {
		name   string
		method string
		path   string
		body   string
		code   int
		check  func(t *testing.T, raw []byte)
	}{
		{
			name: "list tools", method: http.MethodGet, path: "/v1/tools", code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				body := decode[struct {
					Tools []struct {
						Name        string          `json:"name"`
						Description string          `json:"description"`
						InputSchema json.RawMessage `json:"input_schema"`
					} `json:"tools"`
				}](t, raw)
				var names []string
				for _, tl := range body.Tools {
					names = append(names, tl.Name)
					if tl.Description == "" || len(tl.InputSchema) == 0 {
						t.Errorf("tool %s has no description or input schema", tl.Name)
					}
				}
				if !slices.Equal(names, []string{"product_lookup", "stock_on_hand"}) {
					t.Errorf("tools = %v, want product_lookup and stock_on_hand", names)
				}
			},
		},
		{
			name: "stock by id", method: http.MethodPost, path: "/v1/tools/stock_on_hand",
			body: `{"store":"S01","product":"` + f.croissant + `"}`, code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				r := decode[web.ToolResponse](t, raw)
				res := decode[stockResult](t, r.Result)
				if r.Tool != "stock_on_hand" || r.Failure != "" || res.Total != croissantS01 {
					t.Errorf("response %s, want %d croissants", raw, croissantS01)
				}
				if r.Display == nil || hangul.MatchString(r.Display.Text) || len(r.Display.Tables) != 1 {
					t.Errorf("display = %+v, want English text (the default locale) and a table", r.Display)
				}
			},
		},
		{
			name: "stock by Korean names", method: http.MethodPost, path: "/v1/tools/stock_on_hand?locale=ko",
			body: `{"store":"강남점","product":"크루아상"}`, code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				r := decode[web.ToolResponse](t, raw)
				if res := decode[stockResult](t, r.Result); res.Total != croissantS01 {
					t.Errorf("total %d, want %d", res.Total, croissantS01)
				}
				if r.Display == nil || !strings.Contains(r.Display.Text, fmt.Sprintf("%d개", croissantS01)) {
					t.Errorf("display = %+v, want Korean text with %d개", r.Display, croissantS01)
				}
			},
		},
		{
			name: "product lookup", method: http.MethodPost, path: "/v1/tools/product_lookup",
			body: `{"query":"croissant","limit":3}`, code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				r := decode[web.ToolResponse](t, raw)
				out := decode[struct{ Products []tools.Product }](t, r.Result)
				if len(out.Products) == 0 || len(out.Products) > 3 || out.Products[0].ID != f.croissant {
					t.Errorf("products = %+v, want at most 3 with %s first", out.Products, f.croissant)
				}
			},
		},
		{
			name: "wrong argument type", method: http.MethodPost, path: "/v1/tools/stock_on_hand",
			body: `{"store":1}`, code: http.StatusBadRequest,
			check: wantError("invalid_arguments", "store", `field "store": wrong type`),
		},
		{
			name: "arguments not JSON", method: http.MethodPost, path: "/v1/tools/stock_on_hand",
			body: `{"store":`, code: http.StatusBadRequest,
			check: wantError("invalid_arguments", "", "not valid JSON"),
		},
		{
			name: "unknown store", method: http.MethodPost, path: "/v1/tools/stock_on_hand",
			body: `{"store":"Busan"}`, code: http.StatusUnprocessableEntity,
			check: func(t *testing.T, raw []byte) {
				r := decode[web.ToolResponse](t, raw)
				if r.Tool != "stock_on_hand" || len(r.Result) != 0 || !strings.Contains(r.Failure, `unknown store "Busan"`) || !strings.Contains(r.Failure, "강남점 (Gangnam)") {
					t.Errorf("response %s, want a failure naming Busan and the known stores", raw)
				}
			},
		},
		{
			name: "unknown tool", method: http.MethodPost, path: "/v1/tools/no_such_tool",
			body: `{}`, code: http.StatusNotFound,
			check: wantError("unknown_tool", "", `unknown tool "no_such_tool" (available: catalog.product_lookup, catalog.stock_on_hand)`),
		},
		{
			name: "tool arguments too large", method: http.MethodPost, path: "/v1/tools/stock_on_hand",
			body: `{"store":"` + strings.Repeat("S", web.MaxBody) + `"}`, code: http.StatusRequestEntityTooLarge,
			check: wantError("too_large", "", "body larger than"),
		},
		{
			name: "plugins", method: http.MethodGet, path: "/v1/plugins", code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				body := decode[struct{ Plugins []pluginhost.Status }](t, raw)
				if len(body.Plugins) != 1 || body.Plugins[0].Name != "catalog" || body.Plugins[0].State != pluginhost.StateRunning {
					t.Errorf("plugins = %s, want catalog running", raw)
				}
			},
		},
		{
			name: "health", method: http.MethodGet, path: "/healthz", code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				if got := strings.TrimSpace(string(raw)); got != `{"plugins":{"running":1,"total":1},"status":"ok"}` {
					t.Errorf("health = %s", got)
				}
			},
		},
		{
			name: "index page", method: http.MethodGet, path: "/", code: http.StatusOK,
			check: func(t *testing.T, raw []byte) {
				if !bytes.Contains(bytes.ToLower(raw), []byte("<html")) {
					t.Errorf("index is not HTML: %.200s", raw)
				}
			},
		},
		{name: "chat wants POST", method: http.MethodGet, path: "/v1/chat", code: http.StatusMethodNotAllowed},
		{name: "unknown path", method: http.MethodGet, path: "/v2/nothing", code: http.StatusNotFound},
	}
	for _, tc := range toolCases {
		t.Run("api/"+tc.name, func(t *testing.T) {
			resp, raw := f.do(t, tc.method, tc.path, []byte(tc.body), nil)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, raw)
			}
			if tc.check != nil {
				tc.check(t, raw)
			}
		})
	}

	t.Run("request id", func(t *testing.T) {
		const id = "web-test-request-1"
		resp, raw := f.do(t, http.MethodPost, "/v1/chat", []byte(`{"text":"강남점 크루아상 재고 몇 개야?"}`), map[string]string{"X-Request-ID": id})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-ID") != id {
			t.Fatalf("status %s, X-Request-ID %q; want 200 and %q", resp.Status, resp.Header.Get("X-Request-ID"), id)
		}
		if r := decode[chat.Reply](t, raw); r.RequestID != id {
			t.Errorf("reply request_id = %q, want %q", r.RequestID, id)
		}
		// The handler logs before the response is written in full.
		var turnLine, httpLine bool
		for _, l := range strings.Split(f.logs.String(), "\n") {
			if strings.Contains(l, "request_id="+id) {
				turnLine = turnLine || strings.Contains(l, "msg=turn")
				httpLine = httpLine || strings.Contains(l, "msg=http") && strings.Contains(l, "path=/v1/chat")
			}
		}
		if !turnLine || !httpLine {
			t.Errorf("log lines with request_id=%s: turn %v, http %v; want both", id, turnLine, httpLine)
		}

		for _, given := range []string{"", strings.Repeat("x", 65)} {
			resp, _ := f.do(t, http.MethodGet, "/healthz", nil, map[string]string{"X-Request-ID": given})
			if got := resp.Header.Get("X-Request-ID"); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got) {
				t.Errorf("X-Request-ID %q given: answered %q, want a new 16-hex-digit id", given, got)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		resp, raw := f.do(t, http.MethodGet, "/metrics", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %s", resp.Status)
		}
		for _, want := range []string{
			`crumb_http_requests_total{code="200",route="POST /v1/chat"}`,
			`crumb_http_requests_total{code="400",route="POST /v1/chat"}`,
			`crumb_http_requests_total{code="413",route="POST /v1/chat"}`,
			`crumb_http_requests_total{code="422",route="POST /v1/tools/{name}"}`,
			`crumb_http_request_duration_seconds_count{route="GET /v1/tools"}`,
			`crumb_tool_calls_total{outcome="ok",plugin="catalog",tool="stock_on_hand"}`,
			`crumb_tool_calls_total{outcome="invalid_args",plugin="catalog",tool="stock_on_hand"}`,
			`crumb_tool_calls_total{outcome="failure",plugin="catalog",tool="stock_on_hand"}`,
			`crumb_plugin_up{plugin="catalog"} 1`,
		} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})

	// Last, as it takes the plugin down: calls to a crashed plugin get 503
	// with Retry-After at once, and the plugin comes back.
	t.Run("plugin down", func(t *testing.T) {
		ps := f.host.Plugins()
		if len(ps) != 1 || ps[0].PID == 0 {
			t.Fatalf("plugins = %+v, want one with a pid", ps)
		}
		proc, err := os.FindProcess(ps[0].PID)
		if err != nil {
			t.Fatal(err)
		}
		if err := proc.Kill(); err != nil {
			t.Fatalf("kill the plugin: %v", err)
		}
		waitState(t, f.host, pluginhost.StateRestarting)

		resp, raw := f.do(t, http.MethodPost, "/v1/tools/stock_on_hand", []byte(`{"store":"S01"}`), nil)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("status %s, Retry-After %q; want 503 and 1 (the restart backoff): %s", resp.Status, resp.Header.Get("Retry-After"), raw)
		}
		wantError("unavailable", "", "plugin catalog is restarting")(t, raw)
		_, raw = f.do(t, http.MethodGet, "/healthz", nil, nil)
		if !strings.Contains(string(raw), `"status":"degraded"`) {
			t.Errorf("health while the plugin is down = %s, want degraded", raw)
		}
		_, raw = f.do(t, http.MethodGet, "/v1/tools", nil, nil)
		if strings.Contains(string(raw), "stock_on_hand") {
			t.Errorf("tools of a plugin that is down are still listed: %s", raw)
		}

		waitState(t, f.host, pluginhost.StateRunning)
		if got := f.host.Plugins()[0].Restarts; got != 1 {
			t.Errorf("restarts = %d, want 1", got)
		}
		resp, raw = f.do(t, http.MethodPost, "/v1/tools/stock_on_hand", []byte(`{"store":"S01","product":"`+f.croissant+`"}`), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("after the restart: status %s: %s", resp.Status, raw)
		}
		if res := decode[stockResult](t, decode[web.ToolResponse](t, raw).Result); res.Total != croissantS01 {
			t.Errorf("after the restart: total %d, want %d", res.Total, croissantS01)
		}
	})
}

func wantError(code, field, message string) func(t *testing.T, raw []byte) {
	return func(t *testing.T, raw []byte) {
		t.Helper()
		e := decode[apiError](t, raw)
		if e.Error.Code != code || !strings.Contains(e.Error.Message, message) {
			t.Errorf("error = %+v, want code %s and a message with %q", e.Error, code, message)
		}
		if field != "" && (e.Error.Field == nil || *e.Error.Field != field) {
			t.Errorf("error.field = %v, want %q: %s", e.Error.Field, field, raw)
		}
	}
}

func waitState(t *testing.T, h *pluginhost.Host, want pluginhost.State) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ps := h.Plugins()
		if len(ps) == 1 && ps[0].State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin state %+v, want %s", ps, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FuzzDecodeChatRequest checks that DecodeChatRequest never panics, that
// what it accepts has a text and fits the limits, and that an accepted
// request survives encoding and decoding unchanged.
func FuzzDecodeChatRequest(f *testing.F) {
	for _, seed := range []string{
		`{"text":"강남점 크루아상 재고 몇 개야?"}`,
		`{"text":"what is in stock at Hongdae?","locale":"en","conversation_id":"c1","user":"u1"}`,
		`{"text":"\u003cb\u003e \ud83e\udd50 \\ \" \n"}`,
		`{"TEXT":"case-insensitive keys"}`,
		`{"text":"a","text":"b"}`,
		` {"text":"spaces around"} ` + "\n",
		`{"text":"invalid utf-8 ` + "\xff\xfe" + `"}`,
		`{"text":""}`,
		`{"text":null}`,
		`{"text":1}`,
		`{"text":"a","colour":"red"}`,
		`{"text":"a"}{"text":"b"}`,
		`{"text":"a"} x`,
		`{"text":"a"}}`,
		`{"text":"a","user":"` + strings.Repeat("u", 129) + `"}`,
		`[{"text":"a"}]`,
		`null`,
		`"text"`,
		`{`,
		``,
		"\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := web.DecodeChatRequest(body)
		if err != nil {
			if req != nil || err.Error() == "" {
				t.Fatalf("error %q with request %+v", err, req)
			}
			return
		}
		if req.Text == "" {
			t.Fatalf("accepted %q with an empty text", body)
		}
		if !json.Valid(body) {
			t.Fatalf("accepted %q, which is not one valid JSON value", body)
		}
		if len(req.User) > 128 || len(req.ConversationID) > 128 {
			t.Fatalf("accepted %q with a user or conversation id over 128 bytes", body)
		}
		for _, s := range []string{req.Text, req.User, req.ConversationID, req.Locale} {
			if !utf8.ValidString(s) {
				t.Fatalf("accepted %q with invalid UTF-8 %q", body, s)
			}
		}
		enc, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("encode %+v: %v", req, err)
		}
		again, err := web.DecodeChatRequest(enc)
		if err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		if *again != *req {
			t.Fatalf("round trip changed the request: %+v, then %+v", req, again)
		}
	})
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers and readers.
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

func TestCrossSiteRefused(t *testing.T) {
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		req := httptest.NewRequest(http.MethodPost, "/v1/tools/forecast.waste_forecast", strings.NewReader(`{"queue":true}`))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		web.New(web.Options{}).Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%v: status %d, want 403", h, rec.Code)
		}
	}
}
