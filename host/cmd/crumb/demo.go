package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/demo"
)

func (a *app) demoCmd() *cobra.Command {
	var today string
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
				a.cfg.DatabaseURL, dc.Seed, day.Format("2006-01-02"), len(data.Stores), len(data.Products), len(data.Sales), len(data.Stock),
				len(data.Customers), len(data.Orders), gen.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().Uint64Var(&a.cfg.Demo.Seed, "seed", 42, "random seed")
	cmd.Flags().StringVar(&today, "today", "", "the demo's today, YYYY-MM-DD (default: today in the brand's time zone)")
	return cmd
}
