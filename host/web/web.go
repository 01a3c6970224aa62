// Package web serves the host's HTTP API and its web UI: chat (also as
// server-sent events), conversations, the store owners' dashboard, direct
// tool calls, plugin status, tokens and the audit log, health and
// Prometheus metrics. Every route but the UI's files, sign-in, health and
// metrics needs a bearer token (package auth decides what its role may
// do). Every request gets a request id (X-Request-ID, generated when
// absent) that is on every log line of the request and on the plugin calls
// it makes.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/obs"
	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/tools"
)

// MaxBody bounds request bodies.
const MaxBody = 64 << 10

// requestIDPattern is what a caller's X-Request-ID may look like; anything
// else is replaced, so that ids are safe in logs and on the wire.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Plugins is what the API needs of the plugin host.
type Plugins interface {
	Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error)
	Tools() []pluginhost.Tool
	Plugins() []pluginhost.Status
}

// Options configure the server.
type Options struct {
	Chat    *chat.Engine
	Plugins Plugins
	Orders  store.Orders // where POST /v1/orders records orders
	// Auth checks bearer tokens. Without it every route but the public ones
	// (the UI's files, sign-in, health, metrics) answers 401.
	Auth auth.Authenticator
	// Tokens, when set, enables sign-in links (POST /v1/auth/signin) and
	// token management (/v1/tokens, admin only).
	Tokens store.Tokens
	// Limiter, when set, limits requests per token (429 with Retry-After).
	Limiter *auth.Limiter
	// Policy says which role may call which tool (default auth.DefaultPolicy).
	Policy        *auth.Policy
	Conversations store.Conversations // the UI's conversation list
	Audit         store.AuditLog      // direct tool calls and token changes are recorded here
	Pushes        store.PushQueue     // the dashboard's push queue
	Feed          FeedSource          // GET /v1/feed, the customers' push feed (host/push)
	// SessionTTL is how long a web sign-in lasts (default 12h).
	SessionTTL time.Duration
	// Slack, when set, serves Slack's requests under /slack/ (it checks
	// Slack's signatures itself).
	Slack    http.Handler
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics are registered here and served at /metrics
	Now      func() time.Time
}

// Server is the HTTP API.
type Server struct {
	o        Options
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	signins  *auth.Limiter // sign-in attempts per client address
}

// New returns a server.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Policy == nil {
		o.Policy = auth.DefaultPolicy()
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	s := &Server{
		o:       o,
		signins: auth.NewLimiter(func(string) int { return 10 }, 5, o.Now),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crumb_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "crumb_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"route"}),
	}
	o.Registry.MustRegister(s.requests, s.latency)
	return s
}

// Who may use a route: anyone, any signed-in role, or admins only.
const (
	public   = ""
	signedIn = auth.Staff
	admin    = auth.Admin
)

