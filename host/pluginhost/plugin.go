package pluginhost

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/sony/gobreaker/v2"

	"github.com/crumb-dev/crumb/tools"
)

// State is where a plugin is in its life.
type State string

// The states of a plugin.
const (
	StateStarting    State = "starting"
	StateRunning     State = "running"
	StateRestarting  State = "restarting" // down, waiting out its backoff
	StateBreakerOpen State = "breaker open"
	StateStopped     State = "stopped"
)

// Status is what `crumb plugins ls` shows of one plugin.
type Status struct {
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Path      string    `json:"path"`
	State     State     `json:"state"`
	Since     time.Time `json:"since"`
	Tools     []string  `json:"tools"`
	Health    string    `json:"health"`
	Restarts  int       `json:"restarts"`
	Breaker   string    `json:"breaker"`
	LastError string    `json:"last_error,omitempty"`
	Problems  []string  `json:"problems,omitempty"`
	PID       int       `json:"pid,omitempty"`
}

// managed is one plugin binary and the process currently running it.
type managed struct {
	h       *Host
	path    string
	api     *pluginAPI
	breaker *gobreaker.CircuitBreaker[*tools.Result]
	pokes   chan struct{}

	mu        sync.Mutex
	st        State
	since     time.Time
	pc        *plugin.Client
	conn      *tools.Client
	manifest  *tools.Manifest
	restarts  int
	lastErr   string
	health    string
	problems  []string
	nextStart time.Time
}

func (h *Host) newManaged(path string) *managed {
	name := filepath.Base(path)
	m := &managed{
		h:     h,
		path:  path,
		pokes: make(chan struct{}, 1),
		st:    StateStarting,
		since: time.Now(),
		api:   &pluginAPI{plugin: name, backend: h.backend, log: h.cfg.Logger, knowledge: h.cfg.Knowledge, gen: h.cfg.Generator},
	}
	m.breaker = gobreaker.NewCircuitBreaker[*tools.Result](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     h.cfg.BreakerCooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= h.cfg.BreakerFailures },
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, context.Canceled)
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			h.cfg.Logger.Warn("plugin circuit breaker", "plugin", m.pluginName(), "from", from.String(), "to", to.String())
			h.cfg.Metrics.breaker.WithLabelValues(m.pluginName()).Set(float64(to))
		},
	})
	return m
}

func (m *managed) pluginName() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.manifest != nil {
		return m.manifest.Name
	}
	return filepath.Base(m.path)
}

func (m *managed) state() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st
}

func (m *managed) currentManifest() *tools.Manifest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.manifest
}

// ready returns the connection for a call, or an UnavailableError at once.
func (m *managed) ready(tool string) (*tools.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == StateRunning && m.conn != nil {
		if m.breaker.State() == gobreaker.StateOpen {
			return nil, &UnavailableError{Plugin: m.nameLocked(), Tool: tool, State: StateBreakerOpen, Since: m.since,
				Reason: "too many failures in a row", RetryAfter: m.h.cfg.BreakerCooldown}
		}
		return m.conn, nil
	}
	e := &UnavailableError{Plugin: m.nameLocked(), Tool: tool, State: m.st, Since: m.since, Reason: m.lastErr}
	if !m.nextStart.IsZero() {
		e.RetryAfter = max(time.Until(m.nextStart), 0)
	}
	return nil, e
}

func (m *managed) nameLocked() string {
	if m.manifest != nil {
		return m.manifest.Name
	}
	return filepath.Base(m.path)
}

// poke asks the watcher to look at the process now (a call saw it fail).
func (m *managed) poke() {
	select {
	case m.pokes <- struct{}{}:
	default:
	}
}

func (m *managed) status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{
		Name:      m.nameLocked(),
		Path:      m.path,
		State:     m.st,
		Since:     m.since,
		Health:    m.health,
		Restarts:  m.restarts,
		Breaker:   m.breaker.State().String(),
		LastError: m.lastErr,
		Problems:  m.problems,
	}
	if m.manifest != nil {
		s.Version = m.manifest.Version
		for _, t := range m.manifest.Tools {
			s.Tools = append(s.Tools, t.Name)
		}
	}
	if m.pc != nil {
		if rc := m.pc.ReattachConfig(); rc != nil && m.st == StateRunning {
			s.PID = rc.Pid
		}
	}
	return s
}

