package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/knowledge"
)

func init() {
	commands = append(commands, (*app).knowledgeCmd)
	benchCommands = append(benchCommands, (*app).benchKnowledgeCmd)
}

// knowledgeConfig is the knowledge section with its defaults, the embedder
// overridden by a flag when one is given.
func (a *app) knowledgeConfig(embedder string) (config.Knowledge, error) {
	k := a.cfg.Knowledge
	if embedder != "" {
		k.Embedder = embedder
	}
	k = k.WithDefaults(a.cfg.DataDir)
	return k, k.Validate()
}

// newEmbedder makes the configured embedder; close releases it.
func newEmbedder(k config.Knowledge) (e knowledge.Embedder, close func(), err error) {
	cfg := knowledge.EmbedderConfig{Dim: k.Dim, BaseURL: k.BaseURL, Model: k.Model, ModelDir: k.ModelDir, ORTLib: k.ORTLib}
	if k.APIKeyEnv != "" {
		cfg.APIKey = os.Getenv(k.APIKeyEnv)
	}
	e, err = knowledge.NewEmbedder(k.Embedder, cfg)
	if err != nil {
		return nil, nil, err
	}
	close = func() {}
	if c, ok := e.(io.Closer); ok {
		close = func() { c.Close() }
	}
	return e, close, nil
}

func (a *app) knowledgeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "knowledge",
		Short: "Build and search the knowledge base (brand guides, policies, products, segments, stores, past events)",
		Long: "The knowledge base lives in knowledge.dir (default <data_dir>/knowledge). `ingest` fills it with the\n" +
			"demo brand's embedded corpus or a directory of Markdown documents; `search` asks it, in hybrid\n" +
			"(vector + BM25, the default), vector or bm25 mode, optionally scoped to collections and metadata.",
	}
	cmd.AddCommand(a.knowledgeIngestCmd(), a.knowledgeSearchCmd(), a.knowledgeListCmd())
	return cmd
}

