package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/tools"
)

func init() { commands = append(commands, (*app).pushCmd, (*app).scheduleCmd) }

// pushStore is what the scheduler and the push pipeline keep.
type pushStore interface {
	store.PushPipeline
	store.Runs
}

func asPushStore(st store.Store) (pushStore, error) {
	ps, ok := st.(pushStore)
	if !ok {
		return nil, errors.New("the database keeps no push pipeline or run records (it needs migration 0005)")
	}
	return ps, nil
}

// openPushStore opens the database as the push pipeline's store; close
// releases it.
func (a *app) openPushStore(ctx context.Context) (pushStore, func(), error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	ps, err := asPushStore(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return ps, func() { st.Close() }, nil
}

// pushSystem is the scheduler and the push pipeline of one process.
type pushSystem struct {
	store    pushStore
	pipeline *push.Pipeline
	feed     *push.Feed
	sched    *push.Scheduler
	builtins *push.Builtins
	// Staff channels are bound late: Slack connects after the pipeline is
	// made (connectSlack).
	approver *lateApprover
	notifier *lateNotifier
	stop     func()
}

// newPushSystem builds the pipeline and the scheduler over a runtime; it
// starts nothing.
func (a *app) newPushSystem(rt *runtime) (*pushSystem, error) {
	ps, err := asPushStore(rt.store)
	if err != nil {
		return nil, err
	}
	cfg := a.cfg.Schedule
	settings, err := push.SettingsFrom(cfg, a.cfg.Location())
	if err != nil {
		return nil, err
	}
	sys := &pushSystem{store: ps, approver: &lateApprover{}, notifier: &lateNotifier{}, stop: func() {}}
	metrics := push.NewMetrics(rt.registry)
	sys.feed = push.NewFeed(ps, push.FeedOptions{Logger: a.log})
	var channels []push.Channel
	if cfg.Webhook.URL != "" {
		channels = append(channels, push.NewWebhook(cfg.Webhook.URL, cfg.Webhook.Secret, cfg.Webhook.Timeout))
	}
	owner := push.NewOwner()
	var approver push.Approver
	if settings.Approval {
		approver = sys.approver
	}
	sys.pipeline, err = push.NewPipeline(push.PipelineOptions{
		Store: ps, Copy: &push.ToolCopywriter{Tools: rt.plugins, Workers: settings.Workers}, Channels: channels, Feed: sys.feed,
		Approver: approver, Logger: a.log.With("component", "push"), Owner: owner, Settings: settings, Metrics: metrics,
	})
	if err != nil {
		return nil, err
	}
	sys.builtins = &push.Builtins{
		Tools: rt.plugins, TrainTools: a.trainTools(rt), Pipeline: sys.pipeline, Chat: rt.chat, Notifier: sys.notifier,
		Store: ps, WebhookSecret: cfg.Webhook.Secret, Location: a.cfg.Location(),
	}
	jobs, err := sys.builtins.Jobs(cfg)
	if err != nil {
		return nil, err
	}
	sys.sched, err = push.NewScheduler(push.SchedulerOptions{Runs: ps, Jobs: jobs, Deliver: sys.builtins,
		Logger: a.log.With("component", "scheduler"), Owner: owner, Lease: cfg.Lease, Metrics: metrics})
	if err != nil {
		return nil, err
	}
	return sys, nil
}

// startPush runs the feed, the pipeline and the scheduler in the
// background (the scheduler and the pipeline only unless
// schedule.disabled); stop ends them and waits for runs in flight.
func (a *app) startPush(ctx context.Context, rt *runtime) (*pushSystem, error) {
	sys, err := a.newPushSystem(rt)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := sys.feed.Start(runCtx); err != nil {
		cancel()
		return nil, err
	}
	if a.cfg.Schedule.Disabled {
		a.log.Info("scheduler disabled (schedule.disabled): no jobs run and the push queue is not worked on")
		sys.stop = cancel
		return sys, nil
	}
	if err := sys.sched.Start(runCtx); err != nil {
		cancel()
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { sys.pipeline.Run(runCtx) })
	wg.Go(func() { sys.sched.Run(runCtx) })
	sys.stop = func() { cancel(); wg.Wait() }
	for _, j := range sys.sched.Jobs() {
		a.log.Info("scheduled", "job", j.Name, "cron", j.Cron, "tz", j.Location.String(), "next", sys.sched.Next(j.Name).In(j.Location).Format(time.RFC3339))
	}
	return sys, nil
}

// trainTools starts plugins for training with a long call timeout: the
// serving plugins' timeout is made for answers, not for fitting models.
func (a *app) trainTools(rt *runtime) func(ctx context.Context) (push.Invoker, func(), error) {
	return func(ctx context.Context) (push.Invoker, func(), error) {
		cfg := a.pluginConfig(nil)
		cfg.CallTimeout = 30 * time.Minute
		cfg.HealthInterval = time.Hour
		if rt.knowledge != nil {
			cfg.Knowledge = knowledge.Plugins{KB: rt.knowledge}
		}
		if rt.generator != nil {
			cfg.Generator = llm.Plugins{Generator: rt.generator}
		}
		h := pluginhost.New(cfg, rt.store)
		if err := h.Start(ctx); err != nil {
			return nil, nil, err
		}
		return h, func() { h.Close() }, nil
	}
}

// lateApprover forwards to the approver connected later (Slack).
type lateApprover struct {
	mu sync.RWMutex
	a  push.Approver
}

func (l *lateApprover) set(a push.Approver) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.a = a
}

