package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScheduleJobs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crumb.yaml")
	yaml := `
schedule:
  jobs:
    daily_waste_push: {cron: "30 16 * * *"}
    nightly_retrain: {disabled: true}
    evening_report:
      cron: "0 21 * * 1-5"
      time_zone: Asia/Tokyo
      action: prompt
      prompt: 오늘 폐기 위험 상품은?
      destination: "slack:#store-managers"
  push: {threshold: 15, window_end: "17:30", segments: "vip, all", approval: true, approval_channel: "#staff"}
`
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, []string{"CRUMB_SCHEDULE_WEBHOOK_URL=https://app.example/hooks/push", "CRUMB_SCHEDULE_WEBHOOK_SECRET=s", "CRUMB_SCHEDULE_PUSH_LEASE=5s"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Schedule.Validate(); err != nil {
		t.Fatal(err)
	}
	jobs, err := cfg.Schedule.ResolvedJobs()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := jobs[JobNightlyRetrain]; ok || len(jobs) != 3 {
		t.Fatalf("jobs: %v", jobs)
	}
	d := jobs[JobDailyWastePush]
	if d.Cron != "30 16 * * *" || d.Action != JobDailyWastePush || d.Destination != "push" || d.TimeZone != "Asia/Seoul" || d.Grace != 25*time.Minute {
		t.Fatalf("overridden built-in: %+v", d)
	}
	e := jobs["evening_report"]
	sched, loc, err := e.ParseCron()
	if err != nil || loc.String() != "Asia/Tokyo" || e.Locale != "ko" || e.Grace != 30*time.Minute {
		t.Fatalf("evening_report: %+v %v", e, err)
	}
	// Friday 2026-11-20 21:00 in Tokyo (12:00 UTC), then Monday.
	n := sched.Next(time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC))
	if m := sched.Next(n); !n.Equal(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)) || !m.Equal(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("next %s, %s", n, m)
	}
	if cfg.Schedule.Webhook.URL != "https://app.example/hooks/push" || cfg.Schedule.Push.Lease != 5*time.Second || cfg.Schedule.Push.Threshold != 15 {
		t.Fatalf("push config: %+v", cfg.Schedule)
	}
}

func TestScheduleValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Schedule
		want string
	}{
		{"bad cron", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 25 * * *", Action: ActionPrompt, Prompt: "hi"}}}, `schedule.jobs.x: cron "0 25 * * *"`},
		{"tz in cron", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "CRON_TZ=UTC 0 1 * * *", Action: ActionPrompt, Prompt: "hi"}}}, "set the time zone with time_zone"},
		{"bad zone", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 1 * * *", TimeZone: "Mars/Olympus", Action: ActionPrompt, Prompt: "hi"}}}, "IANA name"},
		{"unknown action", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 1 * * *", Action: "bake"}}}, `action "bake": want one of`},
		{"prompt without text", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 1 * * *", Action: ActionPrompt}}}, "needs prompt"},
		{"no cron", Schedule{Jobs: map[string]JobConfig{"x": {Action: ActionPrompt, Prompt: "hi"}}}, "cron is required"},
		{"bad destination", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 1 * * *", Action: ActionPrompt, Prompt: "hi", Destination: "email:x"}}}, "want slack:#channel, push, webhook"},
		{"slack without channel", Schedule{Jobs: map[string]JobConfig{"x": {Cron: "0 1 * * *", Action: ActionPrompt, Prompt: "hi", Destination: "slack:"}}}, "name the channel"},
		{"webhook without secret", Schedule{Webhook: WebhookConfig{URL: "https://a.example/h"}}, "CRUMB_SCHEDULE_WEBHOOK_SECRET"},
		{"window", Schedule{Push: PushConfig{WindowEnd: "5pm"}}, "schedule.push.window_end"},
		{"on timeout", Schedule{Push: PushConfig{OnTimeout: "maybe"}}, "want expire or send"},
		{"job name", Schedule{Jobs: map[string]JobConfig{"bad name": {Cron: "0 1 * * *", Action: ActionPrompt, Prompt: "hi"}}}, "job name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	var empty Schedule
	if err := empty.Validate(); err != nil {
		t.Fatalf("the default schedule: %v", err)
	}
	if d, err := ParseClock("24:00"); err != nil || d != 24*time.Hour {
		t.Fatal(d, err)
	}
}