// Handler returns the HTTP handler. Every route is here, with who may use
// it; the principal of a signed-in route is in the request's context
// (principalOf).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	routes := []struct {
		pattern string
		who     string
		h       http.HandlerFunc
	}{
		// The web UI's files; the page asks for a token itself.
		{"GET /{$}", public, s.index},
		{"GET /dashboard", public, s.index},
		{"GET /assets/{file}", public, s.asset},
		{"POST /v1/auth/signin", public, s.signin},
		{"GET /healthz", public, s.health},

		{"GET /v1/me", signedIn, s.me},
		{"POST /v1/auth/signout", signedIn, s.signout},
		{"POST /v1/chat", signedIn, s.chat},
		{"POST /v1/chat/stream", signedIn, s.chatStream},
		{"GET /v1/conversations", signedIn, s.listConversations},
		{"GET /v1/conversations/{id}", signedIn, s.conversation},
		{"GET /v1/dashboard", signedIn, s.dashboard},
		{"GET /v1/tools", signedIn, s.listTools},
		{"POST /v1/tools/{name}", signedIn, s.callTool}, // the policy decides per tool
		{"GET /v1/plugins", signedIn, s.listPlugins},
		{"POST /v1/charts/{format}", signedIn, s.renderChart},
		{"POST /v1/orders", signedIn, s.order},
		{"GET /v1/feed", signedIn, s.feed},
		{"GET /v1/models/recommend/latest", signedIn, s.latestModel}, // crumb-edge pulls bundles (models.go)

		{"GET /v1/tokens", admin, s.listTokens},
		{"POST /v1/tokens", admin, s.createToken},
		{"DELETE /v1/tokens/{id}", admin, s.revokeToken},
		{"GET /v1/audit", admin, s.audit},
	}
	for _, r := range routes {
		h := r.h
		if r.who != public {
			h = s.authenticated(r.who, h)
		}
		mux.Handle(r.pattern, s.instrument(r.pattern, h))
	}
	if s.o.Slack != nil {
		mux.Handle("POST /slack/", s.instrument("POST /slack/", s.o.Slack.ServeHTTP))
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.o.Registry, promhttp.HandlerOpts{}))
	return s.withRequestID(mux)
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			id = obs.NewRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(tools.WithRequestID(r.Context(), id)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (to flush
// server-sent events).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				s.o.Logger.ErrorContext(r.Context(), "panic", "route", route, "panic", fmt.Sprint(p))
				writeError(sw, http.StatusInternalServerError, "internal", "internal error; see the host log for this request id", nil)
			}
			d := time.Since(start)
			s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
			s.latency.WithLabelValues(route).Observe(d.Seconds())
			s.o.Logger.InfoContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", sw.code, "ms", float64(d.Microseconds())/1000)
		}()
		h(sw, r)
	})
}

// ChatRequest is the body of POST /v1/chat.
type ChatRequest struct {
	Text           string `json:"text"`
	ConversationID string `json:"conversation_id,omitempty"`
	Locale         string `json:"locale,omitempty"`
	// User is ignored: the token says who is asking. It is still accepted
	// so that older clients keep working.
	User string `json:"user,omitempty"`
}

// DecodeChatRequest decodes and checks a chat request body.
func DecodeChatRequest(body []byte) (*ChatRequest, error) {
	var req ChatRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("decode body: %v (want JSON like {\"text\":\"what is in stock at Hongdae?\"})", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode body: unexpected data after the JSON object")
	}
	if req.Text == "" {
		return nil, errors.New(`field "text" is required (e.g. {"text":"강남점 크루아상 재고 몇 개야?"})`)
	}
	if len(req.User) > 128 || len(req.ConversationID) > 128 {
		return nil, errors.New(`fields "user" and "conversation_id" are limited to 128 bytes`)
	}
	return &req, nil
}

// readBody reads a request body. A browser page on another site can post
// a simple form here without a CORS preflight; browsers mark such requests
// (Sec-Fetch-Site, Origin), so they are refused. Tools like curl send
// neither header and are unaffected.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if crossSite(r) {
		writeError(w, http.StatusForbidden, "cross_site", "cross-site requests are not allowed", nil)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body larger than %d bytes", MaxBody), nil)
		} else {
			writeError(w, http.StatusBadRequest, "invalid_request", "read body: "+err.Error(), nil)
		}
		return nil, false
	}
	return body, true
}

