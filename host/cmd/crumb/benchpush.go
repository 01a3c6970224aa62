package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/prompts"
)

func init() { benchCommands = append(benchCommands, (*app).benchPushCmd) }

// BenchPushStage is one stage of `crumb bench push`.
type BenchPushStage struct {
	Stage   string  `json:"stage"`
	Rows    int     `json:"rows"`
	Seconds float64 `json:"seconds"`
	PerSec  float64 `json:"per_second"`
	Note    string  `json:"note,omitempty"`
}

// BenchPushResult is the output of `crumb bench push --json`.
type BenchPushResult struct {
	Candidates   int                `json:"candidates"`
	Segments     []string           `json:"segments"`
	Stages       []BenchPushStage   `json:"stages"`
	TotalSeconds float64            `json:"total_seconds"`
	GoalSeconds  float64            `json:"goal_seconds"`
	WithinGoal   bool               `json:"within_goal"`
	Webhook      push.ReceiverStats `json:"webhook"`
	FeedEvents   int                `json:"feed_events"`
	Queue        map[string]int     `json:"queue"`
	CopyOutcomes map[string]int     `json:"copy_outcomes"`
	CPUs         int                `json:"cpus"`
}

func (a *app) benchPushCmd() *cobra.Command {
	var (
		asJSON  bool
		rows    int
		stores  int
		plugins string
	)
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Push 10,000 store × item candidates through enqueue → copy (template mode) → delivery to a local signed webhook and the feed",
		Long: "bench push writes its own database in a temporary directory (your data is not touched), starts\n" +
			"the plugins of plugins.dir (or --plugins) with the language model off, so that push_copy runs its\n" +
			"templates, and serves a webhook receiver on 127.0.0.1 that checks every signature and counts keys.\n" +
			"The seed's batch window is 17:00–17:30 with a 300 s limit; the goal is 30 s for 10,000 rows.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := a.benchPush(cmd.Context(), rows, stores, cmp.Or(plugins, a.cfg.Plugins.Dir))
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, res)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STAGE\tROWS\tSECONDS\tROWS/S\tNOTE")
			for _, s := range res.Stages {
				fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%s\n", s.Stage, s.Rows, s.Seconds, s.PerSec, s.Note)
			}
			fmt.Fprintf(tw, "total\t%d\t%.2f\t%.0f\tgoal ≤ %.0f s: %s\n", res.Candidates, res.TotalSeconds, float64(res.Candidates)/res.TotalSeconds, res.GoalSeconds, map[bool]string{true: "met", false: "MISSED"}[res.WithinGoal])
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "webhook: %d requests, %d unique keys, %d duplicates, %d rejected · feed: %d events · queue: %v · copy: %v · %d CPUs\n",
				res.Webhook.Requests, res.Webhook.Unique, res.Webhook.Duplicates, res.Webhook.Rejected, res.FeedEvents, res.Queue, res.CopyOutcomes, res.CPUs)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&rows, "rows", 10000, "candidate store × item rows")
	cmd.Flags().IntVar(&stores, "stores", 50, "stores the rows are spread over")
	cmd.Flags().StringVar(&plugins, "plugins", "", "plugin directory with push_copy (default plugins.dir)")
	return cmd
}

