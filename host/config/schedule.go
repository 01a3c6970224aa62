package config

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule configures the scheduler and the push pipeline (key
// "schedule"). Zero values take the defaults documented on each field, so
// that an empty section is the default setup.
type Schedule struct {
	// Disabled stops `crumb serve` from running scheduled jobs and the push
	// pipeline (`crumb schedule run` still works).
	Disabled bool `yaml:"disabled"`
	// Lease is how long a run holds its job before renewing (default 1m);
	// a run whose host dies frees the job after it.
	Lease time.Duration `yaml:"lease"`
	// Jobs are added to the built-in jobs (daily_waste_push,
	// nightly_retrain, weekly_vip_report) by name; an entry with a
	// built-in's name changes the fields it sets.
	Jobs map[string]JobConfig `yaml:"jobs"`
	// Webhook receives every push (signed); also the secret for job
	// results sent to a webhook destination.
	Webhook WebhookConfig `yaml:"webhook"`
	Push    PushConfig    `yaml:"push"`
}

// JobConfig is one scheduled job.
type JobConfig struct {
	// Cron is a five-field cron expression ("0 17 * * *") or a descriptor
	// such as @daily, read in TimeZone.
	Cron string `yaml:"cron"`
	// TimeZone is an IANA name (default Asia/Seoul).
	TimeZone string `yaml:"time_zone"`
	// Action is a built-in action (daily_waste_push, nightly_retrain,
	// weekly_vip_report) or "prompt", which runs Prompt as a chat turn.
	Action string `yaml:"action"`
	Prompt string `yaml:"prompt"`
	Locale string `yaml:"locale"` // of the prompt's answer: ko (default) or en
	// Destination is where the result goes: "slack:#channel", "push" (the
	// push pipeline), "webhook:https://…", or "none" (recorded only).
	Destination string `yaml:"destination"`
	// Grace is how late a run missed while the host was down may still
	// start when the host comes back (default 30m).
	Grace    time.Duration `yaml:"grace"`
	Disabled bool          `yaml:"disabled"`
}

// WebhookConfig is a signed webhook endpoint.
type WebhookConfig struct {
	// URL receives one POST per push and segment; empty: no webhook.
	URL string `yaml:"url"`
	// Secret signs each request (HMAC-SHA256; header X-Crumb-Signature).
	// Set it from the environment: CRUMB_SCHEDULE_WEBHOOK_SECRET.
	Secret  string        `yaml:"secret"`
	Timeout time.Duration `yaml:"timeout"` // per request (default 10s)
}

// PushConfig configures the push pipeline.
type PushConfig struct {
	// Threshold is the EWR percentage above which an item is pushed
	// (default 12, from the seed).
	Threshold float64 `yaml:"threshold"`
	// WindowEnd is the local time (HH:MM, in the brand's time zone) at
	// which the day's discount ends; pushes not sent by then expire
	// (default 17:30).
	WindowEnd string `yaml:"window_end"`
	// Segments are the customer segments that get their own copy, comma
	// separated (default "all": one copy for every customer).
	Segments string `yaml:"segments"`
	Locale   string `yaml:"locale"` // of the copy: ko (default) or en
	// DiscountPct is the discount offered; 0 picks it from the EWR (10 %
	// above the threshold, 20 % from EWR 20, 30 % from EWR 30).
	DiscountPct int `yaml:"discount_pct"`
	// Approval makes each store's pushes wait for staff approval in Slack
	// until ApprovalTimeout (default 10m); then OnTimeout decides:
	// "expire" (default) or "send".
	Approval        bool          `yaml:"approval"`
	ApprovalChannel string        `yaml:"approval_channel"`
	ApprovalTimeout time.Duration `yaml:"approval_timeout"`
	OnTimeout       string        `yaml:"on_timeout"`
	// MaxAttempts bounds delivery attempts before a push fails (default 8);
	// retries back off exponentially from RetryBackoff (default 2s) to 5m.
	MaxAttempts  int           `yaml:"max_attempts"`
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// Lease is how long a worker holds the rows it works on before
	// renewing (default 30s); a crashed worker's rows are taken over after it.
	Lease time.Duration `yaml:"lease"`
	// Batch rows are claimed at a time (default 200) and Workers deliveries
	// run at once (default 16).
	Batch   int `yaml:"batch"`
	Workers int `yaml:"workers"`
	// PollInterval is how often the pipeline looks for work it was not told
	// about (pushes queued by another process, retries due; default 1s).
	PollInterval time.Duration `yaml:"poll_interval"`
}

// Built-in job and action names.
const (
	JobDailyWastePush  = "daily_waste_push"
	JobNightlyRetrain  = "nightly_retrain"
	JobWeeklyVIPReport = "weekly_vip_report"
	ActionPrompt       = "prompt"
)

// BuiltinJobs are the jobs every host has unless disabled.
func BuiltinJobs() map[string]JobConfig {
	return map[string]JobConfig{
		JobDailyWastePush: {Cron: "0 17 * * *", Action: JobDailyWastePush, Destination: "push", Grace: 25 * time.Minute},
		JobNightlyRetrain: {Cron: "0 3 * * *", Action: JobNightlyRetrain, Destination: "none", Grace: 3 * time.Hour},
		JobWeeklyVIPReport: {Cron: "0 9 * * 1", Action: JobWeeklyVIPReport, Prompt: "VIP 고객들의 특징은?",
			Destination: "slack:#crumb-reports", Grace: 6 * time.Hour},
	}
}

// ResolvedJobs merges the configured jobs over the built-ins and fills
// defaults. Disabled jobs are left out.
func (s *Schedule) ResolvedJobs() (map[string]JobConfig, error) {
	out := BuiltinJobs()
	for name, j := range s.Jobs {
		if name == "" || strings.ContainsAny(name, " \t\n/") {
			return nil, fmt.Errorf("schedule.jobs: job name %q: use letters, digits, _ or - (e.g. evening_report)", name)
		}
		base, builtin := out[name]
		if builtin {
			j.Cron = cmp.Or(j.Cron, base.Cron)
			j.Action = cmp.Or(j.Action, base.Action)
			j.Prompt = cmp.Or(j.Prompt, base.Prompt)
			j.Destination = cmp.Or(j.Destination, base.Destination)
			j.Grace = cmp.Or(j.Grace, base.Grace)
		}
		out[name] = j
	}
	for name, j := range out {
		if j.Disabled {
			delete(out, name)
			continue
		}
		j.TimeZone = cmp.Or(j.TimeZone, "Asia/Seoul")
		j.Locale = cmp.Or(j.Locale, "ko")
		j.Destination = cmp.Or(j.Destination, "none")
		j.Grace = cmp.Or(j.Grace, 30*time.Minute)
		if err := j.validate(); err != nil {
			return nil, fmt.Errorf("schedule.jobs.%s: %w", name, err)
		}
		out[name] = j
	}
	return out, nil
}

// ParseCron parses a job's cron expression in its time zone.
func (j *JobConfig) ParseCron() (cron.Schedule, *time.Location, error) {
	loc, err := time.LoadLocation(cmp.Or(j.TimeZone, "Asia/Seoul"))
	if err != nil {
		return nil, nil, fmt.Errorf("time_zone %q: %w (use an IANA name such as Asia/Seoul)", j.TimeZone, err)
	}
	if strings.HasPrefix(strings.TrimSpace(j.Cron), "CRON_TZ=") || strings.HasPrefix(strings.TrimSpace(j.Cron), "TZ=") {
		return nil, nil, fmt.Errorf("cron %q: set the time zone with time_zone, not in the expression", j.Cron)
	}
	sched, err := cron.ParseStandard("CRON_TZ=" + loc.String() + " " + j.Cron)
	if err != nil {
		return nil, nil, fmt.Errorf("cron %q: %w (five fields: minute hour day-of-month month day-of-week, e.g. \"0 17 * * *\")", j.Cron, err)
	}
	return sched, loc, nil
}

var builtinActions = []string{JobDailyWastePush, JobNightlyRetrain, JobWeeklyVIPReport, ActionPrompt}

func (j *JobConfig) validate() error {
	if j.Cron == "" {
		return fmt.Errorf("cron is required (e.g. \"0 17 * * *\" for 17:00 every day)")
	}
	if _, _, err := j.ParseCron(); err != nil {
		return err
	}
	if !slices.Contains(builtinActions, j.Action) {
		return fmt.Errorf("action %q: want one of %s", j.Action, strings.Join(builtinActions, ", "))
	}
	if j.Action == ActionPrompt && strings.TrimSpace(j.Prompt) == "" {
		return fmt.Errorf("action prompt needs prompt: the question to ask, e.g. \"오늘 폐기 위험 상품은?\"")
	}
	if j.Locale != "ko" && j.Locale != "en" {
		return fmt.Errorf("locale %q: want ko or en", j.Locale)
	}
	if j.Grace < 0 {
		return fmt.Errorf("grace %s: want a duration of 0 or more", j.Grace)
	}
	_, err := ParseDestination(j.Destination)
	return err
}

// Destination is where a job's result goes.
type Destination struct {
	Kind   string // slack, push, webhook or none
	Target string // the Slack channel or the webhook URL
}

// ParseDestination reads "slack:#channel", "push", "webhook:URL" or "none".
func ParseDestination(s string) (Destination, error) {
	kind, target, _ := strings.Cut(strings.TrimSpace(s), ":")
	switch kind {
	case "none", "push":
		if target != "" {
			return Destination{}, fmt.Errorf("destination %q: %s takes no target", s, kind)
		}
		return Destination{Kind: kind}, nil
	case "slack":
		if target == "" {
			return Destination{}, fmt.Errorf("destination %q: name the channel, e.g. slack:#crumb-reports", s)
		}
		return Destination{Kind: kind, Target: target}, nil
	case "webhook":
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Destination{}, fmt.Errorf("destination %q: want webhook:https://host/path", s)
		}
		return Destination{Kind: kind, Target: target}, nil
	}
	return Destination{}, fmt.Errorf("destination %q: want slack:#channel, push, webhook:https://… or none", s)
}