func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err != nil || u.Host != r.Host
	}
	return false
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeChatRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error(), nil)
		return
	}
	reply, err := s.o.Chat.Handle(r.Context(), s.turn(r, req, "api"))
	if errors.Is(err, chat.ErrInvalidTurn) {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error(), nil)
		return
	}
	if err != nil {
		s.o.Logger.ErrorContext(r.Context(), "chat", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// turn is the chat turn of a request: the user and role are the token's.
// The body's "user" field is ignored: a token speaks for one person.
func (s *Server) turn(r *http.Request, req *ChatRequest, channel string) *chat.Turn {
	p := principalOf(r)
	return &chat.Turn{
		RequestID:      tools.RequestIDFrom(r.Context()),
		User:           p.Name,
		Role:           p.Role,
		Channel:        channel,
		ConversationID: req.ConversationID,
		Locale:         req.Locale,
		Text:           req.Text,
	}
}

// listTools lists the tools the caller's role may call.
func (s *Server) listTools(w http.ResponseWriter, r *http.Request) {
	role := principalOf(r).Role
	out := []pluginhost.Tool{}
	for _, t := range s.o.Plugins.Tools() {
		if s.o.Policy.Allows(role, t.ToolInfo) {
			out = append(out, t)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tools": out})
}

func (s *Server) listPlugins(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"plugins": s.o.Plugins.Plugins()})
}

// ToolResponse is the body of a successful POST /v1/tools/{name}.
type ToolResponse struct {
	Tool    string          `json:"tool"`
	Result  json.RawMessage `json:"result,omitempty"`
	Display *tools.Display  `json:"display,omitempty"`
	Failure string          `json:"failure,omitempty"`
	Ms      float64         `json:"ms"`
}

func (s *Server) callTool(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	locale := r.URL.Query().Get("locale")
	switch locale {
	case "":
		locale = "en"
	case "ko", "en":
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("locale %q: want ko or en", locale), nil)
		return
	}
	p := principalOf(r)
	if t, ok := s.findTool(name); ok && !s.o.Policy.Allows(p.Role, t.ToolInfo) {
		s.recordAudit(r, "tool:"+t.Name, body, "denied")
		writeError(w, http.StatusForbidden, "forbidden", s.o.Policy.Denial(p.Role, t.ToolInfo, "en"), nil)
		return
	}
	start := time.Now()
	res, err := s.o.Plugins.Invoke(r.Context(), &tools.Invocation{
		Tool: name,
		Args: body,
		CallInfo: tools.CallInfo{
			RequestID: tools.RequestIDFrom(r.Context()), User: p.Name, Role: p.Role, Locale: locale, Now: s.o.Now(),
		},
	})
	outcome := "ok"
	switch {
	case err != nil:
		outcome = err.Error()
	case res.Failure != "":
		outcome = "failure: " + res.Failure
	}
	s.recordAudit(r, "tool:"+name, body, outcome)
	var (
		ae *pluginhost.ArgumentError
		ue *pluginhost.UnavailableError
		ce *pluginhost.CallError
	)
	switch {
	case err == nil:
	case errors.As(err, &ae):
		var extra map[string]any
		if ae.Err.Field != "" {
			extra = map[string]any{"field": ae.Err.Field}
		}
		writeError(w, http.StatusBadRequest, "invalid_arguments", err.Error(), extra)
		return
	case errors.Is(err, pluginhost.ErrUnknownTool):
		writeError(w, http.StatusNotFound, "unknown_tool", err.Error(), nil)
		return
	case errors.As(err, &ue):
		if ue.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ue.RetryAfter.Seconds()+0.999)))
		}
		writeError(w, http.StatusServiceUnavailable, "unavailable", err.Error(), nil)
		return
	case errors.As(err, &ce) && errors.Is(ce.Err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "timeout", err.Error(), nil)
		return
	default:
		writeError(w, http.StatusBadGateway, "plugin_error", err.Error(), nil)
		return
	}
	resp := ToolResponse{Tool: name, Result: res.Output, Display: res.Display, Failure: res.Failure, Ms: float64(time.Since(start).Microseconds()) / 1000}
	code := http.StatusOK
	if res.Failure != "" {
		code = http.StatusUnprocessableEntity
	}
	writeJSON(w, code, resp)
}