func (l *lateApprover) RequestApproval(ctx context.Context, req *push.ApprovalRequest) error {
	l.mu.RLock()
	a := l.a
	l.mu.RUnlock()
	if a == nil {
		return errors.New("schedule.push.approval is on but Slack is not connected: set slack.bot_token (CRUMB_SLACK_BOT_TOKEN) or turn approval off")
	}
	return a.RequestApproval(ctx, req)
}

// lateNotifier forwards to the notifier connected later (Slack).
type lateNotifier struct {
	mu sync.RWMutex
	n  push.Notifier
}

func (l *lateNotifier) set(n push.Notifier) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n = n
}

func (l *lateNotifier) Notify(ctx context.Context, n *push.Notice) error {
	l.mu.RLock()
	to := l.n
	l.mu.RUnlock()
	if to == nil {
		return fmt.Errorf("job %s sends to Slack %s but Slack is not connected: set slack.bot_token (CRUMB_SLACK_BOT_TOKEN) or change schedule.jobs.%s.destination", n.Job, n.Channel, n.Job)
	}
	return to.Notify(ctx, n)
}

// connectSlack makes Slack the staff channel of the push system: approval
// requests become messages with approve and reject buttons in
// schedule.push.approval_channel, clicks come back to the pipeline, and job
// results (the weekly VIP report) are posted as replies, charts included.
func (sys *pushSystem) connectSlack(ad *slack.Adapter, cfg config.Slack) {
	var opts []slackgo.Option
	if cfg.APIURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	api := slackgo.New(cfg.BotToken, opts...)
	sys.approver.set(&slackApprover{api: api})
	sys.notifier.set(push.NotifierFunc(func(ctx context.Context, n *push.Notice) error {
		r := n.Reply
		if r == nil {
			r = &chat.Reply{Text: n.Text, Locale: "ko"}
		}
		cp := *r
		cp.Text = "*" + n.Title + "*\n" + r.Text
		_, err := ad.PostReply(ctx, n.Channel, "", &cp)
		return err
	}))
	ad.HandleAction(push.ApprovalActionPrefix, func(ctx context.Context, act *slack.Action) error {
		return sys.handleApprovalClick(ctx, api, act)
	})
}

