// Package slack connects Crumb to Slack: app mentions, direct messages, the
// /crumb slash command and button clicks arrive over Socket Mode or the
// Events API over HTTP, and are answered in the thread with Block Kit (text,
// a table, the chart as an uploaded PNG, buttons).
//
// Every request over HTTP is checked against the app's signing secret and
// refused when its timestamp is more than five minutes away. Events are
// acknowledged at once (Slack wants an answer within 3 s) and answered in the
// background. Each event is claimed in a durable ledger (store.SlackEvents)
// before anything is posted, so a retry, a replay or a restart never
// produces a second reply: the answer is first posted as a placeholder whose
// timestamp the ledger keeps, and an attempt that takes over after a crash
// updates that message instead of posting another.
package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/store"
)

// MaxSkew is how far a request's timestamp may be from now; older requests
// are replays.
const MaxSkew = 5 * time.Minute

// maxBody bounds a request from Slack.
const maxBody = 1 << 20

// Answerer answers a chat turn, step by step (the chat engine).
type Answerer interface {
	Stream(ctx context.Context, t *chat.Turn, emit func(chat.Event)) (*chat.Reply, error)
}

// Options configure an Adapter. Chat, Ledger, BotToken and one of
// SigningSecret or AppToken are required.
type Options struct {
	Chat   Answerer
	Ledger store.SlackEvents
	// Role maps a Slack user id to a Crumb role; "" refuses the user.
	Role          func(user string) string
	BotToken      string // xoxb-…
	AppToken      string // xapp-…, for Socket Mode
	SigningSecret string // for the Events API over HTTP
	// APIURL is the Web API's base URL (default https://slack.com/api/).
	APIURL     string
	HTTPClient *http.Client
	// WebURL, when set, adds an "open in Crumb" button to answers.
	WebURL string
	// Audit, when set, records button clicks.
	Audit  store.AuditLog
	Logger *slog.Logger
	Now    func() time.Time
	// Lease is how long a claimed event belongs to its claimer before
	// another attempt may take it over (default 5 minutes, more than the
	// slowest answer). MaxAttempts bounds the attempts per event (default 3).
	Lease       time.Duration
	MaxAttempts int
}

// ActionFunc handles a button click. It runs after the click has been
// acknowledged and de-duplicated.
type ActionFunc func(ctx context.Context, a *Action) error

// Action is a button click.
type Action struct {
	ActionID  string
	Value     string
	User      string
	Role      string
	Channel   string
	MessageTS string
	ThreadTS  string
}

// Adapter is the Slack channel.
type Adapter struct {
	o   Options
	api *slack.Client
	log *slog.Logger

	mu      sync.Mutex
	actions map[string]ActionFunc // by action id prefix
	wg      sync.WaitGroup
	base    context.Context // answers outlive the request that brought them
	stop    context.CancelFunc
}

// New returns an adapter; it makes no network call (Check does).
func New(o Options) (*Adapter, error) {
	if o.Chat == nil || o.Ledger == nil {
		return nil, errors.New("slack: Chat and Ledger are required")
	}
	if o.BotToken == "" {
		return nil, errors.New("slack: the bot token is required: set slack.bot_token (CRUMB_SLACK_BOT_TOKEN) to the app's xoxb- token")
	}
	if o.SigningSecret == "" && o.AppToken == "" {
		return nil, errors.New("slack: set slack.signing_secret (Events API over HTTP) or slack.app_token (Socket Mode)")
	}
	if o.Role == nil {
		o.Role = func(string) string { return "staff" }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	opts := []slack.Option{}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if o.HTTPClient != nil {
		opts = append(opts, slack.OptionHTTPClient(o.HTTPClient))
	}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	a := &Adapter{o: o, api: slack.New(o.BotToken, opts...), log: o.Logger.With("channel", "slack"), actions: map[string]ActionFunc{}}
	a.base, a.stop = context.WithCancel(context.Background())
	a.HandleAction("crumb_feedback", a.feedback)
	return a, nil
}

// Check calls auth.test: the token works and names the bot.
func (a *Adapter) Check(ctx context.Context) (team, bot string, err error) {
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return "", "", fmt.Errorf("slack auth.test: %w (check slack.bot_token)", err)
	}
	return r.Team, r.User, nil
}

