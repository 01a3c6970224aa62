// Command crumb-edge is the edge recommender: it serves POST /recommend next to the till or the
// smart basket from the latest model bundle of a Crumb host, and keeps serving the last good
// bundle when the host is away.
//
//	crumb-edge [serve] --host http://crumb:8080 --token TOKEN --dir /var/lib/crumb-edge --listen :8090 [--ort-lib libonnxruntime.so]
//	crumb-edge bench score --bundle bundle.tar.gz [--n 20000] [--json]
//	crumb-edge bench http --url http://127.0.0.1:8090 --bundle bundle.tar.gz [--clients 32] [--duration 20s] [--rate 5000] [--json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/server"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "crumb-edge:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "bench" {
		return bench(args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	return serve(args, stdout, stderr)
}

// defaultGOGC is crumb-edge's GOGC. With the demo bundle the live heap is about 1 MB, so at
// Go's default of 100 the heap goal is its 4 MB floor and, at 20,000 requests a second, the
// collector ran 50 times a second, each time with stop-the-world pauses of up to 0.7 ms and mark
// assists charged to requests in flight: the p99 tail. At 400 the floor is 16 MB and it runs
// about 8 times less often, for some 12 MB more resident memory.
const defaultGOGC = 400

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crumb-edge serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", ":8090", "address to serve /recommend, /healthz and /metrics on")
	dir := fs.String("dir", "crumb-edge-data", "directory keeping the last good bundle")
	host := fs.String("host", "", "Crumb host to pull bundles from, e.g. http://localhost:8080 (empty: serve the kept bundle only)")
	interval := fs.Duration("interval", time.Minute, "time between bundle pulls")
	ortLib := fs.String("ort-lib", "", "ONNX Runtime library (default $"+ort.EnvLib+")")
	form := fs.String("form", "int8", "member graph to run: int8 or float32")
	token := fs.String("token", os.Getenv("CRUMB_EDGE_TOKEN"), "bearer token for the host, a staff token from `crumb token create --role staff --name edge-1` (default $CRUMB_EDGE_TOKEN)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	debugListen := fs.String("debug-listen", "", "address to serve Go's profiles on (/debug/pprof/: cpu, heap, block, mutex, trace), e.g. 127.0.0.1:6060; empty: off")
	gogc := fs.Int("gogc", defaultGOGC, "garbage collector target percentage, as GOGC (an explicit $GOGC wins); the default trades some megabytes of heap for fewer collections, see edge/README.md")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	} else if *logFormat != "text" {
		return fmt.Errorf("--log-format %q: want text or json", *logFormat)
	}
	log := slog.New(h)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gogc)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := server.New(server.Options{Dir: *dir, HostURL: *host, Interval: *interval, ORTLib: *ortLib, Token: *token, Form: *form, Logger: log, Registry: reg})
	if err != nil {
		return err
	}
	defer srv.Close()
	if *debugListen != "" {
		if err := serveDebug(*debugListen, log); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another with --listen)", *listen, err)
	}
	fmt.Fprintf(stdout, "crumb-edge listening on %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go srv.Run(ctx)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveDebug serves net/http/pprof's handlers on addr, and turns on the block and mutex
// profiles, which cost something on every contended lock and blocking operation.
func serveDebug(addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--debug-listen %s: %w", addr, err)
	}
	runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	runtime.SetMutexProfileFraction(10)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiles on", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	go http.Serve(ln, mux)
	return nil
}

func bench(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("bench what? crumb-edge bench score|http …")
	}
	fs := flag.NewFlagSet("crumb-edge bench "+args[0], flag.ContinueOnError)
	bundlePath := fs.String("bundle", "", "model bundle (.tar.gz) to benchmark with")
	asJSON := fs.Bool("json", false, "print JSON")
	n := fs.Int("n", 20000, "runs per measurement (score)")
	url := fs.String("url", "http://127.0.0.1:8090", "crumb-edge to load (http)")
	clients := fs.Int("clients", 32, "concurrent clients (http)")
	duration := fs.Duration("duration", 20*time.Second, "length of the load (http)")
	rate := fs.Float64("rate", 0, "offered load in requests per second, open loop, latency timed from when each request was due (http; 0: closed loop, each client sends when its last answer is in)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *bundlePath == "" {
		return errors.New("--bundle is required: a bundle from GET /v1/models/recommend/latest")
	}
	data, err := os.ReadFile(*bundlePath)
	if err != nil {
		return err
	}
	var res any
	switch args[0] {
	case "score":
		res, err = server.BenchScore(data, *n)
	case "http":
		res, err = server.BenchHTTP(context.Background(), server.HTTPOptions{URL: *url, Bundle: data, Clients: *clients, Duration: *duration, Rate: *rate})
	default:
		return fmt.Errorf("bench %q: want score or http", args[0])
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	switch r := res.(type) {
	case *server.ScoreBench:
		fmt.Fprintf(stdout, "bundle v%d: %d items, %d members, ONNX Runtime %s, batch 1, %d runs each\n", r.Bundle, r.Items, r.Members, r.Runtime, *n)
		for _, f := range []string{"float32", "int8"} {
			l := r.ONNX[f]
			fmt.Fprintf(stdout, "  ONNX %-8s p50 %7.1f µs  p99 %7.1f µs\n", f, l.P50, l.P99)
		}
		fmt.Fprintf(stdout, "  member answer  p50 %7.1f µs  p99 %7.1f µs\n", r.Member.P50, r.Member.P99)
		fmt.Fprintf(stdout, "  guest answer   p50 %7.1f µs  p99 %7.1f µs\n", r.Guest.P50, r.Guest.P99)
	case *server.HTTPBench:
		load := "closed loop"
		if r.Rate > 0 {
			load = fmt.Sprintf("open loop at %.0f/s offered", r.Rate)
		}
		fmt.Fprintf(stdout, "%s/recommend, %d clients, %s, %.0f s: %d requests (%.0f/s), %d errors, p50 %.0f µs, p90 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, models %v, load generator %.1f µs CPU per request\n",
			r.URL, r.Clients, load, r.Seconds, r.Requests, r.PerSec, r.Errors, r.P50, r.P90, r.P99, r.P999, r.Models, r.ClientCPU)
		if r.Rate > 0 {
			fmt.Fprintf(stdout, "  pacer lateness (part of the latency above): p50 %.0f µs, p99 %.0f µs\n", r.Pacer.P50, r.Pacer.P99)
		}
	}
	return nil
}
