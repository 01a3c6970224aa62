package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools/plugintest"
)

// edgeEnv is the environment of the processes of TestEdgeAgainstHost: none of the parent's
// CRUMB_ variables but the ONNX Runtime library.
func edgeEnv(dir, listen string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CRUMB_") || strings.HasPrefix(kv, "CRUMB_ORT_LIB=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"CRUMB_DATA_DIR="+filepath.Join(dir, "data"),
		"CRUMB_DATABASE_URL="+filepath.Join(dir, "data", "crumb.db"),
		"CRUMB_PLUGINS_DIR="+filepath.Join(dir, "plugins"),
		"CRUMB_LISTEN="+listen,
		"CRUMB_DEMO_DAYS=30", "CRUMB_DEMO_CUSTOMERS=200",
	)
}

// syncBuffer is a bytes.Buffer safe for a process writing and a test reading.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEdgeAgainstHost runs the real thing: crumb demo trains the recommend plugin, crumb serve
// publishes its bundle, crumb-edge pulls it with a staff token, swaps in the next one after
// crumb recommend train, and goes on answering when crumb serve is gone.
func TestEdgeAgainstHost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries and trains models")
	}
	crumbBin := plugintest.Build(t, "github.com/crumb-dev/crumb/host/cmd/crumb")
	recBin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/recommend")
	edgeBin := plugintest.Build(t, "github.com/crumb-dev/crumb/edge/cmd/crumb-edge")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(recBin, filepath.Join(dir, "plugins", "recommend")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := edgeEnv(dir, addr)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, crumbBin, args...)
		cmd.Env, cmd.Dir = env, dir
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("crumb %s: %v\n%s\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}
	run("demo") // trains every plugin: bundle v1
	token := strings.TrimSpace(strings.SplitN(run("token", "create", "--role", "staff", "--name", "edge-test"), "\n", 2)[0])
	if !strings.HasPrefix(token, "crumb_") {
		t.Fatalf("token %q", token)
	}

	serve := exec.Command(crumbBin, "serve")
	serve.Env, serve.Dir = env, dir
	serveLog := &syncBuffer{}
	serve.Stdout, serve.Stderr = io.Discard, serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	serveDone := make(chan struct{})
	go func() { serve.Wait(); close(serveDone) }()
	defer func() { serve.Process.Kill(); <-serveDone }()
	waitFor(t, "crumb serve to answer /healthz", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, serveLog)

	edge := exec.Command(edgeBin, "--listen", "127.0.0.1:0", "--dir", filepath.Join(dir, "edge"),
		"--host", "http://"+addr, "--token", token, "--interval", "200ms")
	edge.Env = env
	edgeLog := &syncBuffer{}
	edge.Stderr = edgeLog
	stdout, _ := edge.StdoutPipe()
	if err := edge.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { edge.Process.Kill(); edge.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("crumb-edge: %v\n%s", err, edgeLog.String())
	}
	edgeURL := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "crumb-edge listening on "))

	type health struct {
		Status string `json:"status"`
		Bundle *struct {
			Version int `json:"version"`
		} `json:"bundle"`
		Member struct {
			Enabled bool `json:"enabled"`
		} `json:"member"`
		Host struct {
			LastError string `json:"last_error"`
		} `json:"host"`
	}
	edgeHealth := func() health {
		var h health
		resp, err := http.Get(edgeURL + "/healthz")
		if err != nil {
			return h
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&h)
		return h
	}
	waitFor(t, "crumb-edge to pull bundle 1", func() bool { h := edgeHealth(); return h.Bundle != nil && h.Bundle.Version == 1 }, edgeLog)

	recommend := func(body string) (int, string, string, []string) {
		resp, err := http.Post(edgeURL+"/recommend", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			Recommendations []string `json:"recommendations"`
		}
		json.NewDecoder(resp.Body).Decode(&r)
		return resp.StatusCode, resp.Header.Get("X-Crumb-Model"), resp.Header.Get("X-Crumb-Bundle"), r.Recommendations
	}
	wantMember := "guest"
	if edgeHealth().Member.Enabled {
		wantMember = "member-int8"
	} else if os.Getenv("CRUMB_ORT_LIB") != "" {
		t.Errorf("CRUMB_ORT_LIB is set but the member model is off:\n%s", edgeLog.String())
	}
	if code, model, _, recs := recommend(`{"user_id":"10001","gender":1,"age":30,"cart":["P001"]}`); code != 200 || model != wantMember || len(recs) != 10 {
		t.Errorf("member 10001: %d %s %v, want 10 from %s", code, model, recs, wantMember)
	}
	if code, model, _, recs := recommend(`{"cart":["P001"]}`); code != 200 || model != "guest" || len(recs) != 10 {
		t.Errorf("guest: %d %s %v", code, model, recs)
	}

	// The daily training publishes bundle 2; the edge swaps it in.
	if out := run("recommend", "train"); !strings.Contains(out, "bundle v2") {
		t.Errorf("recommend train printed %q", out)
	}
	waitFor(t, "crumb-edge to swap in bundle 2", func() bool { h := edgeHealth(); return h.Bundle != nil && h.Bundle.Version == 2 }, edgeLog)

	// The host goes away; the edge keeps answering from bundle 2.
	serve.Process.Kill()
	<-serveDone
	waitFor(t, "crumb-edge to notice the host is gone", func() bool { return edgeHealth().Host.LastError != "" }, edgeLog)
	if code, _, bundle, _ := recommend(`{"user_id":"10001","cart":["P001"]}`); code != 200 || bundle != "2" {
		t.Errorf("with the host gone: %d from bundle %q, want 200 from bundle 2", code, bundle)
	}
}

// waitFor polls cond until it holds, failing after a minute with the process log.
func waitFor(t *testing.T, what string, cond func() bool, log fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s; log:\n%s", what, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
