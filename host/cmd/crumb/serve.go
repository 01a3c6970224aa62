package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/tools"
)

const (
	version       = "0.1.0"
	toolsProtocol = tools.ProtocolVersion
)

func (a *app) serveCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Start the plugins and serve the chat API and UI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if listen != "" {
				a.cfg.Listen = listen
			}
			rt, err := a.start(ctx)
			if err != nil {
				return err
			}
			defer rt.Close()
			access, err := a.webAccess(ctx, rt)
			if err != nil {
				return err
			}
			defer access.close()
			pushes, err := a.startPush(ctx, rt)
			if err != nil {
				return err
			}
			defer pushes.stop()
			if access.adapter != nil {
				pushes.connectSlack(access.adapter, a.cfg.Slack) // approvals and reports go to Slack
			}
			srv := web.New(web.Options{Chat: rt.chat, Plugins: rt.plugins, Orders: rt.store, Logger: a.log, Registry: rt.registry,
				Auth: access.auth, Tokens: access.tokens, Limiter: access.limiter, Conversations: rt.store, Audit: rt.store, Pushes: rt.store,
				SessionTTL: a.cfg.Web.Session(), Slack: access.slack, Feed: pushes.feed})
			ln, err := net.Listen("tcp", a.cfg.Listen)
			if err != nil {
				return fmt.Errorf("listen on %s: %w (set listen in crumb.yaml or CRUMB_LISTEN)", a.cfg.Listen, err)
			}
			hs := &http.Server{
				Handler:           srv.Handler(),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				// Long enough for the slowest tool call and its answer.
				WriteTimeout: a.cfg.Plugins.CallTimeout + 30*time.Second,
				IdleTimeout:  2 * time.Minute,
			}
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			running := 0
			for _, p := range rt.plugins.Plugins() {
				if p.State == "running" {
					running++
				}
			}
			a.log.Info("crumb serving", "url", "http://"+ln.Addr().String(), "plugins", running, "tools", len(rt.plugins.Tools()), "database", a.dbName())
			access.announce(ctx, ln.Addr().String())
			select {
			case err := <-errc:
				if !errors.Is(err, http.ErrServerClosed) {
					return err
				}
			case <-ctx.Done():
			}
			a.log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return hs.Shutdown(sctx)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (default from config: localhost:8080)")
	return cmd
}
