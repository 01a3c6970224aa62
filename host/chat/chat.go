// Package chat runs one conversational turn: classify the utterance
// (host/intent), fill the serving tool's arguments from the slots and the
// conversation, call the tool through the plugin host, retrieve the
// knowledge the intent and its entities allow (knowledge), and compose the
// reply in the user's language through structured generation (host/llm) —
// which, with no language model configured, is the tool's own text or the
// host's templates.
package chat

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// MaxTextRunes bounds an utterance.
const MaxTextRunes = 2000

// The host's own intents, answered without a plugin.
const (
	IntentHelp        = "help"
	IntentKnowledgeQA = "knowledge_qa"
	IntentOutOfScope  = "out_of_scope"
)

// ErrInvalidTurn is wrapped by errors about the turn itself (empty text…).
var ErrInvalidTurn = errors.New("invalid turn")

// Invoker calls tools and says what the running plugins offer.
type Invoker interface {
	Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error)
	Manifests() []tools.Manifest
}

// Knowledge is the knowledge base the engine retrieves from.
type Knowledge interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error)
}

// Answerer puts a tool result into words (llm.Generator).
type Answerer interface {
	ChatAnswer(ctx context.Context, in llm.ChatAnswerInput) (string, *llm.Result, error)
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
	RequestID      string `json:"request_id"`
	ConversationID string `json:"conversation_id"`
	Locale         string `json:"locale"`
	Text           string `json:"text"`
	// Intent is canonical (waste_forecast, knowledge_qa, …; DESIGN.md).
	Intent string `json:"intent"`
	// SubIntent is the finer intent a plugin declared that the turn was
	// taken for (stock_lookup, a knowledge_qa), for the trace.
	SubIntent  string          `json:"sub_intent,omitempty"`
	Confidence float64         `json:"confidence"`
	Slots      intent.Slots    `json:"slots"`
	Followup   bool            `json:"followup,omitempty"`
	ToolCalls  []ToolCall      `json:"tool_calls"`
	Result     json.RawMessage `json:"result,omitempty"`
	Blocks     *tools.Display  `json:"blocks,omitempty"`
	// ChartsSVG holds each of Blocks.Charts rendered as SVG, in order.
	ChartsSVG []string `json:"charts_svg,omitempty"`
	// Sources are the knowledge passages the answer rests on or that the
	// intent and its entities made relevant; knowledge answers cite them.
	Sources []Source `json:"sources,omitempty"`
	// Generation says how the text was written (llm, repaired, fallback).
	Generation *Generation `json:"generation,omitempty"`
	Timings    Timings     `json:"timings"`
}

// Source is a knowledge passage cited by a reply.
type Source struct {
	DocID      string  `json:"doc_id"`
	Collection string  `json:"collection"`
	Title      string  `json:"title"`
	Heading    string  `json:"heading,omitempty"`
	Text       string  `json:"text"`
	Score      float64 `json:"score"`
}

