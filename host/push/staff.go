package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
)

// ApprovalRequest asks a store's staff to approve the day's pushes of that
// store before Deadline. The Slack adapter shows it with approve and reject
// buttons; a click comes back as Pipeline.Decide (single pushes) or
// Pipeline.DecideBatch (the whole request, by ID).
type ApprovalRequest struct {
	// ID names the request in buttons: "<store>:<date>".
	ID       string         `json:"id"`
	StoreID  string         `json:"store_id"`
	Store    string         `json:"store,omitempty"`
	Date     string         `json:"date"`
	Channel  string         `json:"channel,omitempty"` // configured approval channel, if any
	Deadline time.Time      `json:"deadline"`
	Items    []ApprovalItem `json:"items"`
}

// ApprovalItem is one push awaiting approval, with its first message.
type ApprovalItem struct {
	PushID      int64   `json:"push_id"`
	ProductID   string  `json:"product_id"`
	Product     string  `json:"product,omitempty"`
	EWR         float64 `json:"ewr"`
	DiscountPct int     `json:"discount_pct"`
	Segments    int     `json:"segments"`
	Headline    string  `json:"headline"`
	PushText    string  `json:"push_text"`
	ActionLine  string  `json:"action_line"`
}

// Approver asks staff to approve pushes (Slack, for one).
// RequestApproval is called again for the same request after a crash or
// a failure, so it should update rather than repeat where it can (the
// request ID is stable).
type Approver interface {
	RequestApproval(ctx context.Context, req *ApprovalRequest) error
}

// ApproverFunc adapts a function to an Approver.
type ApproverFunc func(ctx context.Context, req *ApprovalRequest) error

// RequestApproval calls f.
func (f ApproverFunc) RequestApproval(ctx context.Context, req *ApprovalRequest) error {
	return f(ctx, req)
}

// Notice is a message for staff: a job's result for a Slack channel.
type Notice struct {
	Channel string `json:"channel"`
	Job     string `json:"job"`
	RunID   int64  `json:"run_id"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	// Reply is the chat reply behind Text, when a prompt job made it.
	Reply *chat.Reply `json:"-"`
}

// Notifier sends notices to staff (Slack channels).
type Notifier interface {
	Notify(ctx context.Context, n *Notice) error
}

// NotifierFunc adapts a function to a Notifier.
type NotifierFunc func(ctx context.Context, n *Notice) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n *Notice) error { return f(ctx, n) }

// SlackWebhook is a Notifier that posts to a Slack incoming webhook URL
// (https://hooks.slack.com/services/…), the simplest way to put a report
// in a channel without a Slack app. The channel of an incoming webhook is
// fixed when it is made; Notice.Channel is sent for webhooks that honour it.
type SlackWebhook struct {
	URL    string
	Client *http.Client
}

// Notify posts n as a message with a header block and the text.
func (s *SlackWebhook) Notify(ctx context.Context, n *Notice) error {
	text := n.Text
	if n.Title != "" {
		text = "*" + n.Title + "*\n" + n.Text
	}
	body, _ := json.Marshal(map[string]any{
		"channel": n.Channel,
		"text":    text,
		"blocks": []any{
			map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(n.Title, 150)}},
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate(n.Text, 3000)}},
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("slack webhook: post to %s: %w", redactURL(s.URL), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack webhook: HTTP %d: %s (check the webhook URL and that the app is still installed)", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return nil
}

// redactURL keeps a webhook's secret path out of logs.
func redactURL(u string) string {
	if i := strings.Index(u, "/services/"); i >= 0 {
		return u[:i] + "/services/…"
	}
	return u
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Approval buttons: the Slack adapter routes clicks on buttons whose
// action id starts with ApprovalActionPrefix to Pipeline.HandleApproval.
// The value is an ApprovalRequest ID ("S01:2026-11-21", every push of the
// request) or "push:<id>" (one push).
const (
	ApprovalActionPrefix = "crumb_push_"
	ActionApprove        = "crumb_push_approve"
	ActionReject         = "crumb_push_reject"
)
