package slack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"gopkg.in/yaml.v3"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/demo"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

var seoul = time.FixedZone("KST", 9*3600)

// call is one request the fake Slack received.
type call struct {
	Method string
	Form   url.Values
	Body   []byte
}

// fakeSlack is a Slack Web API server: auth.test, chat.postMessage,
// chat.update, the file upload flow (files.getUploadURLExternal, the upload
// itself, files.completeUploadExternal) and apps.connections.open with a
// Socket Mode WebSocket.
type fakeSlack struct {
	t    *testing.T
	srv  *httptest.Server
	gate chan struct{} // chat.postMessage waits on it while it is open

	mu    sync.Mutex
	calls []call
	seq   int
	// socket is the server's end of the Socket Mode connection.
	socket chan *websocket.Conn
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, socket: make(chan *websocket.Conn, 1)}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	record := func(r *http.Request) call {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c := call{Method: strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/"), "/"), Body: body}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			_ = r.ParseMultipartForm(8 << 20)
			c.Form = r.MultipartForm.Value
			if fh := r.MultipartForm.File["file"]; len(fh) == 1 {
				file, _ := fh[0].Open()
				c.Body, _ = io.ReadAll(file)
				file.Close()
			}
		} else {
			_ = r.ParseForm()
			c.Form = r.PostForm
		}
		if r.Header.Get("Authorization") != "Bearer xoxb-test" && c.Form.Get("token") != "xoxb-test" && !strings.HasPrefix(c.Method, "apps.") {
			t.Errorf("%s without the bot token", c.Method)
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.seq++
		c.Form.Set("_seq", strconv.Itoa(f.seq))
		f.mu.Unlock()
		return c
	}
	mux.HandleFunc("POST /api/auth.test", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		reply(w, map[string]any{"ok": true, "team": "Crumb Bakery", "user": "crumb", "team_id": "T1", "user_id": "UBOT"})
	})
	mux.HandleFunc("POST /api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		c := record(r)
		f.mu.Lock()
		g := f.gate
		f.mu.Unlock()
		if g != nil {
			<-g
		}
		reply(w, map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": "1700000000.0000" + c.Form.Get("_seq")})
	})
	mux.HandleFunc("POST /api/chat.update", func(w http.ResponseWriter, r *http.Request) {
		c := record(r)
		reply(w, map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": c.Form.Get("ts")})
	})
	mux.HandleFunc("POST /api/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		c := record(r)
		id := "F" + c.Form.Get("_seq")
		reply(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id})
	})
	mux.HandleFunc("POST /upload/{id}", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		fmt.Fprint(w, "OK")
	})
	mux.HandleFunc("POST /api/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		c := record(r)
		var files []map[string]string
		_ = json.Unmarshal([]byte(c.Form.Get("files")), &files)
		reply(w, map[string]any{"ok": true, "files": files})
	})
	mux.HandleFunc("POST /api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		if r.Header.Get("Authorization") != "Bearer xapp-test" {
			reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		reply(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/socket"})
	})
	mux.HandleFunc("GET /socket", func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("websocket upgrade: %v", err)
			return
		}
		_ = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		f.socket <- conn
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) setGate(g chan struct{}) {
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
}

// take returns the calls made since the last take.
func (f *fakeSlack) take() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func methods(cs []call) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Method)
	}
	return strings.Join(out, ",")
}

