package main

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/knowledge/eval"
)

func init() {
	evalCommands = append(evalCommands, (*app).evalKnowledgeCmd)
}

func (a *app) evalKnowledgeCmd() *cobra.Command {
	var (
		file     string
		dir      string
		embedder string
		k        int
		asJSON   bool
		misses   bool
	)
	cmd := &cobra.Command{
		Use:   "knowledge [--json] [--file F] [--embedder NAME]",
		Short: "Retrieval quality of the knowledge base: recall@k and MRR for vector, BM25 and hybrid search",
		Long: "eval knowledge ingests the corpus (the embedded one, or --dir) into a knowledge base in memory with\n" +
			"the configured embedder and searches every question of the set (the built-in\n" +
			"knowledge/eval/questions.tsv, or --file: a TSV with the header doc_ids<TAB>question, several\n" +
			"acceptable ids separated by |) in each mode. A question counts as found at rank r when one of\n" +
			"its documents is the r-th distinct document returned: recall@k and mean reciprocal rank (MRR).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			qs := eval.Builtin()
			if file != "" {
				f, err := os.Open(file)
				if err != nil {
					return err
				}
				qs, err = eval.Parse(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
			}
			kc, err := a.knowledgeConfig(embedder)
			if err != nil {
				return err
			}
			emb, closeEmb, err := newEmbedder(kc)
			if err != nil {
				return err
			}
			defer closeEmb()
			var src fs.FS = knowledge.Docs
			if dir != "" {
				src = os.DirFS(dir)
			}
			kb, err := knowledge.Open(ctx, knowledge.Options{Embedder: emb})
			if err != nil {
				return err
			}
			defer kb.Close()
			if _, err := kb.IngestFS(ctx, src); err != nil {
				return fmt.Errorf("ingest the corpus: %w", err)
			}
			rep, err := eval.Run(ctx, kb, qs, k)
			if err != nil {
				return err
			}
			if asJSON {
				if !misses {
					for i := range rep.Scores {
						rep.Scores[i].Misses = nil
					}
				}
				return writeJSON(a.stdout, rep)
			}
			langs := map[string]int{}
			for _, q := range qs {
				langs[q.Lang()]++
			}
			fmt.Fprintf(a.stdout, "%d questions (ko %d, en %d) over %d documents in %d chunks; embedder %s (dim %d)\n",
				rep.Questions(), langs["ko"], langs["en"], rep.Docs, rep.Chunks, rep.Embedder, rep.Dim)
			if len(rep.Skipped) > 0 {
				fmt.Fprintf(a.stdout, "%d questions skipped: none of their documents is in the corpus\n", len(rep.Skipped))
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "MODE\tRECALL@1\tRECALL@%d\tMRR\tKO R@%d\tEN R@%d\tP50 MS\tP99 MS\t\n", rep.K, rep.K, rep.K)
			for _, s := range rep.Scores {
				fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f\t\n", s.Mode, s.RecallAt1, s.RecallAtK, s.MRR,
					s.RecallAtKByLang["ko"], s.RecallAtKByLang["en"], s.LatencyP50, s.LatencyP99)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if misses {
				for _, s := range rep.Scores {
					for _, m := range s.Misses {
						rank := "not in the top 20"
						if m.Rank > 0 {
							rank = fmt.Sprintf("rank %d", m.Rank)
						}
						fmt.Fprintf(a.stdout, "%s miss: %q wants %s (%s); top: %s\n", s.Mode, m.Question, strings.Join(m.Expected, "|"), rank, strings.Join(m.Got, ", "))
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "question set TSV (default: the built-in knowledge/eval/questions.tsv)")
	cmd.Flags().StringVar(&dir, "dir", "", "corpus directory (default: the embedded corpus)")
	cmd.Flags().StringVar(&embedder, "embedder", "", "hash, openai, ollama or onnx (default: knowledge.embedder, else hash)")
	cmd.Flags().IntVar(&k, "k", 5, "the k of recall@k")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&misses, "misses", false, "list the questions each mode missed")
	return cmd
}
