package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/store"
)

func init() { commands = append(commands, (*app).recommendCmd) }

func (a *app) recommendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "recommend", Short: "Train the recommendation models and publish bundles for crumb-edge"}
	var (
		full    bool
		epochs  int
		asJSON  bool
		timeout time.Duration
	)
	train := &cobra.Command{
		Use:   "train",
		Short: "Update the guest model with every basket and fine-tune the member model; publish a new bundle",
		Long: "recommend train calls the recommend plugin's train tool on the configured database: the guest\n" +
			"model is rebuilt from every basket (today's included), the member model is fine-tuned from its\n" +
			"previous weights on the baskets since the last training (--full retrains it from scratch), both\n" +
			"ONNX graphs are exported, and the new bundle is served at GET /v1/models/recommend/latest.\n" +
			"Run it daily (cron, or the scheduler).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			args, _ := json.Marshal(map[string]any{"full": full, "epochs": epochs})
			res, err := a.callOnStore(cmd.Context(), st, "recommend.train", args, timeout, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, json.RawMessage(res.Output))
			}
			if res.Display != nil {
				fmt.Fprintln(a.stdout, res.Display.Text)
			}
			var out struct {
				SHA256 string `json:"sha256"`
				Files  []struct {
					Name   string `json:"name"`
					Size   int64  `json:"size"`
					SHA256 string `json:"sha256"`
				} `json:"files"`
			}
			if err := json.Unmarshal(res.Output, &out); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FILE\tBYTES\tSHA256")
			for _, f := range out.Files {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", f.Name, f.Size, f.SHA256[:16]+"…")
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "bundle sha256 %s (the ETag of GET /v1/models/recommend/latest)\n", out.SHA256)
			return nil
		},
	}
	train.Flags().BoolVar(&full, "full", false, "retrain the member model from scratch")
	train.Flags().IntVar(&epochs, "epochs", 0, "epochs of a full training (default: the plugin's, 4)")
	train.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	train.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "time limit")

	var outPath string
	export := &cobra.Command{
		Use:   "bundle -o FILE",
		Short: "Write the latest published bundle to a file (to copy onto an edge device by hand)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if outPath == "" {
				return errors.New("-o is required: the file to write the bundle (.tar.gz) to")
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			art, err := st.GetArtifact(cmd.Context(), "recommend", "bundle", 0)
			if errors.Is(err, store.ErrNotFound) {
				return errors.New("no bundle has been published yet: run `crumb recommend train` first")
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(outPath, art.Data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote bundle version %d (%d bytes, %s) to %s\n", art.Version, len(art.Data), art.CreatedAt.Format(time.RFC3339), outPath)
			return nil
		},
	}
	export.Flags().StringVarP(&outPath, "out", "o", "", "file to write")
	cmd.AddCommand(train, export)
	return cmd
}
