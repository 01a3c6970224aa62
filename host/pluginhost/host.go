package pluginhost

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sony/gobreaker/v2"
	"google.golang.org/grpc/codes"

	"github.com/crumb-dev/crumb/tools"
)

// Config configures the supervisor. Zero values take the defaults.
type Config struct {
	// Dir holds the plugin binaries; every executable file in it is a plugin.
	Dir string
	// CallTimeout bounds one tool call (default 10 s).
	CallTimeout time.Duration
	// StartTimeout bounds launching a plugin and reading its manifest (default 10 s).
	StartTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay before a restart (defaults 100 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// HealthInterval is how often running plugins are health-checked (default 10 s);
	// three failed checks in a row restart the plugin.
	HealthInterval time.Duration
	// BreakerFailures is how many consecutive failed calls or crashes open a
	// plugin's circuit breaker (default 5); BreakerCooldown is how long it stays
	// open before a trial call (default 30 s).
	BreakerFailures uint32
	BreakerCooldown time.Duration
	Logger          *slog.Logger
	Metrics         *Metrics
	// Knowledge and Generator serve the plugins' knowledge searches and
	// structured generation; nil refuses those calls with a clear error.
	Knowledge KnowledgeBase
	Generator Generator
}

func (c *Config) setDefaults() {
	c.CallTimeout = cmp.Or(c.CallTimeout, 10*time.Second)
	c.StartTimeout = cmp.Or(c.StartTimeout, 10*time.Second)
	c.MinBackoff = cmp.Or(c.MinBackoff, 100*time.Millisecond)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, 30*time.Second)
	c.HealthInterval = cmp.Or(c.HealthInterval, 10*time.Second)
	c.BreakerFailures = cmp.Or(c.BreakerFailures, 5)
	c.BreakerCooldown = cmp.Or(c.BreakerCooldown, 30*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
}

// Host supervises the plugins of one plugin directory.
type Host struct {
	cfg     Config
	backend Backend

	mu      sync.RWMutex
	plugins []*managed
	tools   map[string]*registered

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// registered is a tool and the plugin that serves it.
type registered struct {
	plugin  *managed
	info    tools.ToolInfo
	in, out *tools.Schema
}

// New returns a supervisor; nothing starts until Start.
func New(cfg Config, backend Backend) *Host {
	cfg.setDefaults()
	return &Host{cfg: cfg, backend: backend, tools: map[string]*registered{}}
}

// Discover lists the plugin binaries in dir: executable regular files whose
// names do not start with a dot, sorted by name.
func Discover(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("plugin directory %s does not exist: build the plugins with `make plugins` or set plugins.dir", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read plugin directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, nil
}

// Start launches every plugin in the directory and waits until each has
// started or failed its first start. Plugins that fail keep being retried in
// the background; Plugins reports them.
func (h *Host) Start(ctx context.Context) error {
	paths, err := Discover(h.cfg.Dir)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		h.cfg.Logger.Warn("no plugins found", "dir", h.cfg.Dir, "hint", "run `make plugins`")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.cancel = cancel
	var first sync.WaitGroup
	for _, p := range paths {
		m := h.newManaged(p)
		h.mu.Lock()
		h.plugins = append(h.plugins, m)
		h.mu.Unlock()
		first.Add(1)
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			m.run(runCtx, first.Done)
		}()
	}
	done := make(chan struct{})
	go func() { first.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Close stops every plugin.
func (h *Host) Close() error {
	if h.cancel != nil {
		h.cancel()
	}
	h.wg.Wait()
	return nil
}

// Tool is a tool currently served by a running plugin. Its ID is
// "plugin.tool"; the bare name also finds it while no other plugin has a
// tool of that name.
type Tool struct {
	ID     string `json:"id"`
	Plugin string `json:"plugin"`
	tools.ToolInfo
}

// ToolID is the qualified id of a plugin's tool.
func ToolID(plugin, tool string) string { return plugin + "." + tool }

// Tools lists the tools of running plugins, sorted by name. Tools of a
// plugin that is down are withdrawn.
func (h *Host) Tools() []Tool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []Tool
	for id, r := range h.tools {
		if r.plugin.state() == StateRunning {
			out = append(out, Tool{ID: id, Plugin: r.plugin.pluginName(), ToolInfo: r.info})
		}
	}
	slices.SortFunc(out, func(a, b Tool) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// Manifests returns the last manifest of every plugin that has started,
// running or not: the chat routes by them, so that a question for a plugin
// that is restarting gets "not available right now" from Invoke rather
// than an answer from the wrong tool.
func (h *Host) Manifests() []tools.Manifest {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []tools.Manifest
	for _, m := range h.plugins {
		if man := m.currentManifest(); man != nil {
			out = append(out, *man)
		}
	}
	return out
}

// Plugins reports the state of every plugin.
func (h *Host) Plugins() []Status {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]Status, 0, len(h.plugins))
	for _, m := range h.plugins {
		out = append(out, m.status())
	}
	return out
}

// Invoke calls a tool: it checks the arguments against the tool's input
// schema, calls the plugin within the call timeout through its circuit
// breaker, and checks the result against the output schema.
func (h *Host) Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error) {
	reg, err := h.lookup(inv.Tool)
	if err != nil {
		return nil, err
	}
	if inv.Tool != reg.info.Name {
		cp := *inv
		cp.Tool = reg.info.Name // the plugin knows its tools by their bare names
		inv = &cp
	}
	m := reg.plugin
	name := m.pluginName()
	metrics := h.cfg.Metrics
	count := func(outcome string) { metrics.calls.WithLabelValues(name, inv.Tool, outcome).Inc() }

	// Faults of the caller must not count against the plugin's breaker.
	if err := checkCallInfo(&inv.CallInfo); err != nil {
		count("invalid_args")
		return nil, &ArgumentError{Tool: inv.Tool, Err: &tools.ValidationError{Problem: err.Error()}}
	}
	if err := reg.in.Validate(inv.Args); err != nil {
		count("invalid_args")
		var ve *tools.ValidationError
		errors.As(err, &ve)
		return nil, &ArgumentError{Tool: inv.Tool, Err: ve}
	}
	conn, err := m.ready(inv.Tool)
	if err != nil {
		count("unavailable")
		return nil, err
	}
	callCtx, cancel := context.WithTimeout(ctx, h.cfg.CallTimeout)
	defer cancel()
	start := time.Now()
	res, err := m.breaker.Execute(func() (*tools.Result, error) {
		res, err := conn.Invoke(callCtx, inv)
		if err != nil {
			return nil, err
		}
		if res.Failure == "" && reg.out != nil {
			if verr := reg.out.Validate(res.Output); verr != nil {
				return nil, fmt.Errorf("the result breaks the tool's output schema: %w", verr)
			}
		}
		return res, nil
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		count("unavailable")
		return nil, &UnavailableError{Plugin: name, Tool: inv.Tool, State: StateBreakerOpen,
			Reason: fmt.Sprintf("%d calls or restarts failed in a row", h.cfg.BreakerFailures), RetryAfter: h.cfg.BreakerCooldown}
	case err != nil:
		metrics.latency.WithLabelValues(name, inv.Tool).Observe(time.Since(start).Seconds())
		// The plugin's side sees the deadline too (gRPC sends it along) and may end the
		// stream a moment before this side's timer marks callCtx done: past the deadline is a
		// timeout either way.
		deadline, _ := callCtx.Deadline()
		if ctx.Err() == nil && (errors.Is(callCtx.Err(), context.DeadlineExceeded) || !time.Now().Before(deadline)) {
			count("timeout")
			return nil, &CallError{Plugin: name, Tool: inv.Tool, Err: fmt.Errorf("no answer within %s: %w", h.cfg.CallTimeout, context.DeadlineExceeded)}
		}
		count("error")
		if isTransport(err) {
			m.poke()
			return nil, &CallError{Plugin: name, Tool: inv.Tool, Err: fmt.Errorf("the plugin stopped answering (it is restarted if it crashed): %w", err)}
		}
		return nil, &CallError{Plugin: name, Tool: inv.Tool, Err: err}
	}
	metrics.latency.WithLabelValues(name, inv.Tool).Observe(time.Since(start).Seconds())
	if res.Failure != "" {
		count("failure")
	} else {
		count("ok")
	}
	return res, nil
}

// lookup finds a tool by id ("catalog.stock_on_hand") or by bare name when
// only one plugin has a tool of that name.
func (h *Host) lookup(name string) (*registered, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if r, ok := h.tools[name]; ok {
		return r, nil
	}
	var hits []string
	for id, r := range h.tools {
		if r.info.Name == name {
			hits = append(hits, id)
		}
	}
	slices.Sort(hits)
	switch len(hits) {
	case 1:
		return h.tools[hits[0]], nil
	case 0:
		names := make([]string, 0, len(h.tools))
		for id := range h.tools {
			names = append(names, id)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("%w %q (available: %s)", ErrUnknownTool, name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("%w %q: ambiguous, served by %s; call one of them by its id", ErrUnknownTool, name, strings.Join(hits, ", "))
}

func isTransport(err error) bool {
	var re *tools.RemoteError
	return errors.As(err, &re) && re.Code == codes.Unavailable
}

// checkCallInfo refuses call contexts that cannot cross the wire (protobuf
// strings must be valid UTF-8).
func checkCallInfo(ci *tools.CallInfo) error {
	for name, v := range map[string]string{"request id": ci.RequestID, "user": ci.User, "role": ci.Role, "locale": ci.Locale, "conversation id": ci.ConversationID} {
		if !utf8.ValidString(v) {
			return fmt.Errorf("call context: %s is not valid UTF-8", name)
		}
	}
	return nil
}

// register replaces the tools of m with those of its manifest, under their
// ids "plugin.tool". A plugin name already used by another binary is
// refused and reported.
func (h *Host) register(m *managed, man *tools.Manifest) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, r := range h.tools {
		if r.plugin == m {
			delete(h.tools, name)
		}
	}
	var problems []string
	for _, ti := range man.Tools {
		id := ToolID(man.Name, ti.Name)
		if other, ok := h.tools[id]; ok && other.plugin != m {
			problems = append(problems, fmt.Sprintf("tool %s: plugin name %s is already used by %s", ti.Name, man.Name, other.plugin.path))
			continue
		}
		in, err := tools.CompileSchema(ti.InputSchema)
		if err != nil {
			problems = append(problems, fmt.Sprintf("tool %s: input schema: %v", ti.Name, err))
			continue
		}
		out, err := tools.CompileSchema(ti.OutputSchema)
		if err != nil {
			problems = append(problems, fmt.Sprintf("tool %s: output schema: %v", ti.Name, err))
			continue
		}
		h.tools[id] = &registered{plugin: m, info: ti, in: in, out: out}
	}
	return problems
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
