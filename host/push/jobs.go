package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// ChatHandler answers a chat turn; *chat.Engine is one.
type ChatHandler interface {
	Handle(ctx context.Context, t *chat.Turn) (*chat.Reply, error)
}

// Builtins holds what the built-in actions and destinations use. A nil
// dependency makes the actions that need it fail with a message saying
// what is missing.
type Builtins struct {
	Tools Invoker
	// TrainTools, when set, returns a plugin host for training, whose calls
	// may take longer than the serving host's call timeout; close is called
	// when training is done.
	TrainTools func(ctx context.Context) (tools Invoker, close func(), err error)
	Pipeline   *Pipeline
	Chat       ChatHandler
	Notifier   Notifier
	// Store counts the day's pushes for the daily job's output.
	Store store.PushPipeline
	// Webhook signs results sent to webhook destinations.
	WebhookSecret string
	Clock         Clock
	Location      *time.Location
}

// Jobs builds the scheduler's jobs from the configuration: the built-in
// jobs, changed and extended by schedule.jobs.
func (b *Builtins) Jobs(cfg config.Schedule) ([]*Job, error) {
	resolved, err := cfg.ResolvedJobs()
	if err != nil {
		return nil, err
	}
	var out []*Job
	for name, jc := range resolved {
		sched, loc, err := jc.ParseCron()
		if err != nil {
			return nil, fmt.Errorf("schedule.jobs.%s: %w", name, err)
		}
		dest, err := config.ParseDestination(jc.Destination)
		if err != nil {
			return nil, fmt.Errorf("schedule.jobs.%s: %w", name, err)
		}
		j := &Job{Name: name, Cron: jc.Cron, Location: loc, Schedule: sched, Grace: jc.Grace, ActionName: jc.Action,
			Locale: jc.Locale, Prompt: jc.Prompt, Destination: dest}
		switch jc.Action {
		case config.JobDailyWastePush:
			j.Action = ActionFunc(b.DailyWastePush)
		case config.JobNightlyRetrain:
			j.Action = ActionFunc(b.NightlyRetrain)
		case config.JobWeeklyVIPReport, config.ActionPrompt:
			j.Action = ActionFunc(b.Prompt)
		default:
			return nil, fmt.Errorf("schedule.jobs.%s: unknown action %q", name, jc.Action)
		}
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b *Job) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (b *Builtins) now() time.Time {
	if b.Clock == nil {
		return time.Now()
	}
	return b.Clock.Now()
}

func (b *Builtins) loc() *time.Location {
	if b.Location == nil {
		return kst
	}
	return b.Location
}

// findTool returns the id of the running tool called name, preferring the
// given plugin.
func findTool(inv Invoker, name, plugin string) (string, error) {
	var ids []string
	for _, t := range inv.Tools() {
		if t.Name != name {
			continue
		}
		if t.Plugin == plugin {
			return t.ID, nil
		}
		ids = append(ids, t.ID)
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("no running plugin has the %s tool: build the %s plugin (make plugins) and check `crumb plugins ls`", name, plugin)
	}
	return ids[0], nil
}

func callInfo(ri *RunInfo, locale string) tools.CallInfo {
	return tools.CallInfo{RequestID: fmt.Sprintf("sched-%s-%d", ri.Job, ri.RunID), User: "scheduler", Role: "admin", Locale: locale, Now: ri.Now}
}

// DailyWasteOutput is the daily_waste_push run's output.
type DailyWasteOutput struct {
	Date     string         `json:"date"`
	Time     string         `json:"time"`
	AtRisk   int            `json:"at_risk"`
	Created  int            `json:"queued_new"`
	Existing int            `json:"queued_before"`
	Pipeline *Report        `json:"pipeline"`
	Queue    map[string]int `json:"queue"`
}

// DailyWastePush computes the EWR of every store and item (forecast's
// waste_forecast with queue on, which queues each item over the threshold
// once per store, item and day) and runs the pipeline over the queue:
// copy, approval, delivery.
func (b *Builtins) DailyWastePush(ctx context.Context, ri *RunInfo) (string, error) {
	if b.Tools == nil || b.Pipeline == nil {
		return "", errors.New("daily_waste_push needs the plugin host and the push pipeline")
	}
	id, err := findTool(b.Tools, "waste_forecast", "forecast")
	if err != nil {
		return "", err
	}
	local := ri.Now.In(b.loc())
	args, _ := json.Marshal(map[string]any{"queue": true, "threshold": b.Pipeline.Settings().Threshold,
		"date": local.Format("2006-01-02"), "time": local.Format("15:04")})
	ctx = tools.WithRequestID(ctx, callInfo(ri, "ko").RequestID)
	res, err := b.Tools.Invoke(ctx, &tools.Invocation{Tool: id, Args: args, CallInfo: callInfo(ri, "ko")})
	if err != nil {
		return "", fmt.Errorf("waste forecast: %w", err)
	}
	if res.Failure != "" {
		return "", fmt.Errorf("waste forecast: %s", res.Failure)
	}
	var wf struct {
		Date   string `json:"date"`
		Time   string `json:"time"`
		AtRisk int    `json:"at_risk"`
		Queued *struct {
			Created  int `json:"created"`
			Existing int `json:"existing"`
		} `json:"queued"`
	}
	if err := json.Unmarshal(res.Output, &wf); err != nil {
		return "", fmt.Errorf("waste forecast: decode result: %w", err)
	}
	out := DailyWasteOutput{Date: wf.Date, Time: wf.Time, AtRisk: wf.AtRisk}
	if wf.Queued != nil {
		out.Created, out.Existing = wf.Queued.Created, wf.Queued.Existing
	}
	rep, perr := b.Pipeline.Pass(ctx)
	out.Pipeline = rep
	if b.Store != nil {
		out.Queue, _ = b.Store.PushCounts(ctx, wf.Date)
	}
	raw, _ := json.Marshal(out)
	if perr != nil {
		return string(raw), fmt.Errorf("push pipeline: %w", perr)
	}
	return string(raw), nil
}

// RetrainResult is one plugin's training in nightly_retrain's output.
type RetrainResult struct {
	Tool    string  `json:"tool"`
	OK      bool    `json:"ok"`
	Summary string  `json:"summary,omitempty"`
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

// NightlyRetrain calls every running plugin's train tool (forecast,
// segment, recommend — whichever are installed). A failing plugin does not
// stop the others; the run fails if any failed.
func (b *Builtins) NightlyRetrain(ctx context.Context, ri *RunInfo) (string, error) {
	inv := b.Tools
	if b.TrainTools != nil {
		t, closeFn, err := b.TrainTools(ctx)
		if err != nil {
			return "", fmt.Errorf("start plugins for training: %w", err)
		}
		defer closeFn()
		inv = t
	}
	if inv == nil {
		return "", errors.New("nightly_retrain needs the plugin host")
	}
	var results []RetrainResult
	var failed []string
	for _, t := range inv.Tools() {
		if t.Name != "train" {
			continue
		}
		t0 := time.Now()
		r := RetrainResult{Tool: t.ID}
		res, err := inv.Invoke(tools.WithRequestID(ctx, callInfo(ri, "en").RequestID), &tools.Invocation{Tool: t.ID, Args: json.RawMessage(`{}`), CallInfo: callInfo(ri, "en")})
		switch {
		case err != nil:
			r.Error = err.Error()
		case res.Failure != "":
			r.Error = res.Failure
		default:
			r.OK = true
			if res.Display != nil {
				r.Summary = res.Display.Text
			}
		}
		if !r.OK {
			failed = append(failed, t.ID)
		}
		r.Seconds = time.Since(t0).Seconds()
		results = append(results, r)
	}
	raw, _ := json.Marshal(map[string]any{"trained": results})
	if len(results) == 0 {
		return string(raw), errors.New("no running plugin has a train tool")
	}
	if len(failed) > 0 {
		return string(raw), fmt.Errorf("training failed for %s", strings.Join(failed, ", "))
	}
	return string(raw), nil
}

// Prompt runs the job's prompt as a chat turn (an agent run: intent,
// tools, answer) and returns the answer's text; weekly_vip_report is a
// prompt job ("VIP 고객들의 특징은?") whose destination is Slack.
func (b *Builtins) Prompt(ctx context.Context, ri *RunInfo) (string, error) {
	if b.Chat == nil {
		return "", errors.New("prompt jobs need the chat engine")
	}
	if strings.TrimSpace(ri.Prompt) == "" {
		return "", fmt.Errorf("job %s has no prompt: set schedule.jobs.%s.prompt", ri.Job, ri.Job)
	}
	id := callInfo(ri, ri.Locale).RequestID
	reply, err := b.Chat.Handle(tools.WithRequestID(ctx, id), &chat.Turn{RequestID: id, User: "scheduler", Role: "admin", Channel: "scheduler",
		Locale: ri.Locale, Text: ri.Prompt})
	if err != nil {
		return "", fmt.Errorf("chat turn %q: %w", ri.Prompt, err)
	}
	ri.Reply = reply
	return reply.Text, nil
}

// Deliver sends a run's output to the job's destination.
func (b *Builtins) Deliver(ctx context.Context, j *Job, run *store.Run, ri *RunInfo, output string) error {
	switch j.Destination.Kind {
	case "none", "":
		return nil
	case "push":
		// The action queued pushes (daily_waste_push through the forecast
		// plugin); a pass sends what is ready (a no-op when the action
		// made one already).
		if b.Pipeline == nil {
			return fmt.Errorf("job %s sends to the push pipeline, which is not running", j.Name)
		}
		_, err := b.Pipeline.Pass(ctx)
		return err
	case "slack":
		if b.Notifier == nil {
			return fmt.Errorf("no Slack notifier is configured for %s: connect Slack or change schedule.jobs.%s.destination", j.Destination.Target, j.Name)
		}
		title := fmt.Sprintf("%s · %s", j.Name, b.now().In(j.Location).Format("2006-01-02 15:04"))
		if j.Name == config.JobWeeklyVIPReport {
			title = "주간 VIP 고객 리포트 · " + b.now().In(j.Location).Format("2006-01-02")
		}
		return b.Notifier.Notify(ctx, &Notice{Channel: j.Destination.Target, Job: j.Name, RunID: run.ID, Title: title, Text: output, Reply: ri.Reply})
	case "webhook":
		wh := NewWebhook(j.Destination.Target, b.WebhookSecret, 0)
		wh.Event = "job_result"
		if b.Clock != nil {
			wh.Clock = b.Clock
		}
		body, _ := json.Marshal(map[string]any{"job": j.Name, "run_id": run.ID, "started_at": run.StartedAt, "output": output})
		return wh.Post(ctx, fmt.Sprintf("run:%s:%d", j.Name, run.ID), 1, body)
	}
	return fmt.Errorf("unknown destination %q", j.Destination.Kind)
}
