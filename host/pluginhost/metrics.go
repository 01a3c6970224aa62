package pluginhost

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the supervisor's Prometheus metrics.
type Metrics struct {
	calls    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	restarts *prometheus.CounterVec
	breaker  *prometheus.GaugeVec
	up       *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_tool_calls_total",
			Help: "Tool calls by plugin, tool and outcome (ok, failure, invalid_args, unavailable, error, timeout).",
		}, []string{"plugin", "tool", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crumb_tool_call_duration_seconds",
			Help:    "Latency of tool calls that reached the plugin.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14), // 100 µs … ~15 s
		}, []string{"plugin", "tool"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_plugin_restarts_total",
			Help: "Plugin process restarts after a crash or failed health checks.",
		}, []string{"plugin"}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "crumb_plugin_breaker_state",
			Help: "Circuit breaker state per plugin: 0 closed, 1 half-open, 2 open.",
		}, []string{"plugin"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "crumb_plugin_up",
			Help: "1 when the plugin is running and serving its tools.",
		}, []string{"plugin"}),
	}
	if reg != nil {
		reg.MustRegister(m.calls, m.latency, m.restarts, m.breaker, m.up)
	}
	return m
}