func (sys *pushSystem) handleApprovalClick(ctx context.Context, api *slackgo.Client, act *slack.Action) error {
	if act.Role == "" {
		return fmt.Errorf("slack user %s has no Crumb role and may not decide pushes", act.User)
	}
	n, err := sys.pipeline.HandleApproval(ctx, act.ActionID, act.Value, "slack:"+act.User)
	if err != nil {
		return err
	}
	verb := "승인"
	if act.ActionID == push.ActionReject {
		verb = "거절"
	}
	text := fmt.Sprintf("<@%s> 님이 푸시 %d건을 %s했습니다.", act.User, n, verb)
	if n == 0 {
		text = fmt.Sprintf("<@%s> 님의 %s은 반영되지 않았습니다: 이미 결정되었거나 마감 시간이 지났습니다.", act.User, verb)
	}
	_, _, err = api.PostMessageContext(ctx, act.Channel, slackgo.MsgOptionText(text, false), slackgo.MsgOptionTS(act.MessageTS))
	return err
}

// slackApprover posts an approval request with buttons.
type slackApprover struct{ api *slackgo.Client }

func (s *slackApprover) RequestApproval(ctx context.Context, req *push.ApprovalRequest) error {
	if req.Channel == "" {
		return errors.New("schedule.push.approval_channel is empty: name the Slack channel where staff approve pushes (e.g. #store-staff)")
	}
	_, _, err := s.api.PostMessageContext(ctx, req.Channel, slackgo.MsgOptionText(approvalTitle(req), false), slackgo.MsgOptionBlocks(approvalBlocks(req)...))
	if err != nil {
		return fmt.Errorf("slack chat.postMessage to %s: %w", req.Channel, err)
	}
	return nil
}

var scheduleZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()

func approvalTitle(req *push.ApprovalRequest) string {
	return fmt.Sprintf("%s 마감 할인 푸시 %d건 승인 요청 (%s까지)", req.Store, len(req.Items), req.Deadline.In(scheduleZone).Format("15:04"))
}

// approvalBlocks lays out a request: the title, one line per item with
// its copy, and the buttons.
func approvalBlocks(req *push.ApprovalRequest) []slackgo.Block {
	md := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
	}
	plain := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
	}
	blocks := []slackgo.Block{slackgo.NewHeaderBlock(plain(approvalTitle(req)))}
	var b strings.Builder
	for i, it := range req.Items {
		if i == 20 {
			fmt.Fprintf(&b, "… 외 %d건\n", len(req.Items)-i)
			break
		}
		fmt.Fprintf(&b, "• *%s* — 예상 폐기율 %.1f%%, %d%% 할인\n   「%s」 %s\n", it.Product, it.EWR, it.DiscountPct, it.Headline, it.PushText)
	}
	blocks = append(blocks, slackgo.NewSectionBlock(md(b.String()), nil, nil))
	approve := slackgo.NewButtonBlockElement(push.ActionApprove, req.ID, plain("모두 승인"))
	approve.Style = slackgo.StylePrimary
	reject := slackgo.NewButtonBlockElement(push.ActionReject, req.ID, plain("모두 거절"))
	reject.Style = slackgo.StyleDanger
	blocks = append(blocks, slackgo.NewActionBlock("crumb_push_"+strings.ReplaceAll(req.ID, ":", "_"), approve, reject),
		slackgo.NewContextBlock("", md(fmt.Sprintf("%s까지 결정이 없으면 자동으로 처리됩니다 · %s", req.Deadline.In(scheduleZone).Format("15:04"), req.ID))))
	return blocks
}