// HandleAction registers fn for buttons whose action id starts with prefix
// (the push pipeline's approve and reject buttons, say). A duplicate or
// empty prefix panics.
func (a *Adapter) HandleAction(prefix string, fn ActionFunc) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if prefix == "" || a.actions[prefix] != nil {
		panic("slack: empty or duplicate action prefix " + strconv.Quote(prefix))
	}
	a.actions[prefix] = fn
}

// Close stops taking new work and waits for the answers in flight.
func (a *Adapter) Close() {
	a.stop()
	a.wg.Wait()
}

// Wait waits for the answers in flight (tests).
func (a *Adapter) Wait() { a.wg.Wait() }

// ServeHTTP answers Slack's requests: /slack/events (Events API),
// /slack/commands (slash commands) and /slack/interactive (buttons).
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := a.verify(r.Header, body); err != nil {
		a.log.WarnContext(r.Context(), "refused a Slack request", "path", r.URL.Path, "err", err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/slack/events":
		a.serveEvents(w, r, body)
	case "/slack/commands":
		a.serveCommand(w, r, body)
	case "/slack/interactive":
		a.serveInteractive(w, r, body)
	default:
		http.Error(w, "unknown Slack endpoint: use /slack/events, /slack/commands or /slack/interactive", http.StatusNotFound)
	}
}

// verify checks Slack's v0 signature: HMAC-SHA256 of "v0:timestamp:body"
// with the signing secret, and a timestamp within MaxSkew of now.
func (a *Adapter) verify(h http.Header, body []byte) error {
	if a.o.SigningSecret == "" {
		return errors.New("this server has no Slack signing secret (slack.signing_secret), so it takes no Slack requests over HTTP")
	}
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return errors.New("missing X-Slack-Request-Timestamp or X-Slack-Signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad X-Slack-Request-Timestamp %q", ts)
	}
	if skew := a.o.Now().Sub(time.Unix(sec, 0)); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("request timestamp is %s away from now: a replay, or this host's clock is wrong", skew.Round(time.Second))
	}
	mac := hmac.New(sha256.New, []byte(a.o.SigningSecret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("bad signature: check slack.signing_secret against the app's Basic Information page")
	}
	return nil
}

// Envelope is the outer body of the Events API.
type Envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	Event     json.RawMessage `json:"event"`
}

// Event is the part of an inner event Crumb reads.
type Event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
}

// ParseEnvelope decodes an Events API body and its inner event.
func ParseEnvelope(body []byte) (*Envelope, *Event, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, nil, fmt.Errorf("decode event: %w", err)
	}
	if env.Type != "event_callback" {
		return &env, nil, nil
	}
	if env.EventID == "" || len(env.Event) == 0 {
		return nil, nil, errors.New("event_callback without event_id or event")
	}
	var ev Event
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		return nil, nil, fmt.Errorf("decode inner event: %w", err)
	}
	return &env, &ev, nil
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	env, ev, err := ParseEnvelope(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": env.Challenge})
		return
	case "event_callback":
	default:
		w.WriteHeader(http.StatusOK) // app_rate_limited and future types
		return
	}
	if dup := a.takeEvent(r.Context(), env.EventID, ev); dup {
		w.Header().Set("X-Crumb-Duplicate", "1")
	}
	w.WriteHeader(http.StatusOK)
}

// takeEvent claims a message event and answers it in the background; it
// reports whether the event had been seen before.
func (a *Adapter) takeEvent(ctx context.Context, eventID string, ev *Event) (duplicate bool) {
	j, ok := jobFor(ev)
	if !ok {
		return false
	}
	j.key = "event:" + eventID
	return !a.start(ctx, j)
}

