package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/tools"
)

func (a *app) toolsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tools", Short: "List and call tools directly"}
	cmd.AddCommand(&cobra.Command{
		Use:   "ls",
		Short: "List the tools of the installed plugins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rt, err := a.start(cmd.Context())
			if err != nil {
				return err
			}
			defer rt.Close()
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TOOL\tPLUGIN\tDESCRIPTION")
			for _, t := range rt.plugins.Tools() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Plugin, t.Description)
			}
			return tw.Flush()
		},
	})
	var locale string
	call := &cobra.Command{
		Use:   "call TOOL [JSON-ARGS]",
		Short: `Call a tool with JSON arguments, e.g. crumb tools call stock_on_hand '{"store":"강남"}'`,
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw := json.RawMessage("{}")
			if len(args) == 2 {
				raw = json.RawMessage(args[1])
			}
			rt, err := a.start(cmd.Context())
			if err != nil {
				return err
			}
			defer rt.Close()
			id := obs.NewRequestID()
			res, err := rt.plugins.Invoke(tools.WithRequestID(cmd.Context(), id), &tools.Invocation{
				Tool: args[0], Args: raw,
				CallInfo: tools.CallInfo{RequestID: id, User: "cli", Locale: locale, Now: time.Now()},
			})
			if err != nil {
				return err
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(res)
		},
	}
	call.Flags().StringVar(&locale, "locale", "en", "locale of the display text: ko or en")
	cmd.AddCommand(call)
	return cmd
}
