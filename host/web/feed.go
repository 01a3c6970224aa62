package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/store"
)

// FeedSource is the customers' push feed; *push.Feed is one.
type FeedSource interface {
	// Subscribe returns the events after seq after (the offers still valid
	// at now when after < 0) and the live events that follow them.
	Subscribe(ctx context.Context, f push.FeedFilter, after int64, now time.Time) ([]store.FeedEvent, *push.Subscription, error)
}

// feedHeartbeat keeps idle connections open through proxies.
const feedHeartbeat = 15 * time.Second

var feedID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// feed serves GET /v1/feed: the pushes the pipeline delivers, as
// server-sent events, the moment they are sent (no polling). An app
// subscribes for its stores and its customer's segment:
//
//	GET /v1/feed?store=S01&store=S02&segment=vip
//	id: 812
//	event: push
//	data: {"key":"2026-11-21:S01:P018:vip","headline":"…","push_text":"…",…}
//
// store and segment may repeat or be comma separated; a segment also gets
// the pushes for everyone (segment "all"). Without Last-Event-ID (or
// ?since=) the stream starts with today's offers still valid; with it, with
// everything after that event, so that a reconnecting app misses nothing
// and sees nothing twice.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	if s.o.Feed == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server has no push feed (the scheduler is not running)", nil)
		return
	}
	q := r.URL.Query()
	stores, err := feedList(q["store"], "store")
	if err == nil {
		var segs []string
		segs, err = feedList(q["segment"], "segment")
		if err == nil {
			s.streamFeed(w, r, push.FeedFilter{Stores: stores, Segments: segs})
			return
		}
	}
	writeError(w, http.StatusBadRequest, "invalid_request", err.Error(), nil)
}

func feedList(values []string, name string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x == "" {
				continue
			}
			if !feedID.MatchString(x) {
				return nil, fmt.Errorf("%s %q: want an id such as S01 or vip (letters, digits, _ . -)", name, x)
			}
			out = append(out, x)
		}
	}
	if len(out) > 100 {
		return nil, fmt.Errorf("%s: at most 100 values, got %d", name, len(out))
	}
	return out, nil
}

func (s *Server) streamFeed(w http.ResponseWriter, r *http.Request, f push.FeedFilter) {
	after := int64(-1)
	since := r.Header.Get("Last-Event-ID")
	if since == "" {
		since = r.URL.Query().Get("since")
	}
	if since != "" {
		n, err := strconv.ParseInt(since, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("Last-Event-ID or since %q: want the id of the last event received (a number)", since), nil)
			return
		}
		after = n
	}
	ctx := r.Context()
	backlog, sub, err := s.o.Feed.Subscribe(ctx, f, after, s.o.Now())
	if err != nil {
		s.o.Logger.ErrorContext(ctx, "feed subscribe", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "could not read the feed; see the host log for this request id", nil)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's write timeout is for answers; a feed stays open.
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return
	}
	send := func(e *store.FeedEvent) error {
		_, err := fmt.Fprintf(w, "id: %d\nevent: push\ndata: %s\n\n", e.Seq, e.Message)
		return err
	}
	for i := range backlog {
		if send(&backlog[i]) != nil {
			return
		}
	}
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(feedHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Done():
			// Dropped for falling behind: the app reconnects with
			// Last-Event-ID and gets the rest from the store.
			return
		case e := <-sub.Events():
			if send(&e) != nil {
				return
			}
			// Send what has queued up in one flush.
			for n := len(sub.Events()); n > 0; n-- {
				e := <-sub.Events()
				if send(&e) != nil {
					return
				}
			}
			if rc.Flush() != nil {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
