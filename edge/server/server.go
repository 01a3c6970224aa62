// Package server is crumb-edge: the edge recommender's HTTP service. It answers POST /recommend
// from the last good model bundle, pulls new bundles from the host (If-None-Match on the ETag),
// verifies and swaps them atomically, keeps them on disk so that a restart without the host
// still serves, and reports itself on /healthz and /metrics.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/reco"
)

// BundlePath is the host's endpoint for the latest bundle.
const BundlePath = "/v1/models/recommend/latest"

// bundleFile is the last good bundle inside Options.Dir.
const bundleFile = "bundle.tar.gz"

// maxBundleBytes bounds a downloaded bundle.
const maxBundleBytes = 512 << 20

// Options configure a Server.
type Options struct {
	// Dir keeps the last good bundle across restarts.
	Dir string
	// HostURL is the Crumb host to pull bundles from (http://host:8080); empty disables pulling.
	HostURL string
	// Interval between pulls (default 1 minute).
	Interval time.Duration
	// ORTLib is the ONNX Runtime library; empty uses $CRUMB_ORT_LIB.
	ORTLib string
	// Token is the bearer token sent to the host (a staff token: bundles hold members' recent
	// purchases, so the host serves them only to signed-in callers).
	Token string
	// Form is the member graph to run: "int8" (default) or "float32".
	Form   string
	Logger *slog.Logger
	// Registry receives the metrics (a new one when nil).
	Registry *prometheus.Registry
	Client   *http.Client
	Now      func() time.Time
}

// Server is crumb-edge.
type Server struct {
	o      Options
	ortErr error
	cur    atomic.Pointer[Models]

	mu       sync.Mutex // guards the fields below
	etag     string
	lastPull time.Time
	lastOK   time.Time
	lastErr  string
	pulls    int

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// recoMetrics are /recommend's counters and histograms by model and code, resolved once:
	// looking them up by label values on every request hashed and allocated.
	recoMetrics sync.Map // recoKey → *recoMetric
	swaps       prometheus.Counter
	pullErrs    prometheus.Counter
	version     prometheus.Gauge
	memberUp    prometheus.Gauge
}

