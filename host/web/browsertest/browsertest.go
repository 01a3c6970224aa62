//go:build unix

// Package browsertest drives Debian's Chromium through chromedp for the
// tests of Crumb's web UI: it starts a headless browser with a fresh
// profile, records the page's console errors, waits on JavaScript
// predicates, asks questions in the chat and saves screenshots.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's Chromium (make chromium installs it). Without it
// the test is skipped, except in CI, where it fails.
func Chromium(t *testing.T) string {
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

// Browser drives one Chromium tab; it records every console error and
// uncaught exception of the page.
type Browser struct {
	ctx  context.Context
	T    *testing.T // the (sub)test that reports failures: set it in each subtest
	shot string     // screenshot directory

	mu     sync.Mutex
	errors []string
}

func New(t *testing.T, lang string, width, height int) *Browser {
	t.Helper()
	exe := Chromium(t)
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
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	deadline, cancelT := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	b := &Browser{ctx: deadline, T: t, shot: t.ArtifactDir()}
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

// Do runs steps and fails the test if one fails.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression that yields a string.
func (b *Browser) Eval(js string) string {
	b.T.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Wait polls a JavaScript predicate.
func (b *Browser) Wait(what, predicate string) {
	b.T.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		b.T.Fatalf("wait for %s (%s): %v\npage text: %.2000s", what, predicate, err, b.Eval(`document.body.innerText`))
	}
}

// Screenshot saves the whole page as name.png in the test's artifact
// directory, and in $CRUMB_SCREENSHOT_DIR when it is set (the README's
// screenshots are made so: CRUMB_SCREENSHOT_DIR=$PWD/docs/screenshots).
func (b *Browser) Screenshot(name string) {
	b.T.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{b.shot}
	if d := os.Getenv("CRUMB_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.T.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			b.T.Fatal(err)
		}
	}
	b.T.Logf("screenshot %s (%d bytes) in %s", name, len(png), strings.Join(dirs, ", "))
}

// ConsoleErrors are the console errors and uncaught exceptions so far.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Ask types a question, sends it (with the keyboard when byKeyboard) and
// waits until the n-th answer has arrived.
func (b *Browser) Ask(q string, n int, byKeyboard bool) {
	b.T.Helper()
	if byKeyboard {
		b.Do("type "+q, chromedp.Focus("#q"), chromedp.SendKeys("#q", q+"\n"))
	} else {
		b.Do("type "+q, chromedp.SetValue("#q", q), chromedp.Click("#send"))
	}
	b.Wait("answer to "+q, fmt.Sprintf(`document.querySelectorAll('.msg.bot[aria-busy="false"]').length >= %d`, n))
}

// Answer describes the latest answer on the page.
type Answer struct {
	Text   string   `json:"text"`
	Lang   string   `json:"lang"`
	Tables int      `json:"tables"`
	Charts int      `json:"charts"`
	Cards  int      `json:"cards"`
	Pushes int      `json:"pushes"`
	Fields int      `json:"fields"`
	Steps  []string `json:"steps"`
}

// Last reads the latest answer on the page.
func (b *Browser) Last() Answer {
	b.T.Helper()
	raw := b.Eval(`(() => {
		const all = document.querySelectorAll('.msg.bot'); const m = all[all.length - 1];
		return JSON.stringify({text: m.querySelector('.text').textContent, lang: m.getAttribute('lang'),
			tables: m.querySelectorAll('table').length, charts: m.querySelectorAll('img.chart').length,
			cards: m.querySelectorAll('.card').length, pushes: m.querySelectorAll('.card.push').length, fields: m.querySelectorAll('.card dl dt').length,
			steps: [...m.querySelectorAll('.steps li')].map(li => li.className + ' ' + li.textContent)});
	})()`)
	var a Answer
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		b.T.Fatalf("read the answer: %v: %s", err, raw)
	}
	return a
}
