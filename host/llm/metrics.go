package llm

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the generator's Prometheus metrics.
type Metrics struct {
	generations *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	calls       *prometheus.CounterVec
	callLatency *prometheus.HistogramVec
	breaker     *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		generations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_llm_generations_total",
			Help: "Structured generations by prompt, outcome (llm, repaired, fallback, error) and reason (schema, guard, validator, invalid_json, timeout, rate_limited, provider_down, provider_error, bad_response, breaker_open, budget, no_provider, fallback_invalid; empty when the first answer passed).",
		}, []string{"prompt", "outcome", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crumb_llm_generation_duration_seconds",
			Help:    "Time of a whole generation: every attempt and the fallback.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14), // 0.5 ms … ~75 s
		}, []string{"prompt", "outcome"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_llm_provider_calls_total",
			Help: "Calls to the provider by result (ok, timeout, rate_limited, provider_down, provider_error, bad_response, breaker_open).",
		}, []string{"provider", "result"}),
		callLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crumb_llm_provider_call_duration_seconds",
			Help:    "Latency of calls that reached the provider.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12), // 5 ms … ~300 s
		}, []string{"provider"}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "crumb_llm_breaker_state",
			Help: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
		}, []string{"provider"}),
	}
	if reg != nil {
		reg.MustRegister(m.generations, m.latency, m.calls, m.callLatency, m.breaker)
	}
	return m
}
