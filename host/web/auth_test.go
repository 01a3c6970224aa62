package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// cannedPlugins stands in for the plugin host with three tools whose
// answers are fixed: a waste forecast (staff may call it), a segment
// profile (marketers and up) and a train tool with no intent (admins only).
type cannedPlugins struct {
	mu    sync.Mutex
	calls []tools.Invocation
}

var cannedManifests = []tools.Manifest{
	{Name: "forecast", Version: "1.0.0", Tools: []tools.ToolInfo{
		{Name: "waste_forecast", Description: "waste", InputSchema: json.RawMessage(`{"type":"object","properties":{"store":{"type":"string"},"limit":{"type":"integer"}}}`),
			Intents: []tools.Intent{{Name: "waste_forecast", Examples: []string{"오늘 폐기될 상품은?", "which items will be wasted today?"}}}},
		{Name: "train", Description: "train", InputSchema: json.RawMessage(`{"type":"object"}`)},
	}},
	{Name: "segment", Version: "1.0.0", Tools: []tools.ToolInfo{
		{Name: "segment_profile", Description: "profile", InputSchema: json.RawMessage(`{"type":"object","properties":{"segment":{"type":"string"}}}`),
			Intents: []tools.Intent{{Name: "segment_insight", Examples: []string{"VIP 고객은 뭘 사?", "what do VIPs buy?"}}}},
	}},
}

const cannedWaste = `{"date":"2026-03-10","time":"16:30","threshold":12,"model":"v1","at_risk":3,"rows":[
{"store_id":"S01","store":"강남점","store_en":"Gangnam","product_id":"P01","product":"크루아상","product_en":"Croissant","production":40,"stock":20,"predicted_day":40,"predicted_remaining":10,"ewr":25,"at_risk":true,"status":"at_risk"},
{"store_id":"S01","store":"강남점","store_en":"Gangnam","product_id":"P02","product":"식빵","product_en":"Bread","production":30,"stock":5,"predicted_day":30,"predicted_remaining":4,"ewr":3.3,"at_risk":false,"status":"ok"},
{"store_id":"S02","store":"홍대점","store_en":"Hongdae","product_id":"P01","product":"크루아상","product_en":"Croissant","production":50,"stock":30,"predicted_day":50,"predicted_remaining":20,"ewr":20,"at_risk":true,"status":"at_risk"},
{"store_id":"S02","store":"홍대점","store_en":"Hongdae","product_id":"P03","product":"케이크","product_en":"Cake","production":10,"stock":6,"predicted_day":9,"predicted_remaining":4,"ewr":20,"at_risk":true,"status":"at_risk"},
{"store_id":"S03","store":"판교점","store_en":"Pangyo","product_id":"P03","product":"케이크","product_en":"Cake","production":0,"stock":0,"predicted_day":0,"predicted_remaining":0,"at_risk":false,"status":"not_produced"}]}`

func (c *cannedPlugins) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	c.mu.Lock()
	c.calls = append(c.calls, *inv)
	c.mu.Unlock()
	switch inv.Tool {
	case "forecast.waste_forecast", "waste_forecast":
		th := 12.0
		return &tools.Result{Output: json.RawMessage(cannedWaste), Display: &tools.Display{
			Text:   "폐기 위험 상품은 3개입니다.",
			Tables: []tools.Table{{Title: "예상 폐기율", Columns: []string{"매장", "상품", "예상 폐기율(%)"}, Rows: [][]any{{"강남점", "크루아상", 25.0}}}},
			Charts: []tools.Chart{{Kind: "bar", Title: "상품별 예상 폐기율", Labels: []string{"크루아상"}, Series: []tools.Series{{Name: "EWR", Values: []float64{25}}}, Unit: "%", Threshold: &th}},
		}}, nil
	case "segment.segment_profile", "segment_profile":
		return &tools.Result{Output: json.RawMessage(`{}`), Display: &tools.Display{Text: "VIPs buy cakes.",
			Cards: []tools.Card{{Kind: "segment", Title: "VIP", Fields: []tools.Field{{Label: "top", Value: "cake"}}}}}}, nil
	case "forecast.train", "train":
		return &tools.Result{Output: json.RawMessage(`{}`)}, nil
	}
	return nil, pluginhost.ErrUnknownTool
}