// New loads the ONNX Runtime library and the last good bundle from Dir, if any. A missing or
// broken library is not an error: the server then serves the guest model and says why.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Form == "" {
		o.Form = "int8"
	}
	if o.Form != "int8" && o.Form != "float32" {
		return nil, fmt.Errorf("model form %q: want int8 or float32", o.Form)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if o.Dir == "" {
		return nil, errors.New("no bundle directory: set --dir to where the last good bundle is kept")
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("bundle directory: %w", err)
	}
	s := &Server{o: o}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crumb_edge_requests_total", Help: "Requests by path, model and status code."}, []string{"path", "model", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "crumb_edge_request_duration_seconds", Help: "Request latency by path and model.",
		Buckets: prometheus.ExponentialBuckets(0.00005, 2, 16)}, []string{"path", "model"})
	s.swaps = prometheus.NewCounter(prometheus.CounterOpts{Name: "crumb_edge_bundle_swaps_total", Help: "Bundles loaded and swapped in."})
	s.pullErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "crumb_edge_pull_errors_total", Help: "Failed bundle pulls (host away, corrupt bundle)."})
	s.version = prometheus.NewGauge(prometheus.GaugeOpts{Name: "crumb_edge_bundle_version", Help: "Version of the bundle being served (0: none)."})
	s.memberUp = prometheus.NewGauge(prometheus.GaugeOpts{Name: "crumb_edge_member_model_enabled", Help: "1 when the member model (ONNX) answers members."})
	o.Registry.MustRegister(s.requests, s.latency, s.swaps, s.pullErrs, s.version, s.memberUp)

	if s.ortErr = ort.Init(ort.LibPath(o.ORTLib)); s.ortErr != nil {
		o.Logger.Warn("ONNX Runtime unavailable: serving the guest model to everyone", "reason", s.ortErr)
	} else {
		o.Logger.Info("ONNX Runtime loaded", "version", ort.Version())
	}
	if data, err := os.ReadFile(filepath.Join(o.Dir, bundleFile)); err == nil {
		if err := s.install(data, ""); err != nil {
			o.Logger.Error("the kept bundle does not load; waiting for the host", "path", filepath.Join(o.Dir, bundleFile), "err", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read kept bundle: %w", err)
	}
	return s, nil
}

// Models returns the models being served, nil before the first bundle.
func (s *Server) Models() *Models { return s.cur.Load() }

// Install verifies and loads a bundle and swaps it in, keeping it on disk; on error the previous
// bundle stays.
func (s *Server) Install(data []byte) error { return s.install(data, "") }

func (s *Server) install(data []byte, etag string) error {
	m, err := loadModels(data, s.o.Form, s.ortErr, s.o.Now())
	if err != nil {
		return err
	}
	old := s.cur.Load()
	if old != nil && old.SHA256 == m.SHA256 {
		m.Close()
		s.setETag(etag)
		return nil
	}
	if old != nil && old.MemberEnabled() && !m.MemberEnabled() {
		// A bundle whose member graph does not run here is worse than the one being served.
		reason := m.MemberReason
		m.Close()
		return fmt.Errorf("bundle version %d: %s; keeping version %d, whose member model runs", m.Version, reason, old.Version)
	}
	path := filepath.Join(s.o.Dir, bundleFile)
	if err := writeAtomic(path, data); err != nil {
		m.Close()
		return fmt.Errorf("keep bundle: %w", err)
	}
	s.cur.Store(m)
	s.setETag(etag)
	s.swaps.Inc()
	s.version.Set(float64(m.Version))
	if m.MemberEnabled() {
		s.memberUp.Set(1)
	} else {
		s.memberUp.Set(0)
	}
	if m.MemberEnabled() {
		s.o.Logger.Info("bundle swapped in", "version", m.Version, "sha256", m.SHA256[:12], "member", true,
			"form", m.MemberForm, "level", m.MemberLevel.String(), "note", m.MemberNote)
	} else {
		s.o.Logger.Warn("bundle swapped in, member model off: guests' answers serve members", "version", m.Version,
			"sha256", m.SHA256[:12], "reason", m.MemberReason)
	}
	if old != nil {
		go old.Close()
	}
	return nil
}

func (s *Server) setETag(etag string) {
	if etag == "" {
		return
	}
	s.mu.Lock()
	s.etag = etag
	s.mu.Unlock()
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bundle-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Pull asks the host once for a newer bundle. It returns nil when the bundle is unchanged (304)
// or a new one was installed; any failure leaves the served bundle as it was.
func (s *Server) Pull(ctx context.Context) error {
	if s.o.HostURL == "" {
		return errors.New("no host to pull from")
	}
	err := s.pull(ctx)
	s.mu.Lock()
	s.pulls++
	s.lastPull = s.o.Now()
	if err != nil {
		s.lastErr = err.Error()
	} else {
		s.lastErr, s.lastOK = "", s.lastPull
	}
	s.mu.Unlock()
	if err != nil {
		s.pullErrs.Inc()
	}
	return err
}

func (s *Server) pull(ctx context.Context) error {
	url := strings.TrimRight(s.o.HostURL, "/") + BundlePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("pull %s: %w", url, err)
	}
	if s.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.o.Token)
	}
	s.mu.Lock()
	if s.etag != "" && s.cur.Load() != nil {
		req.Header.Set("If-None-Match", s.etag)
	}
	s.mu.Unlock()
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("pull %s: %w (serving the last good bundle)", url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil
	case http.StatusOK:
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("pull %s: %s: %s (serving the last good bundle)", url, resp.Status, bytes.TrimSpace(body))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBundleBytes+1))
	if err != nil {
		return fmt.Errorf("pull %s: read: %w (serving the last good bundle)", url, err)
	}
	if len(data) > maxBundleBytes {
		return fmt.Errorf("pull %s: bundle larger than %d bytes", url, maxBundleBytes)
	}
	if err := s.install(data, resp.Header.Get("ETag")); err != nil {
		return fmt.Errorf("bundle from %s refused, serving the last good one: %w", url, err)
	}
	return nil
}

// Run pulls every Interval until ctx ends.
func (s *Server) Run(ctx context.Context) {
	if s.o.HostURL == "" {
		return
	}
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		if err := s.Pull(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Warn("bundle pull failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close retires the served models.
func (s *Server) Close() {
	if m := s.cur.Swap(nil); m != nil {
		m.Close()
	}
}

// Handler serves POST /recommend, GET /healthz and GET /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /recommend", s.recommend)
	mux.HandleFunc("GET /healthz", s.health)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.o.Registry, promhttp.HandlerOpts{}))
	return mux
}

