package main

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// BenchmarkToolCall compares one stock_on_hand call (three dataset reads
// back to the host, a fuzzy match and a display) made four ways:
//
//   - in-process: the tool function called directly;
//   - grpc-in-process: through the gRPC contract over a local socket;
//   - subprocess: through the real plugin binary, as the host calls it
//     (go-plugin, AutoMTLS, HostAPI over the broker);
//   - grpc-echo: a bare Health RPC to the same subprocess, the transport's floor.
//
// Each reports the p50 and p99 latency of single calls in µs.
//
//	go test -run '^$' -bench BenchmarkToolCall -benchtime 2000x ./plugins/catalog/
func BenchmarkToolCall(b *testing.B) {
	host := fixture()
	args := json.RawMessage(`{"store":"강남","product":"크루아상"}`)
	inv := &tools.Invocation{Tool: "stock_on_hand", Args: args, CallInfo: tools.CallInfo{Locale: "ko", Now: now}}
	ctx := context.Background()
	tool := stockTool()

	b.Run("in-process", func(b *testing.B) {
		measure(b, func() error {
			_, err := tool.Run(ctx, call("ko", now, host), args)
			return err
		})
	})
	b.Run("grpc-in-process", func(b *testing.B) {
		c := plugintest.Connect(b, Plugin(), host)
		measure(b, func() error { _, err := c.Invoke(ctx, inv); return err })
	})
	bin := plugintest.Build(b, "github.com/crumb-dev/crumb/plugins/catalog")
	b.Run("subprocess", func(b *testing.B) {
		c, _ := plugintest.Start(b, bin, host)
		measure(b, func() error { _, err := c.Invoke(ctx, inv); return err })
	})
	b.Run("grpc-echo", func(b *testing.B) {
		c, _ := plugintest.Start(b, bin, host)
		measure(b, func() error { return c.Health(ctx) })
	})
}

// measure times each call and reports p50 and p99 in µs.
func measure(b *testing.B, fn func() error) {
	b.Helper()
	for range 50 { // warm up connections and caches
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
