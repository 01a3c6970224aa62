// Package chat runs one conversational turn: route the utterance to an
// intent, fill the tool's arguments from the entities found in it, call the
// tool through the plugin host, and compose the reply in the user's
// language from the tool's display or the host's templates.
package chat

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// MaxTextRunes bounds an utterance.
const MaxTextRunes = 2000

// ErrInvalidTurn is wrapped by errors about the turn itself (empty text…).
var ErrInvalidTurn = errors.New("invalid turn")

// Invoker calls tools and says what the running plugins offer.
type Invoker interface {
	Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error)
	Manifests() []tools.Manifest
}

// Turn is one utterance from a user on a channel.
type Turn struct {
	RequestID      string `json:"request_id,omitempty"`
	User           string `json:"user,omitempty"`
	Role           string `json:"role,omitempty"`
	Channel        string `json:"channel,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	// Locale is ko or en; empty means detect it from the text.
	Locale string `json:"locale,omitempty"`
	Text   string `json:"text"`
}

// Reply is the answer to a turn.
type Reply struct {
	RequestID      string          `json:"request_id"`
	ConversationID string          `json:"conversation_id"`
	Locale         string          `json:"locale"`
	Text           string          `json:"text"`
	Intent         string          `json:"intent"`
	Confidence     float64         `json:"confidence"`
	Slots          Slots           `json:"slots"`
	ToolCalls      []ToolCall      `json:"tool_calls"`
	Result         json.RawMessage `json:"result,omitempty"`
	Blocks         *tools.Display  `json:"blocks,omitempty"`
	// ChartsSVG holds each of Blocks.Charts rendered as SVG, in order.
	ChartsSVG []string `json:"charts_svg,omitempty"`
	Timings   Timings  `json:"timings"`
}

// ToolCall records one tool call made for a turn.
type ToolCall struct {
	Tool       string          `json:"tool"`
	ID         string          `json:"id"` // plugin.tool
	Args       json.RawMessage `json:"args"`
	Failure    string          `json:"failure,omitempty"`
	Error      string          `json:"error,omitempty"`
	DurationMS float64         `json:"duration_ms"`
}

// Timings are the durations of the turn's stages, in milliseconds.
type Timings struct {
	RouteMS float64 `json:"route_ms"`
	ToolsMS float64 `json:"tools_ms"`
	TotalMS float64 `json:"total_ms"`
}

// Store is what the engine keeps and reads.
type Store interface {
	store.Catalog
	store.Conversations
	store.AuditLog
}

// Engine answers turns.
type Engine struct {
	tools Invoker
	store Store
	texts *prompts.Set
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	router    *Router
	toolInfo  map[string]tools.ToolInfo
	routerSig string
	gaz       *gazetteer
	gazAt     time.Time
}

// Options configure an Engine. Tools, Store and Texts are required.
type Options struct {
	Tools  Invoker
	Store  Store
	Texts  *prompts.Set
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns an engine.
func New(o Options) (*Engine, error) {
	if o.Tools == nil || o.Store == nil || o.Texts == nil {
		return nil, errors.New("chat: Tools, Store and Texts are required")
	}
	e := &Engine{tools: o.Tools, store: o.Store, texts: o.Texts, log: o.Logger, now: o.Now}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// DetectLocale returns ko when the text holds Hangul, en otherwise.
func DetectLocale(text string) string {
	for _, r := range text {
		if unicode.Is(unicode.Hangul, r) {
			return "ko"
		}
	}
	return "en"
}

// Event is a step of a turn as it happens, for channels that stream
// (server-sent events in the web UI).
type Event struct {
	// Type is intent (Intent and Confidence set), tool_start (Tool set),
	// tool_done (Call set) or reply (Reply set, always last).
	Type       string    `json:"type"`
	Intent     string    `json:"intent,omitempty"`
	Confidence float64   `json:"confidence,omitempty"`
	Tool       string    `json:"tool,omitempty"`
	Call       *ToolCall `json:"call,omitempty"`
	Reply      *Reply    `json:"reply,omitempty"`
}

// Handle answers one turn.
func (e *Engine) Handle(ctx context.Context, t *Turn) (*Reply, error) {
	return e.Stream(ctx, t, nil)
}

// Stream answers one turn like Handle, calling emit (when not nil) with
// each step as it happens; the last event carries the reply.
func (e *Engine) Stream(ctx context.Context, t *Turn, emit func(Event)) (*Reply, error) {
	if emit == nil {
		emit = func(Event) {}
	}
	start := time.Now()
	text := strings.TrimSpace(t.Text)
	switch {
	case text == "":
		return nil, fmt.Errorf("%w: text is empty: ask a question, e.g. \"강남점 크루아상 재고 몇 개야?\"", ErrInvalidTurn)
	case !utf8.ValidString(text):
		return nil, fmt.Errorf("%w: text is not valid UTF-8", ErrInvalidTurn)
	case utf8.RuneCountInString(text) > MaxTextRunes:
		return nil, fmt.Errorf("%w: text has %d characters; the limit is %d", ErrInvalidTurn, utf8.RuneCountInString(text), MaxTextRunes)
	}
	locale := t.Locale
	switch locale {
	case "":
		locale = DetectLocale(text)
	case "ko", "en":
	default:
		return nil, fmt.Errorf("%w: locale %q: want ko or en", ErrInvalidTurn, t.Locale)
	}
	reply := &Reply{RequestID: t.RequestID, Locale: locale, ToolCalls: []ToolCall{}}

	conv, err := e.store.EnsureConversation(ctx, &store.Conversation{
		ID: cmp.Or(t.ConversationID, uuid.NewString()), User: t.User, Channel: t.Channel, Title: title(text),
	})
	if err != nil {
		return nil, fmt.Errorf("open conversation: %w", err)
	}
	if conv.User != t.User {
		return nil, fmt.Errorf("%w: conversation %s belongs to another user; leave conversation_id empty to start a new one", ErrInvalidTurn, conv.ID)
	}
	reply.ConversationID = conv.ID
	if _, err := e.store.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Role: "user", Text: text}); err != nil {
		return nil, fmt.Errorf("record message: %w", err)
	}

	router, gaz, infos := e.currentRouter(ctx)
	route := router.Route(text)
	reply.Intent, reply.Confidence = route.Intent, round3(route.Confidence)
	reply.Slots = gaz.find(text)
	reply.Timings.RouteMS = ms(time.Since(start))
	emit(Event{Type: "intent", Intent: reply.Intent, Confidence: reply.Confidence})

	switch {
	case route.Tool != "":
		emit(Event{Type: "tool_start", Tool: route.Tool})
		e.callTool(ctx, t, reply, route.Tool, infos[route.Tool])
		emit(Event{Type: "tool_done", Tool: route.Tool, Call: &reply.ToolCalls[len(reply.ToolCalls)-1]})
	case route.Intent == IntentHelp:
		reply.Text, err = e.help(locale)
	default:
		reply.Text, err = e.texts.Render("out_of_scope", locale, map[string]any{"Examples": quote(router.Examples(3))})
	}
	if err != nil {
		return nil, err
	}
	reply.Timings.TotalMS = ms(time.Since(start))
	payload, _ := json.Marshal(reply)
	if _, err := e.store.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Role: "assistant", Text: reply.Text, Intent: reply.Intent, Payload: payload}); err != nil {
		return nil, fmt.Errorf("record reply: %w", err)
	}
	e.log.InfoContext(ctx, "turn", "intent", reply.Intent, "confidence", reply.Confidence, "tools", len(reply.ToolCalls), "total_ms", reply.Timings.TotalMS)
	emit(Event{Type: "reply", Reply: reply})
	return reply, nil
}

// callTool fills the tool's arguments from the slots, calls it and puts
// its answer in the reply. Tool failures and errors become polite text.
func (e *Engine) callTool(ctx context.Context, t *Turn, reply *Reply, id string, info tools.ToolInfo) {
	args := buildArgs(info, reply.Slots)
	raw, _ := json.Marshal(args)
	call := ToolCall{Tool: info.Name, ID: id, Args: raw}
	t0 := time.Now()
	res, err := e.tools.Invoke(ctx, &tools.Invocation{
		Tool: id,
		Args: raw,
		CallInfo: tools.CallInfo{
			RequestID: t.RequestID, User: t.User, Role: t.Role, Locale: reply.Locale,
			ConversationID: reply.ConversationID, Now: e.now(),
		},
	})
	call.DurationMS = ms(time.Since(t0))
	reply.Timings.ToolsMS += call.DurationMS
	outcome := "ok"
	switch {
	case err != nil:
		call.Error = err.Error()
		outcome = err.Error()
		reply.Text = e.mustRender("tool_error", reply.Locale, map[string]any{"Tool": info.Name, "Error": err.Error()})
	case res.Failure != "":
		call.Failure = res.Failure
		outcome = "failure: " + res.Failure
		reply.Text = e.mustRender("tool_failure", reply.Locale, map[string]any{"Reason": res.Failure})
	default:
		reply.Result = res.Output
		reply.Blocks = res.Display
		if res.Display != nil && res.Display.Text != "" {
			reply.Text = res.Display.Text
			reply.Blocks = &tools.Display{Tables: res.Display.Tables, Charts: res.Display.Charts, Cards: res.Display.Cards}
		}
		if res.Display != nil {
			for _, c := range res.Display.Charts {
				svg, err := render.SVG(c, render.Options{Locale: reply.Locale})
				if err != nil {
					e.log.ErrorContext(ctx, "render chart", "tool", id, "err", err)
					svg = nil
				}
				reply.ChartsSVG = append(reply.ChartsSVG, string(svg))
			}
		}
		if res.Display == nil || res.Display.Text == "" {
			reply.Text = e.mustRender("no_text", reply.Locale, map[string]any{"Tool": info.Name})
		}
	}
	reply.ToolCalls = append(reply.ToolCalls, call)
	if err := e.store.RecordAudit(ctx, &store.AuditEntry{
		RequestID: t.RequestID, Actor: t.User, Role: t.Role, Action: "tool:" + info.Name, Args: raw, Outcome: outcome,
	}); err != nil {
		e.log.ErrorContext(ctx, "audit", "err", err)
	}
}

// buildArgs maps slots onto the tool's input properties by name.
func buildArgs(info tools.ToolInfo, s Slots) map[string]any {
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(info.InputSchema, &schema)
	args := map[string]any{}
	has := func(p string) bool { _, ok := schema.Properties[p]; return ok }
	if s.Store != "" && has("store") {
		args["store"] = s.Store
	}
	if s.Days > 0 && has("days") {
		args["days"] = s.Days
	}
	if s.Segment != "" && has("segment") {
		args["segment"] = s.Segment
	}
	if s.Product != "" {
		switch {
		case has("product"):
			args["product"] = s.Product
		case has("query"):
			args["query"] = s.Product
		}
	}
	return args
}

func (e *Engine) help(locale string) (string, error) {
	type entry struct{ Description, Example string }
	var entries []entry
	for _, m := range e.tools.Manifests() {
		for _, t := range m.Tools {
			en := entry{Description: t.Description}
			for _, in := range t.Intents {
				for _, ex := range in.Examples {
					if DetectLocale(ex) == locale {
						en.Example = ex
						break
					}
				}
			}
			entries = append(entries, en)
		}
	}
	return e.texts.Render("help", locale, map[string]any{"Tools": entries})
}

func (e *Engine) mustRender(id, locale string, data any) string {
	s, err := e.texts.Render(id, locale, data)
	if err != nil {
		e.log.Error("render answer", "template", id, "err", err)
		return fmt.Sprint(data)
	}
	return s
}

// currentRouter rebuilds the router when the running plugins or the
// catalogue change; the store and product names are reloaded at most once a
// minute.
func (e *Engine) currentRouter(ctx context.Context) (*Router, *gazetteer, map[string]tools.ToolInfo) {
	manifests := e.tools.Manifests()
	slices.SortFunc(manifests, func(a, b tools.Manifest) int { return strings.Compare(a.Name, b.Name) })
	var sig strings.Builder
	for _, m := range manifests {
		fmt.Fprintf(&sig, "%s@%s;", m.Name, m.Version)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gaz == nil || time.Since(e.gazAt) > time.Minute {
		stores, err1 := e.store.ListStores(ctx)
		products, err2 := e.store.ListProducts(ctx)
		if err := errors.Join(err1, err2); err != nil {
			e.log.ErrorContext(ctx, "load catalogue for slots", "err", err)
			if e.gaz == nil {
				e.gaz = newGazetteer(nil, nil)
			}
		} else {
			e.gaz, e.gazAt = newGazetteer(stores, products), time.Now()
			e.router = nil
		}
	}
	if e.router == nil || e.routerSig != sig.String() {
		e.router = NewRouter(manifests, DefaultThreshold, e.gaz.mask)
		e.toolInfo = map[string]tools.ToolInfo{}
		for _, m := range manifests {
			for _, t := range m.Tools {
				e.toolInfo[m.Name+"."+t.Name] = t
			}
		}
		e.routerSig = sig.String()
	}
	return e.router, e.gaz, e.toolInfo
}

func title(text string) string {
	r := []rune(text)
	if len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return text
}

func quote(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "“" + x + "”"
	}
	return out
}

func ms(d time.Duration) float64 { return round3(float64(d.Microseconds()) / 1000) }

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