// Generation is the outcome of writing a reply's text.
type Generation struct {
	Prompt  string `json:"prompt"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	Mode    string `json:"mode"`
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
	RouteMS     float64 `json:"route_ms"`
	ToolsMS     float64 `json:"tools_ms"`
	KnowledgeMS float64 `json:"knowledge_ms"`
	ComposeMS   float64 `json:"compose_ms"`
	TotalMS     float64 `json:"total_ms"`
}

// Event is a step of a turn as it happens, for channels that stream
// (server-sent events in the web UI).
type Event struct {
	// Type is intent (Intent, SubIntent and Confidence set), tool_start
	// (Tool set), tool_done (Call set) or reply (Reply set, always last).
	Type       string    `json:"type"`
	Intent     string    `json:"intent,omitempty"`
	SubIntent  string    `json:"sub_intent,omitempty"`
	Confidence float64   `json:"confidence,omitempty"`
	Tool       string    `json:"tool,omitempty"`
	Call       *ToolCall `json:"call,omitempty"`
	Reply      *Reply    `json:"reply,omitempty"`
}

// Store is what the engine keeps and reads.
type Store interface {
	store.Catalog
	store.Conversations
	store.AuditLog
}

// Engine answers turns.
type Engine struct {
	tools     Invoker
	store     Store
	texts     *prompts.Set
	knowledge Knowledge
	answerer  Answerer
	fallback  intent.Fallback
	loc       *time.Location
	log       *slog.Logger
	now       func() time.Time

	mu         sync.Mutex
	classifier *intent.Classifier
	toolInfo   map[string]tools.ToolInfo
	sig        string
	catalog    intent.Catalog
	catalogAt  time.Time
}

// Options configure an Engine. Tools, Store and Texts are required.
type Options struct {
	Tools Invoker
	Store Store
	Texts *prompts.Set
	// Knowledge, when set, grounds answers: knowledge_qa searches it and
	// other intents cite what their entities make relevant.
	Knowledge Knowledge
	// Answerer, when set, writes the reply's text from the tool result;
	// without it the text is the tool's own.
	Answerer Answerer
	// IntentFallback is asked when the classifier is unsure (an LLM).
	IntentFallback intent.Fallback
	// Location resolves relative dates (default Asia/Seoul).
	Location *time.Location
	Logger   *slog.Logger
	Now      func() time.Time
}

// New returns an engine.
func New(o Options) (*Engine, error) {
	if o.Tools == nil || o.Store == nil || o.Texts == nil {
		return nil, errors.New("chat: Tools, Store and Texts are required")
	}
	e := &Engine{tools: o.Tools, store: o.Store, texts: o.Texts, knowledge: o.Knowledge, answerer: o.Answerer,
		fallback: o.IntentFallback, loc: o.Location, log: o.Logger, now: o.Now}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.loc == nil {
		e.loc = seoul
	}
	return e, nil
}

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()

// DetectLocale returns ko when the text holds Hangul, en otherwise.
func DetectLocale(text string) string { return intent.DetectLocale(text) }

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
	prev, err := e.previous(ctx, conv.ID)
	if err != nil {
		return nil, err
	}
	cls, infos, err := e.current(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := e.store.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Role: "user", Text: text}); err != nil {
		return nil, fmt.Errorf("record message: %w", err)
	}

	res := cls.Classify(ctx, text, prev)
	reply.Intent, reply.SubIntent, reply.Confidence, reply.Slots, reply.Followup = res.Intent, res.Sub, round3(res.Confidence), res.Slots, res.Followup
	reply.Timings.RouteMS = ms(time.Since(start))
	emit(Event{Type: "intent", Intent: reply.Intent, SubIntent: reply.SubIntent, Confidence: reply.Confidence})

	switch {
	case res.Tool != "" && infos[res.Tool].Name != "":
		emit(Event{Type: "tool_start", Tool: res.Tool})
		e.callTool(ctx, t, reply, res.Tool, infos[res.Tool])
		emit(Event{Type: "tool_done", Tool: res.Tool, Call: &reply.ToolCalls[len(reply.ToolCalls)-1]})
		e.cite(ctx, reply, text)
		e.compose(ctx, t, reply, text)
	case res.Intent == IntentHelp:
		reply.Text, err = e.help(locale)
	case res.Intent == IntentKnowledgeQA:
		err = e.answerFromKnowledge(ctx, reply, text)
	case res.Intent != IntentOutOfScope && !res.OutOfScope:
		// A canonical intent that no running plugin serves.
		reply.Text = e.mustRender("no_tool", locale, map[string]any{"Intent": res.Intent, "Examples": quote(e.examples(cls, locale, 3))})
	default:
		reply.Intent, reply.SubIntent = IntentOutOfScope, ""
		reply.Text, err = e.texts.Render("out_of_scope", locale, map[string]any{"Examples": quote(e.examples(cls, locale, 3))})
	}
	if err != nil {
		return nil, err
	}
	reply.Timings.TotalMS = ms(time.Since(start))
	payload, _ := json.Marshal(reply)
	if _, err := e.store.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Role: "assistant", Text: reply.Text, Intent: reply.Intent, Payload: payload}); err != nil {
		return nil, fmt.Errorf("record reply: %w", err)
	}
	e.log.InfoContext(ctx, "turn", "intent", reply.Intent, "sub_intent", reply.SubIntent, "confidence", reply.Confidence, "followup", reply.Followup,
		"tools", len(reply.ToolCalls), "sources", len(reply.Sources), "total_ms", reply.Timings.TotalMS)
	emit(Event{Type: "reply", Reply: reply})
	return reply, nil
}

// previous returns the conversation's last answered turn as the
// classifier's context for follow-ups; nil for a new conversation.
func (e *Engine) previous(ctx context.Context, conversationID string) (*intent.Result, error) {
	msgs, err := e.store.Messages(ctx, conversationID)
	if err != nil {
		return nil, fmt.Errorf("read conversation: %w", err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role != "assistant" || len(m.Payload) == 0 {
			continue
		}
		var r Reply
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			e.log.WarnContext(ctx, "unreadable reply in conversation", "conversation", conversationID, "message", m.ID, "err", err)
			return nil, nil
		}
		prev := &intent.Result{Intent: r.Intent, Sub: r.SubIntent, Confidence: r.Confidence, Slots: r.Slots, Locale: r.Locale}
		if len(r.ToolCalls) > 0 {
			prev.Tool = r.ToolCalls[0].ID
		}
		return prev, nil
	}
	return nil, nil
}

// callTool fills the tool's arguments from the slots, calls it and puts
// its answer in the reply. Tool failures and errors become polite text.
func (e *Engine) callTool(ctx context.Context, t *Turn, reply *Reply, id string, info tools.ToolInfo) {
	args := reply.Slots.Args(info.InputSchema)
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

// compose rewrites a successful tool answer's text through the answerer
// (the chat.answer prompt); in template mode the tool's text stands.
func (e *Engine) compose(ctx context.Context, t *Turn, reply *Reply, question string) {
	if e.answerer == nil || reply.Result == nil {
		return
	}
	t0 := time.Now()
	defer func() { reply.Timings.ComposeMS = ms(time.Since(t0)) }()
	tool := ""
	if len(reply.ToolCalls) > 0 {
		tool = reply.ToolCalls[0].ID
	}
	text, res, err := e.answerer.ChatAnswer(ctx, llm.ChatAnswerInput{
		Locale: reply.Locale, Question: question, Tool: tool, Result: reply.Result, Fallback: reply.Text,
		RequestID: t.RequestID, ConversationID: reply.ConversationID,
	})
	if err != nil {
		e.log.ErrorContext(ctx, "compose answer", "err", err)
		return
	}
	reply.Text = text
	reply.Generation = generationOf(res)
}

func generationOf(res *llm.Result) *Generation {
	if res == nil {
		return nil
	}
	return &Generation{Prompt: res.Prompt, Outcome: res.Outcome, Reason: res.Reason, Mode: res.Provider}
}

func (e *Engine) help(locale string) (string, error) {
	type entry struct{ Description, Example string }
	var entries []entry
	for _, m := range e.tools.Manifests() {
		for _, t := range m.Tools {
			if len(t.Intents) == 0 {
				continue // tools for machines (train, order_placed) are not for chat
			}
			en := entry{Description: t.Description}
			if d := t.Descriptions[locale]; d != "" {
				en.Description = d
			}
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

// examples returns n example questions in locale, one per intent.
func (e *Engine) examples(cls *intent.Classifier, locale string, n int) []string {
	var out []string
	for _, d := range cls.Intents() {
		if len(out) == n {
			break
		}
		if d.Name == IntentHelp || d.Name == IntentOutOfScope || len(d.Tools) == 0 {
			continue
		}
		for _, ex := range d.Examples {
			if DetectLocale(ex) == locale {
				out = append(out, ex)
				break
			}
		}
	}
	return out
}

func (e *Engine) mustRender(id, locale string, data any) string {
	s, err := e.texts.Render(id, locale, data)
	if err != nil {
		e.log.Error("render answer", "template", id, "err", err)
		return fmt.Sprint(data)
	}
	return s
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
