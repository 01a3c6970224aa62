// Package llmtest runs real HTTP servers that speak the wire formats of the
// language-model APIs host/llm talks to — OpenAI chat completions,
// Anthropic messages and Ollama's /api/chat — and misbehave on purpose:
// error statuses with each API's own error bodies, 429 with Retry-After,
// hangs, bodies that trickle in slower than any time-out, envelopes that
// are not JSON. Tests and `crumb eval llm` script what each request gets.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Wire formats.
const (
	OpenAI    = "openai"
	Anthropic = "anthropic"
	Ollama    = "ollama"
)

// Kinds of step.
const (
	KindOK        = "ok"        // 200 with Content as the model's text
	KindStatus    = "status"    // Status with the API's own error body (Message in it)
	KindHang      = "hang"      // never answers (until the client gives up)
	KindSlow      = "slow"      // 200 whose body trickles in a byte per Interval
	KindMalformed = "malformed" // 200 with a body that is not the API's JSON
	KindEmpty     = "empty"     // 200 without choices / content
)

// Step is what the server does with one request.
type Step struct {
	Kind    string
	Content string // KindOK, KindSlow: the model's text
	Status  int    // KindStatus
	Message string // KindStatus: the error message (a realistic one by default)
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Delay is waited before answering (KindOK, KindStatus).
	Delay time.Duration
	// Interval is the pause between bytes of a KindSlow body (default 50ms).
	Interval time.Duration
}

// OK answers with text.
func OK(text string) Step { return Step{Kind: KindOK, Content: text} }

// Status answers with an HTTP error in the API's format.
func Status(code int) Step { return Step{Kind: KindStatus, Status: code} }