// Validate checks the schedule without the network.
func (s *Schedule) Validate() error {
	if _, err := s.ResolvedJobs(); err != nil {
		return err
	}
	if s.Webhook.URL != "" {
		u, err := url.Parse(s.Webhook.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("schedule.webhook.url %q: want an http or https URL", s.Webhook.URL)
		}
		if s.Webhook.Secret == "" {
			return fmt.Errorf("schedule.webhook.secret is empty: set CRUMB_SCHEDULE_WEBHOOK_SECRET so that receivers can verify each push")
		}
	}
	p := s.Push
	if p.Threshold < 0 || p.Threshold > 100 {
		return fmt.Errorf("schedule.push.threshold %g: want 0 to 100 (percent)", p.Threshold)
	}
	if p.WindowEnd != "" {
		if _, err := ParseClock(p.WindowEnd); err != nil {
			return fmt.Errorf("schedule.push.window_end: %w", err)
		}
	}
	if p.Locale != "" && p.Locale != "ko" && p.Locale != "en" {
		return fmt.Errorf("schedule.push.locale %q: want ko or en", p.Locale)
	}
	if p.DiscountPct < 0 || p.DiscountPct > 90 {
		return fmt.Errorf("schedule.push.discount_pct %d: want 0 (from the EWR) to 90", p.DiscountPct)
	}
	if p.OnTimeout != "" && p.OnTimeout != "expire" && p.OnTimeout != "send" {
		return fmt.Errorf("schedule.push.on_timeout %q: want expire or send", p.OnTimeout)
	}
	for _, v := range []struct {
		key string
		d   time.Duration
	}{{"schedule.lease", s.Lease}, {"schedule.push.lease", p.Lease}, {"schedule.push.approval_timeout", p.ApprovalTimeout},
		{"schedule.push.retry_backoff", p.RetryBackoff}, {"schedule.push.poll_interval", p.PollInterval}, {"schedule.webhook.timeout", s.Webhook.Timeout}} {
		if v.d < 0 {
			return fmt.Errorf("%s %s: want a positive duration", v.key, v.d)
		}
	}
	if p.MaxAttempts < 0 || p.Batch < 0 || p.Workers < 0 {
		return fmt.Errorf("schedule.push: max_attempts, batch and workers must not be negative")
	}
	for _, seg := range strings.Split(p.Segments, ",") {
		if seg = strings.TrimSpace(seg); strings.ContainsAny(seg, " :") {
			return fmt.Errorf("schedule.push.segments: segment %q may not contain spaces or colons", seg)
		}
	}
	return nil
}

// ParseClock reads a local time of day, HH:MM (24:00 is the end of the day).
func ParseClock(s string) (time.Duration, error) {
	if s == "24:00" {
		return 24 * time.Hour, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q: want HH:MM, e.g. 17:30", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