func (a *app) knowledgeIngestCmd() *cobra.Command {
	var (
		dir      string
		reset    bool
		embedder string
	)
	cmd := &cobra.Command{
		Use:   "ingest [--dir DIR] [--reset] [--embedder NAME]",
		Short: "Ingest Markdown documents (default: the embedded corpus) into the knowledge base",
		Long: "ingest reads every *.md file (README.md excepted) with YAML front matter — id, title, collection\n" +
			"(default: the file's directory), doc_type, locale and free metadata — cuts it into chunks under its\n" +
			"headings, embeds them and stores them. A document with an id already stored replaces it.\n" +
			"--reset empties the knowledge base first; it is needed to change embedder.\n" +
			"The format: knowledge/docs/README.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.knowledgeConfig(embedder)
			if err != nil {
				return err
			}
			var src fs.FS = knowledge.Docs
			from := "the embedded corpus"
			if dir != "" {
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					return fmt.Errorf("--dir %s: not a directory of Markdown documents", dir)
				}
				src, from = os.DirFS(dir), dir
			}
			emb, closeEmb, err := newEmbedder(k)
			if err != nil {
				return err
			}
			defer closeEmb()
			start := time.Now()
			kb, err := knowledge.Open(cmd.Context(), knowledge.Options{Dir: k.Dir, Embedder: emb, Reset: reset})
			if err != nil {
				return err
			}
			defer kb.Close()
			var rep knowledge.IngestReport
			if dir == "" {
				// The embedded corpus is synced, so that its fingerprint is
				// recorded and documents it dropped go.
				rep, _, err = kb.SyncCorpus(cmd.Context(), src, true)
			} else {
				rep, err = kb.IngestFS(cmd.Context(), src)
			}
			if err != nil {
				return fmt.Errorf("ingest %s: %w", from, err)
			}
			cols := make([]string, 0, len(rep.Collections))
			for c, n := range rep.Collections {
				cols = append(cols, fmt.Sprintf("%s %d", c, n))
			}
			slices.Sort(cols)
			fmt.Fprintf(a.stdout, "ingested %d documents (%d chunks) from %s into %s with embedder %s (dim %d) in %.1f s\n",
				rep.Docs, rep.Chunks, from, k.Dir, emb.Name(), emb.Dim(), time.Since(start).Seconds())
			fmt.Fprintf(a.stdout, "collections: %s\n", strings.Join(cols, ", "))
			if rep.Removed > 0 {
				fmt.Fprintf(a.stdout, "removed %d documents the corpus no longer has\n", rep.Removed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of Markdown documents (default: the embedded corpus)")
	cmd.Flags().BoolVar(&reset, "reset", false, "empty the knowledge base first (needed to change embedder)")
	cmd.Flags().StringVar(&embedder, "embedder", "", "hash, openai, ollama or onnx (default: knowledge.embedder, else hash)")
	return cmd
}

// openKnowledge opens the configured knowledge base for reading.
func (a *app) openKnowledge(ctx context.Context, embedder string) (*knowledge.KB, func(), error) {
	k, err := a.knowledgeConfig(embedder)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(k.Dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no knowledge base at %s: build it with `crumb knowledge ingest`", k.Dir)
	}
	return openKB(ctx, k)
}

// openKB opens the knowledge base k describes with its embedder, creating
// it when absent; close releases both.
func openKB(ctx context.Context, k config.Knowledge) (*knowledge.KB, func(), error) {
	emb, closeEmb, err := newEmbedder(k)
	if err != nil {
		return nil, nil, err
	}
	kb, err := knowledge.Open(ctx, knowledge.Options{Dir: k.Dir, Embedder: emb})
	if err != nil {
		closeEmb()
		return nil, nil, err
	}
	return kb, func() { kb.Close(); closeEmb() }, nil
}

func (a *app) knowledgeSearchCmd() *cobra.Command {
	var (
		collections []string
		where       []string
		mode        string
		limit       int
		asJSON      bool
		distinct    bool
		embedder    string
	)
	cmd := &cobra.Command{
		Use:   "search [--collection C]… [--where KEY=VALUE]… [--mode hybrid|vector|bm25] [--json] QUERY",
		Short: "Search the knowledge base",
		Example: "  crumb knowledge search \"크루아상 알레르기\"\n" +
			"  crumb knowledge search --collection segments --where segment=vip \"VIP 고객 특징\"\n" +
			"  crumb knowledge search --mode bm25 --json \"how is EWR calculated?\"",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := map[string]string{}
			for _, kv := range where {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return fmt.Errorf("--where %q: want KEY=VALUE, such as segment=vip", kv)
				}
				w[k] = v
			}
			kb, done, err := a.openKnowledge(cmd.Context(), embedder)
			if err != nil {
				return err
			}
			defer done()
			if len(kb.Collections()) == 0 {
				return errors.New("the knowledge base is empty: fill it with `crumb knowledge ingest`")
			}
			hits, err := kb.Search(cmd.Context(), knowledge.Query{Text: strings.Join(args, " "), Collections: collections,
				Where: w, Mode: mode, Limit: limit, DistinctDocs: distinct})
			if err != nil {
				return err
			}
			if asJSON {
				if hits == nil {
					hits = []knowledge.Hit{}
				}
				return writeJSON(a.stdout, hits)
			}
			if len(hits) == 0 {
				fmt.Fprintln(a.stdout, "no hits")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tSCORE\tCOLLECTION\tDOCUMENT\tSECTION\tTEXT")
			for i, h := range hits {
				section := h.Title
				if h.Heading != "" {
					section += " > " + h.Heading
				}
				fmt.Fprintf(tw, "%d\t%.4f\t%s\t%s\t%s\t%s\n", i+1, h.Score, h.Collection, h.DocID, clip(section, 40), clip(h.Text, 60))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringSliceVar(&collections, "collection", nil, "collection to search (repeatable; default all)")
	cmd.Flags().StringArrayVar(&where, "where", nil, "metadata filter KEY=VALUE (repeatable; all must match)")
	cmd.Flags().StringVar(&mode, "mode", knowledge.ModeHybrid, "hybrid, vector or bm25")
	cmd.Flags().IntVar(&limit, "limit", 5, "number of hits")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the hits as JSON")
	cmd.Flags().BoolVar(&distinct, "distinct", false, "one hit per document")
	cmd.Flags().StringVar(&embedder, "embedder", "", "the embedder the knowledge base was built with (default: knowledge.embedder, else hash)")
	return cmd
}

func (a *app) knowledgeListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the knowledge base's collections",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kb, done, err := a.openKnowledge(cmd.Context(), "")
			if err != nil {
				return err
			}
			defer done()
			cols := kb.Collections()
			if asJSON {
				if cols == nil {
					cols = []knowledge.CollectionInfo{}
				}
				return writeJSON(a.stdout, cols)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COLLECTION\tDOCUMENTS\tCHUNKS")
			for _, c := range cols {
				fmt.Fprintf(tw, "%s\t%d\t%d\n", c.Name, c.Docs, c.Chunks)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// chromemPublished are chromem-go's own exhaustive-search figures (its
// README: documents of 1536 dimensions, one query, on a laptop CPU).
var chromemPublished = map[int]string{1000: "0.52", 25000: "~10", 100000: "39.5"}

func (a *app) benchKnowledgeCmd() *cobra.Command {
	var (
		sizes    []int
		queries  int
		asJSON   bool
		embedder string
	)
	cmd := &cobra.Command{
		Use:   "knowledge [--sizes 1000,10000,100000] [--queries 200] [--json]",
		Short: "Knowledge base speed: ingest throughput and search latency at 1k, 10k and 100k chunks",
		Long: "bench knowledge builds knowledge bases in memory of synthetic chunks (sentences of the embedded\n" +
			"corpus recombined, seeded) with the configured embedder (hash by default), and times ingest and\n" +
			"searches in each mode, plus a hybrid search scoped to one collection and one segment. chromem-go's\n" +
			"published exhaustive-search times are shown beside the vector arm.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.knowledgeConfig(embedder)
			if err != nil {
				return err
			}
			emb, closeEmb, err := newEmbedder(k)
			if err != nil {
				return err
			}
			defer closeEmb()
			res, err := knowledge.Bench(cmd.Context(), knowledge.BenchOptions{Sizes: sizes, Queries: queries, Embedder: emb,
				Progress: func(s string) { fmt.Fprintln(a.stderr, s) }})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"embedder": emb.Name(), "dim": emb.Dim(), "results": res})
			}
			fmt.Fprintf(a.stdout, "embedder %s (dim %d); latency per search in ms, query embedding included\n", emb.Name(), emb.Dim())
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "CHUNKS\tINGEST CHUNKS/S\tMODE\tP50\tP99\tMEAN\tCHROMEM-GO PUBLISHED\t")
			for _, r := range res {
				for i, l := range r.Latency {
					ingest, pub := "", ""
					if i == 0 {
						ingest = fmt.Sprintf("%.0f", r.ChunksPerSecond)
					}
					if l.Mode == knowledge.ModeVector {
						pub = chromemPublished[r.Chunks]
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t\n", r.Chunks, ingest, l.Mode, l.P50, l.P99, l.Mean, pub)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntSliceVar(&sizes, "sizes", []int{1000, 10000, 100000}, "numbers of chunks")
	cmd.Flags().IntVar(&queries, "queries", 200, "searches per mode and size")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&embedder, "embedder", "", "hash, openai, ollama or onnx (default: knowledge.embedder, else hash)")
	return cmd
}

// clip shortens s to n characters on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