// RateLimited answers 429 with Retry-After.
func RateLimited(retryAfter string) Step {
	return Step{Kind: KindStatus, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// Hang never answers.
func Hang() Step { return Step{Kind: KindHang} }

// Message is one message of a recorded request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is a request as the server received it.
type Request struct {
	Format   string
	Path     string
	Header   http.Header
	Model    string
	System   string
	Messages []Message
	// ResponseFormat is OpenAI's response_format, Ollama's format; nil if absent.
	ResponseFormat json.RawMessage
	MaxTokens      int
	// Case is the X-Eval-Case header, which lets one server script many
	// conversations at once.
	Case string
	// N is the request's number among those of its Case, from 0.
	N int
	// Raw is the request body.
	Raw []byte
}

// LastUser is the content of the last user message.
func (r *Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Script decides the step for each request.
type Script func(r *Request) Step

// Sequence answers the n-th request of each case with steps[n], repeating
// the last step after the end.
func Sequence(steps ...Step) Script {
	return func(r *Request) Step {
		if len(steps) == 0 {
			return OK("{}")
		}
		return steps[min(r.N, len(steps)-1)]
	}
}

// Server is a fake API server.
type Server struct {
	*httptest.Server
	format string
	script Script
	done   chan struct{}

	mu       sync.Mutex
	requests []*Request
	perCase  map[string]int
	closed   bool
}

// New starts a server speaking format (OpenAI, Anthropic or Ollama).
func New(format string, script Script) *Server {
	s := &Server{format: format, script: script, done: make(chan struct{}), perCase: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Close stops the server, releasing hanging requests first.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// BaseURL is the URL to configure as llm.base_url.
func (s *Server) BaseURL() string {
	if s.format == Ollama {
		return s.URL
	}
	return s.URL + "/v1"
}

// Requests returns the requests received so far.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.requests...)
}

// Count is the number of requests received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	want := map[string]string{OpenAI: "/v1/chat/completions", Anthropic: "/v1/messages", Ollama: "/api/chat"}[s.format]
	if r.Method != http.MethodPost || r.URL.Path != want {
		s.writeError(w, http.StatusNotFound, fmt.Sprintf("unknown path %s %s", r.Method, r.URL.Path))
		return
	}
	raw, _ := io.ReadAll(r.Body)
	req, err := s.decode(raw)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "could not parse the JSON body of your request: "+err.Error())
		return
	}
	req.Path, req.Header, req.Raw, req.Case = r.URL.Path, r.Header.Clone(), raw, r.Header.Get("X-Eval-Case")
	s.mu.Lock()
	req.N = s.perCase[req.Case]
	s.perCase[req.Case]++
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	step := s.script(req)
	if step.Delay > 0 {
		select {
		case <-time.After(step.Delay):
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	if step.RetryAfter != "" {
		w.Header().Set("Retry-After", step.RetryAfter)
	}
	switch step.Kind {
	case KindStatus:
		msg := step.Message
		if msg == "" {
			msg = defaultMessage(s.format, step.Status)
		}
		s.writeError(w, step.Status, msg)
	case KindHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case KindSlow:
		body := s.success(req, step.Content)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		iv := step.Interval
		if iv == 0 {
			iv = 50 * time.Millisecond
		}
		f, _ := w.(http.Flusher)
		for i := range body {
			if _, err := w.Write(body[i : i+1]); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
			select {
			case <-time.After(iv):
			case <-r.Context().Done():
				return
			case <-s.done:
				return
			}
		}
	case KindMalformed:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"x","choices":[{"message":{"content":"{\"text\": \"cut`)
	case KindEmpty:
		w.Header().Set("Content-Type", "application/json")
		switch s.format {
		case OpenAI:
			io.WriteString(w, `{"id":"chatcmpl-empty","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}`)
		case Anthropic:
			io.WriteString(w, `{"id":"msg_empty","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":0}}`)
		default:
			io.WriteString(w, `{"model":"llama-test","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true}`)
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.success(req, step.Content))
	}
}

func (s *Server) decode(raw []byte) (*Request, error) {
	req := &Request{Format: s.format}
	switch s.format {
	case OpenAI:
		var b struct {
			Model          string          `json:"model"`
			Messages       []Message       `json:"messages"`
			ResponseFormat json.RawMessage `json:"response_format"`
			MaxTokens      int             `json:"max_tokens"`
			MaxCompletion  int             `json:"max_completion_tokens"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		req.Model, req.ResponseFormat, req.MaxTokens = b.Model, b.ResponseFormat, max(b.MaxTokens, b.MaxCompletion)
		for _, m := range b.Messages {
			if m.Role == "system" {
				req.System += m.Content
				continue
			}
			req.Messages = append(req.Messages, m)
		}
	case Anthropic:
		var b struct {
			Model    string          `json:"model"`
			System   json.RawMessage `json:"system"`
			Messages []struct {
				Role    string `json:"role"`
				Content []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"content"`
			} `json:"messages"`
			MaxTokens int `json:"max_tokens"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		if b.MaxTokens <= 0 {
			return nil, fmt.Errorf("max_tokens: field required")
		}
		req.Model, req.MaxTokens = b.Model, b.MaxTokens
		_ = json.Unmarshal(b.System, &req.System)
		for _, m := range b.Messages {
			var text strings.Builder
			for _, c := range m.Content {
				text.WriteString(c.Text)
			}
			req.Messages = append(req.Messages, Message{Role: m.Role, Content: text.String()})
		}
	case Ollama:
		var b struct {
			Model    string          `json:"model"`
			Messages []Message       `json:"messages"`
			Format   json.RawMessage `json:"format"`
			Stream   *bool           `json:"stream"`
			Options  struct {
				NumPredict int `json:"num_predict"`
			} `json:"options"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		if b.Stream == nil || *b.Stream {
			return nil, fmt.Errorf("this fake serves stream:false only")
		}
		req.Model, req.ResponseFormat, req.MaxTokens = b.Model, b.Format, b.Options.NumPredict
		for _, m := range b.Messages {
			if m.Role == "system" {
				req.System += m.Content
				continue
			}
			req.Messages = append(req.Messages, m)
		}
	}
	return req, nil
}

// success is the API's 200 body carrying text as the model's answer.
func (s *Server) success(req *Request, text string) []byte {
	var v any
	switch s.format {
	case OpenAI:
		v = map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000,
			"model": cmpOr(req.Model, "gpt-4o-mini") + "-2024-07-18", "system_fingerprint": "fp_test",
			"choices": []any{map[string]any{
				"index": 0, "message": map[string]any{"role": "assistant", "content": text, "refusal": nil},
				"logprobs": nil, "finish_reason": "stop",
			}},
			"usage": map[string]any{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
		}
	case Anthropic:
		// A real model continues a prefilled assistant turn rather than
		// repeating it.
		if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == "assistant" {
			text = strings.TrimPrefix(text, req.Messages[n-1].Content)
		}
		v = map[string]any{
			"id": "msg_01test", "type": "message", "role": "assistant", "model": cmpOr(req.Model, "claude-test"),
			"content":     []any{map[string]any{"type": "text", "text": text}},
			"stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 100, "output_tokens": 50},
		}
	default:
		v = map[string]any{
			"model": cmpOr(req.Model, "llama-test"), "created_at": "2025-01-01T00:00:00.000000Z",
			"message":     map[string]any{"role": "assistant", "content": text},
			"done_reason": "stop", "done": true, "total_duration": 1000000, "eval_count": 50,
		}
	}
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	var v any
	switch s.format {
	case OpenAI:
		typ, code := "server_error", any(nil)
		switch {
		case status == http.StatusTooManyRequests:
			typ, code = "requests", "rate_limit_exceeded"
		case status == http.StatusUnauthorized:
			typ, code = "invalid_request_error", "invalid_api_key"
		case status < 500:
			typ = "invalid_request_error"
		}
		v = map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}}
	case Anthropic:
		typ := map[int]string{400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
			404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}[status]
		if typ == "" {
			typ = "api_error"
		}
		v = map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}}
	default:
		v = map[string]any{"error": msg}
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func defaultMessage(format string, status int) string {
	switch {
	case status == http.StatusTooManyRequests && format == Anthropic:
		return "Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage."
	case status == http.StatusTooManyRequests:
		return "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."
	case status == 529:
		return "Overloaded"
	case status == http.StatusUnauthorized && format == Anthropic:
		return "invalid x-api-key"
	case status == http.StatusUnauthorized:
		return "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys."
	case status == http.StatusNotFound && format == Ollama:
		return `model "llama-test" not found, try pulling it first`
	case status == http.StatusServiceUnavailable:
		return "The engine is currently overloaded, please try again later."
	case status >= 500 && format == Anthropic:
		return "Internal server error"
	case status >= 500:
		return "The server had an error while processing your request. Sorry about that!"
	}
	return http.StatusText(status)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
