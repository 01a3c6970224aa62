package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
)

func (a *app) pluginsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plugins", Short: "Show the plugins"}
	var asJSON bool
	var server string
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List plugins: version, tools, health, restarts",
		Long: "ls asks the running server (whose restart counts are meaningful) and, when none\n" +
			"is running, starts the plugins in this process to read their manifests.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if server == "" {
				server = "http://" + a.cfg.Listen
			}
			statuses, err := fetchPlugins(ctx, server, a.localToken())
			if err != nil {
				if statuses, err = a.localPlugins(ctx); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(statuses)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tVERSION\tSTATE\tHEALTH\tRESTARTS\tBREAKER\tTOOLS")
			for _, s := range statuses {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.Version, s.State, orDash(s.Health), s.Restarts, s.Breaker, strings.Join(s.Tools, ", "))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, s := range statuses {
				if s.LastError != "" && s.State != pluginhost.StateRunning {
					fmt.Fprintf(a.stdout, "%s: %s\n", s.Name, s.LastError)
				}
			}
			return nil
		},
	}
	ls.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	ls.Flags().StringVar(&server, "server", "", "server URL (default http://<listen> from config)")
	cmd.AddCommand(ls)
	return cmd
}

func fetchPlugins(ctx context.Context, server, token string) ([]pluginhost.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/v1/plugins", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token) // the token crumb serve left in the data directory
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var body struct {
		Plugins []pluginhost.Status `json:"plugins"`
	}
	return body.Plugins, json.Unmarshal(raw, &body)
}

func (a *app) localPlugins(ctx context.Context) ([]pluginhost.Status, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	h := pluginhost.New(a.pluginConfig(nil), store.Store(st))
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	defer h.Close()
	return h.Plugins(), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
