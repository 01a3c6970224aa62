package push

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/host/store"
)

// FeedStore is what the feed reads.
type FeedStore interface {
	FeedEvents(ctx context.Context, q *store.FeedQuery) ([]store.FeedEvent, error)
	LastFeedSeq(ctx context.Context) (int64, error)
}

// FeedFilter selects the events a subscriber gets: those of its stores
// (all stores when empty) for its segments or for everyone (segment
// "all"; every segment when Segments is empty).
type FeedFilter struct {
	Stores   []string
	Segments []string
}

// Match reports whether e passes the filter.
func (f *FeedFilter) Match(e *store.FeedEvent) bool {
	if len(f.Stores) > 0 && !slices.Contains(f.Stores, e.StoreID) {
		return false
	}
	return len(f.Segments) == 0 || e.Segment == "all" || slices.Contains(f.Segments, e.Segment)
}

// ErrSlowSubscriber ends a subscription whose reader fell behind; it
// resumes without loss by subscribing again after the last seq it read.
var ErrSlowSubscriber = errors.New("feed subscriber fell behind: reconnect with Last-Event-ID to resume")

// Feed is the customers' feed: the in-process broadcaster of the messages
// the pipeline delivers. Events live in the store (push_feed), so a
// subscriber that reconnects after seq N gets everything after N; live
// events fan out as soon as the pipeline commits them (Notify), and a slow
// tail of the table picks up rows written by other processes (a
// `crumb schedule run` beside `crumb serve`).
type Feed struct {
	st     FeedStore
	clock  Clock
	poll   time.Duration
	buffer int
	log    *slog.Logger
	wake   chan struct{}

	mu   sync.Mutex
	last int64
	subs map[*Subscription]struct{}
}

// FeedOptions configure a feed. Zero values take the defaults.
type FeedOptions struct {
	Clock Clock
	// Poll is how often the table is read for rows written by other
	// processes (default 1s).
	Poll time.Duration
	// Buffer is how many events a subscriber may lag behind before it is
	// dropped (default 1024).
	Buffer int
	Logger *slog.Logger
}

// NewFeed returns a feed over st; Start begins fanning out.
func NewFeed(st FeedStore, o FeedOptions) *Feed {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Buffer <= 0 {
		o.Buffer = 1024
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{st: st, clock: o.Clock, poll: o.Poll, buffer: o.Buffer, log: o.Logger, wake: make(chan struct{}, 1), subs: map[*Subscription]struct{}{}}
}

// Start reads the feed's position and fans out new events until ctx ends.
func (f *Feed) Start(ctx context.Context) error {
	last, err := f.st.LastFeedSeq(ctx)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.last = last
	f.mu.Unlock()
	go f.run(ctx)
	return nil
}

// Notify tells the feed that new events were committed.
func (f *Feed) Notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Feed) run(ctx context.Context) {
	defer f.closeAll(context.Cause(ctx))
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-f.clock.After(f.poll):
		}
		if err := f.pump(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("feed: read new events", "err", err)
		}
	}
}

// pump fans out every event after the last one published.
func (f *Feed) pump(ctx context.Context) error {
	for {
		f.mu.Lock()
		after := f.last
		f.mu.Unlock()
		evs, err := f.st.FeedEvents(ctx, &store.FeedQuery{AfterSeq: after, Limit: 1000})
		if err != nil || len(evs) == 0 {
			return err
		}
		f.publish(evs)
		if len(evs) < 1000 {
			return nil
		}
	}
}

func (f *Feed) publish(evs []store.FeedEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range evs {
		e := &evs[i]
		if e.Seq <= f.last {
			continue
		}
		f.last = e.Seq
		for s := range f.subs {
			if !s.filter.Match(e) {
				continue
			}
			select {
			case s.c <- *e:
			default:
				f.dropLocked(s, ErrSlowSubscriber)
			}
		}
	}
}

// Subscribe registers a subscriber and returns its backlog: the events
// after seq after (or, when after < 0, the offers still valid at now) up
// to the point where live events begin, so that nothing is missed or
// doubled between the two.
func (f *Feed) Subscribe(ctx context.Context, filter FeedFilter, after int64, now time.Time) ([]store.FeedEvent, *Subscription, error) {
	s := &Subscription{c: make(chan store.FeedEvent, f.buffer), filter: filter, feed: f, done: make(chan struct{})}
	f.mu.Lock()
	upTo := f.last
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	q := &store.FeedQuery{AfterSeq: max(after, 0), UpToSeq: upTo, Stores: filter.Stores, Segments: filter.Segments, Limit: 5000}
	if after < 0 {
		q.ActiveAt = now
	}
	var backlog []store.FeedEvent
	if upTo > q.AfterSeq {
		var err error
		if backlog, err = f.st.FeedEvents(ctx, q); err != nil {
			s.Close()
			return nil, nil, err
		}
	}
	return backlog, s, nil
}

// Subscribers is the number of live subscriptions.
func (f *Feed) Subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *Feed) dropLocked(s *Subscription, err error) {
	if _, ok := f.subs[s]; !ok {
		return
	}
	delete(f.subs, s)
	s.err = err
	close(s.done)
}

func (f *Feed) closeAll(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		err = context.Canceled
	}
	for s := range f.subs {
		f.dropLocked(s, err)
	}
}

// Subscription is one subscriber's live events.
type Subscription struct {
	c      chan store.FeedEvent
	filter FeedFilter
	feed   *Feed
	done   chan struct{}
	err    error
}

// Events delivers live events in seq order.
func (s *Subscription) Events() <-chan store.FeedEvent { return s.c }

// Done is closed when the feed drops the subscription (Err says why).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended, once Done is closed.
func (s *Subscription) Err() error {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	s.feed.dropLocked(s, context.Canceled)
}