// Request is the body of POST /recommend (the seed's input; cart_items is the guest form's
// name for cart).
type Request struct {
	UserID    *string  `json:"user_id"`
	Gender    *int     `json:"gender"`
	Age       *int     `json:"age"`
	Cart      []string `json:"cart"`
	CartItems []string `json:"cart_items"`
	Wishlist  []string `json:"wishlist"`
	K         int      `json:"k"`
}

// Response is the body of a /recommend answer.
type Response struct {
	UserID          string   `json:"user_id"`
	Recommendations []string `json:"recommendations"`
}

// DecodeRequest parses and checks a /recommend body.
func DecodeRequest(body []byte) (reco.Request, int, error) {
	var in Request
	more, err := decodeBody(body, &in)
	if err != nil {
		return reco.Request{}, 0, fmt.Errorf("request body: %v: want {\"user_id\", \"gender\", \"age\", \"cart\", \"wishlist\"}", err)
	}
	if more {
		return reco.Request{}, 0, errors.New("request body: more than one JSON value")
	}
	if in.Gender != nil && *in.Gender != 0 && *in.Gender != 1 {
		return reco.Request{}, 0, fmt.Errorf("gender %d: want 0 (male) or 1 (female), or leave it out", *in.Gender)
	}
	if in.Age != nil && (*in.Age < 0 || *in.Age > 130) {
		return reco.Request{}, 0, fmt.Errorf("age %d: want 0–130, or leave it out", *in.Age)
	}
	if in.K < 0 || in.K > 100 {
		return reco.Request{}, 0, fmt.Errorf("k %d: want 1–100 (default 10)", in.K)
	}
	if len(in.Cart)+len(in.CartItems)+len(in.Wishlist) > 1000 {
		return reco.Request{}, 0, errors.New("more than 1000 cart and wishlist items")
	}
	r := reco.Request{Gender: in.Gender, Age: in.Age, Cart: append(in.Cart, in.CartItems...), Wishlist: in.Wishlist}
	if in.UserID != nil {
		r.UserID = strings.TrimSpace(*in.UserID)
		if r.UserID == "guest" {
			r.UserID = ""
		}
	}
	k := in.K
	if k == 0 {
		k = 10
	}
	return r, k, nil
}

// recoKey names one /recommend counter and histogram.
type recoKey struct {
	model string
	code  int
}

type recoMetric struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func (s *Server) recoMetric(model string, code int) *recoMetric {
	k := recoKey{model, code}
	if m, ok := s.recoMetrics.Load(k); ok {
		return m.(*recoMetric)
	}
	m := &recoMetric{
		requests: s.requests.WithLabelValues("/recommend", model, strconv.Itoa(code)),
		latency:  s.latency.WithLabelValues("/recommend", model),
	}
	s.recoMetrics.Store(k, m)
	return m
}

// bodyPool holds *bytes.Buffer for request bodies.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Header values built once and shared by every answer (net/http only reads them; Models holds
// the member model's and the bundle version's).
var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	guestHeader     = []string{"guest"}
)

func (s *Server) recommend(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	model := "none"
	code := http.StatusOK
	defer func() {
		m := s.recoMetric(model, code)
		m.requests.Inc()
		m.latency.Observe(time.Since(start).Seconds())
	}()
	buf := bodyPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // keep the usual small bodies, not a rare large one
			buf.Reset()
			bodyPool.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, 1<<20)); err != nil {
		code = http.StatusBadRequest
		writeJSON(w, code, map[string]string{"error": "read body: " + err.Error()})
		return
	}
	req, k, err := DecodeRequest(buf.Bytes())
	if err != nil {
		code = http.StatusBadRequest
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	for {
		m := s.cur.Load()
		if m == nil {
			code = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "10")
			writeJSON(w, code, map[string]string{"error": "no model bundle yet: crumb-edge is waiting for the host (" + s.hostText() + ")"})
			return
		}
		if !m.acquire() {
			continue // swapped out meanwhile; take the new one
		}
		a, err := m.Recommend(req, k)
		m.release()
		if err != nil {
			code = http.StatusInternalServerError
			writeJSON(w, code, map[string]string{"error": err.Error()})
			return
		}
		model = a.Model
		h := w.Header()
		if a.Model == m.modelName {
			h["X-Crumb-Model"] = m.modelHeader
		} else if a.Model == "guest" {
			h["X-Crumb-Model"] = guestHeader
		} else {
			h.Set("X-Crumb-Model", a.Model)
		}
		h["X-Crumb-Bundle"] = m.versionHeader
		writeJSON(w, code, Response{UserID: a.UserID, Recommendations: a.Recommendations})
		return
	}
}