func (c *cannedPlugins) Manifests() []tools.Manifest { return cannedManifests }

func (c *cannedPlugins) Tools() []pluginhost.Tool {
	var out []pluginhost.Tool
	for _, m := range cannedManifests {
		for _, t := range m.Tools {
			out = append(out, pluginhost.Tool{ID: m.Name + "." + t.Name, Plugin: m.Name, ToolInfo: t})
		}
	}
	return out
}

func (c *cannedPlugins) Plugins() []pluginhost.Status {
	return []pluginhost.Status{{Name: "forecast", Version: "1.0.0", State: pluginhost.StateRunning, Health: "ok", Breaker: "closed"}}
}

// authFixture is the API over a real SQLite store with real tokens, the
// canned plugins behind the policy guard, and a rate limit.
type authFixture struct {
	url     string
	st      *store.SQLite
	plugins *cannedPlugins
	now     time.Time
	tokens  map[string]string // role → token
}

func newAuthFixture(t *testing.T, perMinute int) *authFixture {
	t.Helper()
	now := time.Date(2026, 3, 10, 16, 30, 0, 0, seoul)
	clock := func() time.Time { return now }
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "crumb.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := &cannedPlugins{}
	engine, err := chat.New(chat.Options{Tools: auth.NewGuard(p, nil), Store: st, Texts: texts, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{
		Chat: engine, Plugins: p, Auth: auth.NewTokenAuth(st, clock), Tokens: st, Conversations: st, Audit: st, Pushes: st,
		Limiter: auth.NewLimiter(func(string) int { return perMinute }, 3, clock), Now: clock,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f := &authFixture{url: ts.URL, st: st, plugins: p, now: now, tokens: map[string]string{}}
	for _, role := range auth.Roles {
		plain, _, err := web.CreateToken(t.Context(), st, "user-"+role, role, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = plain
	}
	return f
}

func (f *authFixture) do(t *testing.T, token, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func TestTokensRequired(t *testing.T) {
	f := newAuthFixture(t, 0)
	for _, path := range []string{"/v1/me", "/v1/tools", "/v1/plugins", "/v1/conversations", "/v1/dashboard"} {
		resp, body := f.do(t, "", http.MethodGet, path, "")
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" || !strings.Contains(body, "crumb token create") {
			t.Errorf("GET %s without a token: %d %s, want 401 saying how to get a token", path, resp.StatusCode, body)
		}
	}
	if resp, body := f.do(t, "", http.MethodPost, "/v1/chat", `{"text":"오늘 폐기될 상품은?"}`); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /v1/chat without a token: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.do(t, "crumb_abc_nope", http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "unknown token") {
		t.Errorf("unknown token: %d %s", resp.StatusCode, body)
	}
	// Public: the UI's files and health.
	for _, path := range []string{"/", "/dashboard", "/assets/app.js", "/assets/app.css", "/healthz"} {
		if resp, body := f.do(t, "", http.MethodGet, path, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %.100s", path, resp.StatusCode, body)
		}
	}
	resp, _ := f.do(t, "", http.MethodGet, "/", "")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q: want scripts from this origin only", csp)
	}
	resp, body := f.do(t, f.tokens["marketer"], http.MethodGet, "/v1/me", "")
	var me struct{ Name, Role string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.Name != "user-marketer" || me.Role != "marketer" {
		t.Errorf("GET /v1/me: %d %s", resp.StatusCode, body)
	}
}

func TestRolesAndAudit(t *testing.T) {
	f := newAuthFixture(t, 0)
	// Staff may forecast waste but not read segments nor train, whether by
	// the tool API or through a chat.
	if resp, body := f.do(t, f.tokens["staff"], http.MethodPost, "/v1/tools/segment.segment_profile", `{"segment":"VIP"}`); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "marketer") {
		t.Errorf("staff → segment_profile: %d %s, want 403 naming the marketer role", resp.StatusCode, body)
	}
	if resp, body := f.do(t, f.tokens["marketer"], http.MethodPost, "/v1/tools/forecast.train", `{}`); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "admin") {
		t.Errorf("marketer → train: %d %s, want 403 naming admin", resp.StatusCode, body)
	}
	if resp, body := f.do(t, f.tokens["admin"], http.MethodPost, "/v1/tools/forecast.train", `{}`); resp.StatusCode != http.StatusOK {
		t.Errorf("admin → train: %d %s", resp.StatusCode, body)
	}
	resp, body := f.do(t, f.tokens["staff"], http.MethodPost, "/v1/chat", `{"text":"VIP 고객은 뭘 사?"}`)
	var r chat.Reply
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
		t.Fatalf("staff chat: %d %s", resp.StatusCode, body)
	}
	if r.Intent != "segment_insight" || len(r.ToolCalls) != 1 || r.ToolCalls[0].Failure == "" || !strings.Contains(r.Text, "staff 역할은") {
		t.Errorf("staff asking about VIPs: intent %s, calls %+v, text %q; want a Korean refusal", r.Intent, r.ToolCalls, r.Text)
	}
	resp, body = f.do(t, f.tokens["staff"], http.MethodPost, "/v1/chat", `{"text":"오늘 폐기될 상품은?"}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "폐기 위험 상품은 3개") {
		t.Errorf("staff waste question: %d %s", resp.StatusCode, body)
	}
	// Only the allowed calls reached the plugins.
	var reached []string
	for _, c := range f.plugins.calls {
		reached = append(reached, c.Tool+"/"+c.CallInfo.Role)
	}
	if !slices.Equal(reached, []string{"forecast.train/admin", "forecast.waste_forecast/staff"}) {
		t.Errorf("calls that reached the plugins: %v", reached)
	}
	// Staff may not manage tokens nor read the audit log.
	for _, path := range []string{"/v1/tokens", "/v1/audit"} {
		if resp, body := f.do(t, f.tokens["marketer"], http.MethodGet, path, ""); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "admin role") {
			t.Errorf("marketer GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	// The audit log names who called which tool with which arguments.
	resp, body = f.do(t, f.tokens["admin"], http.MethodGet, "/v1/audit", "")
	var audit struct{ Entries []store.AuditEntry }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &audit) != nil {
		t.Fatalf("GET /v1/audit: %d %s", resp.StatusCode, body)
	}
	var lines []string
	for _, e := range audit.Entries {
		// Slot values are the classifier's business: compare them in lower case.
		lines = append(lines, strings.ToLower(e.Actor+" "+e.Role+" "+e.Action+" "+string(e.Args)+" "+strings.SplitN(e.Outcome, ":", 2)[0]))
	}
	slices.Reverse(lines)
	want := []string{
		`user-staff staff tool:segment_profile {"segment":"vip"} denied`,
		`user-marketer marketer tool:train {} denied`,
		`user-admin admin tool:forecast.train {} ok`,
		`user-staff staff tool:segment_profile {"segment":"vip"} failure`,
		`user-staff staff tool:waste_forecast {} ok`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestTokenManagementAndSignin(t *testing.T) {
	f := newAuthFixture(t, 0)
	resp, body := f.do(t, f.tokens["admin"], http.MethodPost, "/v1/tokens", `{"name":"minji","role":"staff"}`)
	var made struct{ Token, ID, Role string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &made) != nil || !strings.HasPrefix(made.Token, "crumb_"+made.ID+"_") {
		t.Fatalf("POST /v1/tokens: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, made.Token, http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the new token does not work: %d", resp.StatusCode)
	}
	if resp, body := f.do(t, f.tokens["admin"], http.MethodPost, "/v1/tokens", `{"name":"x","role":"owner"}`); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "want staff, marketer or admin") {
		t.Errorf("bad role: %d %s", resp.StatusCode, body)
	}
	// The list shows no secret.
	_, body = f.do(t, f.tokens["admin"], http.MethodGet, "/v1/tokens", "")
	if !strings.Contains(body, made.ID) || strings.Contains(body, made.Token) || strings.Contains(body, "hash") {
		t.Errorf("token list: %s", body)
	}
	if resp, _ := f.do(t, f.tokens["admin"], http.MethodDelete, "/v1/tokens/"+made.ID, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, body := f.do(t, made.Token, http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "revoked") {
		t.Errorf("revoked token: %d %s", resp.StatusCode, body)
	}

	// A one-time sign-in link: redeemed once for a session token.
	code, err := auth.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateSigninCode(t.Context(), code.Hash, "owner", "admin", f.now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	resp, body = f.do(t, "", http.MethodPost, "/v1/auth/signin", `{"code":"`+code.Plain+`"}`)
	var sess struct{ Token, Role, Name string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &sess) != nil || sess.Role != "admin" || sess.Name != "owner" {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.do(t, "", http.MethodPost, "/v1/auth/signin", `{"code":"`+code.Plain+`"}`); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "crumb token link") {
		t.Errorf("second use of a sign-in code: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, sess.Token, http.MethodGet, "/v1/tokens", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("session token cannot list tokens: %d", resp.StatusCode)
	}
	if resp, body := f.do(t, sess.Token, http.MethodPost, "/v1/auth/signout", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"revoked":true`) {
		t.Errorf("sign-out: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, sess.Token, http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session token works after sign-out: %d", resp.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	f := newAuthFixture(t, 6) // 6 a minute, burst 3, frozen clock
	for i := range 3 {
		if resp, body := f.do(t, f.tokens["staff"], http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := f.do(t, f.tokens["staff"], http.MethodGet, "/v1/me", "")
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || secs < 1 || secs > 10 || !strings.Contains(body, "rate limit") {
		t.Fatalf("4th request: %d, Retry-After %q, %s; want 429 with Retry-After of up to 10 s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Another token has its own bucket.
	if resp, _ := f.do(t, f.tokens["marketer"], http.MethodGet, "/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another token was limited: %d", resp.StatusCode)
	}
}

// sseEvent is one server-sent event.
type sseEvent struct {
	Name string
	Data json.RawMessage
}

func readSSE(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.Data = json.RawMessage(strings.TrimPrefix(line, "data: "))
		case line == "":
			out = append(out, cur)
			cur = sseEvent{}
		}
	}
	return out
}

func TestChatStreamAndConversations(t *testing.T) {
	f := newAuthFixture(t, 0)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+"/v1/chat/stream", strings.NewReader(`{"text":"오늘 폐기될 상품은?"}`))
	req.Header.Set("Authorization", "Bearer "+f.tokens["staff"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := readSSE(t, resp.Body)
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"intent", "tool_start", "tool_done", "reply"}) {
		t.Fatalf("events %v, want intent, tool_start, tool_done, reply", names)
	}
	var last chat.Event
	if err := json.Unmarshal(events[3].Data, &last); err != nil || last.Reply == nil {
		t.Fatalf("reply event: %v %s", err, events[3].Data)
	}
	r := last.Reply
	if r.Intent != "waste_forecast" || len(r.ChartsSVG) != 1 || !strings.HasPrefix(r.ChartsSVG[0], "<svg") || r.Blocks == nil || len(r.Blocks.Tables) != 1 {
		t.Errorf("reply: intent %s, %d charts, blocks %+v", r.Intent, len(r.ChartsSVG), r.Blocks)
	}

	// A follow-up in the same conversation, then the list and the history.
	body := `{"text":"which items will be wasted today?","conversation_id":"` + r.ConversationID + `"}`
	if resp, raw := f.do(t, f.tokens["staff"], http.MethodPost, "/v1/chat", body); resp.StatusCode != http.StatusOK {
		t.Fatalf("follow-up: %d %s", resp.StatusCode, raw)
	}
	_, raw := f.do(t, f.tokens["staff"], http.MethodGet, "/v1/conversations", "")
	var list struct{ Conversations []web.ConversationSummary }
	if json.Unmarshal([]byte(raw), &list) != nil || len(list.Conversations) != 1 || list.Conversations[0].ID != r.ConversationID || list.Conversations[0].Title != "오늘 폐기될 상품은?" {
		t.Fatalf("conversations: %s", raw)
	}
	_, raw = f.do(t, f.tokens["staff"], http.MethodGet, "/v1/conversations/"+r.ConversationID, "")
	var hist struct{ Messages []web.MessageView }
	if json.Unmarshal([]byte(raw), &hist) != nil || len(hist.Messages) != 4 {
		t.Fatalf("history: %s", raw)
	}
	var resumed chat.Reply
	if err := json.Unmarshal(hist.Messages[3].Reply, &resumed); err != nil || resumed.Locale != "en" || len(resumed.ChartsSVG) != 1 {
		t.Errorf("the stored reply cannot be rendered again: %v %s", err, hist.Messages[3].Reply)
	}
	// Someone else's conversation is not found, and cannot be continued.
	if resp, _ := f.do(t, f.tokens["marketer"], http.MethodGet, "/v1/conversations/"+r.ConversationID, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another user read the conversation: %d", resp.StatusCode)
	}
	if resp, raw := f.do(t, f.tokens["marketer"], http.MethodPost, "/v1/chat", body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(raw, "belongs to another user") {
		t.Errorf("another user continued the conversation: %d %s", resp.StatusCode, raw)
	}
	// A bad request is a plain JSON error before any event.
	resp2, raw := f.do(t, f.tokens["staff"], http.MethodPost, "/v1/chat/stream", `{"txt":"x"}`)
	if resp2.StatusCode != http.StatusBadRequest || !strings.Contains(raw, "unknown field") {
		t.Errorf("bad stream request: %d %s", resp2.StatusCode, raw)
	}
}

func TestDashboard(t *testing.T) {
	f := newAuthFixture(t, 0)
	if _, err := f.st.EnqueuePush(t.Context(), []store.PushItem{
		{StoreID: "S01", ProductID: "P01", Date: "2026-03-10"},
		{StoreID: "S02", ProductID: "P01", Date: "2026-03-10"},
		{StoreID: "S02", ProductID: "P03", Date: "2026-03-09"},
	}); err != nil {
		t.Fatal(err)
	}
	resp, raw := f.do(t, f.tokens["staff"], http.MethodGet, "/v1/dashboard?locale=ko", "")
	var d web.Dashboard
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(raw), &d) != nil {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, raw)
	}
	w := d.Waste
	if w.Error != "" || w.AtRisk != 3 || w.Date != "2026-03-10" || len(w.Stores) != 3 || !strings.HasPrefix(w.ChartSVG, "<svg") {
		t.Fatalf("waste: %+v", w)
	}
	// Stores with the most items at risk first; items riskiest first;
	// Korean names; an item not produced today has no rate and is left out.
	if w.Stores[0].Name != "홍대점" || w.Stores[0].AtRisk != 2 || w.Stores[1].Name != "강남점" || w.Stores[1].Items[0].Name != "크루아상" ||
		w.Stores[1].Items[0].EWR != 25 || len(w.Stores[2].Items) != 0 {
		t.Errorf("stores: %+v", w.Stores)
	}
	if d.Pushes.Date != "2026-03-10" || d.Pushes.Counts["pending"] != 2 || len(d.Pushes.Items) != 2 || d.Pushes.Items[0].Store == "S01" {
		t.Errorf("pushes: %+v (want the day's two, with store names)", d.Pushes)
	}
	if len(d.Plugins) != 1 || d.Plugins[0].Name != "forecast" {
		t.Errorf("plugins: %+v", d.Plugins)
	}
	_, raw = f.do(t, f.tokens["staff"], http.MethodGet, "/v1/dashboard?locale=en", "")
	if !strings.Contains(raw, `"name":"Hongdae"`) {
		t.Errorf("English dashboard lacks English store names: %.300s", raw)
	}
}

// TestSlackRoutes checks that Slack's requests reach the adapter without a
// token (the adapter checks Slack's signature) and only under /slack/.
func TestSlackRoutes(t *testing.T) {
	var got []string
	h := web.New(web.Options{Slack: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.URL.Path) })}).Handler()
	for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactive"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
		if rec.Code != http.StatusOK {
			t.Errorf("POST %s: %d", path, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/chat", strings.NewReader(`{"text":"x"}`)))
	if rec.Code != http.StatusUnauthorized || len(got) != 3 {
		t.Errorf("POST /v1/chat: %d; Slack saw %v", rec.Code, got)
	}
}