// jobFor turns an event into a question, or reports that it is not one
// (bots, edits, joins, other event types).
func jobFor(ev *Event) (*job, bool) {
	if ev == nil || ev.BotID != "" || ev.Subtype != "" || ev.User == "" {
		return nil, false
	}
	switch {
	case ev.Type == "app_mention":
	case ev.Type == "message" && ev.ChannelType == "im":
	default:
		return nil, false
	}
	thread := ev.ThreadTS
	if thread == "" {
		thread = ev.TS
	}
	return &job{channel: ev.Channel, thread: thread, user: ev.User, text: stripMentions(ev.Text)}, true
}

// stripMentions removes <@U…> mentions from a message.
func stripMentions(s string) string {
	for {
		i := strings.Index(s, "<@")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		s = s[:i] + s[i+j+1:]
	}
	return strings.TrimSpace(s)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "decode command: "+err.Error(), http.StatusBadRequest)
		return
	}
	text := strings.TrimSpace(v.Get("text"))
	w.Header().Set("Content-Type", "application/json")
	if text == "" || text == "help" {
		_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral",
			"text": "예: `/crumb 오늘 폐기될 상품은?` · e.g. `/crumb which items will be wasted today?`"})
		return
	}
	if v.Get("trigger_id") == "" || v.Get("channel_id") == "" || v.Get("user_id") == "" {
		http.Error(w, "slash command without trigger_id, channel_id or user_id", http.StatusBadRequest)
		return
	}
	j := &job{key: "command:" + v.Get("trigger_id"), channel: v.Get("channel_id"), user: v.Get("user_id"), text: text, command: true}
	a.start(r.Context(), j)
	_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": "⏳ " + text})
}

// interaction is the part of an interactive payload Crumb reads.
type interaction struct {
	Type      string `json:"type"`
	TriggerID string `json:"trigger_id"`
	User      struct {
		ID string `json:"id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Message struct {
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
	} `json:"message"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"actions"`
}

func (a *Adapter) serveInteractive(w http.ResponseWriter, r *http.Request, body []byte) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "decode interaction: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := a.takeInteraction(r.Context(), []byte(v.Get("payload"))); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// takeInteraction claims a button click and runs its handler in the
// background.
func (a *Adapter) takeInteraction(ctx context.Context, payload []byte) error {
	var in interaction
	if err := json.Unmarshal(payload, &in); err != nil {
		return fmt.Errorf("decode interaction payload: %w", err)
	}
	if in.Type != "block_actions" || len(in.Actions) == 0 {
		return nil
	}
	if in.TriggerID == "" {
		return errors.New("block_actions without trigger_id")
	}
	act := &Action{ActionID: in.Actions[0].ActionID, Value: in.Actions[0].Value, User: in.User.ID, Role: a.o.Role(in.User.ID),
		Channel: in.Channel.ID, MessageTS: in.Message.TS, ThreadTS: in.Message.ThreadTS}
	fn := a.actionFunc(act.ActionID)
	if fn == nil {
		return nil // link buttons and others need nothing
	}
	key := "action:" + in.TriggerID
	_, ok, err := a.o.Ledger.ClaimSlackEvent(ctx, key, act.Channel, a.o.Lease, 1)
	if err != nil || !ok {
		return err
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := fn(a.base, act)
		status, msg := store.SlackAnswered, ""
		if err != nil {
			status, msg = store.SlackFailed, err.Error()
			a.log.Error("button", "action", act.ActionID, "err", err)
		}
		_ = a.o.Ledger.FinishSlackEvent(context.WithoutCancel(a.base), key, status, msg)
	}()
	return nil
}

func (a *Adapter) actionFunc(id string) ActionFunc {
	a.mu.Lock()
	defer a.mu.Unlock()
	best := ""
	for p := range a.actions {
		if strings.HasPrefix(id, p) && len(p) > len(best) {
			best = p
		}
	}
	return a.actions[best]
}

// feedback records 👍 and 👎 in the audit log.
func (a *Adapter) feedback(ctx context.Context, act *Action) error {
	if a.o.Audit == nil {
		return nil
	}
	args, _ := json.Marshal(map[string]string{"conversation": act.Value, "message_ts": act.MessageTS})
	return a.o.Audit.RecordAudit(ctx, &store.AuditEntry{Actor: "slack:" + act.User, Role: act.Role, Action: act.ActionID, Args: args, Outcome: "ok"})
}
