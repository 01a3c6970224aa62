package main

import (
	"encoding/json"
	"fmt"
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
			for _, r := range runs {
				fmt.Fprintf(a.stdout, "max_features %.2f: %s\n", r.MaxFeatures, r.Result)
			}
			return nil
		},
	}
	fc.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	fc.Flags().IntVar(&rows, "rows", 100000, "training rows")
	fc.Flags().IntVar(&trees, "trees", 100, "trees")
	fc.Flags().IntVar(&depth, "depth", 12, "maximum depth")
	cmd.AddCommand(fc)
	return cmd
}