func (m *managed) setState(st State, reason string) {
	m.mu.Lock()
	m.st, m.since = st, time.Now()
	if reason != "" {
		m.lastErr = reason
	}
	name := m.nameLocked()
	m.mu.Unlock()
	up := 0.0
	if st == StateRunning {
		up = 1
	}
	m.h.cfg.Metrics.up.WithLabelValues(name).Set(up)
}

// run keeps the plugin running until ctx ends: start, watch, and restart
// with exponential backoff. started is called after the first attempt.
func (m *managed) run(ctx context.Context, started func()) {
	log := m.h.cfg.Logger
	backoff := m.h.cfg.MinBackoff
	first := true
	for {
		t0 := time.Now()
		err := m.start(ctx)
		if first {
			started()
			first = false
		}
		if err == nil {
			log.Info("plugin started", "plugin", m.pluginName(), "version", m.currentManifest().Version, "path", m.path)
			err = m.watch(ctx)
			if time.Since(t0) > time.Minute {
				backoff = m.h.cfg.MinBackoff // it ran well for a while
			}
		}
		m.stopProcess()
		if ctx.Err() != nil {
			m.setState(StateStopped, "")
			return
		}
		// Count the crash or failed start against the breaker, so that a
		// crash loop opens it.
		m.breaker.Execute(func() (*tools.Result, error) { return nil, err })
		m.mu.Lock()
		m.restarts++
		m.nextStart = time.Now().Add(backoff)
		m.mu.Unlock()
		m.h.cfg.Metrics.restarts.WithLabelValues(m.pluginName()).Inc()
		log.Error("plugin down; restarting", "plugin", m.pluginName(), "err", err, "backoff", backoff)
		m.setState(StateRestarting, err.Error())
		select {
		case <-ctx.Done():
			m.setState(StateStopped, "")
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, m.h.cfg.MaxBackoff)
	}
}

// start launches the process, reads the manifest and registers the tools.
func (m *managed) start(ctx context.Context) error {
	m.setState(StateStarting, "")
	sum, err := fileSHA256(m.path)
	if err != nil {
		return fmt.Errorf("checksum %s: %w", m.path, err)
	}
	name := filepath.Base(m.path)
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  tools.Handshake(),
		Plugins:          tools.NewPluginSet(nil, m.api),
		Cmd:              exec.Command(m.path),
		SecureConfig:     &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     m.h.cfg.StartTimeout,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       name,
			Level:      hclog.Info,
			JSONFormat: true,
			Output:     &slogWriter{log: m.h.cfg.Logger.With("plugin", name)},
		}),
	})
	m.mu.Lock()
	m.pc = pc
	m.mu.Unlock()
	rpc, err := pc.Client()
	if err != nil {
		return fmt.Errorf("launch %s: %w", name, err)
	}
	conn, err := tools.Dispense(rpc)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, m.h.cfg.StartTimeout)
	defer cancel()
	man, err := conn.Describe(dctx)
	if err != nil {
		return fmt.Errorf("read manifest of %s: %w", name, err)
	}
	caps := man.Capabilities
	m.api.caps.Store(&caps)
	m.api.conn.Store(conn)
	m.api.plugin = man.Name
	problems := m.h.register(m, man)
	for _, p := range problems {
		m.h.cfg.Logger.Error("plugin tool refused", "plugin", man.Name, "problem", p)
	}
	m.mu.Lock()
	m.conn, m.manifest, m.problems, m.health, m.nextStart = conn, man, problems, "ok", time.Time{}
	m.mu.Unlock()
	m.setState(StateRunning, "")
	return nil
}

// watch returns when the process exits, fails three health checks in a
// row, or ctx ends.
func (m *managed) watch(ctx context.Context) error {
	m.mu.Lock()
	pc, conn := m.pc, m.conn
	m.mu.Unlock()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	health := time.NewTicker(m.h.cfg.HealthInterval)
	defer health.Stop()
	fails := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.pokes:
		case <-tick.C:
		case <-health.C:
			hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := conn.Health(hctx)
			cancel()
			m.mu.Lock()
			if err != nil {
				fails++
				m.health = err.Error()
			} else {
				fails = 0
				m.health = "ok"
			}
			m.mu.Unlock()
			if fails >= 3 {
				return fmt.Errorf("3 health checks failed: %w", err)
			}
		}
		if pc.Exited() {
			return errors.New("plugin process exited")
		}
	}
}

func (m *managed) stopProcess() {
	m.mu.Lock()
	pc := m.pc
	m.conn = nil
	m.mu.Unlock()
	if pc != nil {
		pc.Kill()
	}
}