// world is a chat engine over the real forecast plugin (a subprocess) on a
// trained demo brand, and a SQLite store that is also the Slack ledger.
type world struct {
	dbPath string
	st     *store.SQLite
	engine *chat.Engine
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := t.Context()
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, seoul)
	now := today.Add(16*time.Hour + 30*time.Minute)
	data, err := demo.Generate(demo.Config{Seed: 42, Today: today, Days: 90, Customers: 200}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{dbPath: filepath.Join(t.TempDir(), "crumb.db")}
	if w.st, err = store.OpenSQLite(ctx, w.dbPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	if err := w.st.Replace(ctx, data, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Rename(plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/forecast"), filepath.Join(dir, "forecast")); err != nil {
		t.Fatal(err)
	}
	host := pluginhost.New(pluginhost.Config{Dir: dir, CallTimeout: 2 * time.Minute}, w.st)
	if err := host.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	res, err := host.Invoke(ctx, &tools.Invocation{Tool: "forecast.train", Args: json.RawMessage(`{}`),
		CallInfo: tools.CallInfo{RequestID: "train", User: "test", Locale: "en", Now: today.Add(12 * time.Hour)}})
	if err != nil || res.Failure != "" {
		t.Fatalf("train: %v %+v", err, res)
	}
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	if w.engine, err = chat.New(chat.Options{Tools: auth.NewGuard(host, nil), Store: w.st, Texts: texts, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) adapter(t *testing.T, f *fakeSlack, ledger store.SlackEvents, mut func(*slack.Options)) *slack.Adapter {
	t.Helper()
	o := slack.Options{
		Chat: w.engine, Ledger: ledger, BotToken: "xoxb-test", SigningSecret: secret, APIURL: f.srv.URL + "/api/",
		Role: func(u string) string {
			switch u {
			case "U_ADMIN":
				return "admin"
			case "U_STAFF":
				return "staff"
			}
			return ""
		},
		WebURL: "https://crumb.example.com", Audit: w.st,
	}
	if mut != nil {
		mut(&o)
	}
	a, err := slack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// sign returns Slack's headers for body at ts.
func sign(body string, ts time.Time, key string) http.Header {
	s := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", s, body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", s)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// send posts a request to the adapter through a real HTTP server and
// returns the status and body.
func send(t *testing.T, srvURL, path, body, contentType string, h http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srvURL+path, strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v (an answer that does not come back at once means the event was not acknowledged before the reply)", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func mention(eventID, user, text, ts string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> " + text, "channel": "C1", "ts": ts},
	})
	return string(b)
}

func TestEventsAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the forecast plugin; skipped with -short")
	}
	w := newWorld(t)
	f := newFakeSlack(t)
	a := w.adapter(t, f, w.st, nil)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	post := func(body string, h http.Header) (int, string) {
		return send(t, srv.URL, "/slack/events", body, "application/json", h)
	}

	t.Run("url verification", func(t *testing.T) {
		body := `{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`
		code, got := post(body, sign(body, time.Now(), secret))
		if code != http.StatusOK || !strings.Contains(got, `"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"`) {
			t.Errorf("url_verification: %d %s", code, got)
		}
	})

	t.Run("bad and old requests refused", func(t *testing.T) {
		body := mention("EvBAD", "U_ADMIN", "오늘 폐기될 상품은?", "1700000001.000100")
		for name, h := range map[string]http.Header{
			"wrong secret":         sign(body, time.Now(), "not-the-secret"),
			"six minutes old":      sign(body, time.Now().Add(-6*time.Minute), secret),
			"six minutes ahead":    sign(body, time.Now().Add(6*time.Minute), secret),
			"no signature":         {},
			"signature of another": sign(body+" ", time.Now(), secret),
		} {
			if code, got := post(body, h); code != http.StatusUnauthorized {
				t.Errorf("%s: %d %s, want 401", name, code, got)
			}
		}
		a.Wait()
		if cs := f.take(); len(cs) != 0 {
			t.Errorf("refused requests reached Slack: %s", methods(cs))
		}
	})

	var answerTS string
	t.Run("mention answered in the thread, acknowledged first", func(t *testing.T) {
		gate := make(chan struct{})
		f.setGate(gate)
		body := mention("Ev001", "U_ADMIN", "오늘 폐기될 상품은?", "1700000001.000200")
		// chat.postMessage blocks until the gate opens: the event must be
		// acknowledged before any reply is made.
		code, got := post(body, sign(body, time.Now(), secret))
		close(gate)
		f.setGate(nil)
		if code != http.StatusOK {
			t.Fatalf("event: %d %s", code, got)
		}
		a.Wait()
		cs := f.take()
		if methods(cs) != "chat.postMessage,chat.update,files.getUploadURLExternal,upload/F3,files.completeUploadExternal" {
			t.Fatalf("calls: %s", methods(cs))
		}
		placeholder, update, upload, complete := cs[0], cs[1], cs[3], cs[4]
		if placeholder.Form.Get("thread_ts") != "1700000001.000200" || placeholder.Form.Get("channel") != "C1" {
			t.Errorf("placeholder not in the mention's thread: %v", placeholder.Form)
		}
		answerTS = "1700000000.00001"
		if update.Form.Get("ts") != answerTS || !strings.Contains(update.Form.Get("text"), "폐기 위험") {
			t.Errorf("update: ts %q, text %q", update.Form.Get("ts"), update.Form.Get("text"))
		}
		var blocks []map[string]any
		if err := json.Unmarshal([]byte(update.Form.Get("blocks")), &blocks); err != nil {
			t.Fatalf("blocks: %v", err)
		}
		var types []string
		for _, b := range blocks {
			types = append(types, b["type"].(string))
		}
		if strings.Join(types, ",") != "section,table,context,actions,context" {
			t.Errorf("block types %v, want text, table, chart note, buttons, trace", types)
		}
		if !strings.Contains(update.Form.Get("blocks"), `"action_id":"crumb_feedback_up"`) || !strings.Contains(update.Form.Get("blocks"), `"url":"https://crumb.example.com/"`) {
			t.Errorf("buttons missing: %s", update.Form.Get("blocks"))
		}
		if !bytes.HasPrefix(upload.Body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("the uploaded chart is not a PNG: %.16q", upload.Body)
		}
		if complete.Form.Get("thread_ts") != "1700000001.000200" || complete.Form.Get("channel_id") != "C1" || !strings.Contains(complete.Form.Get("files"), "F3") {
			t.Errorf("completeUploadExternal: %v", complete.Form)
		}
	})

	t.Run("retry storm and replays make no second reply", func(t *testing.T) {
		body := mention("Ev001", "U_ADMIN", "오늘 폐기될 상품은?", "1700000001.000200")
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := sign(body, time.Now(), secret)
				h.Set("X-Slack-Retry-Num", strconv.Itoa(i+1))
				h.Set("X-Slack-Retry-Reason", "http_timeout")
				if code, got := post(body, h); code != http.StatusOK {
					t.Errorf("retry %d: %d %s (Slack retries until it gets a 200)", i+1, code, got)
				}
			}()
		}
		wg.Wait()
		// A replay of the same bytes five minutes later is refused outright.
		old := sign(body, time.Now().Add(-5*time.Minute-time.Second), secret)
		if code, _ := post(body, old); code != http.StatusUnauthorized {
			t.Errorf("old replay: %d, want 401", code)
		}
		a.Wait()
		if cs := f.take(); len(cs) != 0 {
			t.Errorf("retries produced Slack calls: %s", methods(cs))
		}
	})

	t.Run("a restart keeps the ledger", func(t *testing.T) {
		st2, err := store.OpenSQLite(t.Context(), w.dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer st2.Close()
		a2 := w.adapter(t, f, st2, nil)
		srv2 := httptest.NewServer(a2)
		defer srv2.Close()
		body := mention("Ev001", "U_ADMIN", "오늘 폐기될 상품은?", "1700000001.000200")
		if code, _ := send(t, srv2.URL, "/slack/events", body, "application/json", sign(body, time.Now(), secret)); code != http.StatusOK {
			t.Errorf("after restart: %d", code)
		}
		a2.Wait()
		if cs := f.take(); len(cs) != 0 {
			t.Errorf("a restarted host answered again: %s", methods(cs))
		}
	})

	t.Run("a crash after the placeholder is taken over by updating it", func(t *testing.T) {
		// An earlier process claimed Ev002, posted its placeholder and died.
		if _, ok, err := w.st.ClaimSlackEvent(t.Context(), "event:Ev002", "C1", time.Minute, 3); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if err := w.st.SetSlackReply(t.Context(), "event:Ev002", "1699999999.000001"); err != nil {
			t.Fatal(err)
		}
		a3 := w.adapter(t, f, w.st, func(o *slack.Options) { o.Lease = time.Nanosecond })
		srv3 := httptest.NewServer(a3)
		defer srv3.Close()
		body := mention("Ev002", "U_ADMIN", "which items will be wasted today?", "1700000002.000100")
		h := sign(body, time.Now(), secret)
		h.Set("X-Slack-Retry-Num", "1")
		if code, _ := send(t, srv3.URL, "/slack/events", body, "application/json", h); code != http.StatusOK {
			t.Fatalf("retry after crash: %d", code)
		}
		a3.Wait()
		cs := f.take()
		if len(cs) == 0 || cs[0].Method != "chat.update" || cs[0].Form.Get("ts") != "1699999999.000001" || strings.Contains(methods(cs), "postMessage") {
			t.Errorf("take-over calls: %s (first %v), want an update of the dead attempt's message and no new post", methods(cs), cs[0].Form)
		}
		if !strings.Contains(cs[0].Form.Get("text"), "at risk") {
			t.Errorf("take-over answer %q is not the English waste answer", cs[0].Form.Get("text"))
		}
	})

	t.Run("direct messages; bots and edits ignored", func(t *testing.T) {
		dm := func(id string, ev map[string]any) string {
			b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id, "event": ev})
			return string(b)
		}
		for _, body := range []string{
			dm("Ev010", map[string]any{"type": "message", "channel_type": "im", "user": "U_STAFF", "text": "which items will be wasted today?", "channel": "D1", "ts": "1700000010.000100"}),
			dm("Ev011", map[string]any{"type": "message", "channel_type": "im", "bot_id": "B1", "user": "UBOT", "text": "echo", "channel": "D1", "ts": "1700000010.000200"}),
			dm("Ev012", map[string]any{"type": "message", "channel_type": "im", "subtype": "message_changed", "channel": "D1", "ts": "1700000010.000300"}),
			dm("Ev013", map[string]any{"type": "message", "channel_type": "channel", "user": "U_STAFF", "text": "not for us", "channel": "C1", "ts": "1700000010.000400"}),
		} {
			if code, got := post(body, sign(body, time.Now(), secret)); code != http.StatusOK {
				t.Errorf("%d %s", code, got)
			}
		}
		a.Wait()
		cs := f.take()
		if methods(cs) != "chat.postMessage,chat.update,files.getUploadURLExternal,upload/F"+cs[2].Form.Get("_seq")+",files.completeUploadExternal" {
			t.Fatalf("calls: %s, want one answer (to the DM only)", methods(cs))
		}
		if cs[0].Form.Get("channel") != "D1" || cs[0].Form.Get("thread_ts") != "1700000010.000100" {
			t.Errorf("DM answer: %v", cs[0].Form)
		}
	})

	t.Run("users without a role are refused", func(t *testing.T) {
		body := mention("Ev020", "U_STRANGER", "오늘 폐기될 상품은?", "1700000020.000100")
		post(body, sign(body, time.Now(), secret))
		a.Wait()
		cs := f.take()
		if methods(cs) != "chat.postMessage,chat.update" || !strings.Contains(cs[1].Form.Get("text"), "Crumb 역할이 없어요") {
			t.Errorf("stranger: %s %v", methods(cs), cs)
		}
	})

	t.Run("slash command", func(t *testing.T) {
		form := url.Values{"command": {"/crumb"}, "text": {"오늘 폐기될 상품은?"}, "user_id": {"U_STAFF"}, "channel_id": {"C2"},
			"trigger_id": {"13345224609.738474920.8088930838d88f008e0"}, "response_url": {"https://hooks.slack.com/commands/1"}}
		body := form.Encode()
		for range 2 { // a double click, or a retry
			code, got := send(t, srv.URL, "/slack/commands", body, "application/x-www-form-urlencoded", sign(body, time.Now(), secret))
			if code != http.StatusOK || !strings.Contains(got, `"response_type":"ephemeral"`) {
				t.Errorf("command: %d %s", code, got)
			}
		}
		a.Wait()
		cs := f.take()
		if len(cs) != 5 || cs[0].Method != "chat.postMessage" || cs[0].Form.Get("channel") != "C2" || cs[0].Form.Get("thread_ts") != "" {
			t.Fatalf("command calls: %s", methods(cs))
		}
		posted := "1700000000.0000" + cs[0].Form.Get("_seq")
		if cs[1].Form.Get("ts") != posted || !strings.Contains(cs[1].Form.Get("blocks"), "/crumb 오늘 폐기될 상품은?") {
			t.Errorf("update: %v", cs[1].Form)
		}
		if cs[4].Form.Get("thread_ts") != posted {
			t.Errorf("the chart went to thread %q, want the answer's thread %q", cs[4].Form.Get("thread_ts"), posted)
		}
		empty := url.Values{"command": {"/crumb"}, "text": {""}, "user_id": {"U_STAFF"}, "channel_id": {"C2"}, "trigger_id": {"t2"}}.Encode()
		if code, got := send(t, srv.URL, "/slack/commands", empty, "application/x-www-form-urlencoded", sign(empty, time.Now(), secret)); code != http.StatusOK || !strings.Contains(got, "/crumb 오늘 폐기될 상품은?") {
			t.Errorf("empty command: %d %s, want usage", code, got)
		}
	})

	t.Run("buttons", func(t *testing.T) {
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "trigger_id": "tr-1", "user": map[string]string{"id": "U_STAFF"},
			"channel": map[string]string{"id": "C1"}, "message": map[string]string{"ts": answerTS},
			"actions": []map[string]string{{"action_id": "crumb_feedback_up", "value": "slack-conv"}}})
		body := url.Values{"payload": {string(payload)}}.Encode()
		for range 3 {
			if code, got := send(t, srv.URL, "/slack/interactive", body, "application/x-www-form-urlencoded", sign(body, time.Now(), secret)); code != http.StatusOK {
				t.Errorf("click: %d %s", code, got)
			}
		}
		a.Wait()
		entries, err := w.st.Audit(t.Context(), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Action == "crumb_feedback_up" && e.Actor == "slack:U_STAFF" && e.Role == "staff" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d feedback entries for one click sent three times, want 1", n)
		}
		// The chat's tool calls are in the audit log under the Slack user.
		found := false
		for _, e := range entries {
			found = found || (e.Actor == "slack:U_ADMIN" && e.Role == "admin" && e.Action == "tool:waste_forecast")
		}
		if !found {
			t.Error("no audit entry for the Slack user's tool call")
		}
	})
}

