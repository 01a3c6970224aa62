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
	goruntime "runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	edgeserver "github.com/crumb-dev/crumb/edge/server"
	"github.com/crumb-dev/crumb/host/store"
)

func init() { benchCommands = append(benchCommands, (*app).benchEdgeCmd) }

// edgeHTTP is one load of POST /recommend (crumb-edge bench http's answer) and what it cost the
// machine.
type edgeHTTP struct {
	edgeserver.HTTPBench
	// ServerCPU is crumb-edge's CPU time (user + system, from /proc) per answer, in µs.
	ServerCPU float64 `json:"server_cpu_us_per_request"`
	// MachineBusy is the share of all CPUs busy during the load; OtherBusy the share used by
	// neither crumb-edge nor the load generator (other processes on a shared machine).
	MachineBusy float64 `json:"machine_busy"`
	OtherBusy   float64 `json:"other_busy"`
	// LittleMean is what Little's law says the mean latency of a closed loop must be:
	// clients / throughput, in µs.
	LittleMean float64 `json:"little_mean_us,omitempty"`
}

// edgeBench is what crumb bench edge measures.
type edgeBench struct {
	Bundle struct {
		Version int `json:"version"`
		Bytes   int `json:"bytes"`
	} `json:"bundle"`
	Score      *edgeserver.ScoreBench `json:"score,omitempty"`
	ScoreError string                 `json:"score_error,omitempty"`
	// HTTP is the closed loop: every client sends its next request when its answer is in.
	HTTP edgeHTTP `json:"http"`
	// OpenLoop are loads at fixed offered rates, latency timed from when each request was due.
	OpenLoop []edgeHTTP `json:"open_loop,omitempty"`
	CPUs     int        `json:"cpus"`
	// Pinned is set when crumb-edge ran on CPU 0 and the load generator on the other CPUs.
	Pinned bool `json:"pinned,omitempty"`
	RSS    struct {
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
		rates    []float64
		rateDur  time.Duration
		pin      bool
	)
	cmd := &cobra.Command{
		Use:   "edge",
		Short: "Time crumb-edge: ONNX scoring in process at batch 1, /recommend under 32 clients, resident memory",
		Long: "bench edge takes the latest recommendation bundle from the database (training one when there is\n" +
			"none: run `crumb demo` first), times the member graphs in process with `crumb-edge bench score`,\n" +
			"starts `crumb-edge serve` on loopback with that bundle (its own process), loads POST /recommend\n" +
			"with `crumb-edge bench http` (half members, half guests, one keep-alive HTTP/1.1 connection per\n" +
			"client): first a closed loop (each client sends when its last answer is in), then open loops\n" +
			"at fixed offered rates (--rates, latency timed from when each request was due), and reads the\n" +
			"server's CPU time and resident memory. In a closed loop the latency is queueing: by Little's law\n" +
			"the mean is clients / throughput, so it shows saturation; the open loops show the latency at a\n" +
			"load below it. The load generator shares the machine's CPUs with the server.\n" +
			"crumb-edge needs CRUMB_ORT_LIB for the member model (make ort).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			bin, err := findEdge(edgeBin)
			if err != nil {
				return err
			}
			// on runs crumb-edge with args, on the given CPUs when --pin is set.
			on := func(cpus string, args ...string) *exec.Cmd {
				if !pin {
					return exec.CommandContext(ctx, bin, args...)
				}
				return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, bin}, args...)...)
			}
			ncpu := goruntime.NumCPU()
			if pin {
				if _, err := exec.LookPath("taskset"); err != nil || ncpu < 2 {
					return fmt.Errorf("--pin needs taskset (util-linux) and at least 2 CPUs (found %d): run without --pin", ncpu)
				}
			}
			serverCPUs, loadCPUs := "0", fmt.Sprintf("1-%d", ncpu-1)
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

			srv := on(serverCPUs, "serve", "--listen", "127.0.0.1:0", "--dir", dataDir)
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
			res.CPUs, res.Pinned = ncpu, pin
			load := func(rate float64, d time.Duration) (edgeHTTP, error) {
				var h edgeHTTP
				args := []string{"bench", "http", "--url", url, "--bundle", bundlePath, "--clients", strconv.Itoa(clients), "--duration", d.String(), "--json"}
				if rate > 0 {
					args = append(args, "--rate", strconv.FormatFloat(rate, 'f', -1, 64))
				}
				cpu0, _ := procCPU(srv.Process.Pid)
				busy0, total0, _ := machineCPU()
				out, err := on(loadCPUs, args...).Output()
				if err != nil {
					return h, fmt.Errorf("crumb-edge bench http: %s", exitText(err))
				}
				cpu1, _ := procCPU(srv.Process.Pid)
				busy1, total1, _ := machineCPU()
				if err := json.Unmarshal(out, &h); err != nil {
					return h, fmt.Errorf("crumb-edge bench http: %w", err)
				}
				if h.Requests > 0 {
					h.ServerCPU = float64((cpu1 - cpu0).Microseconds()) / float64(h.Requests)
				}
				if total1 > total0 {
					h.MachineBusy = float64(busy1-busy0) / float64(total1-total0)
					ours := (cpu1 - cpu0).Seconds() + h.ClientCPU*float64(h.Requests)/1e6
					h.OtherBusy = max(0, h.MachineBusy-ours/(h.Seconds*float64(res.CPUs)))
				}
				if rate == 0 && h.PerSec > 0 {
					h.LittleMean = float64(h.Clients) / h.PerSec * 1e6
				}
				return h, nil
			}
			fmt.Fprintf(a.stderr, "loading %s/recommend with %d clients for %s (closed loop) …\n", url, clients, duration)
			if res.HTTP, err = load(0, duration); err != nil {
				return err
			}
			for _, r := range rates {
				if r <= 0 {
					continue
				}
				fmt.Fprintf(a.stderr, "offering %.0f requests/s over %d connections for %s (open loop) …\n", r, clients, rateDur)
				h, err := load(r, rateDur)
				if err != nil {
					return err
				}
				res.OpenLoop = append(res.OpenLoop, h)
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
	cmd.Flags().BoolVar(&pin, "pin", false, "run crumb-edge on CPU 0 and the load generator on the other CPUs (taskset), so that they do not share cores")
	cmd.Flags().DurationVar(&duration, "duration", 20*time.Second, "length of the HTTP load")
	cmd.Flags().IntVar(&n, "n", 20000, "runs per in-process measurement")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().Float64SliceVar(&rates, "rates", []float64{2000, 5000, 10000}, "offered loads (requests/s) of the open-loop runs after the closed loop; 0: none")
	cmd.Flags().DurationVar(&rateDur, "rate-duration", 10*time.Second, "length of each open-loop run")
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
	row := func(name string, h edgeHTTP) {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%d requests, %.0f/s, %d errors; CPU per request: crumb-edge %.1f µs, load generator %.1f µs; machine %.0f%% busy (%.0f%% other processes)\n",
			name, h.P50, h.P90, h.P99, h.Requests, h.PerSec, h.Errors, h.ServerCPU, h.ClientCPU, 100*h.MachineBusy, 100*h.OtherBusy)
	}
	tw.Flush()
	fmt.Fprintln(tw, "\nHTTP POST /recommend, loopback\tP50 µs\tP90 µs\tP99 µs\tNOTE")
	h := r.HTTP
	row(fmt.Sprintf("closed loop, %d clients, %s", h.Clients, d), h)
	for _, o := range r.OpenLoop {
		row(fmt.Sprintf("open loop, %.0f/s offered, %d connections", o.Rate, o.Clients), o)
	}
	if len(r.OpenLoop) > 0 {
		fmt.Fprint(tw, "open loops' latency is timed from when each request was due (no coordinated omission); the pacer's own lateness, p99:")
		for _, o := range r.OpenLoop {
			if o.Pacer.N > 0 {
				fmt.Fprintf(tw, " %.0f µs at %.0f/s;", o.Pacer.P99, o.Rate)
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "answers by model: %v\n", h.Models)
	if h.LittleMean > 0 {
		fmt.Fprintf(a.stdout, "closed loop: mean latency %.0f µs; Little's law: %d clients / %.0f answers per s = %.0f µs. A closed loop runs at saturation, where latency is queueing set by CPU per request; the open loops show latency below it\n",
			h.Mean, h.Clients, h.PerSec, h.LittleMean)
	}
	cpus := fmt.Sprintf("%d CPUs shared by crumb-edge, the load generator and anything else running", r.CPUs)
	if r.Pinned {
		cpus = "crumb-edge on CPU 0, the load generator on CPU 1"
		if r.CPUs > 2 {
			cpus = fmt.Sprintf("crumb-edge on CPU 0, the load generator on CPUs 1–%d", r.CPUs-1)
		}
	}
	fmt.Fprintf(a.stdout, "crumb-edge resident memory: %.1f MB idle, %.1f MB after the load (peak %.1f MB); %s\n",
		float64(r.RSS.IdleKB)/1024, float64(r.RSS.LoadKB)/1024, float64(r.RSS.PeakKB)/1024, cpus)
}

// procCPU is a process's user + system CPU time, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its ')' are numbered from 3.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux everywhere in practice).
const clockTicks = 100

// machineCPU is the busy and total CPU time of the whole machine, in clock ticks, from /proc/stat.
func machineCPU() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, errors.New("/proc/stat: no cpu line")
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if i >= 8 { // guest times are already counted in user
			break
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, nil
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
