package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/tools"
)

func (a *app) askCmd() *cobra.Command {
	var (
		asJSON       bool
		server       string
		local        bool
		locale       string
		conversation string
		charts       string
	)
	cmd := &cobra.Command{
		Use:   `ask "question"`,
		Short: "Ask a question, through the running server or in process",
		Long: "Ask sends the question to the server at --server when one is running, and otherwise\n" +
			"starts the plugins in this process to answer it.\n\n" +
			"  crumb ask \"강남점 크루아상 재고 몇 개야?\"\n  crumb ask --json \"what is in stock at Hongdae?\"",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			req := web.ChatRequest{Text: strings.Join(args, " "), Locale: locale, ConversationID: conversation, User: "cli"}
			var reply *chat.Reply
			var err error
			if !local {
				if server == "" {
					server = "http://" + a.cfg.Listen
				}
				reply, err = askServer(ctx, server, a.localToken(), &req)
				if errors.Is(err, errNoServer) {
					local = true
				} else if err != nil {
					return err
				}
			}
			if local {
				if reply, err = a.askLocal(ctx, &req); err != nil {
					return err
				}
			}
			if charts != "" {
				if err := writeCharts(a.stdout, charts, reply); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(reply)
			}
			printReply(a.stdout, reply)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole reply as JSON")
	cmd.Flags().StringVar(&server, "server", "", "server URL (default http://<listen> from config)")
	cmd.Flags().BoolVar(&local, "local", false, "answer in this process even if a server is running")
	cmd.Flags().StringVar(&locale, "locale", "", "answer in ko or en (default: the question's language)")
	cmd.Flags().StringVar(&conversation, "conversation", "", "continue this conversation id")
	cmd.Flags().StringVar(&charts, "charts", "", "write the answer's charts as PNG files into this directory")
	return cmd
}

var errNoServer = errors.New("no server")

func askServer(ctx context.Context, server, token string, req *web.ChatRequest) (*chat.Reply, error) {
	body, _ := json.Marshal(req)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(server, "/")+"/v1/chat", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", server, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+token) // the token crumb serve left in the data directory
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(hreq)
	if err != nil {
		var opErr *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &opErr) && opErr.Op == "dial") {
			return nil, errNoServer
		}
		return nil, fmt.Errorf("ask %s: %w", server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			return nil, errors.New(e.Error.Message)
		}
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	var reply chat.Reply
	if err := json.Unmarshal(raw, &reply); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	return &reply, nil
}

func (a *app) askLocal(ctx context.Context, req *web.ChatRequest) (*chat.Reply, error) {
	// Keep the answer readable: only warnings from the machinery.
	if a.cfg.Log.Level == "info" || a.cfg.Log.Level == "debug" {
		a.log = obs.NewLogger(a.stderr, "warn", a.cfg.Log.Format)
	}
	rt, err := a.start(ctx)
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	id := obs.NewRequestID()
	return rt.chat.Handle(tools.WithRequestID(ctx, id), &chat.Turn{
		RequestID: id, User: req.User, Channel: "cli", ConversationID: req.ConversationID, Locale: req.Locale, Text: req.Text,
	})
}

func printReply(w io.Writer, r *chat.Reply) {
	fmt.Fprintln(w, r.Text)
	if r.Blocks == nil {
		return
	}
	for _, t := range r.Blocks.Tables {
		fmt.Fprintln(w)
		printTable(w, t)
	}
	for _, c := range r.Blocks.Charts {
		fmt.Fprintf(w, "\n[chart: %s — see --charts DIR, --json or the web UI]\n", c.Title)
	}
	for _, c := range r.Blocks.Cards {
		fmt.Fprintf(w, "\n[%s] %s\n", c.Title, c.Subtitle)
		if c.Body != "" {
			fmt.Fprintln(w, c.Body)
		}
		for _, f := range c.Fields {
			fmt.Fprintf(w, "  %s: %s\n", f.Label, f.Value)
		}
	}
}

// writeCharts renders the reply's charts as PNG files in dir.
func writeCharts(w io.Writer, dir string, r *chat.Reply) error {
	if r.Blocks == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, c := range r.Blocks.Charts {
		png, err := render.PNG(c, render.Options{Locale: r.Locale, Scale: 2})
		if err != nil {
			return fmt.Errorf("render chart %q: %w", c.Title, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", r.Intent, i+1))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "chart written to %s\n", path)
	}
	return nil
}
