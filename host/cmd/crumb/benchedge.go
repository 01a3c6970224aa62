package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/store"
)

func init() { benchCommands = append(benchCommands, (*app).benchEdgeCmd) }

// edgeLatency is crumb-edge's latency summary (edge/server.Latency), in microseconds.
type edgeLatency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_us"`
	P99 float64 `json:"p99_us"`
	Max float64 `json:"max_us"`
}

// edgeBench is what crumb bench edge measures.
type edgeBench struct {
	Bundle struct {
		Version int `json:"version"`
		Bytes   int `json:"bytes"`
	} `json:"bundle"`
	Score *struct {
		Bundle  int                    `json:"bundle"`
		Items   int                    `json:"items"`
		Members int                    `json:"members"`
		Runtime string                 `json:"runtime"`
		ONNX    map[string]edgeLatency `json:"onnx"`
		Member  edgeLatency            `json:"member_answer"`
		Guest   edgeLatency            `json:"guest_answer"`
	} `json:"score,omitempty"`
	ScoreError string `json:"score_error,omitempty"`
	HTTP       struct {
		Clients  int            `json:"clients"`
		Seconds  float64        `json:"seconds"`
		Requests int            `json:"requests"`
		Errors   int            `json:"errors"`
		PerSec   float64        `json:"requests_per_second"`
		P50      float64        `json:"p50_us"`
		P99      float64        `json:"p99_us"`
		Max      float64        `json:"max_us"`
		Models   map[string]int `json:"models"`
	} `json:"http"`
	RSS struct {
		IdleKB int `json:"idle_kb"`
		LoadKB int `json:"after_load_kb"`
		PeakKB int `json:"peak_kb"`
	} `json:"rss"`
	Health json.RawMessage `json:"health"`
}

