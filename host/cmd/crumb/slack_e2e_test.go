//go:build unix

package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// slackRecorder is a Slack Web API server that records chat.postMessage and
// chat.update and answers auth.test.
type slackRecorder struct {
	mu    sync.Mutex
	calls []string // method: text
	seq   int
}

func (s *slackRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.calls = append(s.calls, method+": "+r.PostForm.Get("text"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "auth.test":
		fmt.Fprint(w, `{"ok":true,"team":"Crumb Bakery","user":"crumb","team_id":"T1","user_id":"UBOT"}`)
	case "chat.postMessage", "chat.update":
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": "1700000000." + strconv.Itoa(100000+seq)})
	default:
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func (s *slackRecorder) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// TestServeSlack runs `crumb serve` with Slack configured against a Slack
// server in the test, and sends it signed Events API requests: a mention is
// answered in its thread once, however often it is delivered.
func TestServeSlack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and runs subprocesses; skipped with -short")
	}
	rec := &slackRecorder{}
	fake := httptest.NewServer(rec)
	t.Cleanup(fake.Close)
	const secret = "e2e-signing-secret"
	e := newE2E(t)
	e.env = append(e.env,
		"CRUMB_SLACK_BOT_TOKEN=xoxb-e2e",
		"CRUMB_SLACK_SIGNING_SECRET="+secret,
		"CRUMB_SLACK_API_URL="+fake.URL+"/api/",
		"CRUMB_SLACK_USERS=U_OWNER=admin",
		"CRUMB_SLACK_DEFAULT_ROLE=none",
	)
	e.demo(t)
	srv := e.serve(t)
	defer srv.stop(t)
	if calls := rec.all(); len(calls) == 0 || !strings.HasPrefix(calls[0], "auth.test") {
		t.Fatalf("crumb serve did not check the Slack token with auth.test: %v", calls)
	}
	post := func(body string, at time.Time) int {
		ts := strconv.FormatInt(at.Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+e.addr+"/slack/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	event := func(id, user, text string) string {
		b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id,
			"event": map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> " + text, "channel": "C1", "ts": "1700000001.000100"}})
		return string(b)
	}
	// waitFor waits until the recorder has n chat.update calls.
	waitFor := func(n int) []string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			calls := rec.all()
			updates := 0
			for _, c := range calls {
				if strings.HasPrefix(c, "chat.update") {
					updates++
				}
			}
			if updates >= n {
				return calls
			}
			if time.Now().After(deadline) {
				t.Fatalf("Slack got %d answers, want %d: %v\nserver log:\n%s", updates, n, calls, srv.log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	body := event("EvE2E1", "U_OWNER", e2eKoQuestion)
	for i := range 3 { // the event and two retries
		if code := post(body, time.Now()); code != http.StatusOK {
			t.Fatalf("delivery %d: %d", i+1, code)
		}
	}
	if code := post(body, time.Now().Add(-10*time.Minute)); code != http.StatusUnauthorized {
		t.Errorf("a ten-minute-old replay: %d, want 401", code)
	}
	calls := waitFor(1)
	if !strings.Contains(calls[len(calls)-1], "강남점") || !strings.Contains(calls[len(calls)-1], "크루아상") {
		t.Errorf("the answer does not name 강남점 and 크루아상: %v", calls)
	}
	// A second event, answered after the retries above were handled:
	// when its answer is in, any duplicate answer would be too.
	if code := post(event("EvE2E2", "U_STRANGER", "what is in stock at Hongdae?"), time.Now()); code != http.StatusOK {
		t.Fatalf("second event: %d", code)
	}
	calls = waitFor(2)
	var posts, updates []string
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "chat.postMessage"):
			posts = append(posts, c)
		case strings.HasPrefix(c, "chat.update"):
			updates = append(updates, c)
		}
	}
	if len(posts) != 2 || len(updates) != 2 {
		t.Errorf("posts %v, updates %v: want one answer per event", posts, updates)
	}
	if !strings.Contains(updates[1], "slack.users") {
		t.Errorf("an unmapped user was not refused: %s", updates[1])
	}
}
