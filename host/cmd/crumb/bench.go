package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure speed"}
	var (
		asJSON bool
		rows   int
		trees  int
		depth  int
	)
	fc := &cobra.Command{
		Use:   "forecast",
		Short: "Fit a random forest (100 trees, depth 12) on 100k rows × 13 features, through the forecast plugin",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			type run struct {
				MaxFeatures float64         `json:"max_features"`
				Result      json.RawMessage `json:"result"`
			}
			var runs []run
			for _, mf := range []float64{1.0, 0.33} {
				args, _ := json.Marshal(map[string]any{"rows": rows, "trees": trees, "depth": depth, "max_features": mf})
				fmt.Fprintf(a.stderr, "fitting %d trees of depth %d on %d rows, max_features %.2f …\n", trees, depth, rows, mf)
				res, err := a.callOnStore(cmd.Context(), st, "forecast.bench", args, time.Hour, time.Now())
				if err != nil {
					return err
				}
				var out struct {
					Result json.RawMessage `json:"result"`
				}
				if err := json.Unmarshal(res.Output, &out); err != nil {
					return err
				}
				runs = append(runs, run{MaxFeatures: mf, Result: out.Result})
			}
			if asJSON {
				return writeJSON(a.stdout, runs)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MAX_FEATURES\tFIT\tPREDICT/S (ONE)\tPREDICT/S (BATCH)\tHELD-OUT R²\tRMSE\tNODES")
			for _, r := range runs {
				var b struct {
					Fit   float64 `json:"fit_seconds"`
					One   float64 `json:"predict_per_second"`
					Batch float64 `json:"batch_per_second"`
					R2    float64 `json:"r2"`
					RMSE  float64 `json:"rmse"`
					Nodes int     `json:"nodes"`
				}
				if err := json.Unmarshal(r.Result, &b); err != nil {
					return err
				}
				fmt.Fprintf(tw, "%.2f\t%.2f s\t%.0f\t%.0f\t%.3f\t%.3f\t%d\n", r.MaxFeatures, b.Fit, b.One, b.Batch, b.R2, b.RMSE, b.Nodes)
			}
			return tw.Flush()
		},
	}
	fc.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	fc.Flags().IntVar(&rows, "rows", 100000, "training rows")
	fc.Flags().IntVar(&trees, "trees", 100, "trees")
	fc.Flags().IntVar(&depth, "depth", 12, "maximum depth")
	cmd.AddCommand(fc)
	for _, c := range benchCommands {
		cmd.AddCommand(c(a))
	}
	return cmd
}
