package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/importer"
	"github.com/crumb-dev/crumb/host/store"
)

func (a *app) importCmd() *cobra.Command {
	reg := importer.Default()
	return &cobra.Command{
		Use:   "import [NAME] DIR",
		Short: "Replace the database's datasets with a real data set read from DIR",
		Long: "Import reads the files of a known data set from DIR (gzip-compressed, or not) and\n" +
			"REPLACES every dataset in the database with it — stores, products, sales, weather,\n" +
			"holidays and the rest; the demo brand or an earlier import is deleted — in one\n" +
			"transaction, so a failed import leaves the old data in place. Conversations,\n" +
			"artifacts and the audit log are kept. Without NAME the format is recognised from\n" +
			"the file names in DIR.\n\n" +
			"Importers:\n" + reg.Help(),
		Example: "  crumb import ddop ../shared/data/ddop_bakery\n  crumb import ../shared/data/north_sea_bakery",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := args[len(args)-1]
			var name string
			if len(args) == 2 {
				name = args[0]
			} else {
				var err error
				if name, err = reg.Detect(dir); err != nil {
					return err
				}
			}
			imp, err := reg.Get(name)
			if err != nil {
				return fmt.Errorf("unknown importer %q: use one of\n%s", name, reg.Help())
			}

			t0 := time.Now()
			report, finish := progress(a.stderr, "read "+name+" (bytes)")
			data, err := imp.Import(ctx, dir, report)
			finish()
			if err != nil {
				return fmt.Errorf("import %s from %s: %w", name, dir, err)
			}
			read := time.Since(t0)

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
				return fmt.Errorf("write the %s data to %s: %w", name, a.dbName(), err)
			}
			printImportSummary(a.stdout, name, imp.Describe(), dir, a.dbName(), data, read, time.Since(t1))
			// Models trained on the previous data would answer about
			// stores and items that are gone: retrain them.
			return a.trainAll(ctx, st, time.Now().In(a.cfg.Location()))
		},
	}
}

// printImportSummary writes what an import replaced the datasets with.
func printImportSummary(w io.Writer, name, describe, dir, db string, d *store.Data, read, write time.Duration) {
	fmt.Fprintf(w, "%s: %s\n", name, describe)
	fmt.Fprintf(w, "replaced the datasets in %s with %d rows from %s (read in %s, written in %s):\n",
		db, d.Rows(), dir, read.Round(time.Millisecond), write.Round(time.Millisecond))
	for _, s := range importer.Spans(d) {
		line := fmt.Sprintf("  %-10s %8d", s.Dataset, s.Rows)
		if s.From != "" {
			line += fmt.Sprintf("  %s … %s", s.From, s.To)
		}
		fmt.Fprintln(w, line)
	}
}
