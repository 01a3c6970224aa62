package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/importer"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

func (a *app) evalCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "eval", Short: "Evaluate models on real data"}
	var (
		data    string
		asJSON  bool
		origins int
		horizon int
		trees   int
		depth   int
		minLeaf int
		maxFeat float64
		timeout time.Duration
	)
	fc := &cobra.Command{
		Use:   "forecast --data DIR",
		Short: "Rolling-origin backtest of the demand forecast on real bakery data",
		Long: "eval forecast imports each dataset found in DIR (a dataset directory, or a directory of\n" +
			"them such as ../shared/data) into a temporary database, and runs the forecast plugin's\n" +
			"backtest: weekly origins, a 7-day horizon, WAPE and MASE for the random forest, seasonal\n" +
			"naive, the 4-week same-weekday mean and exponential smoothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return errors.New("--data is required: a dataset directory such as ../shared/data/ddop_bakery, or ../shared/data for all")
			}
			sets, err := datasetsIn(data)
			if err != nil {
				return err
			}
			args, _ := json.Marshal(map[string]any{"origins": origins, "horizon": horizon, "trees": trees,
				"depth": depth, "min_leaf": minLeaf, "max_features": maxFeat})
			type result struct {
				Dataset  string          `json:"dataset"`
				Importer string          `json:"importer"`
				Backtest json.RawMessage `json:"backtest"`
			}
			var results []result
			for _, ds := range sets {
				fmt.Fprintf(a.stderr, "%s: importing %s\n", ds.importer, ds.dir)
				res, err := a.runOnData(cmd.Context(), ds.importer, ds.dir, "forecast.backtest", args, timeout, nil)
				if err != nil {
					return fmt.Errorf("%s: %w", ds.dir, err)
				}
				results = append(results, result{Dataset: filepath.Base(ds.dir), Importer: ds.importer, Backtest: res.Output})
			}
			if asJSON {
				return writeJSON(a.stdout, results)
			}
			for _, r := range results {
				var bt struct {
					Series  int      `json:"series"`
					Origins []string `json:"origins"`
					Horizon int      `json:"horizon"`
					Points  int      `json:"points"`
					Scores  []struct {
						Method  string  `json:"method"`
						WAPE    float64 `json:"wape"`
						MASE    float64 `json:"mase"`
						VsNaive float64 `json:"vs_naive"`
					} `json:"scores"`
					FitSeconds float64 `json:"fit_seconds"`
					Seconds    float64 `json:"seconds"`
				}
				if err := json.Unmarshal(r.Backtest, &bt); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "\n%s (%s): %d series, %d weekly origins %s … %s, horizon %d days, %d points, %.0f s\n",
					r.Dataset, r.Importer, bt.Series, len(bt.Origins), bt.Origins[0], bt.Origins[len(bt.Origins)-1], bt.Horizon, bt.Points, bt.Seconds)
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "METHOD\tWAPE\tMASE\tVS SEASONAL NAIVE")
				for _, s := range bt.Scores {
					fmt.Fprintf(tw, "%s\t%.1f%%\t%.3f\t%+.1f%%\n", s.Method, s.WAPE*100, s.MASE, s.VsNaive*100)
				}
				tw.Flush()
			}
			return nil
		},
	}
	fc.Flags().StringVar(&data, "data", "", "dataset directory, or a directory of datasets")
	fc.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	fc.Flags().IntVar(&origins, "origins", 8, "weekly forecast origins")
	fc.Flags().IntVar(&horizon, "horizon", 7, "days forecast from each origin")
	fc.Flags().IntVar(&trees, "trees", 100, "trees per forest")
	fc.Flags().IntVar(&depth, "depth", 12, "maximum tree depth")
	fc.Flags().IntVar(&minLeaf, "min-leaf", 0, "minimum rows per leaf (default: the plugin's, rows/1500 between 5 and 100)")
	fc.Flags().Float64Var(&maxFeat, "max-features", 0, "share of features tried at each split (default: the plugin's, 0.7)")
	fc.Flags().DurationVar(&timeout, "timeout", time.Hour, "time limit per dataset")
	cmd.AddCommand(fc, a.evalSegmentCmd())
	for _, c := range evalCommands {
		cmd.AddCommand(c(a))
	}
	return cmd
}