func TestSocketMode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the forecast plugin; skipped with -short")
	}
	w := newWorld(t)
	f := newFakeSlack(t)
	a := w.adapter(t, f, w.st, func(o *slack.Options) { o.AppToken, o.SigningSecret = "xapp-test", "" })
	if team, bot, err := a.Check(t.Context()); err != nil || team != "Crumb Bakery" || bot != "crumb" {
		t.Fatalf("auth.test: %q %q %v", team, bot, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.RunSocketMode(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	var conn *websocket.Conn
	select {
	case conn = <-f.socket:
	case <-time.After(30 * time.Second):
		t.Fatal("the adapter did not open a Socket Mode connection")
	}
	defer conn.Close()
	payload := json.RawMessage(mention("EvS1", "U_ADMIN", "오늘 폐기될 상품은?", "1700000100.000100"))
	acks := map[string]int{}
	for i, id := range []string{"env-1", "env-2", "env-3"} { // Slack redelivers an envelope it thinks was lost
		if err := conn.WriteJSON(map[string]any{"type": "events_api", "envelope_id": id, "payload": payload, "retry_attempt": i, "accepts_response_payload": false}); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			t.Fatalf("no ack for %s: %v", id, err)
		}
		acks[ack.EnvelopeID]++
	}
	if len(acks) != 3 {
		t.Errorf("acks %v, want one per envelope", acks)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(methods(peek(f)), "files.completeUploadExternal") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	a.Wait()
	cs := f.take()
	got := methods(cs)
	if strings.Count(got, "chat.postMessage") != 1 || strings.Count(got, "chat.update") != 1 || strings.Count(got, "files.completeUploadExternal") != 1 {
		t.Errorf("calls over Socket Mode: %s, want one answer for three deliveries", got)
	}
}

func peek(f *fakeSlack) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@U2> hi","channel":"C1","ts":"1.2"}}`))
	f.Add([]byte(`{"type":"url_verification","challenge":"x"}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, ev, err := slack.ParseEnvelope(body)
		if err != nil {
			return
		}
		if env.Type == "event_callback" && (ev == nil || env.EventID == "") {
			t.Fatalf("event_callback parsed without an event or id: %+v %+v", env, ev)
		}
	})
}

// TestManifest checks that the app manifest in the repository asks for
// what the adapter uses.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct{ Command, URL string } `yaml:"slash_commands"`
		}
		OAuthConfig struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				RequestURL string `yaml:"request_url"`
			}
			SocketMode bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"app_mentions:read", "chat:write", "commands", "files:write", "im:history"} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, s) {
			t.Errorf("the manifest lacks the %s scope", s)
		}
	}
	if !slices.Contains(m.Settings.EventSubscriptions.BotEvents, "app_mention") || !slices.Contains(m.Settings.EventSubscriptions.BotEvents, "message.im") {
		t.Errorf("bot events %v", m.Settings.EventSubscriptions.BotEvents)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/crumb" || !strings.HasSuffix(m.Features.SlashCommands[0].URL, "/slack/commands") ||
		!strings.HasSuffix(m.Settings.EventSubscriptions.RequestURL, "/slack/events") || !strings.HasSuffix(m.Settings.Interactivity.RequestURL, "/slack/interactive") {
		t.Errorf("request URLs do not match the adapter's routes: %+v", m)
	}
}

func TestPostReply(t *testing.T) {
	f := newFakeSlack(t)
	a, err := slack.New(slack.Options{Chat: nopChat{}, Ledger: nopLedger{}, BotToken: "xoxb-test", SigningSecret: secret, APIURL: f.srv.URL + "/api/"})
	if err != nil {
		t.Fatal(err)
	}
	th := 12.0
	r := &chat.Reply{Locale: "ko", Text: "이번 주 VIP 리포트", Intent: "segment_insight", ConversationID: "weekly", Blocks: &tools.Display{
		Tables: []tools.Table{{Title: "VIP", Columns: []string{"상품", "배수"}, Rows: [][]any{{"생크림 케이크", 2.6}}}},
		Charts: []tools.Chart{{Kind: "bar", Title: "배수", Labels: []string{"생크림 케이크"}, Series: []tools.Series{{Name: "배수", Values: []float64{2.6}}}, Threshold: &th}},
	}}
	ts, err := a.PostReply(t.Context(), "C9", "", r)
	if err != nil {
		t.Fatal(err)
	}
	cs := f.take()
	if methods(cs) != "chat.postMessage,files.getUploadURLExternal,upload/F2,files.completeUploadExternal" || ts != "1700000000.00001" {
		t.Fatalf("calls %s, ts %q", methods(cs), ts)
	}
	if !strings.Contains(cs[0].Form.Get("blocks"), `"type":"table"`) || cs[3].Form.Get("thread_ts") != ts {
		t.Errorf("post %v; chart thread %q", cs[0].Form, cs[3].Form.Get("thread_ts"))
	}
}

type nopChat struct{}

func (nopChat) Stream(context.Context, *chat.Turn, func(chat.Event)) (*chat.Reply, error) {
	return nil, fmt.Errorf("not used")
}

type nopLedger struct{ store.SlackEvents }
