package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/demo"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/tools"
)

func (a *app) demoCmd() *cobra.Command {
	var (
		today string
		train bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Write the deterministic demo brand into the database",
		Long: "Demo generates the demo bakery chain (stores, products, a year of production and\n" +
			"sales, today's stock, weather, members and their orders) and replaces the\n" +
			"database's datasets with it. The same seed and day give the same data.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			loc := a.cfg.Location()
			day := time.Now().In(loc)
			if today != "" {
				t, err := time.ParseInLocation("2006-01-02", today, loc)
				if err != nil {
					return fmt.Errorf("--today %q: want YYYY-MM-DD", today)
				}
				day = t
			}
			dc := demo.Config{Seed: a.cfg.Demo.Seed, Today: day, Days: a.cfg.Demo.Days, Customers: a.cfg.Demo.Customers}
			t0 := time.Now()
			report, finish := progress(a.stderr, "generate")
			data, err := demo.Generate(dc, report)
			finish()
			if err != nil {
				return err
			}
			gen := time.Since(t0)
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			t1 := time.Now()
			report, finish = progress(a.stderr, "write")
			err = st.Replace(ctx, data, report)
			finish()
			if err != nil {
				return fmt.Errorf("write demo data: %w", err)
			}
			fmt.Fprintf(a.stdout, "demo brand written to %s (seed %d, today %s): %d stores, %d products, %d sales rows, %d stock snapshots, %d customers, %d orders — generated in %s, written in %s\n",
				a.dbName(), dc.Seed, day.Format("2006-01-02"), len(data.Stores), len(data.Products), len(data.Sales), len(data.Stock),
				len(data.Customers), len(data.Orders), gen.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
			if !train {
				return nil
			}
			return a.trainAll(ctx, st, day)
		},
	}
	cmd.Flags().BoolVar(&train, "train", true, "train every plugin's models (their train tools) on the new data")
	cmd.Flags().Uint64Var(&a.cfg.Demo.Seed, "seed", 42, "random seed")
	cmd.Flags().StringVar(&today, "today", "", "the demo's today, YYYY-MM-DD (default: today in the brand's time zone)")
	return cmd
}

// trainAll calls every plugin's train tool on st, as of the given day.
func (a *app) trainAll(ctx context.Context, st store.Store, day time.Time) error {
	cfg := a.pluginConfig(nil)
	cfg.CallTimeout = 30 * time.Minute
	cfg.HealthInterval = time.Hour
	// Models publish what they learn (segment profiles) to the knowledge base.
	kb, closeKB, err := a.syncKnowledge(ctx)
	if err != nil {
		return err
	}
	defer closeKB()
	cfg.Knowledge = knowledge.Plugins{KB: kb}
	h := pluginhost.New(cfg, st)
	if err := h.Start(ctx); err != nil {
		return err
	}
	defer h.Close()
	// Train as of the demo's today at noon, so that "yesterday" is the last
	// day of demo sales.
	now := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, day.Location())
	for _, t := range h.Tools() {
		if t.Name != "train" {
			continue
		}
		t0 := time.Now()
		id := obs.NewRequestID()
		res, err := h.Invoke(tools.WithRequestID(ctx, id), &tools.Invocation{Tool: t.ID, Args: json.RawMessage(`{}`),
			CallInfo: tools.CallInfo{RequestID: id, User: "cli", Locale: "en", Now: now}})
		switch {
		case err != nil:
			return fmt.Errorf("train %s: %w", t.Plugin, err)
		case res.Failure != "":
			return fmt.Errorf("train %s: %s", t.Plugin, res.Failure)
		}
		text := ""
		if res.Display != nil {
			text = res.Display.Text
		}
		fmt.Fprintf(a.stdout, "%s: %s (%s)\n", t.ID, text, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}
