package push

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// Receiver is a reference webhook receiver: it checks each request's
// signature and acts on each Idempotency-Key once, answering a repeated
// key with 200 and {"duplicate":true}. `crumb bench push` and the tests
// deliver to it; a real receiver does the same with its own store of keys.
type Receiver struct {
	Secret []byte
	Clock  Clock
	MaxAge time.Duration
	// OnMessage, when set, is called once per key with the body.
	OnMessage func(key string, body []byte)

	mu       sync.Mutex
	counts   map[string]int
	bodies   map[string][]byte
	order    []string
	requests int
	rejected int
}

// ReceiverStats counts what a receiver saw.
type ReceiverStats struct {
	Requests   int `json:"requests"`
	Unique     int `json:"unique"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
}

// ServeHTTP implements http.Handler.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	clock := r.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	key := req.Header.Get(HeaderKey)
	if err := VerifySignature(r.Secret, req.Header.Get(HeaderSignature), body, clock.Now(), r.MaxAge); err != nil || key == "" || !json.Valid(body) {
		r.mu.Lock()
		r.requests++
		r.rejected++
		r.mu.Unlock()
		msg := "missing Idempotency-Key or invalid JSON"
		if err != nil {
			msg = err.Error()
		}
		code := http.StatusUnauthorized
		if errors.Is(err, ErrStaleRequest) || err == nil {
			code = http.StatusBadRequest
		}
		http.Error(w, msg, code)
		return
	}
	r.mu.Lock()
	if r.counts == nil {
		r.counts, r.bodies = map[string]int{}, map[string][]byte{}
	}
	r.requests++
	r.counts[key]++
	first := r.counts[key] == 1
	if first {
		r.order = append(r.order, key)
		r.bodies[key] = body
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !first {
		_, _ = io.WriteString(w, `{"duplicate":true}`)
		return
	}
	if r.OnMessage != nil {
		r.OnMessage(key, body)
	}
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// Stats returns the counts so far.
func (r *Receiver) Stats() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ReceiverStats{Requests: r.requests, Unique: len(r.counts), Duplicates: r.requests - r.rejected - len(r.counts), Rejected: r.rejected}
}

// Counts returns how many signed requests arrived per key.
func (r *Receiver) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// Body returns the first body received for key.
func (r *Receiver) Body(key string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[key]
}

// Keys returns the keys in the order they first arrived.
func (r *Receiver) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.order...)
}