func (a *app) evalSegmentCmd() *cobra.Command {
	var (
		data    string
		asJSON  bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "segment --data DIR",
		Short: "Evaluate the customer segmentation on real orders (UCI Online Retail)",
		Long: "eval segment imports the orders in DIR (../shared/data/online_retail) into a temporary\n" +
			"database and runs the segment plugin's evaluation as of the day after the last order:\n" +
			"BIC curve, chosen k, the segments, stability across seeds, the VIP profile and K-Means\n" +
			"(k = 5) beside the Gaussian mixture.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return errors.New("--data is required, e.g. ../shared/data/online_retail")
			}
			name, err := importer.Detect(data)
			if err != nil {
				return err
			}
			lastOrder := func(d *store.Data) time.Time {
				var last time.Time
				for _, o := range d.Orders {
					if o.At.After(last) {
						last = o.At
					}
				}
				return last.Add(24 * time.Hour)
			}
			res, err := a.runOnData(cmd.Context(), name, data, "segment.evaluate", json.RawMessage(`{}`), timeout, lastOrder)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, json.RawMessage(res.Output))
			}
			if res.Display != nil {
				fmt.Fprintln(a.stdout, res.Display.Text)
				for _, t := range res.Display.Tables {
					fmt.Fprintln(a.stdout)
					printTable(a.stdout, t)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "orders dataset directory")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "time limit")
	return cmd
}

type dataset struct{ importer, dir string }

// datasetsIn finds the datasets in dir: dir itself when an importer
// recognises it, else its subdirectories that one recognises.
func datasetsIn(dir string) ([]dataset, error) {
	if name, err := importer.Detect(dir); err == nil {
		return []dataset{{name, dir}}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []dataset
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if name, err := importer.Detect(sub); err == nil {
			out = append(out, dataset{name, sub})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no dataset recognised in %s (importers: %s)", dir, strings.Join(importer.Default().Names(), ", "))
	}
	return out, nil
}

// runOnData imports a dataset into a temporary database, starts the plugins
// on it and calls one tool with a long time limit. asOf, when not nil,
// chooses the call's "now" from the data (historical data has its own).
func (a *app) runOnData(ctx context.Context, imp, dir, tool string, args json.RawMessage, timeout time.Duration, asOf func(*store.Data) time.Time) (*tools.Result, error) {
	report, finish := progress(a.stderr, "import "+imp)
	data, err := importer.Load(ctx, imp, dir, report)
	finish()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "crumb-eval-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	st, err := store.Open(ctx, filepath.Join(tmp, "eval.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Replace(ctx, data, nil); err != nil {
		return nil, fmt.Errorf("load %s: %w", imp, err)
	}
	now := time.Now()
	if asOf != nil {
		now = asOf(data)
	}
	return a.callOnStore(ctx, st, tool, args, timeout, now)
}

// callOnStore starts the plugins on st and calls one tool.
func (a *app) callOnStore(ctx context.Context, st store.Store, tool string, args json.RawMessage, timeout time.Duration, now time.Time) (*tools.Result, error) {
	cfg := a.pluginConfig(nil)
	cfg.CallTimeout = timeout
	cfg.HealthInterval = timeout // long calls keep the plugin busy
	h := pluginhost.New(cfg, st)
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	defer h.Close()
	id := obs.NewRequestID()
	res, err := h.Invoke(tools.WithRequestID(ctx, id), &tools.Invocation{Tool: tool, Args: args,
		CallInfo: tools.CallInfo{RequestID: id, User: "cli", Locale: "en", Now: now}})
	if err != nil {
		return nil, err
	}
	if res.Failure != "" {
		return nil, errors.New(res.Failure)
	}
	return res, nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
