package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/ort/orttest"
	"github.com/crumb-dev/crumb/edge/reco"
)

func newServer(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	code  int
	model string
	body  Response
	raw   string
}

func post(t *testing.T, url, body string) answer {
	t.Helper()
	resp, err := http.Post(url+"/recommend", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{code: resp.StatusCode, model: resp.Header.Get("X-Crumb-Model"), raw: string(raw)}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
	}
	return a
}

func TestRecommend(t *testing.T) {
	orttest.Init(t)
	s := newServer(t, Options{})
	if err := s.Install(makeBundle(t, 1, bundleOpts{})); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()

	// A known member: the int8 member model, cart and wishlist never recommended back.
	a := post(t, hs.URL, `{"user_id":"12345","gender":1,"age":34,"cart":["P08"],"wishlist":["P05"]}`)
	if a.code != 200 || a.model != "member-int8" || a.body.UserID != "12345" {
		t.Fatalf("member: %d %s %+v %s", a.code, a.model, a.body, a.raw)
	}
	if a.body.Recommendations[0] != "P04" || slices.Contains(a.body.Recommendations, "P08") || slices.Contains(a.body.Recommendations, "P05") {
		t.Errorf("member 12345 got %v: want cheesecake P04 first, never the cart's P08 or the wishlist's P05", a.body.Recommendations)
	}
	if len(a.body.Recommendations) != 6 {
		t.Errorf("%d recommendations of 8 items less 2 excluded, want 6", len(a.body.Recommendations))
	}
	// An unknown member and a guest: co-purchase neighbours of the cart.
	for _, body := range []string{`{"user_id":"999","cart":["P01"]}`, `{"cart_items":["P01"]}`, `{"user_id":"guest","cart":["P01"]}`} {
		a := post(t, hs.URL, body)
		if a.code != 200 || a.model != "guest" || a.body.UserID != "guest" {
			t.Fatalf("%s: %d %s %+v", body, a.code, a.model, a.body)
		}
		if got := a.body.Recommendations[:2]; !slices.Equal(got, []string{"P02", "P03"}) || slices.Contains(a.body.Recommendations, "P01") {
			t.Errorf("%s: %v, want latte and jam first and no croissant", body, a.body.Recommendations)
		}
	}
	if a := post(t, hs.URL, `{"cart":["P06"],"k":1}`); !slices.Equal(a.body.Recommendations, []string{"P07"}) {
		t.Errorf("k=1 for a baguette: %v, want [P07] butter", a.body.Recommendations)
	}
	for body, want := range map[string]string{
		`{"user_id":"1","gender":2}`:    "gender 2",
		`{"user_id":"1","age":-3}`:      "age -3",
		`{"user_id":"1","k":1000}`:      "k 1000",
		`{"user":"1"}`:                  "unknown field",
		`{"user_id":"1"} {"user_id":2}`: "more than one",
		`not json`:                      "request body",
	} {
		if a := post(t, hs.URL, body); a.code != http.StatusBadRequest || !strings.Contains(a.raw, want) {
			t.Errorf("%s: %d %s, want 400 mentioning %q", body, a.code, a.raw, want)
		}
	}
	var h Health
	getJSON(t, hs.URL+"/healthz", &h)
	if h.Status != "ok" || !h.Member.Enabled || h.Member.Level != "all" || h.Bundle.Version != 1 || h.Bundle.Members != 2 {
		t.Errorf("health = %+v", h)
	}
	metrics := get(t, hs.URL+"/metrics")
	for _, want := range []string{`crumb_edge_requests_total{code="200",model="member-int8",path="/recommend"} 1`, "crumb_edge_bundle_version 1", "crumb_edge_member_model_enabled 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestFloatForm(t *testing.T) {
	orttest.Init(t)
	s := newServer(t, Options{Form: "float32"})
	if err := s.Install(makeBundle(t, 1, bundleOpts{})); err != nil {
		t.Fatal(err)
	}
	a, err := s.Models().Recommend(reco.Request{UserID: "777"}, 3)
	if err != nil || a.Model != "member-float32" || !slices.Equal(a.Recommendations, []string{"P06", "P07", "P01"}) {
		t.Errorf("float member answer %+v, %v", a, err)
	}
	// A bundle with repeat purchases ranks the member's own past item first,
	// as the plugin does; the model's order follows.
	if err := s.Install(makeBundle(t, 2, bundleOpts{repeat: true})); err != nil {
		t.Fatal(err)
	}
	a, err = s.Models().Recommend(reco.Request{UserID: "777"}, 3)
	if err != nil || !slices.Equal(a.Recommendations, []string{"P08", "P06", "P07"}) {
		t.Errorf("member answer with repeat purchases %+v, %v; want P08 first", a, err)
	}
	if _, err := New(Options{Dir: t.TempDir(), Form: "int4"}); err == nil || !strings.Contains(err.Error(), "int8 or float32") {
		t.Errorf("form int4 accepted: %v", err)
	}
}

func TestProbeMismatchDisablesMember(t *testing.T) {
	orttest.Init(t)
	s := newServer(t, Options{})
	if err := s.Install(makeBundle(t, 1, bundleOpts{badProbes: true})); err != nil {
		t.Fatal(err)
	}
	m := s.Models()
	if m.MemberEnabled() || !strings.Contains(m.MemberReason, "basic") || !strings.Contains(m.MemberReason, "Go reference") {
		t.Fatalf("member enabled %v, reason %q: want disabled after trying the basic level too", m.MemberEnabled(), m.MemberReason)
	}
	a, err := m.Recommend(reco.Request{UserID: "12345", Cart: []string{"P01"}}, 2)
	if err != nil || a.Model != "guest" {
		t.Errorf("a member's answer with the member model disabled: %+v %v, want the guest model", a, err)
	}
	if h := s.Health(); h.Status != "degraded" || h.Member.Reason == "" {
		t.Errorf("health %+v, want degraded with a reason", h)
	}
	// A good bundle replaces it; a bundle whose member model fails does not replace a good one.
	if err := s.Install(makeBundle(t, 2, bundleOpts{})); err != nil || !s.Models().MemberEnabled() {
		t.Fatalf("good bundle: %v", err)
	}
	err = s.Install(makeBundle(t, 3, bundleOpts{badProbes: true}))
	if err == nil || s.Models().Version != 2 {
		t.Errorf("bundle 3 with failing probes: err %v, serving v%d; want refused, v2 kept", err, s.Models().Version)
	}
}

// fakeHost is the host's bundle endpoint, with the failure modes an edge device meets.
type fakeHost struct {
	mu        sync.Mutex
	data      []byte
	mode      string // ok, corrupt, truncated, error
	downloads int
	notMod    int
	tokens    []string
}

func (h *fakeHost) set(data []byte, mode string) {
	h.mu.Lock()
	h.data, h.mode = data, mode
	h.mu.Unlock()
}

func (h *fakeHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokens = append(h.tokens, r.Header.Get("Authorization"))
	if r.URL.Path != BundlePath {
		http.NotFound(w, r)
		return
	}
	if h.mode == "error" {
		http.Error(w, `{"error":{"code":"internal"}}`, http.StatusInternalServerError)
		return
	}
	b, _ := bundle.Read(h.data)
	etag := `"` + b.SHA256 + `"`
	if r.Header.Get("If-None-Match") == etag {
		h.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := h.data
	switch h.mode {
	case "corrupt":
		body = bytes.Clone(body)
		body[len(body)/2] ^= 0xff
		etag = `"corrupt"`
	case "truncated":
		body = body[:len(body)/2]
		etag = `"truncated"`
	}
	h.downloads++
	w.Header().Set("ETag", etag)
	w.Write(body)
}

func TestPullSwapCorruptAndOutage(t *testing.T) {
	host := &fakeHost{}
	host.set(makeBundle(t, 1, bundleOpts{}), "ok")
	hs := httptest.NewServer(host)
	dir := t.TempDir()
	s := newServer(t, Options{Dir: dir, HostURL: hs.URL, Token: "crumb_edge_token"})
	edge := httptest.NewServer(s.Handler())
	defer edge.Close()
	ctx := context.Background()

	if a := post(t, edge.URL, `{"cart":["P01"]}`); a.code != http.StatusServiceUnavailable || !strings.Contains(a.raw, "no model bundle yet") {
		t.Errorf("before the first pull: %d %s", a.code, a.raw)
	}
	if err := s.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if v := s.Models().Version; v != 1 || host.downloads != 1 || host.tokens[0] != "Bearer crumb_edge_token" {
		t.Fatalf("after the first pull: v%d, %d downloads, token %q", v, host.downloads, host.tokens[0])
	}
	if err := s.Pull(ctx); err != nil || host.notMod != 1 || host.downloads != 1 {
		t.Errorf("an unchanged bundle: %v, %d 304s, %d downloads; want one 304 and no download", err, host.notMod, host.downloads)
	}

	// A new bundle is swapped in and kept on disk.
	v2 := makeBundle(t, 2, bundleOpts{})
	host.set(v2, "ok")
	if err := s.Pull(ctx); err != nil || s.Models().Version != 2 {
		t.Fatalf("new bundle: %v, serving v%d", err, s.Models().Version)
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, bundleFile)); !bytes.Equal(kept, v2) {
		t.Error("the kept bundle on disk is not version 2")
	}

	// Corrupt and truncated downloads and host errors leave version 2 serving.
	v3 := makeBundle(t, 3, bundleOpts{})
	for _, mode := range []string{"corrupt", "truncated", "error"} {
		host.set(v3, mode)
		err := s.Pull(ctx)
		if err == nil || s.Models().Version != 2 {
			t.Errorf("%s: err %v, serving v%d; want an error and v2", mode, err, s.Models().Version)
		}
		if a := post(t, edge.URL, `{"cart":["P01"]}`); a.code != 200 {
			t.Errorf("%s: /recommend answered %d", mode, a.code)
		}
		if h := s.Health(); h.Host.LastError == "" || h.Bundle.Version != 2 {
			t.Errorf("%s: health %+v, want the error and v2", mode, h.Host)
		}
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, bundleFile)); !bytes.Equal(kept, v2) {
		t.Error("a refused bundle replaced the kept one")
	}

	// The host goes away: pulls fail, answers go on.
	hs.Close()
	if err := s.Pull(ctx); err == nil || !strings.Contains(err.Error(), "serving the last good bundle") {
		t.Errorf("pull from a closed host: %v", err)
	}
	if a := post(t, edge.URL, `{"cart":["P01"]}`); a.code != 200 || a.body.Recommendations[0] != "P02" {
		t.Errorf("with the host away: %d %v", a.code, a.body)
	}
	if !strings.Contains(get(t, edge.URL+"/metrics"), "crumb_edge_pull_errors_total 4") {
		t.Error("metrics do not count 4 failed pulls")
	}

	// A restart without the host serves the kept bundle at once.
	s2 := newServer(t, Options{Dir: dir, HostURL: hs.URL})
	if m := s2.Models(); m == nil || m.Version != 2 {
		t.Fatalf("after a restart with the host away: %+v", m)
	}
	if err := s2.Pull(ctx); err == nil {
		t.Error("pull from a closed host succeeded")
	}
	if s2.Models().Version != 2 {
		t.Error("a failed pull after a restart dropped the kept bundle")
	}
}