func (a *app) benchEdgeCmd() *cobra.Command {
	var (
		edgeBin  string
		clients  int
		duration time.Duration
		n        int
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "edge",
		Short: "Time crumb-edge: ONNX scoring in process at batch 1, /recommend under 32 clients, resident memory",
		Long: "bench edge takes the latest recommendation bundle from the database (training one when there is\n" +
			"none: run `crumb demo` first), times the member graphs in process with `crumb-edge bench score`,\n" +
			"starts `crumb-edge serve` on loopback with that bundle, loads POST /recommend with `crumb-edge\n" +
			"bench http` (half members, half guests, keep-alive) and reads the server's resident memory.\n" +
			"crumb-edge needs CRUMB_ORT_LIB for the member model (make ort).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			bin, err := findEdge(edgeBin)
			if err != nil {
				return err
			}
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			art, err := st.GetArtifact(ctx, "recommend", "bundle", 0)
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintln(a.stderr, "no recommendation bundle yet: training one …")
				if _, err := a.callOnStore(ctx, st, "recommend.train", json.RawMessage(`{}`), 30*time.Minute, time.Now()); err != nil {
					return fmt.Errorf("train a bundle to benchmark: %w", err)
				}
				art, err = st.GetArtifact(ctx, "recommend", "bundle", 0)
			}
			if err != nil {
				return err
			}
			tmp, err := os.MkdirTemp("", "crumb-bench-edge-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			bundlePath := filepath.Join(tmp, "bundle.tar.gz")
			dataDir := filepath.Join(tmp, "edge")
			if err := os.MkdirAll(dataDir, 0o755); err != nil {
				return err
			}
			for _, p := range []string{bundlePath, filepath.Join(dataDir, "bundle.tar.gz")} {
				if err := os.WriteFile(p, art.Data, 0o644); err != nil {
					return err
				}
			}
			var res edgeBench
			res.Bundle.Version, res.Bundle.Bytes = art.Version, len(art.Data)

			fmt.Fprintf(a.stderr, "ONNX scoring in process (%d runs per graph) …\n", n)
			out, err := exec.CommandContext(ctx, bin, "bench", "score", "--bundle", bundlePath, "--n", strconv.Itoa(n), "--json").Output()
			if err != nil {
				res.ScoreError = exitText(err)
			} else if err := json.Unmarshal(out, &res.Score); err != nil {
				return fmt.Errorf("crumb-edge bench score: %w", err)
			}

			srv := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--dir", dataDir)
			var logs bytes.Buffer
			srv.Stderr = &logs
			stdout, _ := srv.StdoutPipe()
			if err := srv.Start(); err != nil {
				return fmt.Errorf("start crumb-edge: %w", err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				srv.Wait() // its log is complete once it has exited
				return fmt.Errorf("crumb-edge did not start: %v\n%s", err, logs.String())
			}
			defer func() { srv.Process.Kill(); srv.Wait() }()
			url := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "crumb-edge listening on "))
			time.Sleep(200 * time.Millisecond)
			res.RSS.IdleKB, _ = procStatusKB(srv.Process.Pid, "VmRSS")
			fmt.Fprintf(a.stderr, "loading %s/recommend with %d clients for %s …\n", url, clients, duration)
			out, err = exec.CommandContext(ctx, bin, "bench", "http", "--url", url, "--bundle", bundlePath,
				"--clients", strconv.Itoa(clients), "--duration", duration.String(), "--json").Output()
			if err != nil {
				return fmt.Errorf("crumb-edge bench http: %s", exitText(err))
			}
			if err := json.Unmarshal(out, &res.HTTP); err != nil {
				return fmt.Errorf("crumb-edge bench http: %w", err)
			}
			res.RSS.LoadKB, _ = procStatusKB(srv.Process.Pid, "VmRSS")
			res.RSS.PeakKB, _ = procStatusKB(srv.Process.Pid, "VmHWM")
			res.Health = fetchHealth(ctx, url)
			if asJSON {
				return writeJSON(a.stdout, res)
			}
			printEdgeBench(a, &res, duration)
			return nil
		},
	}
	cmd.Flags().StringVar(&edgeBin, "edge", "", "crumb-edge binary (default: beside crumb, then bin/crumb-edge, then $PATH)")
	cmd.Flags().IntVar(&clients, "clients", 32, "concurrent HTTP clients")
	cmd.Flags().DurationVar(&duration, "duration", 20*time.Second, "length of the HTTP load")
	cmd.Flags().IntVar(&n, "n", 20000, "runs per in-process measurement")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printEdgeBench(a *app, r *edgeBench, d time.Duration) {
	fmt.Fprintf(a.stdout, "bundle v%d (%.2f MB)\n", r.Bundle.Version, float64(r.Bundle.Bytes)/1e6)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tP50 µs\tP99 µs\tNOTE")
	if r.Score != nil {
		for _, f := range []string{"int8", "float32"} {
			l := r.Score.ONNX[f]
			fmt.Fprintf(tw, "ONNX member graph %s, batch 1, in process\t%.1f\t%.1f\t%d items, ONNX Runtime %s\n", f, l.P50, l.P99, r.Score.Items, r.Score.Runtime)
		}
		fmt.Fprintf(tw, "member answer (lookups + int8 graph + top 10)\t%.1f\t%.1f\t\n", r.Score.Member.P50, r.Score.Member.P99)
		fmt.Fprintf(tw, "guest answer (co-purchase + tags)\t%.1f\t%.1f\t\n", r.Score.Guest.P50, r.Score.Guest.P99)
	} else {
		fmt.Fprintf(tw, "ONNX scoring\t-\t-\tnot measured: %s\n", r.ScoreError)
	}
	h := r.HTTP
	fmt.Fprintf(tw, "HTTP POST /recommend, %d clients, %s, loopback\t%.0f\t%.0f\t%d requests, %.0f/s, %d errors, %v\n",
		h.Clients, d, h.P50, h.P99, h.Requests, h.PerSec, h.Errors, h.Models)
	tw.Flush()
	fmt.Fprintf(a.stdout, "crumb-edge resident memory: %.1f MB idle, %.1f MB after the load (peak %.1f MB)\n",
		float64(r.RSS.IdleKB)/1024, float64(r.RSS.LoadKB)/1024, float64(r.RSS.PeakKB)/1024)
}

// findEdge locates the crumb-edge binary.
func findEdge(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), "crumb-edge"); isFile(p) {
			return p, nil
		}
	}
	if p := filepath.Join("bin", "crumb-edge"); isFile(p) {
		return p, nil
	}
	if p, err := exec.LookPath("crumb-edge"); err == nil {
		return p, nil
	}
	return "", errors.New("crumb-edge not found beside crumb, in bin/ or on $PATH: build it with `make edge` or pass --edge")
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// procStatusKB reads a kB field (VmRSS, VmHWM) of /proc/PID/status.
func procStatusKB(pid int, field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// fetchHealth returns crumb-edge's /healthz body, nil when it cannot be read.
func fetchHealth(ctx context.Context, url string) json.RawMessage {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || !json.Valid(b) {
		return nil
	}
	return b
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}
