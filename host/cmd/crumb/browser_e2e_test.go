//go:build unix

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crumb-dev/crumb/host/web/browsertest"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// TestServeBrowser is the product as shipped: `crumb demo` and `crumb serve`
// as subprocesses with the catalog, forecast, segment and campaign plugins,
// and Chromium signing in with the link serve printed. It asks for event
// plans and push copy (the campaign plugin's cards) and the waste forecast,
// opens the dashboard, and fails on any console error.
func TestServeBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries, runs subprocesses and drives Chromium; skipped with -short")
	}
	browsertest.Chromium(t)
	e := newE2E(t)
	pluginDir := filepath.Join(e.dir, "plugins")
	for _, name := range []string{"forecast", "segment", "campaign"} {
		if err := os.Rename(plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/"+name), filepath.Join(pluginDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Enough history for the forecast to train (exec keeps the last value).
	e.env = append(e.env, "CRUMB_DEMO_DAYS=90", "CRUMB_DEMO_CUSTOMERS=600")
	e.run(t, "demo")
	srv := e.serveAll(t, 4)
	defer srv.stop(t)
	m := regexp.MustCompile(`http://\S+/#signin=[A-Za-z0-9_-]+`).FindString(srv.log.String())
	if m == "" {
		t.Fatalf("crumb serve printed no sign-in link:\n%s", srv.log.String())
	}

	b := browsertest.New(t, "ko-KR", 1280, 1300)
	b.Do("open the sign-in link", chromedp.Navigate(m))
	b.Wait("signed in", `!document.getElementById('app').hidden && document.getElementById('who').textContent.includes('admin')`)

	for _, q := range []struct {
		text, shot string
		cards      int
		pushes     int
		tables     int
		lang       string
	}{
		{text: "겨울 이벤트 기획해줘", shot: "serve-ko-event-plan", cards: 6, lang: "ko"},
		{text: "마감 할인 푸시 문구 만들어줘", shot: "serve-ko-push", cards: 1, pushes: 1, lang: "ko"},
		{text: "plan a winter event", shot: "serve-en-event-plan", cards: 6, lang: "en"},
		{text: "오늘 폐기될 상품은?", shot: "serve-ko-waste", tables: 1, lang: "ko"},
	} {
		b.Do("new chat", chromedp.Click("#new"))
		b.Wait("an empty chat", `document.querySelectorAll('.msg').length === 0`)
		b.Ask(q.text, 1, true)
		a := b.Last()
		if a.Cards < q.cards || a.Pushes < q.pushes || a.Tables < q.tables || a.Lang != q.lang {
			t.Errorf("%q: %d cards, %d push previews, %d tables, lang %s; want at least %d, %d, %d in %s\ntext: %s\nsteps: %v",
				q.text, a.Cards, a.Pushes, a.Tables, a.Lang, q.cards, q.pushes, q.tables, q.lang, a.Text, a.Steps)
		}
		if bad := b.Eval(`(() => { const t = document.getElementById('log').innerText; return ['[object', 'undefined', 'NaN'].filter(w => t.includes(w)).join(' '); })()`); bad != "" {
			t.Errorf("%q: the answer shows %q", q.text, bad)
		}
		b.Screenshot(q.shot)
	}
	b.Do("open the dashboard", chromedp.Click("#nav-dash"))
	b.Wait("the dashboard", `document.querySelectorAll('#dash-body .panel').length === 3`)
	if errs := b.Eval(`[...document.querySelectorAll('#dash .error')].map(e => e.textContent).join(' | ')`); errs != "" && !strings.Contains(errs, "production") {
		t.Errorf("dashboard errors: %s", errs)
	}
	b.Screenshot("serve-dashboard-ko")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged %d console errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}

// serveAll starts `crumb serve` and waits until its n plugins run.
func (e *e2e) serveAll(t *testing.T, n int) *server {
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
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-s.done:
			t.Fatalf("crumb serve exited before it was ready: %v\n%s", s.err, s.log.String())
		default:
		}
		var health struct {
			Status  string
			Plugins struct{ Running, Total int }
		}
		if resp, err := client.Get("http://" + e.addr + "/healthz"); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if err == nil && health.Plugins.Running == n && health.Plugins.Total == n {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("crumb serve does not run %d plugins after 60 s (last: %+v)", n, health)
		}
	}
}