func (a *app) pushCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "push", Short: "The push queue: list it, work on it, approve or reject pushes"}
	var (
		date, status string
		limit        int
		asJSON       bool
		by           string
	)
	ls := &cobra.Command{
		Use:   "ls",
		Short: "Show the push queue: counts by state and the rows",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			ps, closeStore, err := a.openPushStore(ctx)
			if err != nil {
				return err
			}
			defer closeStore()
			counts, err := ps.PushCounts(ctx, date)
			if err != nil {
				return err
			}
			var states []string
			if status != "" {
				states = strings.Split(status, ",")
			}
			jobs, err := ps.PushJobs(ctx, date, states, limit)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"counts": counts, "pushes": jobs})
			}
			var parts []string
			for _, s := range store.PushStates {
				if counts[s] > 0 {
					parts = append(parts, fmt.Sprintf("%s %d", s, counts[s]))
				}
			}
			if len(parts) == 0 {
				fmt.Fprintln(a.stdout, "the push queue is empty")
				return nil
			}
			fmt.Fprintln(a.stdout, strings.Join(parts, " · "))
			// printTable aligns Korean (two cells a character) with Latin text.
			t := tools.Table{Columns: []string{"ID", "DATE", "STORE", "PRODUCT", "STATUS", "ATTEMPTS", "COPY", "HEADLINE", "LAST ERROR"}}
			for _, j := range jobs {
				head := ""
				if len(j.Messages) > 0 {
					head = j.Messages[0].Headline
				}
				t.Rows = append(t.Rows, []any{j.ID, j.Date, j.StoreID, j.ProductID, j.Status, j.Attempts, len(j.Messages), head, clipText(j.LastError, 60)})
			}
			printTable(a.stdout, t)
			return nil
		},
	}
	ls.Flags().StringVar(&date, "date", "", "only this day (YYYY-MM-DD)")
	ls.Flags().StringVar(&status, "status", "", "only these states, comma separated (pending, generating, ready, awaiting_approval, sending, sent, failed, expired, rejected)")
	ls.Flags().IntVar(&limit, "limit", 30, "at most this many rows (0: all)")
	ls.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	run := &cobra.Command{
		Use:   "run",
		Short: "Work on the push queue once: copy, approval requests, delivery (what `crumb serve` does continuously)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			rt, err := a.start(ctx)
			if err != nil {
				return err
			}
			defer rt.Close()
			sys, err := a.newPushSystem(rt)
			if err != nil {
				return err
			}
			rep, err := sys.pipeline.Pass(ctx)
			if rep != nil {
				if werr := writeJSON(a.stdout, rep); werr != nil {
					return werr
				}
			}
			return err
		},
	}
	decide := func(approve bool) *cobra.Command {
		use, short := "approve", "Approve pushes awaiting approval: by id, or a whole request as STORE:DATE"
		if !approve {
			use, short = "reject", "Reject pushes awaiting approval: by id, or a whole request as STORE:DATE"
		}
		c := &cobra.Command{
			Use:   use + " ID|STORE:DATE...",
			Short: short,
			Args:  cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				ps, closeStore, err := a.openPushStore(ctx)
				if err != nil {
					return err
				}
				defer closeStore()
				p, err := push.NewPipeline(push.PipelineOptions{Store: ps, Copy: push.CopywriterFunc(func(context.Context, []push.CopyRequest) ([]push.CopyResult, error) {
					return nil, errors.New("not used")
				})})
				if err != nil {
					return err
				}
				action := push.ActionApprove
				if !approve {
					action = push.ActionReject
				}
				total := 0
				for _, arg := range args {
					value := arg
					if _, err := strconv.ParseInt(arg, 10, 64); err == nil {
						value = "push:" + arg
					}
					n, err := p.HandleApproval(ctx, action, value, "cli:"+by)
					if err != nil {
						return err
					}
					total += n
				}
				fmt.Fprintf(a.stdout, "%sd %d pushes\n", use, total)
				if total == 0 {
					return errors.New("no push changed: they are not awaiting approval (see `crumb push ls --status awaiting_approval`) or their deadline passed")
				}
				return nil
			},
		}
		c.Flags().StringVar(&by, "by", "staff", "who decides (recorded with the push)")
		return c
	}
	cmd.AddCommand(ls, run, decide(true), decide(false))
	return cmd
}

func clipText(s string, n int) string {
	r := []rune(strings.ReplaceAll(s, "\n", " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// printRun prints a run record.
func (a *app) printRun(r *store.Run, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, r)
	}
	took := ""
	if r.FinishedAt != nil {
		took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(a.stdout, "run %d of %s: %s in %s (%s)\n", r.ID, r.Job, r.Status, took, r.Cause)
	if r.Output != "" {
		var v any
		if json.Unmarshal([]byte(r.Output), &v) == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(a.stdout, string(b))
		} else {
			fmt.Fprintln(a.stdout, r.Output)
		}
	}
	if r.Error != "" {
		fmt.Fprintln(a.stdout, "error:", r.Error)
	}
	return nil
}
