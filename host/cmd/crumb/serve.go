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
			srv := web.New(web.Options{Chat: rt.chat, Plugins: rt.plugins, Orders: rt.store, Logger: a.log, Registry: rt.registry})
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
			fmt.Fprintf(a.stderr, "Crumb is serving on http://%s — try:\n  curl -d '{\"text\":\"what is in stock at Hongdae?\"}' http://%s/v1/chat\n", ln.Addr(), ln.Addr())
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