// renderChart renders a chart spec (tools.Chart as JSON) as svg or png,
// for channels that cannot draw it themselves (Slack uploads the PNG).
func (s *Server) renderChart(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var c tools.Chart
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "decode chart: "+err.Error(), nil)
		return
	}
	opts := render.Options{Locale: r.URL.Query().Get("locale")}
	var (
		out  []byte
		err  error
		mime string
	)
	switch r.PathValue("format") {
	case "svg":
		out, err = render.SVG(c, opts)
		mime = "image/svg+xml"
	case "png":
		out, err = render.PNG(c, opts)
		mime = "image/png"
	default:
		writeError(w, http.StatusNotFound, "unknown_format", "format must be svg or png", nil)
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_chart", err.Error(), nil)
		return
	}
	w.Header().Set("Content-Type", mime)
	_, _ = w.Write(out)
}

// OrderRequest is the body of POST /v1/orders: a member's purchase, sent by
// the till or the app as it happens.
type OrderRequest struct {
	ID         string             `json:"id"`
	CustomerID string             `json:"customer_id"`
	StoreID    string             `json:"store_id"`
	At         *time.Time         `json:"at,omitempty"`
	Items      []OrderItemRequest `json:"items"`
}

// OrderItemRequest is one line of an order.
type OrderItemRequest struct {
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
	Price     int    `json:"price"` // unit price, KRW
}

// order records a new order, exactly once per order id, and then tells
// every plugin that has an order_placed tool (the segment plugin re-grades
// the customer at once). A retried request is answered without notifying
// again.
func (s *Server) order(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if s.o.Orders == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server records no orders", nil)
		return
	}
	var req OrderRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "decode order: "+err.Error(), nil)
		return
	}
	at := s.o.Now()
	if req.At != nil {
		at = *req.At
	}
	o := &tools.Order{ID: req.ID, CustomerID: req.CustomerID, StoreID: req.StoreID, At: at}
	items := make([]tools.OrderItem, len(req.Items))
	for i, it := range req.Items {
		items[i] = tools.OrderItem{OrderID: req.ID, ProductID: it.ProductID, Quantity: it.Quantity, Price: it.Price}
		o.Total += it.Quantity * it.Price
	}
	created, err := s.o.Orders.AppendOrder(r.Context(), o, items)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_order", err.Error(), nil)
		return
	}
	resp := map[string]any{"id": o.ID, "created": created, "total": o.Total, "notified": []string{}}
	if created {
		args, _ := json.Marshal(map[string]any{"customer_id": o.CustomerID, "store_id": o.StoreID, "at": o.At, "total": o.Total, "items": req.Items})
		notified := []string{}
		for _, t := range s.o.Plugins.Tools() {
			if t.Name != "order_placed" {
				continue
			}
			_, err := s.o.Plugins.Invoke(r.Context(), &tools.Invocation{Tool: t.ID, Args: args,
				CallInfo: tools.CallInfo{RequestID: tools.RequestIDFrom(r.Context()), User: principalOf(r).Name, Locale: "en", Now: s.o.Now()}})
			if err != nil {
				// The order is recorded; the plugin sees it at its next reload.
				s.o.Logger.ErrorContext(r.Context(), "order_placed", "tool", t.ID, "order", o.ID, "err", err)
				continue
			}
			notified = append(notified, t.ID)
		}
		resp["notified"] = notified
	}
	code := http.StatusCreated
	if !created {
		code = http.StatusOK
	}
	writeJSON(w, code, resp)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ps := s.o.Plugins.Plugins()
	running := 0
	for _, p := range ps {
		if p.State == pluginhost.StateRunning {
			running++
		}
	}
	status := "ok"
	if running < len(ps) {
		status = "degraded"
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": status, "plugins": map[string]int{"running": running, "total": len(ps)}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, kind, msg string, extra map[string]any) {
	e := map[string]any{"code": kind, "message": msg}
	for k, v := range extra {
		e[k] = v
	}
	writeJSON(w, code, map[string]any{"error": e})
}
