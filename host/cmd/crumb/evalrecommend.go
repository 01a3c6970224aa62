package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() { evalCommands = append(evalCommands, (*app).evalRecommendCmd) }

// recommendImporters are the importers whose datasets have member baskets.
var recommendImporters = map[string]bool{"groceries": true, "onlineretail": true}

func (a *app) evalRecommendCmd() *cobra.Command {
	var (
		data    string
		asJSON  bool
		seed    uint64
		epochs  int
		dim     int
		lr, l2  float64
		dropout float64
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "recommend --data DIR",
		Short: "Evaluate the recommenders on real baskets (Groceries, UCI Online Retail): HR@10 and MRR@10",
		Long: "eval recommend imports each basket dataset in DIR (a dataset directory, or a directory of\n" +
			"them such as ../shared/data) into a temporary database and runs the recommend plugin's\n" +
			"evaluation: each member's last basket is left out of training, one of its items is held out\n" +
			"and the rest is the cart; HR@10 and MRR@10 for popularity, the guest model and the member\n" +
			"model in float32 and int8 (Go, and ONNX Runtime when CRUMB_ORT_LIB points at libonnxruntime).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return errors.New("--data is required: ../shared/data/groceries, ../shared/data/online_retail, or ../shared/data for both")
			}
			all, err := datasetsIn(data)
			if err != nil {
				return err
			}
			var sets []dataset
			for _, ds := range all {
				if recommendImporters[ds.importer] {
					sets = append(sets, ds)
				}
			}
			if len(sets) == 0 {
				return fmt.Errorf("no basket dataset in %s: eval recommend needs groceries or online_retail", data)
			}
			args, _ := json.Marshal(map[string]any{"seed": seed, "epochs": epochs, "dim": dim, "lr": lr, "l2": l2, "user_dropout": dropout})
			type result struct {
				Dataset    string          `json:"dataset"`
				Importer   string          `json:"importer"`
				Evaluation json.RawMessage `json:"evaluation"`
			}
			var results []result
			for _, ds := range sets {
				fmt.Fprintf(a.stderr, "%s: importing %s\n", ds.importer, ds.dir)
				res, err := a.runOnData(cmd.Context(), ds.importer, ds.dir, "recommend.evaluate", args, timeout, nil)
				if err != nil {
					return fmt.Errorf("%s: %w", ds.dir, err)
				}
				results = append(results, result{Dataset: filepath.Base(ds.dir), Importer: ds.importer, Evaluation: res.Output})
			}
			if asJSON {
				return writeJSON(a.stdout, results)
			}
			for _, r := range results {
				var ev struct {
					Protocol     string `json:"protocol"`
					Members      int    `json:"members"`
					Baskets      int    `json:"baskets"`
					Items        int    `json:"items"`
					Cases        int    `json:"cases"`
					KnownMembers int    `json:"known_members"`
					Scores       []struct {
						Method       string  `json:"method"`
						HR10         float64 `json:"hr10"`
						MRR10        float64 `json:"mrr10"`
						VsPopularity float64 `json:"vs_popularity"`
					} `json:"scores"`
					Int8SameTop10Go float64    `json:"int8_same_top10_go"`
					Int8Overlap10Go float64    `json:"int8_overlap10_go"`
					Gap10           [2]float64 `json:"gap10"`
					ONNX            struct {
						Runtime        string  `json:"runtime"`
						Skipped        string  `json:"skipped"`
						FloatMaxAbsErr float64 `json:"float_max_abs_err"`
						Int8MaxAbsErr  float64 `json:"int8_max_abs_err"`
						Int8SameTop10  float64 `json:"int8_same_top10"`
						Int8Overlap10  float64 `json:"int8_overlap10"`
						Level          string  `json:"level"`
					} `json:"onnx"`
					Train struct {
						Examples int     `json:"examples"`
						Loss     float64 `json:"loss"`
						Softmax  string  `json:"softmax"`
						Epochs   int     `json:"epochs"`
					} `json:"train"`
					GuestPrior float64 `json:"guest_prior"`
					Signal     struct {
						Shuffles int        `json:"shuffles"`
						Repeat   signalStat `json:"repeat"`
						Pairs    signalStat `json:"pairs"`
						Month    signalStat `json:"month"`
					} `json:"signal"`
					TrainSeconds float64 `json:"train_seconds"`
					Seconds      float64 `json:"seconds"`
					Selection    *struct {
						HR10   []float64 `json:"hr10_by_epoch"`
						Repeat struct {
							Weight float64 `json:"weight"`
							Decay  float64 `json:"decay"`
						} `json:"repeat"`
						RepeatHR10  float64 `json:"repeat_hr10"`
						RepeatZ     float64 `json:"repeat_z"`
						RepeatBestZ float64 `json:"repeat_best_z"`
					} `json:"epoch_selection"`
				}
				if err := json.Unmarshal(r.Evaluation, &ev); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "\n%s (%s): %d members, %d baskets, %d items; %d held-out items (%d of their members known to the member model)\n",
					r.Dataset, r.Importer, ev.Members, ev.Baskets, ev.Items, ev.Cases, ev.KnownMembers)
				fmt.Fprintf(a.stdout, "member model: %d epochs, %s softmax, %d examples in the last epoch, loss %.3f, %.1f s; whole evaluation %.1f s\n",
					ev.Train.Epochs, ev.Train.Softmax, ev.Train.Examples, ev.Train.Loss, ev.TrainSeconds, ev.Seconds)
				if sel := ev.Selection; sel != nil && len(sel.HR10) >= ev.Train.Epochs && ev.Train.Epochs > 0 {
					if sel.Repeat.Weight > 0 {
						fmt.Fprintf(a.stdout, "repeat-purchase blend (chosen on validation): weight %g, decay %g; validation HR@10 %.4f → %.4f (paired z %.1f)\n",
							sel.Repeat.Weight, sel.Repeat.Decay, sel.HR10[ev.Train.Epochs-1], sel.RepeatHR10, sel.RepeatZ)
					} else {
						fmt.Fprintf(a.stdout, "repeat-purchase blend: off (no blend passed validation; best paired z %.1f)\n", sel.RepeatBestZ)
					}
				}
				fmt.Fprintf(a.stdout, "guest model: co-purchase prior %g (chosen on validation; 0 = co-purchase as counted)\n", ev.GuestPrior)
				if sg := ev.Signal; sg.Shuffles > 0 {
					fmt.Fprintf(a.stdout, "what the history holds beyond popularity (real vs %d copies with the order lines' items shuffled):\n", sg.Shuffles)
					fmt.Fprintf(a.stdout, "  items bought again by the same member: %s\n", sg.Repeat)
					fmt.Fprintf(a.stdout, "  item pairs in one basket, χ² against chance: %s\n", sg.Pairs)
					fmt.Fprintf(a.stdout, "  items by month, mutual information: %s\n", sg.Month)
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "METHOD\tHR@10\tMRR@10\tVS POPULARITY (HR@10)")
				for _, s := range ev.Scores {
					fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%+.1f%%\n", s.Method, s.HR10, s.MRR10, s.VsPopularity*100)
				}
				tw.Flush()
				if ev.ONNX.Skipped != "" {
					fmt.Fprintf(a.stdout, "ONNX Runtime not checked: %s\n", ev.ONNX.Skipped)
				} else {
					fmt.Fprintf(a.stdout, "ONNX Runtime %s (optimisation %s), every score of every case: float32 max |ONNX − Go| %.2g; int8 max |ONNX − Go int8 reference| %.2g\n",
						ev.ONNX.Runtime, ev.ONNX.Level, ev.ONNX.FloatMaxAbsErr, ev.ONNX.Int8MaxAbsErr)
					fmt.Fprintf(a.stdout, "int8 vs float32 (ONNX): same top-10 set for %.1f%% of cases, %.1f%% of the top 10 shared on average\n",
						ev.ONNX.Int8SameTop10*100, ev.ONNX.Int8Overlap10*100)
				}
				fmt.Fprintf(a.stdout, "int8 vs float32 (Go): same top-10 set for %.1f%% of cases, %.1f%% shared; float score gap between the 10th and 11th item: p10 %.4f, p50 %.4f\n",
					ev.Int8SameTop10Go*100, ev.Int8Overlap10Go*100, ev.Gap10[0], ev.Gap10[1])
			}
			if len(results) > 0 {
				var ev struct {
					Protocol string `json:"protocol"`
				}
				json.Unmarshal(results[0].Evaluation, &ev)
				fmt.Fprintf(a.stdout, "\nprotocol: %s\n", strings.TrimSpace(ev.Protocol))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "basket dataset directory, or a directory of datasets")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the held-out items and of training")
	cmd.Flags().IntVar(&epochs, "epochs", 0, "member model epochs (default: the plugin's, 4)")
	cmd.Flags().IntVar(&dim, "dim", 0, "member model embedding size (default: the plugin's, 32)")
	cmd.Flags().Float64Var(&lr, "lr", 0, "member model Adagrad learning rate (default 0.05)")
	cmd.Flags().Float64Var(&l2, "l2", 0, "member model L2 penalty (default 1e-6)")
	cmd.Flags().Float64Var(&dropout, "user-dropout", 0, "share of member examples trained as the unknown member (default 0.1)")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Hour, "time limit per dataset")
	return cmd
}

// signalStat is a statistic of a basket history beside its shuffled copies (recommend.evaluate's
// signal).
type signalStat struct {
	Real     float64 `json:"real"`
	Shuffled float64 `json:"shuffled"`
	SD       float64 `json:"shuffled_sd"`
	Z        float64 `json:"z"`
}

func (s signalStat) String() string {
	lift := 0.0
	if s.Shuffled != 0 {
		lift = s.Real/s.Shuffled - 1
	}
	return fmt.Sprintf("%.4g vs %.4g ± %.2g (%+.0f %%, z %.1f)", s.Real, s.Shuffled, s.SD, 100*lift, s.Z)
}
