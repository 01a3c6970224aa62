package push

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the scheduler's and the pipeline's Prometheus metrics.
type Metrics struct {
	rows       *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	stages     *prometheus.HistogramVec
	runs       *prometheus.CounterVec
	runTime    *prometheus.HistogramVec
}

// NewMetrics makes the metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_push_rows_total", Help: "Push queue rows by what happened to them: copied, copy_failed, approval_requested, sent, retrying, failed, expired, approval_timeout.",
		}, []string{"outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_push_deliveries_total", Help: "Push deliveries by channel (feed, webhook) and outcome (ok, error).",
		}, []string{"channel", "outcome"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "crumb_push_stage_seconds", Help: "Time a pipeline pass spent per stage (copy, approval, delivery).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"stage"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_scheduler_runs_total", Help: "Scheduled runs by job and status (ok, failed, skipped, missed).",
		}, []string{"job", "status"}),
		runTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "crumb_scheduler_run_seconds", Help: "Duration of scheduled runs by job.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"job"}),
	}
	if reg != nil {
		reg.MustRegister(m.rows, m.deliveries, m.stages, m.runs, m.runTime)
	}
	return m
}

func (m *Metrics) pass(r *Report) {
	for outcome, n := range map[string]int{"copied": r.Copied, "copy_failed": r.CopyFailed, "approval_requested": r.ApprovalAsked,
		"sent": r.Sent, "retrying": r.Retrying, "failed": r.Failed, "expired": r.Expired, "approval_timeout": r.ApprovalTimeouts} {
		if n > 0 {
			m.rows.WithLabelValues(outcome).Add(float64(n))
		}
	}
	if r.Copied+r.CopyFailed > 0 {
		m.stages.WithLabelValues("copy").Observe(r.CopyTime.Seconds())
	}
	if r.ApprovalAsked > 0 {
		m.stages.WithLabelValues("approval").Observe(r.ApprovalTime.Seconds())
	}
	if r.Sent+r.Retrying+r.Failed > 0 {
		m.stages.WithLabelValues("delivery").Observe(r.DeliveryTime.Seconds())
	}
}

func (m *Metrics) delivery(channel string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.deliveries.WithLabelValues(channel, outcome).Inc()
}

func (m *Metrics) run(job, status string, d time.Duration) {
	m.runs.WithLabelValues(job, status).Inc()
	if d > 0 {
		m.runTime.WithLabelValues(job).Observe(d.Seconds())
	}
}
