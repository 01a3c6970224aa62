package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/tools"
)

func init() { evalCommands = append(evalCommands, (*app).evalIntentCmd) }

func (a *app) evalIntentCmd() *cobra.Command {
	var (
		file          string
		asJSON        bool
		repeat        int
		manifests     string
		saveManifests string
	)
	cmd := &cobra.Command{
		Use:   "intent --file F",
		Short: "Measure the intent classifier on a labelled TSV (intent<TAB>utterance)",
		Long: "eval intent starts the plugins (as `crumb ask --local` does) to learn their intents, reads the\n" +
			"store and product names from the database, classifies every utterance of F without context\n" +
			"and reports accuracy, per-intent precision and recall, the confusion matrix, calibration and\n" +
			"the latency of one classification.\n\n" +
			"  crumb eval intent --file host/intent/testdata/heldout.tsv\n" +
			"  crumb eval intent --file my.tsv --json\n\n" +
			"F starts with the header line \"intent<TAB>utterance\". Labels are canonical intents (waste_forecast,\n" +
			"knowledge_qa, …: scored by the canonical intent of each answer) or include plugins' finer intents\n" +
			"(stock_lookup, product_info, store_clusters: the whole file is then scored at the finer intents).\n" +
			"--manifests FILE reads the plugins' manifests from a JSON array (as written by --save-manifests)\n" +
			"instead of starting them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("--file is required: a TSV with the header \"intent<TAB>utterance\", e.g. host/intent/testdata/dev.tsv")
			}
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			items, err := intent.ReadTSV(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			ctx := cmd.Context()
			mans, cat, err := a.intentInputs(ctx, manifests)
			if err != nil {
				return err
			}
			if saveManifests != "" {
				raw, _ := json.MarshalIndent(mans, "", "  ")
				if err := os.WriteFile(saveManifests, raw, 0o644); err != nil {
					return err
				}
			}
			c, err := intent.New(intent.Options{Manifests: mans, Catalog: cat, Location: a.cfg.Location(), Now: time.Now})
			if err != nil {
				return err
			}
			rep := intent.Evaluate(ctx, c, items, repeat)
			if asJSON {
				return writeJSON(a.stdout, struct {
					File      string   `json:"file"`
					Plugins   []string `json:"plugins"`
					Stores    int      `json:"stores"`
					Products  int      `json:"products"`
					Examples  int      `json:"examples"`
					Intents   []string `json:"intents"`
					NoLLM     bool     `json:"no_llm"`
					Evaluated *intent.Report
				}{file, pluginNames(mans), len(cat.Stores), len(cat.Products), countExamples(c), intentNames(c), true, rep})
			}
			fmt.Fprintf(a.stdout, "%s: %d utterances; plugins %v; %d stores, %d products; %d intents, %d examples; no LLM\n",
				file, len(items), pluginNames(mans), len(cat.Stores), len(cat.Products), len(c.Intents()), countExamples(c))
			return rep.WriteText(a.stdout)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "labelled TSV: header \"intent<TAB>utterance\", then one utterance a line")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&repeat, "repeat", 5, "timed classifications of each utterance")
	cmd.Flags().StringVar(&manifests, "manifests", "", "read the plugins' manifests from this JSON file instead of starting the plugins")
	cmd.Flags().StringVar(&saveManifests, "save-manifests", "", "write the manifests used to this JSON file")
	return cmd
}

// intentInputs gathers what the classifier learns from: the manifests of
// the plugins (started like `crumb ask --local` does, or read from a file)
// and the store and product names in the database. Either may be missing:
// the classifier then works with what it has, and says so.
func (a *app) intentInputs(ctx context.Context, manifestFile string) ([]tools.Manifest, intent.Catalog, error) {
	var cat intent.Catalog
	var mans []tools.Manifest
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, cat, err
	}
	defer st.Close()
	stores, err1 := st.ListStores(ctx)
	products, err2 := st.ListProducts(ctx)
	if err := errors.Join(err1, err2); err != nil || len(stores)+len(products) == 0 {
		fmt.Fprintf(a.stderr, "note: no stores or products in %s (run `crumb demo`): store and product names are not recognised\n", a.dbName())
	} else {
		cat = intent.Catalog{Stores: stores, Products: products}
	}
	if manifestFile != "" {
		raw, err := os.ReadFile(manifestFile)
		if err != nil {
			return nil, cat, err
		}
		if err := json.Unmarshal(raw, &mans); err != nil {
			return nil, cat, fmt.Errorf("%s: %w", manifestFile, err)
		}
		return mans, cat, nil
	}
	h := pluginhost.New(a.pluginConfig(nil), st)
	if err := h.Start(ctx); err != nil {
		fmt.Fprintf(a.stderr, "note: plugins not started (%v): only the host's own examples are learnt, so intents only plugins declare (stock_lookup, product_info, …) are unknown\n", err)
		return nil, cat, nil
	}
	defer h.Close()
	mans = h.Manifests()
	if len(mans) == 0 {
		fmt.Fprintf(a.stderr, "note: no plugin started from %s (run `make plugins`): only the host's own examples are learnt\n", a.cfg.Plugins.Dir)
	}
	return mans, cat, nil
}

func pluginNames(mans []tools.Manifest) []string {
	names := []string{}
	for _, m := range mans {
		names = append(names, m.Name)
	}
	return names
}

func intentNames(c *intent.Classifier) []string {
	var out []string
	for _, d := range c.Intents() {
		out = append(out, d.Name)
	}
	return out
}

func countExamples(c *intent.Classifier) int { return c.NumExamples() }