func (a *app) benchPush(ctx context.Context, rows, stores int, pluginDir string) (*BenchPushResult, error) {
	if rows < 1 || rows > 1_000_000 || stores < 1 || stores > rows {
		return nil, fmt.Errorf("--rows %d, --stores %d: want 1 ≤ stores ≤ rows ≤ 1,000,000", rows, stores)
	}
	dir, err := os.MkdirTemp("", "crumb-bench-push-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "bench.db"), store.WithLocation(a.cfg.Location()))
	if err != nil {
		return nil, err
	}
	defer st.Close()

	// Template mode: the generator with no provider renders the fallback
	// templates, checked like model output.
	texts, err := prompts.Load()
	if err != nil {
		return nil, err
	}
	llmCfg := a.cfg.LLM
	llmCfg.Provider = ""
	gen, err := llm.New(llmCfg, texts, llm.WithLogger(a.log), llm.WithRecorder(llm.StoreRecorder(st)))
	if err != nil {
		return nil, err
	}
	pc := a.pluginConfig(nil)
	pc.Dir = pluginDir
	pc.CallTimeout = 5 * time.Minute
	pc.HealthInterval = time.Hour
	pc.Generator = llm.Plugins{Generator: gen}
	host := pluginhost.New(pc, st)
	if err := host.Start(ctx); err != nil {
		return nil, err
	}
	defer host.Close()
	found := false
	for _, t := range host.Tools() {
		found = found || t.Name == push.CopyTool
	}
	if !found {
		return nil, fmt.Errorf("no plugin in %s has push_copy: build the campaign plugin (make plugins) or pass --plugins", pluginDir)
	}

	// The receiving end: a signed webhook on the loopback interface.
	secret := "bench-secret"
	recv := &push.Receiver{Secret: []byte(secret)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: recv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	settings, err := push.SettingsFrom(a.cfg.Schedule, a.cfg.Location())
	if err != nil {
		return nil, err
	}
	// The rows are tomorrow's, with the window open all day, so that none
	// expires while the benchmark runs whatever the hour.
	settings.WindowEnd, settings.Approval = 24*time.Hour, false
	day := time.Now().In(settings.Location).AddDate(0, 0, 1).Format("2006-01-02")
	feed := push.NewFeed(st, push.FeedOptions{Logger: a.log})
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := feed.Start(fctx); err != nil {
		return nil, err
	}
	p, err := push.NewPipeline(push.PipelineOptions{
		Store: st, Copy: &push.ToolCopywriter{Tools: host, Workers: settings.Workers},
		Channels: []push.Channel{push.NewWebhook("http://"+ln.Addr().String()+"/push", secret, 10*time.Second)},
		Feed:     feed, Logger: a.log, Settings: settings,
	})
	if err != nil {
		return nil, err
	}

	items := make([]store.PushItem, rows)
	perStore := (rows + stores - 1) / stores
	for i := range items {
		s, k := i/perStore, i%perStore
		pl, _ := json.Marshal(map[string]any{"ewr": 12.5 + float64(i%250)/10, "product": fmt.Sprintf("크루아상 %d", k+1),
			"product_en": fmt.Sprintf("Croissant %d", k+1), "store": fmt.Sprintf("매장 %d", s+1), "store_en": fmt.Sprintf("Store %d", s+1)})
		items[i] = store.PushItem{StoreID: fmt.Sprintf("S%03d", s+1), ProductID: fmt.Sprintf("P%05d", k+1), Date: day, Payload: pl}
	}
	res := &BenchPushResult{Candidates: rows, Segments: settings.Segments, GoalSeconds: 30, CPUs: goruntime.NumCPU()}
	msgs := rows * len(settings.Segments)
	stage := func(name string, n int, d time.Duration, note string) {
		res.Stages = append(res.Stages, BenchPushStage{Stage: name, Rows: n, Seconds: d.Seconds(), PerSec: float64(n) / d.Seconds(), Note: note})
		res.TotalSeconds += d.Seconds()
	}

	t0 := time.Now()
	created, err := st.EnqueuePush(ctx, items)
	if err != nil {
		return nil, err
	}
	stage("enqueue", created, time.Since(t0), "push_queue, once per (store, product, date)")

	t0 = time.Now()
	rep, err := p.CopyAll(ctx)
	if err != nil {
		return nil, err
	}
	if rep.Copied != rows {
		return nil, fmt.Errorf("copy: %d of %d rows written (%d failed); see `crumb push ls` in a real run for the errors", rep.Copied, rows, rep.CopyFailed)
	}
	stage("copy", msgs, time.Since(t0), "push_copy_batch through the plugin, template mode")

	t0 = time.Now()
	rep, err = p.DeliverAll(ctx)
	if err != nil {
		return nil, err
	}
	stage("deliver", rep.Deliveries, time.Since(t0), fmt.Sprintf("%d webhook POSTs (HMAC-signed) + %d feed events, recorded per key", rep.Deliveries-rep.FeedEvents, rep.FeedEvents))
	res.WithinGoal = res.TotalSeconds <= res.GoalSeconds

	res.Webhook = recv.Stats()
	res.FeedEvents = rep.FeedEvents
	if res.Queue, err = st.PushCounts(ctx, day); err != nil {
		return nil, err
	}
	res.CopyOutcomes = map[string]int{}
	jobs, err := st.PushJobs(ctx, day, nil, 0)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		for _, m := range j.Messages {
			res.CopyOutcomes[m.Outcome]++
		}
	}
	if res.Webhook.Unique != msgs || res.Webhook.Duplicates != 0 || res.FeedEvents != msgs || res.Queue[store.PushSent] != rows {
		return res, errors.New("bench push: not every message was delivered exactly once (see the counts)")
	}
	return res, nil
}
