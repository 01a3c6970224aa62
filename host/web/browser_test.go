//go:build unix

package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/demo"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/host/web/browsertest"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// liveServer is the whole host in process with the real plugins (catalog,
// forecast, segment, and the showcase test plugin for cards) as
// subprocesses, on a trained demo brand, behind tokens.
type liveServer struct {
	url string
	st  *store.SQLite
	now time.Time
}

func newLiveServer(t *testing.T) *liveServer {
	t.Helper()
	ctx := t.Context()
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, seoul)
	now := today.Add(16*time.Hour + 30*time.Minute)
	clock := func() time.Time { return now }
	t0 := time.Now()
	data, err := demo.Generate(demo.Config{Seed: 42, Today: today, Days: 120, Customers: 800}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Replace(ctx, data, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo written: %s", time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	dir := t.TempDir()
	for name, pkg := range map[string]string{
		"catalog":  "github.com/crumb-dev/crumb/plugins/catalog",
		"forecast": "github.com/crumb-dev/crumb/plugins/forecast",
		"segment":  "github.com/crumb-dev/crumb/plugins/segment",
		"showcase": "./testdata/showcase",
	} {
		if err := os.Rename(plugintest.Build(t, pkg), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("plugins built: %s", time.Since(t0).Round(time.Millisecond))
	logs := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	log := obs.NewLogger(logs, "info", "text")
	reg := prometheus.NewRegistry()
	host := pluginhost.New(pluginhost.Config{Dir: dir, Logger: log, Metrics: pluginhost.NewMetrics(reg), CallTimeout: 5 * time.Minute}, st)
	if err := host.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	t0 = time.Now()
	noon := today.Add(12 * time.Hour)
	for _, id := range []string{"forecast.train", "segment.train"} {
		res, err := host.Invoke(ctx, &tools.Invocation{Tool: id, Args: json.RawMessage(`{}`), CallInfo: tools.CallInfo{RequestID: "train", User: "test", Locale: "en", Now: noon}})
		if err != nil || res.Failure != "" {
			t.Fatalf("%s: %v %+v", id, err, res)
		}
	}
	t.Logf("models trained: %s", time.Since(t0).Round(time.Millisecond))
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := chat.New(chat.Options{Tools: auth.NewGuard(host, nil), Store: st, Texts: texts, Logger: log, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Chat: engine, Plugins: host, Orders: st, Auth: auth.NewTokenAuth(st, clock), Tokens: st,
		Limiter: auth.NewLimiter(func(string) int { return 600 }, 50, nil), Conversations: st, Audit: st, Pushes: st,
		Logger: log, Registry: reg, Now: clock})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	// Queue the day's pushes as the 17:00 job would, for the dashboard.
	res, err := host.Invoke(ctx, &tools.Invocation{Tool: "forecast.waste_forecast", Args: json.RawMessage(`{"queue":true}`),
		CallInfo: tools.CallInfo{RequestID: "queue", User: "test", Locale: "en", Now: now}})
	if err != nil || res.Failure != "" {
		t.Fatalf("queue pushes: %v %+v", err, res)
	}
	return &liveServer{url: ts.URL, st: st, now: now}
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins, trains models and drives Chromium; skipped with -short")
	}
	browsertest.Chromium(t)
	srv := newLiveServer(t)
	code, err := auth.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.st.CreateSigninCode(t.Context(), code.Hash, "owner", auth.Admin, time.Now().Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, "ko-KR", 1280, 1300)

	signedIn := t.Run("sign in with the one-time link", func(t *testing.T) {
		b.T = t
		b.Do("open the sign-in link", chromedp.Navigate(srv.url+"/#signin="+code.Plain))
		b.Wait("the chat", `!document.getElementById('app').hidden && document.getElementById('who').textContent.includes('owner')`)
		if got := b.Eval(`location.hash`); got != "" {
			t.Errorf("the sign-in code stays in the address bar: %q", got)
		}
		if got := b.Eval(`document.documentElement.lang + ' ' + document.getElementById('nav-chat').textContent`); got != "ko 채팅" {
			t.Errorf("a Korean browser sees %q, want the Korean UI", got)
		}
		if got := b.Eval(`sessionStorage.getItem('crumb.token').slice(0, 6)`); got != "crumb_" {
			t.Errorf("session token not kept: %q", got)
		}
	})

	if !signedIn {
		return
	}

	type question struct {
		text, shot                    string
		tables, charts, cards, pushes int
		lang                          string
	}
	n := 0
	askFresh := func(t *testing.T, q question, byKeyboard bool) {
		b.Do("new chat", chromedp.Click("#new"))
		b.Wait("an empty chat", `document.querySelectorAll('.msg').length === 0`)
		n = 1
		b.Ask(q.text, n, byKeyboard)
		a := b.Last()
		if a.Tables < q.tables || a.Charts < q.charts || a.Cards < q.cards || a.Pushes < q.pushes || a.Lang != q.lang {
			t.Errorf("%q: %d tables, %d charts, %d cards, %d push previews, lang %s; want at least %d, %d, %d, %d in %s\ntext: %s\nsteps: %v",
				q.text, a.Tables, a.Charts, a.Cards, a.Pushes, a.Lang, q.tables, q.charts, q.cards, q.pushes, q.lang, a.Text, a.Steps)
		}
		if bad := b.Eval(`(() => { const t = document.getElementById('log').innerText; return ['[object', 'undefined', 'NaN'].filter(w => t.includes(w)).join(' '); })()`); bad != "" {
			t.Errorf("%q: the answer shows %q", q.text, bad)
		}
		if q.cards > 0 && q.pushes == 0 && a.Fields == 0 {
			t.Errorf("%q: the cards show no fields", q.text)
		}
		if len(a.Steps) < 2 || !strings.HasPrefix(a.Steps[len(a.Steps)-1], "done ") {
			t.Errorf("%q: steps %v, want the intent and a finished tool call", q.text, a.Steps)
		}
		b.Screenshot(q.shot)
	}

	t.Run("Korean questions", func(t *testing.T) {
		b.T = t
		for i, q := range []question{
			{text: "오늘 폐기될 상품은?", shot: "chat-ko-waste", tables: 1, charts: 1, lang: "ko"},
			{text: "VIP 고객은 뭘 사?", shot: "chat-ko-vip", tables: 1, charts: 1, lang: "ko"},
			{text: "겨울 이벤트 기획해줘", shot: "chat-ko-event-plan", cards: 6, lang: "ko"},
			{text: "마감 할인 푸시 문구 만들어줘", shot: "chat-ko-push", cards: 2, pushes: 2, lang: "ko"},
		} {
			askFresh(t, q, i%2 == 1)
		}
		if a := b.Last(); !strings.Contains(a.Text, "푸시") {
			t.Errorf("push answer text %q", a.Text)
		}
	})

	t.Run("English questions", func(t *testing.T) {
		b.T = t
		b.Do("switch to English", chromedp.Click("#lang"))
		b.Wait("the English UI", `document.documentElement.lang === 'en' && document.getElementById('nav-chat').textContent === 'Chat'`)
		for i, q := range []question{
			{text: "which items will be wasted today?", shot: "chat-en-waste", tables: 1, charts: 1, lang: "en"},
			{text: "what do VIPs buy?", shot: "chat-en-vip", tables: 1, charts: 1, lang: "en"},
			{text: "plan a winter event", shot: "chat-en-event-plan", cards: 6, lang: "en"},
		} {
			askFresh(t, q, i%2 == 0)
		}
	})

	t.Run("follow a conversation", func(t *testing.T) {
		b.T = t
		b.Wait("the conversation list", `[...document.querySelectorAll('#convs button')].some(x => x.title === '오늘 폐기될 상품은?')`)
		b.Do("open the first conversation", chromedp.Click(`#convs button[title="오늘 폐기될 상품은?"]`))
		b.Wait("its history", `document.querySelectorAll('.msg.bot[aria-busy="false"] table').length >= 1 && document.querySelectorAll('.msg.user').length === 1`)
		if a := b.Last(); a.Charts != 1 || a.Lang != "ko" {
			t.Errorf("the resumed answer has %d charts, lang %s", a.Charts, a.Lang)
		}
		id := b.Eval(`new URLSearchParams(location.search).get('c')`)
		if id == "" {
			t.Fatal("the conversation is not in the address")
		}
		b.Ask("which items will be wasted today?", 2, true)
		b.Wait("the list updated", `document.querySelector('#convs button[aria-current="true"]') !== null`)
		if got := b.Eval(`new URLSearchParams(location.search).get('c')`); got != id {
			t.Errorf("the follow-up went to conversation %q, want %q", got, id)
		}
		msgs, err := srv.st.Messages(t.Context(), id)
		if err != nil || len(msgs) != 4 {
			t.Errorf("the conversation has %d messages in the store (%v), want 4", len(msgs), err)
		}
		b.Screenshot("chat-conversation")
		// A reload keeps the session and reopens the conversation.
		b.Do("reload", chromedp.Reload())
		b.Wait("the conversation after a reload", `document.querySelectorAll('.msg.bot[aria-busy="false"]').length === 2`)
	})

	t.Run("dashboard", func(t *testing.T) {
		b.T = t
		b.Do("Korean again", chromedp.Click("#lang"))
		b.Do("open the dashboard", chromedp.Click("#nav-dash"))
		b.Wait("the dashboard", `document.getElementById('dash-chart') && document.querySelectorAll('.store').length >= 10`)
		got := b.Eval(`JSON.stringify({path: location.pathname, risk: document.querySelector('.tile.risk .v') ? document.querySelector('.tile.risk .v').textContent : '',
			pushes: document.querySelectorAll('#p-push ~ .tablewrap tbody tr').length, plugins: document.querySelectorAll('#p-plugins ~ .tablewrap tbody tr').length,
			errors: [...document.querySelectorAll('#dash .error')].map(e => e.textContent).filter(Boolean)})`)
		var d struct {
			Path    string
			Risk    string
			Pushes  int
			Plugins int
			Errors  []string
		}
		if err := json.Unmarshal([]byte(got), &d); err != nil {
			t.Fatal(err)
		}
		queued, _ := srv.st.Pushes(t.Context(), srv.now.Format(tools.DateLayout))
		if d.Path != "/dashboard" || d.Risk == "" || d.Risk == "0" || d.Plugins != 4 || d.Pushes != min(len(queued), 50) || len(d.Errors) != 0 {
			t.Errorf("dashboard = %+v; want items at risk, %d queued pushes, 4 plugins and no errors", d, len(queued))
		}
		b.Screenshot("dashboard-ko")
		b.Do("English dashboard", chromedp.Click("#lang"))
		b.Wait("the English dashboard", `document.getElementById('dash-title').textContent === 'Today in the stores' && document.getElementById('dash-body').getAttribute('aria-busy') === 'false' &&
			document.querySelector('.tile .l') && document.querySelector('.tile .l').textContent === 'Items at risk of waste'`)
		if names := b.Eval(`[...document.querySelectorAll('.store .name')].map(e => e.textContent).join(',')`); !strings.Contains(names, "Gangnam") || strings.Contains(names, "강남점") {
			t.Errorf("the English dashboard names the stores %s", names)
		}
		b.Screenshot("dashboard-en")
	})

	t.Run("phone", func(t *testing.T) {
		b.T = t
		b.Do("phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Click("#nav-chat"))
		b.Wait("the chat", `!document.getElementById('chat').hidden`)
		b.Do("Korean", chromedp.Click("#lang"))
		b.Ask("오늘 폐기될 상품은?", 1, true)
		overflow := b.Eval(`String(document.documentElement.scrollWidth > window.innerWidth + 1)`)
		if overflow != "false" {
			t.Errorf("the page is wider than a phone screen (%s)", b.Eval(`String(document.documentElement.scrollWidth)`))
		}
		b.Screenshot("phone-chat-ko")
		b.Do("open the conversation list", chromedp.Click("#menu"))
		b.Wait("the drawer", `document.getElementById('side').classList.contains('open') && document.activeElement.id === 'new'`)
		b.Screenshot("phone-conversations-ko")
		b.Do("close it with Escape", chromedp.KeyEvent("\x1b"))
		b.Wait("the drawer closed", `!document.getElementById('side').classList.contains('open')`)
	})

	t.Run("staff signs in with a pasted token", func(t *testing.T) {
		b.T = t
		plain, _, err := web.CreateToken(t.Context(), srv.st, "minji", auth.Staff, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Do("desktop and sign out", chromedp.EmulateViewport(1280, 1300), chromedp.Click("#signout"))
		b.Wait("the sign-in form", `!document.getElementById('signin').hidden && document.getElementById('app').hidden`)
		if got := b.Eval(`String(sessionStorage.getItem('crumb.token'))`); got != "null" {
			t.Errorf("the token is still kept after signing out: %q", got)
		}
		b.Do("paste the token", chromedp.SendKeys("#token", plain+"\n"))
		b.Wait("signed in as staff", `!document.getElementById('app').hidden && document.getElementById('who').textContent === 'minjistaff'`)
		b.Do("new chat", chromedp.Click("#new"))
		examples := b.Eval(`[...document.querySelectorAll('#examples button')].map(x => x.textContent).join(' | ')`)
		if !strings.Contains(examples, "오늘 폐기될 상품은?") || strings.Contains(examples, "VIP") || strings.Contains(examples, "이벤트") {
			t.Errorf("staff sees the examples %q; want the waste question and none about segments or campaigns", examples)
		}
		b.Ask("VIP 고객은 뭘 사?", 1, true)
		if a := b.Last(); !strings.Contains(a.Text, "staff 역할은") || a.Tables != 0 || len(a.Steps) < 2 || !strings.HasPrefix(a.Steps[len(a.Steps)-1], "failed ") {
			t.Errorf("staff asking about VIPs: %q, %d tables, steps %v; want a refusal", a.Text, a.Tables, a.Steps)
		}
		b.Screenshot("staff-refused-ko")
	})

	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged %d console errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}