func (s *Server) hostText() string {
	if s.o.HostURL == "" {
		return "no host configured: start with --host"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr != "" {
		return s.lastErr
	}
	return s.o.HostURL
}

// Health is the body of GET /healthz.
type Health struct {
	Status string      `json:"status"` // ok, degraded (guest only) or no_model
	Bundle *BundleInfo `json:"bundle,omitempty"`
	Member MemberInfo  `json:"member"`
	ONNX   ONNXInfo    `json:"onnx"`
	Host   HostInfo    `json:"host"`
}

// BundleInfo describes the served bundle.
type BundleInfo struct {
	Version   int       `json:"version"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	LoadedAt  time.Time `json:"loaded_at"`
	Items     int       `json:"items"`
	Members   int       `json:"members"`
}

// MemberInfo says whether the member model runs, and why not.
type MemberInfo struct {
	Enabled  bool    `json:"enabled"`
	Form     string  `json:"form"`
	Level    string  `json:"optimisation_level,omitempty"`
	ProbeErr float64 `json:"probe_max_abs_err"`
	Reason   string  `json:"reason,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// ONNXInfo says whether ONNX Runtime loaded.
type ONNXInfo struct {
	Loaded  bool   `json:"loaded"`
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
}

// HostInfo is the state of pulling from the host.
type HostInfo struct {
	URL       string    `json:"url,omitempty"`
	Pulls     int       `json:"pulls"`
	LastPull  time.Time `json:"last_pull,omitzero"`
	LastOK    time.Time `json:"last_ok,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	ETag      string    `json:"etag,omitempty"`
}

// Health reports the server's state.
func (s *Server) Health() Health {
	h := Health{Status: "no_model", Member: MemberInfo{Form: s.o.Form}}
	if s.ortErr != nil {
		h.ONNX.Error = s.ortErr.Error()
	} else {
		h.ONNX.Loaded, h.ONNX.Version = true, ort.Version()
	}
	s.mu.Lock()
	h.Host = HostInfo{URL: s.o.HostURL, Pulls: s.pulls, LastPull: s.lastPull, LastOK: s.lastOK, LastError: s.lastErr, ETag: s.etag}
	s.mu.Unlock()
	if m := s.cur.Load(); m != nil {
		h.Bundle = &BundleInfo{Version: m.Version, SHA256: m.SHA256, CreatedAt: m.CreatedAt, LoadedAt: m.LoadedAt, Items: len(m.Guest.Items), Members: len(m.Spec.Users)}
		h.Member.Enabled, h.Member.Reason, h.Member.Note = m.MemberEnabled(), m.MemberReason, m.MemberNote
		if m.MemberEnabled() {
			h.Member.Level, h.Member.ProbeErr = m.MemberLevel.String(), m.ProbeErr
		}
		h.Status = "ok"
		if !m.MemberEnabled() {
			h.Status = "degraded"
		}
	}
	return h
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := s.Health()
	code := http.StatusOK
	if h.Bundle == nil {
		code = http.StatusServiceUnavailable
	}
	s.requests.WithLabelValues("/healthz", "", strconv.Itoa(code)).Inc()
	writeJSON(w, code, h)
}

// jsonEncoder is a reusable encoder writing into its own buffer.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoderPool = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// writeJSON writes v as the whole body, with its Content-Length.
func writeJSON(w http.ResponseWriter, code int, v any) {
	e := encoderPool.Get().(*jsonEncoder)
	defer func() {
		if e.buf.Cap() <= 64<<10 {
			encoderPool.Put(e)
		}
	}()
	e.buf.Reset()
	h := w.Header()
	h["Content-Type"] = jsonContentType
	if err := e.enc.Encode(v); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(e.buf.Len())}
	w.WriteHeader(code)
	w.Write(e.buf.Bytes())
}
