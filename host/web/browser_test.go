//go:build unix

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// chromium finds Debian's Chromium (make chromium installs it). Without it
// the test is skipped, except in CI, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: run `make chromium` (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed: run `make chromium` (apt-get install -y chromium)")
	return ""
}

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

// browser drives one Chromium tab; it records every console error and
// uncaught exception of the page.
type browser struct {
	ctx  context.Context
	t    *testing.T
	shot string // screenshot directory

	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, lang string) *browser {
	t.Helper()
	exe := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1300),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	deadline, cancelT := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	b := &browser{ctx: deadline, t: t, shot: t.ArtifactDir()}
	if err := chromedp.Do(b.ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// wait polls a JavaScript predicate.
func (b *browser) wait(what, predicate string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		b.t.Fatalf("wait for %s (%s): %v\npage text: %.2000s", what, predicate, err, b.eval(`document.body.innerText`))
	}
}

// screenshot saves the whole page as name.png in the test's artifact
// directory, and in $CRUMB_SCREENSHOT_DIR when it is set (the README's
// screenshots are made so: CRUMB_SCREENSHOT_DIR=$PWD/docs/screenshots).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{b.shot}
	if d := os.Getenv("CRUMB_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.t.Logf("screenshot %s (%d bytes) in %s", name, len(png), strings.Join(dirs, ", "))
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// ask types a question, sends it (with the keyboard when byKeyboard) and
// waits until the n-th answer has arrived.
func (b *browser) ask(q string, n int, byKeyboard bool) {
	b.t.Helper()
	if byKeyboard {
		b.do("type "+q, chromedp.Focus("#q"), chromedp.SendKeys("#q", q+"\n"))
	} else {
		b.do("type "+q, chromedp.SetValue("#q", q), chromedp.Click("#send"))
	}
	b.wait("answer to "+q, fmt.Sprintf(`document.querySelectorAll('.msg.bot[aria-busy="false"]').length >= %d`, n))
}

// lastAnswer describes the latest answer on the page.
type lastAnswer struct {
	Text   string   `json:"text"`
	Lang   string   `json:"lang"`
	Tables int      `json:"tables"`
	Charts int      `json:"charts"`
	Cards  int      `json:"cards"`
	Pushes int      `json:"pushes"`
	Steps  []string `json:"steps"`
}

func (b *browser) last() lastAnswer {
	b.t.Helper()
	raw := b.eval(`(() => {
		const all = document.querySelectorAll('.msg.bot'); const m = all[all.length - 1];
		return JSON.stringify({text: m.querySelector('.text').textContent, lang: m.getAttribute('lang'),
			tables: m.querySelectorAll('table').length, charts: m.querySelectorAll('img.chart').length,
			cards: m.querySelectorAll('.card').length, pushes: m.querySelectorAll('.card.push').length,
			steps: [...m.querySelectorAll('.steps li')].map(li => li.className + ' ' + li.textContent)});
	})()`)
	var a lastAnswer
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		b.t.Fatalf("read the answer: %v: %s", err, raw)
	}
	return a
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins, trains models and drives Chromium; skipped with -short")
	}
	chromium(t)
	srv := newLiveServer(t)
	code, err := auth.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.st.CreateSigninCode(t.Context(), code.Hash, "owner", auth.Admin, time.Now().Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, "ko-KR")

	signedIn := t.Run("sign in with the one-time link", func(t *testing.T) {
		b.t = t
		b.do("open the sign-in link", chromedp.Navigate(srv.url+"/#signin="+code.Plain))
		b.wait("the chat", `!document.getElementById('app').hidden && document.getElementById('who').textContent.includes('owner')`)
		if got := b.eval(`location.hash`); got != "" {
			t.Errorf("the sign-in code stays in the address bar: %q", got)
		}
		if got := b.eval(`document.documentElement.lang + ' ' + document.getElementById('nav-chat').textContent`); got != "ko 채팅" {
			t.Errorf("a Korean browser sees %q, want the Korean UI", got)
		}
		if got := b.eval(`sessionStorage.getItem('crumb.token').slice(0, 6)`); got != "crumb_" {
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
		b.do("new chat", chromedp.Click("#new"))
		b.wait("an empty chat", `document.querySelectorAll('.msg').length === 0`)
		n = 1
		b.ask(q.text, n, byKeyboard)
		a := b.last()
		if a.Tables < q.tables || a.Charts < q.charts || a.Cards < q.cards || a.Pushes < q.pushes || a.Lang != q.lang {
			t.Errorf("%q: %d tables, %d charts, %d cards, %d push previews, lang %s; want at least %d, %d, %d, %d in %s\ntext: %s\nsteps: %v",
				q.text, a.Tables, a.Charts, a.Cards, a.Pushes, a.Lang, q.tables, q.charts, q.cards, q.pushes, q.lang, a.Text, a.Steps)
		}
		if len(a.Steps) < 2 || !strings.HasPrefix(a.Steps[len(a.Steps)-1], "done ") {
			t.Errorf("%q: steps %v, want the intent and a finished tool call", q.text, a.Steps)
		}
		b.screenshot(q.shot)
	}

	t.Run("Korean questions", func(t *testing.T) {
		b.t = t
		for i, q := range []question{
			{text: "오늘 폐기될 상품은?", shot: "chat-ko-waste", tables: 1, charts: 1, lang: "ko"},
			{text: "VIP 고객은 뭘 사?", shot: "chat-ko-vip", tables: 1, charts: 1, lang: "ko"},
			{text: "겨울 이벤트 기획해줘", shot: "chat-ko-event-plan", cards: 6, lang: "ko"},
			{text: "마감 할인 푸시 문구 만들어줘", shot: "chat-ko-push", cards: 2, pushes: 2, lang: "ko"},
		} {
			askFresh(t, q, i%2 == 1)
		}
		if a := b.last(); !strings.Contains(a.Text, "푸시") {
			t.Errorf("push answer text %q", a.Text)
		}
	})

	t.Run("English questions", func(t *testing.T) {
		b.t = t
		b.do("switch to English", chromedp.Click("#lang"))
		b.wait("the English UI", `document.documentElement.lang === 'en' && document.getElementById('nav-chat').textContent === 'Chat'`)
		for i, q := range []question{
			{text: "which items will be wasted today?", shot: "chat-en-waste", tables: 1, charts: 1, lang: "en"},
			{text: "what do VIPs buy?", shot: "chat-en-vip", tables: 1, charts: 1, lang: "en"},
			{text: "plan a winter event", shot: "chat-en-event-plan", cards: 6, lang: "en"},
		} {
			askFresh(t, q, i%2 == 0)
		}
	})

	t.Run("follow a conversation", func(t *testing.T) {
		b.t = t
		b.wait("the conversation list", `[...document.querySelectorAll('#convs button')].some(x => x.title === '오늘 폐기될 상품은?')`)
		b.do("open the first conversation", chromedp.Click(`#convs button[title="오늘 폐기될 상품은?"]`))
		b.wait("its history", `document.querySelectorAll('.msg.bot[aria-busy="false"] table').length >= 1 && document.querySelectorAll('.msg.user').length === 1`)
		if a := b.last(); a.Charts != 1 || a.Lang != "ko" {
			t.Errorf("the resumed answer has %d charts, lang %s", a.Charts, a.Lang)
		}
		id := b.eval(`new URLSearchParams(location.search).get('c')`)
		if id == "" {
			t.Fatal("the conversation is not in the address")
		}
		b.ask("which items will be wasted today?", 2, true)
		b.wait("the list updated", `document.querySelector('#convs button[aria-current="true"]') !== null`)
		if got := b.eval(`new URLSearchParams(location.search).get('c')`); got != id {
			t.Errorf("the follow-up went to conversation %q, want %q", got, id)
		}
		msgs, err := srv.st.Messages(t.Context(), id)
		if err != nil || len(msgs) != 4 {
			t.Errorf("the conversation has %d messages in the store (%v), want 4", len(msgs), err)
		}
		b.screenshot("chat-conversation")
		// A reload keeps the session and reopens the conversation.
		b.do("reload", chromedp.Reload())
		b.wait("the conversation after a reload", `document.querySelectorAll('.msg.bot[aria-busy="false"]').length === 2`)
	})

	t.Run("dashboard", func(t *testing.T) {
		b.t = t
		b.do("Korean again", chromedp.Click("#lang"))
		b.do("open the dashboard", chromedp.Click("#nav-dash"))
		b.wait("the dashboard", `document.getElementById('dash-chart') && document.querySelectorAll('.store').length >= 10`)
		got := b.eval(`JSON.stringify({path: location.pathname, risk: document.querySelector('.tile.risk .v') ? document.querySelector('.tile.risk .v').textContent : '',
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
		b.screenshot("dashboard-ko")
		b.do("English dashboard", chromedp.Click("#lang"))
		b.wait("the English dashboard", `document.getElementById('dash-title').textContent === 'Today in the stores' && document.getElementById('dash-chart')`)
		b.screenshot("dashboard-en")
	})

	t.Run("phone", func(t *testing.T) {
		b.t = t
		b.do("phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Click("#nav-chat"))
		b.wait("the chat", `!document.getElementById('chat').hidden`)
		b.do("Korean", chromedp.Click("#lang"))
		b.ask("오늘 폐기될 상품은?", 1, true)
		overflow := b.eval(`String(document.documentElement.scrollWidth > window.innerWidth + 1)`)
		if overflow != "false" {
			t.Errorf("the page is wider than a phone screen (%s)", b.eval(`String(document.documentElement.scrollWidth)`))
		}
		b.screenshot("phone-chat-ko")
		b.do("open the conversation list", chromedp.Click("#menu"))
		b.wait("the drawer", `document.getElementById('side').classList.contains('open') && document.activeElement.id === 'new'`)
		b.screenshot("phone-conversations-ko")
		b.do("close it with Escape", chromedp.KeyEvent("\x1b"))
		b.wait("the drawer closed", `!document.getElementById('side').classList.contains('open')`)
	})

	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged %d console errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}
