package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/store"
)

func init() { commands = append(commands, (*app).auditCmd) }

// auditCmd prints the audit log: who called which tool with which
// arguments, from every channel, and token changes.
func (a *app) auditCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log: who called which tool with which arguments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return errors.New("--limit: want at least 1")
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			log, ok := st.(store.AuditLog)
			if !ok {
				return fmt.Errorf("the database %s keeps no audit log", a.dbName())
			}
			es, err := log.Audit(cmd.Context(), limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tWHO\tROLE\tACTION\tARGS\tOUTCOME\tREQUEST")
			for _, e := range es {
				args := string(e.Args)
				if args == "" {
					args = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"), orDash(e.Actor), orDash(e.Role),
					e.Action, clipRunes(args, 60), clipRunes(e.Outcome, 60), orDash(e.RequestID))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "how many entries, newest first")
	return cmd
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
