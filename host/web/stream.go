package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/store"
)

// chatStream answers a chat turn as server-sent events, one per step as it
// happens: intent, tool_start, tool_done, then reply (or error). The body is
// the same as POST /v1/chat. It is a POST read with fetch rather than an
// EventSource, so that the token travels in the Authorization header and
// never in a URL.
func (s *Server) chatStream(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeChatRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error(), nil)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) {
		data, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		_ = rc.Flush()
	}
	_, err = s.o.Chat.Stream(r.Context(), s.turn(r, req, "web"), func(ev chat.Event) { send(ev.Type, ev) })
	if err != nil {
		code := "internal"
		msg := err.Error()
		if errors.Is(err, chat.ErrInvalidTurn) {
			code = "invalid_request"
		} else {
			s.o.Logger.ErrorContext(r.Context(), "chat stream", "err", err)
		}
		send("error", map[string]any{"error": map[string]string{"code": code, "message": msg}})
	}
}

// ConversationSummary is one entry of GET /v1/conversations.
type ConversationSummary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Channel   string    `json:"channel"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MessageView is one message of GET /v1/conversations/{id}; Reply is the
// assistant's whole reply, so the UI renders it as it did live.
type MessageView struct {
	Role      string          `json:"role"`
	Text      string          `json:"text"`
	Intent    string          `json:"intent,omitempty"`
	Reply     json.RawMessage `json:"reply,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	if s.o.Conversations == nil {
		writeJSON(w, http.StatusOK, map[string]any{"conversations": []ConversationSummary{}})
		return
	}
	cs, err := s.o.Conversations.ListConversations(r.Context(), principalOf(r).Name, 50)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	out := make([]ConversationSummary, len(cs))
	for i, c := range cs {
		out[i] = ConversationSummary{ID: c.ID, Title: c.Title, Channel: c.Channel, UpdatedAt: c.UpdatedAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out})
}

// conversation returns one of the caller's conversations; another user's
// is answered as not found.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	notFound := func() {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no conversation %q of yours: GET /v1/conversations lists them", id), nil)
	}
	if s.o.Conversations == nil {
		notFound()
		return
	}
	mine, err := s.o.Conversations.ListConversations(r.Context(), principalOf(r).Name, 0)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	i := slices.IndexFunc(mine, func(c store.Conversation) bool { return c.ID == id })
	if i < 0 {
		notFound()
		return
	}
	ms, err := s.o.Conversations.Messages(r.Context(), id)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	out := make([]MessageView, len(ms))
	for i, m := range ms {
		out[i] = MessageView{Role: m.Role, Text: m.Text, Intent: m.Intent, CreatedAt: m.CreatedAt}
		if m.Role == "assistant" {
			out[i].Reply = m.Payload
		}
	}
	c := mine[i]
	writeJSON(w, http.StatusOK, map[string]any{
		"conversation": ConversationSummary{ID: c.ID, Title: c.Title, Channel: c.Channel, UpdatedAt: c.UpdatedAt},
		"messages":     out,
	})
}
