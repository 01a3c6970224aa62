package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/prompts"
)

// app holds what every command shares: configuration and logger.
type app struct {
	configPath string
	cfg        config.Config
	log        *slog.Logger
	stdout     io.Writer
	stderr     io.Writer
}

func newRoot() *cobra.Command {
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	root := &cobra.Command{
		Use:   "crumb",
		Short: "Crumb — a plugin-based agent and chat host for a bakery chain",
		Long: "Crumb answers staff and marketers in Korean and English, calling tools served by\n" +
			"out-of-process plugins. Start with `crumb demo`, then `crumb serve` or `crumb ask`.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			path := a.configPath
			if path == "" {
				path = os.Getenv("CRUMB_CONFIG")
			}
			cfg, err := config.Load(path, os.Environ())
			if err != nil {
				return err
			}
			a.cfg = cfg
			a.log = obs.NewLogger(a.stderr, cfg.Log.Level, cfg.Log.Format)
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "", "configuration file (default ./crumb.yaml when present; also CRUMB_CONFIG)")
	root.AddCommand(a.serveCmd(), a.askCmd(), a.demoCmd(), a.importCmd(), a.pluginsCmd(), a.toolsCmd(), a.evalCmd(), a.benchCmd(), a.versionCmd())
	for _, c := range commands {
		root.AddCommand(c(a))
	}
	return root
}

// commands, evalCommands and benchCommands hold the constructors of further
// commands: a command in its own file adds itself from init, so that adding
// one touches no other file.
var commands, evalCommands, benchCommands []func(*app) *cobra.Command

func (a *app) openStore(ctx context.Context) (store.Store, error) {
	st, err := store.Open(ctx, a.cfg.DatabaseURL, store.WithLocation(a.cfg.Location()))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", a.dbName(), err)
	}
	return st, nil
}

// dbName is the database URL fit to print: without a password.
func (a *app) dbName() string {
	if u, err := url.Parse(a.cfg.DatabaseURL); err == nil && u.User != nil {
		return u.Redacted()
	}
	return a.cfg.DatabaseURL
}

func (a *app) pluginConfig(reg prometheus.Registerer) pluginhost.Config {
	p := a.cfg.Plugins
	return pluginhost.Config{
		Dir:             p.Dir,
		CallTimeout:     p.CallTimeout,
		StartTimeout:    p.StartTimeout,
		HealthInterval:  p.HealthInterval,
		BreakerFailures: uint32(p.BreakerFailures),
		BreakerCooldown: p.BreakerCooldown,
		Logger:          a.log,
		Metrics:         pluginhost.NewMetrics(reg),
	}
}

// runtime is a store, the knowledge base, the generator, the running
// plugins and a chat engine.
type runtime struct {
	store     store.Store
	knowledge *knowledge.KB
	generator *llm.Generator
	plugins   *pluginhost.Host
	chat      *chat.Engine
	registry  *prometheus.Registry
	closeKB   func()
}

func (r *runtime) Close() {
	if r.plugins != nil {
		r.plugins.Close()
	}
	if r.closeKB != nil {
		r.closeKB()
	}
	if r.store != nil {
		r.store.Close()
	}
}

func (a *app) start(ctx context.Context) (*runtime, error) {
	r := &runtime{registry: prometheus.NewRegistry()}
	r.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var err error
	if r.store, err = a.openStore(ctx); err != nil {
		return nil, err
	}
	texts, err := prompts.Load()
	if err != nil {
		r.Close()
		return nil, err
	}
	r.generator, err = llm.New(a.cfg.LLM, texts, llm.WithLogger(a.log), llm.WithMetrics(llm.NewMetrics(r.registry)), llm.WithRecorder(llm.StoreRecorder(r.store)))
	if err != nil {
		r.Close()
		return nil, err
	}
	if r.knowledge, r.closeKB, err = a.syncKnowledge(ctx); err != nil {
		r.Close()
		return nil, err
	}
	pc := a.pluginConfig(r.registry)
	pc.Knowledge = knowledge.Plugins{KB: r.knowledge}
	pc.Generator = llm.Plugins{Generator: r.generator}
	r.plugins = pluginhost.New(pc, r.store)
	if err := r.plugins.Start(ctx); err != nil {
		r.Close()
		return nil, err
	}
	r.chat, err = chat.New(chat.Options{
		Tools: auth.NewGuard(r.plugins, nil), Store: r.store, Texts: texts,
		Knowledge: r.knowledge, Answerer: r.generator, IntentFallback: llm.IntentFallback{Generator: r.generator},
		Location: a.cfg.Location(), Logger: a.log, Now: time.Now,
	})
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// syncKnowledge opens the knowledge base under the data directory,
// creating it when absent, and brings the embedded corpus up to date (a
// no-op when it has not changed since the last sync).
func (a *app) syncKnowledge(ctx context.Context) (*knowledge.KB, func(), error) {
	k, err := a.knowledgeConfig("")
	if err != nil {
		return nil, nil, err
	}
	kb, closeKB, err := openKB(ctx, k)
	if err != nil {
		return nil, nil, fmt.Errorf("open the knowledge base: %w", err)
	}
	if rep, synced, err := kb.SyncCorpus(ctx, knowledge.Docs, false); err != nil {
		closeKB()
		return nil, nil, fmt.Errorf("ingest the knowledge corpus: %w", err)
	} else if synced {
		a.log.Info("knowledge corpus ingested", "dir", k.Dir, "documents", rep.Docs, "chunks", rep.Chunks)
	}
	return kb, closeKB, nil
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and tool protocol version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "crumb %s (tool protocol %d)\n", version, toolsProtocol)
			return nil
		},
	}
}