func TestConcurrentSwaps(t *testing.T) {
	orttest.Init(t)
	s := newServer(t, Options{})
	bundles := [][]byte{makeBundle(t, 1, bundleOpts{}), makeBundle(t, 2, bundleOpts{})}
	if err := s.Install(bundles[0]); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := `{"user_id":"12345","cart":["P08"]}`
				if (c+i)%2 == 0 {
					body = `{"cart":["P01"]}`
				}
				resp, err := http.Post(hs.URL+"/recommend", "application/json", strings.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				var r Response
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || len(r.Recommendations) == 0 {
					errs <- fmt.Errorf("answer %d %+v %v", resp.StatusCode, r, err)
					return
				}
			}
		}(c)
	}
	for i := 0; i < 40; i++ {
		if err := s.Install(bundles[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestBinaryWithoutONNX runs crumb-edge as a process with a library that does not load: it
// serves the guest model to members too, and says why in its log and health.
func TestBinaryWithoutONNX(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, bundleFile), makeBundle(t, 4, bundleOpts{}), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "crumb-edge")
	build := exec.Command("go", "build", "-o", bin, "github.com/crumb-dev/crumb/edge/cmd/crumb-edge")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--dir", dir, "--ort-lib", "/nonexistent/libonnxruntime.so")
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v; log:\n%s", err, logs.String())
	}
	url := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "crumb-edge listening on "))
	var h Health
	getJSON(t, url+"/healthz", &h)
	if h.Status != "degraded" || h.ONNX.Loaded || !strings.Contains(h.ONNX.Error, "/nonexistent/libonnxruntime.so") || !strings.Contains(h.Member.Reason, "ONNX Runtime unavailable") {
		t.Errorf("health = %+v", h)
	}
	a := post(t, url, `{"user_id":"12345","cart":["P01"]}`)
	if a.code != 200 || a.model != "guest" || a.body.Recommendations[0] != "P02" {
		t.Errorf("member answer without ONNX: %d %s %+v", a.code, a.model, a.body)
	}
	if !strings.Contains(logs.String(), "ONNX Runtime unavailable") {
		t.Errorf("the log does not say why:\n%s", logs.String())
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), v); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
