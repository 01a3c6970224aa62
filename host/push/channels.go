package push

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Message is one push as a customer's app, the feed and webhooks receive
// it: the copy for one segment of one at-risk item of one store.
type Message struct {
	// Key is the delivery key, date:store:product:segment; the same push
	// always has the same key, on every channel and every attempt.
	Key         string    `json:"key"`
	PushID      int64     `json:"push_id"`
	StoreID     string    `json:"store_id"`
	Store       string    `json:"store,omitempty"`
	ProductID   string    `json:"product_id"`
	Product     string    `json:"product,omitempty"`
	Date        string    `json:"date"`
	Segment     string    `json:"segment"`
	Locale      string    `json:"locale"`
	Headline    string    `json:"headline"`
	PushText    string    `json:"push_text"`
	ActionLine  string    `json:"action_line"`
	DiscountPct int       `json:"discount_pct"`
	EWR         float64   `json:"ewr"`
	Outcome     string    `json:"outcome"`
	ExpiresAt   time.Time `json:"expires_at"`
	SentAt      time.Time `json:"sent_at"`
}

// DeliveryKey is the key of a push's message for a segment.
func DeliveryKey(date, storeID, productID, segment string) string {
	return date + ":" + storeID + ":" + productID + ":" + segment
}

// Channel delivers messages outside the host. Deliver is called again with
// the same message (and key) after a failure or a crash, so a channel must
// let its receiver de-duplicate by Message.Key.
type Channel interface {
	// Name identifies the channel in delivery records ("webhook").
	Name() string
	// Deliver sends m; attempt counts from 1.
	Deliver(ctx context.Context, m *Message, attempt int) error
}

// ChannelFunc adapts a function to a Channel.
type ChannelFunc struct {
	ChannelName string
	Fn          func(ctx context.Context, m *Message, attempt int) error
}

// Name returns ChannelName.
func (c ChannelFunc) Name() string { return c.ChannelName }

// Deliver calls Fn.
func (c ChannelFunc) Deliver(ctx context.Context, m *Message, attempt int) error {
	return c.Fn(ctx, m, attempt)
}

// DeliveryError is a failed delivery: Permanent when retrying cannot help
// (the receiver refused the request), RetryAfter when the receiver asked
// for a pause.
type DeliveryError struct {
	Channel    string
	Status     int
	Permanent  bool
	RetryAfter time.Duration
	Err        error
}

func (e *DeliveryError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %v", e.Channel, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Channel, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Webhook headers.
const (
	HeaderSignature   = "X-Crumb-Signature"
	HeaderKey         = "Idempotency-Key"
	HeaderAttempt     = "X-Crumb-Attempt"
	HeaderEvent       = "X-Crumb-Event"
	DefaultSigningAge = 5 * time.Minute
)

// Webhook posts each message as JSON to a URL, signed with HMAC-SHA256:
//
//	X-Crumb-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
//	Idempotency-Key: <the message key>
//	X-Crumb-Attempt: <n>
//
// A 2xx answer is a delivery; so is 409 Conflict, which receivers may use
// for "this key was delivered before". 408, 425, 429 and 5xx are retried
// later (honouring Retry-After), any other status is permanent.
// A receiver must check the signature (VerifySignature) and act on each
// Idempotency-Key once: after a crash between its answer and Crumb's record
// of it, Crumb sends the same key again.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
	Clock  Clock
	// Event names the payload in X-Crumb-Event (default "push").
	Event string
}

// NewWebhook returns a webhook channel with a client whose requests time
// out after timeout (10 s when 0).
func NewWebhook(url, secret string, timeout time.Duration) *Webhook {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &Webhook{URL: url, Secret: []byte(secret), Client: &http.Client{Timeout: timeout, Transport: tr}, Clock: SystemClock{}}
}

// Name is "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Deliver posts m.
func (w *Webhook) Deliver(ctx context.Context, m *Message, attempt int) error {
	body, err := json.Marshal(m)
	if err != nil {
		return &DeliveryError{Channel: w.Name(), Permanent: true, Err: fmt.Errorf("encode message %s: %w", m.Key, err)}
	}
	return w.Post(ctx, m.Key, attempt, body)
}

// Post sends a signed JSON body with an idempotency key.
func (w *Webhook) Post(ctx context.Context, key string, attempt int, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return &DeliveryError{Channel: w.Name(), Permanent: true, Err: fmt.Errorf("build request to %s: %w", w.URL, err)}
	}
	clock := w.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "crumb-push/1")
	req.Header.Set(HeaderSignature, Sign(w.Secret, clock.Now(), body))
	req.Header.Set(HeaderKey, key)
	req.Header.Set(HeaderAttempt, strconv.Itoa(attempt))
	event := w.Event
	if event == "" {
		event = "push"
	}
	req.Header.Set(HeaderEvent, event)
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &DeliveryError{Channel: w.Name(), Err: fmt.Errorf("post %s to %s: %w", key, w.URL, err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	code := resp.StatusCode
	if code/100 == 2 || code == http.StatusConflict {
		return nil
	}
	de := &DeliveryError{Channel: w.Name(), Status: code, Err: fmt.Errorf("post %s: %s", key, strings.TrimSpace(string(snippet)))}
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooEarly || code == http.StatusTooManyRequests || code >= 500:
		de.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), clock.Now())
	default:
		de.Permanent = true
	}
	return de
}

func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Sign returns the X-Crumb-Signature value for body at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Signature verification errors.
var (
	ErrBadSignature = errors.New("webhook signature does not match: check the shared secret (CRUMB_SCHEDULE_WEBHOOK_SECRET)")
	ErrStaleRequest = errors.New("webhook timestamp is outside the allowed age: a replayed request, or clocks out of step")
)

// VerifySignature checks a request's X-Crumb-Signature header against its
// body: the HMAC must match and the timestamp must be within maxAge of now
// (DefaultSigningAge when 0), so that a captured request cannot be replayed
// later.
func VerifySignature(secret []byte, header string, body []byte, now time.Time, maxAge time.Duration) error {
	if maxAge <= 0 {
		maxAge = DefaultSigningAge
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: header %q is not t=<unix>,v1=<hex>", ErrBadSignature, header)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxAge || d < -maxAge {
		return ErrStaleRequest
	}
	want := signature(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
