package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crumb-dev/crumb/edge/reco"
)

// repoRoot is the directory holding go.mod.
func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestEdgeArm64UnderQEMU cross-compiles crumb-edge for linux/arm64 and runs it under QEMU with
// a trained bundle. QEMU's default CPU has SVE, where ONNX Runtime's fully optimised int8 graph
// was seen to give wrong scores: crumb-edge must notice through the probes, fall back to the
// basic level, and answer a member exactly as the Go int8 reference does.
func TestEdgeArm64UnderQEMU(t *testing.T) {
	root := repoRoot(t)
	lib := filepath.Join(root, "bin", "linux-arm64", "libonnxruntime.so")
	for _, need := range []struct{ what, hint string }{
		{"qemu-aarch64", "apt-get install -y qemu-user"},
		{"aarch64-linux-gnu-gcc", "apt-get install -y gcc-aarch64-linux-gnu"},
	} {
		if _, err := exec.LookPath(need.what); err != nil {
			t.Skipf("%s is missing (%s)", need.what, need.hint)
		}
	}
	if _, err := os.Stat(lib); err != nil {
		t.Skipf("%s is missing: run `make edge-arm64`", lib)
	}
	bin := filepath.Join(t.TempDir(), "crumb-edge")
	build := exec.Command("go", "build", "-o", bin, "github.com/crumb-dev/crumb/edge/cmd/crumb-edge")
	build.Env = append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH=arm64", "CC=aarch64-linux-gnu-gcc")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}

	p, host := trained(t)
	a, _ := host.GetArtifact(context.Background(), bundleKey, 0)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bundle.tar.gz"), a.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", bin, "serve", "--listen", "127.0.0.1:0", "--dir", dir, "--ort-lib", lib)
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("crumb-edge under QEMU did not start: %v\n%s", err, logs.String())
	}
	url := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "crumb-edge listening on "))

	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Member struct {
			Enabled bool   `json:"enabled"`
			Level   string `json:"optimisation_level"`
			Note    string `json:"note"`
		} `json:"member"`
	}
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	t.Logf("arm64 under QEMU: member model at level %q; %s", h.Member.Level, h.Member.Note)
	if !h.Member.Enabled {
		t.Fatalf("member model disabled under QEMU; log:\n%s", logs.String())
	}
	if h.Member.Level != "all" && !strings.Contains(h.Member.Note, "disagreed with the Go reference") {
		t.Errorf("level %s without saying why: %+v", h.Member.Level, h.Member)
	}

	// The answer for a member equals the Go int8 reference's top 10.
	resp, err = http.Post(url+"/recommend", "application/json", strings.NewReader(`{"user_id":"12345","cart":["P06"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Recommendations []string `json:"recommendations"`
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	p.mu.Lock()
	l, err := p.load(context.Background(), call(host, "en"))
	p.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := l.spec.Query(reco.Request{UserID: "12345", Cart: []string{"P06"}})
	scores, _ := l.member.Quantize().Scores(input(q))
	excl := map[int]bool{}
	if c, ok := l.spec.Item("P06"); ok {
		excl[c] = true
	}
	var want []string
	for _, s := range reco.TopK(scores, excl, 10) {
		want = append(want, l.spec.Items[s.Item])
	}
	if !slices.Equal(got.Recommendations, want) {
		t.Errorf("arm64 answer %v, Go int8 reference %v", got.Recommendations, want)
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
