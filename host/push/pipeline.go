package push

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/store"
)

// FeedChannel is the channel name of the customers' feed in delivery
// records.
const FeedChannel = "feed"

// Settings are the pipeline's resolved settings.
type Settings struct {
	Location         *time.Location // the brand's time zone: dates and the window end are in it
	WindowEnd        time.Duration  // local time of day at which the day's pushes expire
	Segments         []string
	Locale           string
	DiscountPct      int // 0: from the EWR
	Threshold        float64
	Approval         bool
	ApprovalChannel  string
	ApprovalTimeout  time.Duration
	ApproveOnTimeout bool
	MaxAttempts      int
	RetryBackoff     time.Duration
	MaxBackoff       time.Duration
	Lease            time.Duration
	Batch            int
	Workers          int
	PollInterval     time.Duration
}

// SettingsFrom resolves the configuration's push settings, with defaults.
func SettingsFrom(c config.Schedule, loc *time.Location) (Settings, error) {
	if err := c.Validate(); err != nil {
		return Settings{}, err
	}
	p := c.Push
	end, _ := config.ParseClock(cmp.Or(p.WindowEnd, "17:30"))
	var segs []string
	for _, s := range strings.Split(cmp.Or(p.Segments, "all"), ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(segs, s) {
			segs = append(segs, s)
		}
	}
	if loc == nil {
		loc = kst
	}
	return Settings{
		Location: loc, WindowEnd: end, Segments: segs, Locale: cmp.Or(p.Locale, "ko"),
		DiscountPct: p.DiscountPct, Threshold: cmp.Or(p.Threshold, 12),
		Approval: p.Approval, ApprovalChannel: p.ApprovalChannel, ApprovalTimeout: cmp.Or(p.ApprovalTimeout, 10*time.Minute),
		ApproveOnTimeout: p.OnTimeout == "send",
		MaxAttempts:      cmp.Or(p.MaxAttempts, 8), RetryBackoff: cmp.Or(p.RetryBackoff, 2*time.Second), MaxBackoff: 5 * time.Minute,
		Lease: cmp.Or(p.Lease, 30*time.Second), Batch: cmp.Or(p.Batch, 200), Workers: cmp.Or(p.Workers, 16),
		PollInterval: cmp.Or(p.PollInterval, time.Second),
	}, nil
}

var kst = time.FixedZone("KST", 9*3600)

// PipelineOptions configure a pipeline.
type PipelineOptions struct {
	Store store.PushPipeline
	Copy  Copywriter
	// Channels deliver outside the host (the webhook); the feed is
	// delivered inside the store's transaction when Feed is set.
	Channels []Channel
	Feed     *Feed
	// Approver is required when Settings.Approval is on.
	Approver Approver
	Clock    Clock
	Logger   *slog.Logger
	// Owner names this worker in leases (default: host name, pid and a
	// random suffix).
	Owner    string
	Settings Settings
	// Metrics, when set, count rows, deliveries and stage times.
	Metrics *Metrics
}

// Pipeline moves the push queue from pending to sent.
type Pipeline struct {
	o      PipelineOptions
	s      Settings
	clock  Clock
	log    *slog.Logger
	owner  string
	wake   chan struct{}
	passMu sync.Mutex
}

// NewPipeline checks the options and returns a pipeline.
func NewPipeline(o PipelineOptions) (*Pipeline, error) {
	if o.Store == nil || o.Copy == nil {
		return nil, errors.New("push pipeline: a store and a copywriter are required")
	}
	if o.Settings.Approval && o.Approver == nil {
		return nil, errors.New("push pipeline: schedule.push.approval is on but no Slack approver is connected: configure Slack or turn approval off")
	}
	s := o.Settings
	if s.Location == nil {
		s.Location = kst
	}
	if len(s.Segments) == 0 {
		s.Segments = []string{"all"}
	}
	s.Locale = cmp.Or(s.Locale, "ko")
	s.WindowEnd = cmp.Or(s.WindowEnd, 17*time.Hour+30*time.Minute)
	s.MaxAttempts = cmp.Or(s.MaxAttempts, 8)
	s.RetryBackoff = cmp.Or(s.RetryBackoff, 2*time.Second)
	s.MaxBackoff = cmp.Or(s.MaxBackoff, 5*time.Minute)
	s.Lease = cmp.Or(s.Lease, 30*time.Second)
	s.Batch = cmp.Or(s.Batch, 200)
	s.Workers = cmp.Or(s.Workers, 16)
	s.PollInterval = cmp.Or(s.PollInterval, time.Second)
	s.ApprovalTimeout = cmp.Or(s.ApprovalTimeout, 10*time.Minute)
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Owner == "" {
		o.Owner = NewOwner()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	return &Pipeline{o: o, s: s, clock: o.Clock, log: o.Logger, owner: o.Owner, wake: make(chan struct{}, 1)}, nil
}

// NewOwner returns a name for this process in leases: host, pid and a
// random suffix, so that a restarted process is a new owner.
func NewOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", cmp.Or(host, "host"), os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner is the name this pipeline holds leases under.
func (p *Pipeline) Owner() string { return p.owner }

// Settings returns the resolved settings.
func (p *Pipeline) Settings() Settings { return p.s }

// Wake asks the running pipeline for a pass now.
func (p *Pipeline) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run makes passes until ctx ends: when woken, and every PollInterval for
// work it was not told about (retries due, rows queued by other processes).
func (p *Pipeline) Run(ctx context.Context) {
	for {
		if _, err := p.Pass(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("push pipeline pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-p.clock.After(p.s.PollInterval):
		}
	}
}

// Report says what a pass did.
type Report struct {
	Expired          int           `json:"expired"`
	ApprovalTimeouts int           `json:"approval_timeouts"`
	Copied           int           `json:"copied"`
	CopyFailed       int           `json:"copy_failed"`
	ApprovalAsked    int           `json:"approval_requested"`
	Sent             int           `json:"sent"`
	Retrying         int           `json:"retrying"`
	Failed           int           `json:"failed"`
	Deliveries       int           `json:"deliveries"`
	FeedEvents       int           `json:"feed_events"`
	Lost             int           `json:"lost_leases"`
	CopyTime         time.Duration `json:"copy_ns"`
	ApprovalTime     time.Duration `json:"approval_ns"`
	DeliveryTime     time.Duration `json:"delivery_ns"`
}

// Pass does all the work that is due: expiry, copy, approval requests and
// delivery, each until nothing is left. Passes in one process run one at
// a time; passes in several processes share the work through leases.
func (p *Pipeline) Pass(ctx context.Context) (*Report, error) {
	p.passMu.Lock()
	defer p.passMu.Unlock()
	rep := &Report{}
	if err := p.housekeep(ctx, rep); err != nil {
		p.o.Metrics.pass(rep)
		return rep, err
	}
	t0 := time.Now()
	err := p.copyAll(ctx, rep)
	rep.CopyTime = time.Since(t0)
	if err != nil {
		p.o.Metrics.pass(rep)
		return rep, err
	}
	t0 = time.Now()
	err = p.requestApprovals(ctx, rep)
	rep.ApprovalTime = time.Since(t0)
	if err != nil {
		p.o.Metrics.pass(rep)
		return rep, err
	}
	t0 = time.Now()
	err = p.deliverAll(ctx, rep)
	rep.DeliveryTime = time.Since(t0)
	p.o.Metrics.pass(rep)
	return rep, err
}

// CopyAll runs only the copy stage (for benchmarks).
func (p *Pipeline) CopyAll(ctx context.Context) (*Report, error) {
	p.passMu.Lock()
	defer p.passMu.Unlock()
	rep := &Report{}
	if err := p.housekeep(ctx, rep); err != nil {
		return rep, err
	}
	t0 := time.Now()
	err := p.copyAll(ctx, rep)
	rep.CopyTime = time.Since(t0)
	p.o.Metrics.pass(rep)
	return rep, err
}

// DeliverAll runs only the delivery stage (for benchmarks).
func (p *Pipeline) DeliverAll(ctx context.Context) (*Report, error) {
	p.passMu.Lock()
	defer p.passMu.Unlock()
	rep := &Report{}
	t0 := time.Now()
	err := p.deliverAll(ctx, rep)
	rep.DeliveryTime = time.Since(t0)
	p.o.Metrics.pass(rep)
	return rep, err
}

// Expiry is the end of the discount window of a day's pushes.
func (p *Pipeline) Expiry(date string) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", date, p.s.Location)
	if err != nil {
		return time.Time{}, fmt.Errorf("push date %q: %w", date, err)
	}
	return d.Add(p.s.WindowEnd), nil
}

func (p *Pipeline) housekeep(ctx context.Context, rep *Report) error {
	if _, err := p.o.Store.FillPushExpiry(ctx, p.Expiry); err != nil {
		return err
	}
	now := p.clock.Now()
	n, err := p.o.Store.ExpirePushes(ctx, now)
	if err != nil {
		return err
	}
	rep.Expired += n
	if n > 0 {
		p.log.Info("pushes expired: the discount window closed", "count", n)
	}
	n, err = p.o.Store.TimeoutApprovals(ctx, now, p.s.ApproveOnTimeout)
	if err != nil {
		return err
	}
	rep.ApprovalTimeouts += n
	return nil
}

// backoff is the pause before attempt n+1 after n failures: exponential
// from RetryBackoff, capped, with ±20 % jitter so that retries of many
// rows do not arrive together.
func (p *Pipeline) backoff(attempts int, floor time.Duration) time.Duration {
	d := float64(p.s.RetryBackoff) * math.Pow(2, float64(max(attempts-1, 0)))
	d = min(d, float64(p.s.MaxBackoff))
	d *= 0.8 + 0.4*mrand.Float64()
	return max(time.Duration(d), floor)
}

// payload is what the forecast plugin puts in a queued row.
type payload struct {
	EWR       float64 `json:"ewr"`
	Product   string  `json:"product"`
	ProductEN string  `json:"product_en"`
	Store     string  `json:"store"`
	StoreEN   string  `json:"store_en"`
}

func decodePayload(raw json.RawMessage) payload {
	var pl payload
	_ = json.Unmarshal(raw, &pl) // a row queued by hand may carry anything
	return pl
}

func (p *Pipeline) names(pl payload, productID, storeID string) (product, storeName string) {
	product, storeName = pl.Product, pl.Store
	if p.s.Locale == "en" {
		product, storeName = cmp.Or(pl.ProductEN, product), cmp.Or(pl.StoreEN, storeName)
	}
	return cmp.Or(product, productID), cmp.Or(storeName, storeID)
}

// Discount is the discount offered for an item at risk with this EWR.
func (p *Pipeline) Discount(ewr float64) int {
	if p.s.DiscountPct > 0 {
		return p.s.DiscountPct
	}
	switch {
	case ewr >= 30:
		return 30
	case ewr >= 20:
		return 20
	}
	return 10
}

func (p *Pipeline) claim(ctx context.Context, from []string, to string, approval []string) ([]store.PushJob, error) {
	return p.o.Store.ClaimPushes(ctx, &store.PushClaim{From: from, To: to, Approval: approval, Owner: p.owner,
		Lease: p.s.Lease, Now: p.clock.Now(), Limit: p.s.Batch})
}

// keepLeases renews the leases on ids every third of the lease until the
// returned stop is called, so that a slow batch is not taken over.
func (p *Pipeline) keepLeases(ctx context.Context, ids []int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.clock.After(p.s.Lease / 3):
			}
			if err := p.o.Store.RenewPushLeases(ctx, p.owner, ids, p.clock.Now().Add(p.s.Lease)); err != nil && ctx.Err() == nil {
				p.log.Warn("renew push leases", "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (p *Pipeline) save(ctx context.Context, jobs []store.PushJob, withMessages bool, rep *Report) error {
	lost, err := p.o.Store.SavePushes(ctx, p.owner, p.clock.Now(), jobs, withMessages)
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		rep.Lost += len(lost)
		p.log.Warn("push leases lost to another worker; their work is left to it", "ids", lost)
	}
	return nil
}

// copyAll writes copy for every pending row, a batch at a time.
func (p *Pipeline) copyAll(ctx context.Context, rep *Report) error {
	for {
		jobs, err := p.claim(ctx, []string{store.PushPending}, store.PushGenerating, nil)
		if err != nil || len(jobs) == 0 {
			return err
		}
		if err := p.copyBatch(ctx, jobs, rep); err != nil {
			return err
		}
	}
}

func (p *Pipeline) copyBatch(ctx context.Context, jobs []store.PushJob, rep *Report) error {
	ids := make([]int64, len(jobs))
	for i := range jobs {
		ids[i] = jobs[i].ID
	}
	stop := p.keepLeases(ctx, ids)
	defer stop()
	var reqs []CopyRequest
	for _, j := range jobs {
		pl := decodePayload(j.Payload)
		product, _ := p.names(pl, j.ProductID, j.StoreID)
		for _, seg := range p.s.Segments {
			reqs = append(reqs, CopyRequest{StoreID: j.StoreID, ProductID: j.ProductID, ProductName: product, Segment: seg,
				Locale: p.s.Locale, DiscountPct: p.Discount(pl.EWR), EWR: math.Round(pl.EWR*10) / 10})
		}
	}
	results, err := p.o.Copy.WriteCopy(ctx, reqs)
	if err == nil && len(results) != len(reqs) {
		err = fmt.Errorf("copywriter returned %d results for %d requests", len(results), len(reqs))
	}
	now := p.clock.Now()
	k := 0
	for i := range jobs {
		j := &jobs[i]
		var msgs []store.PushMessage
		var errs []error
		for range p.s.Segments {
			r := reqs[k]
			if err != nil {
				errs = append(errs, err)
			} else if res := results[k]; res.Err != nil {
				errs = append(errs, res.Err)
			} else {
				msgs = append(msgs, store.PushMessage{PushID: j.ID, Segment: r.Segment, Locale: r.Locale, Headline: res.Headline,
					PushText: res.PushText, ActionLine: res.ActionLine, DiscountPct: r.DiscountPct, Outcome: res.Outcome, Reason: res.Reason})
			}
			k++
		}
		if len(errs) == 0 {
			j.Status, j.Messages, j.Attempts, j.LastError, j.NextAttemptAt = store.PushReady, msgs, 0, "", nil
			rep.Copied++
			continue
		}
		// Copy that cannot be written is retried with backoff until the
		// window closes or the attempts run out.
		j.Attempts++
		j.LastError = "write copy: " + errors.Join(errs...).Error()
		rep.CopyFailed++
		if j.Attempts >= p.s.MaxAttempts {
			j.Status = store.PushFailed
			rep.Failed++
		} else {
			j.Status = store.PushPending
			next := now.Add(p.backoff(j.Attempts, 0))
			j.NextAttemptAt = &next
		}
		j.Messages = nil
	}
	if err != nil {
		p.log.Warn("push copy", "rows", len(jobs), "err", err)
	}
	return p.save(ctx, jobs, true, rep)
}

// requestApprovals asks staff about ready rows, one request per store and
// day.
func (p *Pipeline) requestApprovals(ctx context.Context, rep *Report) error {
	if !p.s.Approval {
		return nil
	}
	for {
		jobs, err := p.claim(ctx, []string{store.PushReady}, store.PushAwaitingApproval, []string{store.ApprovalNone})
		if err != nil || len(jobs) == 0 {
			return err
		}
		groups := map[string][]int{}
		var order []string
		for i, j := range jobs {
			id := j.StoreID + ":" + j.Date
			if _, ok := groups[id]; !ok {
				order = append(order, id)
			}
			groups[id] = append(groups[id], i)
		}
		now := p.clock.Now()
		for _, id := range order {
			idx := groups[id]
			first := &jobs[idx[0]]
			deadline := now.Add(p.s.ApprovalTimeout)
			if first.ExpiresAt != nil && first.ExpiresAt.Before(deadline) {
				deadline = *first.ExpiresAt
			}
			_, storeName := p.names(decodePayload(first.Payload), first.ProductID, first.StoreID)
			req := &ApprovalRequest{ID: id, StoreID: first.StoreID, Store: storeName, Date: first.Date, Channel: p.s.ApprovalChannel, Deadline: deadline}
			for _, i := range idx {
				j := &jobs[i]
				pl := decodePayload(j.Payload)
				product, _ := p.names(pl, j.ProductID, j.StoreID)
				it := ApprovalItem{PushID: j.ID, ProductID: j.ProductID, Product: product, EWR: pl.EWR, Segments: len(j.Messages)}
				if len(j.Messages) > 0 {
					m := j.Messages[0]
					it.DiscountPct, it.Headline, it.PushText, it.ActionLine = m.DiscountPct, m.Headline, m.PushText, m.ActionLine
				}
				req.Items = append(req.Items, it)
			}
			err := p.o.Approver.RequestApproval(ctx, req)
			for _, i := range idx {
				j := &jobs[i]
				if err != nil {
					j.Status, j.LastError = store.PushReady, "request approval: "+err.Error()
					next := now.Add(p.backoff(2, 0))
					j.NextAttemptAt = &next
					continue
				}
				d := deadline
				j.Status, j.Approval, j.ApprovalDeadline, j.LastError, j.NextAttemptAt = store.PushAwaitingApproval, store.ApprovalRequested, &d, "", nil
				rep.ApprovalAsked++
			}
			if err != nil {
				p.log.Warn("request approval", "request", id, "err", err)
			}
		}
		if err := p.save(ctx, jobs, false, rep); err != nil {
			return err
		}
	}
}

// Decide records staff's decision on pushes awaiting approval and returns
// how many it changed; pushes decided already, or past their deadline, do
// not change.
func (p *Pipeline) Decide(ctx context.Context, ids []int64, approve bool, by string) (int, error) {
	n, err := p.o.Store.DecidePushes(ctx, &store.PushDecision{IDs: ids, Approve: approve, By: by, Now: p.clock.Now()})
	if err == nil && n > 0 {
		p.Wake()
	}
	return n, err
}

// DecideBatch decides every push of an approval request ("<store>:<date>").
func (p *Pipeline) DecideBatch(ctx context.Context, requestID string, approve bool, by string) (int, error) {
	storeID, date, ok := strings.Cut(requestID, ":")
	if !ok || storeID == "" || date == "" {
		return 0, fmt.Errorf("approval request %q: want <store>:<date>", requestID)
	}
	jobs, err := p.o.Store.PushJobs(ctx, date, []string{store.PushAwaitingApproval}, 0)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for _, j := range jobs {
		if j.StoreID == storeID {
			ids = append(ids, j.ID)
		}
	}
	return p.Decide(ctx, ids, approve, by)
}

// HandleApproval applies a click on an approve or reject button (see
// ApprovalActionPrefix) by user and returns how many pushes it decided.
func (p *Pipeline) HandleApproval(ctx context.Context, actionID, value, user string) (int, error) {
	var approve bool
	switch actionID {
	case ActionApprove:
		approve = true
	case ActionReject:
	default:
		return 0, fmt.Errorf("approval button %q: want %s or %s", actionID, ActionApprove, ActionReject)
	}
	if user == "" {
		return 0, errors.New("approval button: the clicking user is unknown")
	}
	if id, ok := strings.CutPrefix(value, "push:"); ok {
		var n int64
		if _, err := fmt.Sscan(id, &n); err != nil || n <= 0 {
			return 0, fmt.Errorf("approval button value %q: want push:<id>", value)
		}
		return p.Decide(ctx, []int64{n}, approve, user)
	}
	return p.DecideBatch(ctx, value, approve, user)
}

// deliverAll sends every ready row, a batch at a time.
func (p *Pipeline) deliverAll(ctx context.Context, rep *Report) error {
	var approval []string
	if p.s.Approval {
		approval = []string{store.ApprovalApproved}
	}
	for {
		jobs, err := p.claim(ctx, []string{store.PushReady}, store.PushSending, approval)
		if err != nil || len(jobs) == 0 {
			return err
		}
		if err := p.deliverBatch(ctx, jobs, rep); err != nil {
			return err
		}
	}
}

// outcome collects one row's delivery failures.
type outcome struct {
	mu         sync.Mutex
	errs       []error
	permanent  bool
	retryAfter time.Duration
}

func (o *outcome) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errs = append(o.errs, err)
	var de *DeliveryError
	if errors.As(err, &de) {
		o.permanent = o.permanent || de.Permanent
		o.retryAfter = max(o.retryAfter, de.RetryAfter)
	}
}

type task struct {
	job     int
	msg     *Message
	channel Channel // nil: the feed
}

func (p *Pipeline) deliverBatch(ctx context.Context, jobs []store.PushJob, rep *Report) error {
	ids := make([]int64, len(jobs))
	for i := range jobs {
		ids[i] = jobs[i].ID
	}
	stop := p.keepLeases(ctx, ids)
	defer stop()
	now := p.clock.Now()
	outcomes := make([]outcome, len(jobs))
	var tasks []task
	for i := range jobs {
		j := &jobs[i]
		if len(j.Messages) == 0 {
			outcomes[i].fail(&DeliveryError{Channel: "pipeline", Permanent: true, Err: errors.New("the push has no copy")})
			continue
		}
		pl := decodePayload(j.Payload)
		product, storeName := p.names(pl, j.ProductID, j.StoreID)
		for _, m := range j.Messages {
			msg := &Message{Key: DeliveryKey(j.Date, j.StoreID, j.ProductID, m.Segment), PushID: j.ID, StoreID: j.StoreID, Store: storeName,
				ProductID: j.ProductID, Product: product, Date: j.Date, Segment: m.Segment, Locale: m.Locale, Headline: m.Headline,
				PushText: m.PushText, ActionLine: m.ActionLine, DiscountPct: m.DiscountPct, EWR: math.Round(pl.EWR*10) / 10,
				Outcome: m.Outcome, SentAt: now.UTC()}
			if j.ExpiresAt != nil {
				msg.ExpiresAt = j.ExpiresAt.UTC()
			}
			if p.o.Feed != nil && !j.DeliveredOn(msg.Key, FeedChannel) {
				tasks = append(tasks, task{job: i, msg: msg})
			}
			for _, ch := range p.o.Channels {
				if !j.DeliveredOn(msg.Key, ch.Name()) {
					tasks = append(tasks, task{job: i, msg: msg, channel: ch})
				}
			}
		}
	}
	rec := newRecorder(ctx, p.o.Store, p.clock)
	next := make(chan task)
	var wg sync.WaitGroup
	for range min(p.s.Workers, max(len(tasks), 1)) {
		wg.Go(func() {
			for t := range next {
				j := &jobs[t.job]
				o := &outcomes[t.job]
				d := store.PushDelivery{Key: t.msg.Key, PushID: j.ID, Segment: t.msg.Segment, Attempts: j.Attempts + 1}
				if t.channel == nil {
					body, err := json.Marshal(t.msg)
					if err != nil {
						o.fail(err)
						continue
					}
					d.Channel = FeedChannel
					exp := t.msg.ExpiresAt
					d.Feed = &store.FeedEvent{StoreID: j.StoreID, ProductID: j.ProductID, Segment: t.msg.Segment, Date: j.Date, Message: body}
					if !exp.IsZero() {
						d.Feed.ExpiresAt = &exp
					}
					p.o.Metrics.delivery(FeedChannel, nil)
					rec.add(d, o)
					continue
				}
				d.Channel = t.channel.Name()
				err := t.channel.Deliver(ctx, t.msg, j.Attempts+1)
				p.o.Metrics.delivery(d.Channel, err)
				if err != nil {
					o.fail(err)
					continue
				}
				rec.add(d, o)
			}
		})
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	events, recorded := rec.close()
	rep.Deliveries += recorded
	rep.FeedEvents += len(events)
	if len(events) > 0 && p.o.Feed != nil {
		p.o.Feed.Notify()
	}
	now = p.clock.Now()
	for i := range jobs {
		j := &jobs[i]
		o := &outcomes[i]
		j.Attempts++
		if len(o.errs) == 0 {
			sent := now
			j.Status, j.SentAt, j.LastError, j.NextAttemptAt = store.PushSent, &sent, "", nil
			rep.Sent++
			continue
		}
		j.LastError = errors.Join(o.errs...).Error()
		if o.permanent || j.Attempts >= p.s.MaxAttempts {
			j.Status = store.PushFailed
			rep.Failed++
			continue
		}
		j.Status = store.PushReady
		next := now.Add(p.backoff(j.Attempts, o.retryAfter))
		j.NextAttemptAt = &next
		rep.Retrying++
	}
	if rep.Failed > 0 || rep.Retrying > 0 {
		p.log.Warn("push delivery", "sent", rep.Sent, "retrying", rep.Retrying, "failed", rep.Failed)
	}
	return p.save(ctx, jobs, false, rep)
}

// recorder writes delivery records in group commits: a delivery is
// recorded within a few milliseconds of its answer, so that a crash leaves
// few deliveries unrecorded (those are sent again under the same key),
// without a transaction per delivery.
type recorder struct {
	ctx    context.Context
	st     store.PushPipeline
	clock  Clock
	in     chan recItem
	done   chan struct{}
	events []store.FeedEvent
	n      int
}

type recItem struct {
	d store.PushDelivery
	o *outcome
}

const (
	recorderBatch = 256
	recorderDelay = 5 * time.Millisecond
)

func newRecorder(ctx context.Context, st store.PushPipeline, clock Clock) *recorder {
	r := &recorder{ctx: ctx, st: st, clock: clock, in: make(chan recItem, recorderBatch), done: make(chan struct{})}
	go r.loop()
	return r
}

func (r *recorder) add(d store.PushDelivery, o *outcome) { r.in <- recItem{d, o} }

func (r *recorder) loop() {
	defer close(r.done)
	var pending []recItem
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(pending) == 0 {
			return
		}
		ds := make([]store.PushDelivery, len(pending))
		for i, it := range pending {
			ds[i] = it.d
		}
		evs, err := r.st.RecordDeliveries(r.ctx, r.clock.Now(), ds)
		if err != nil {
			for _, it := range pending {
				it.o.fail(fmt.Errorf("record delivery %s on %s: %w", it.d.Key, it.d.Channel, err))
			}
		} else {
			r.n += len(pending)
			r.events = append(r.events, evs...)
		}
		pending = pending[:0]
	}
	for {
		select {
		case it, ok := <-r.in:
			if !ok {
				flush()
				return
			}
			if len(pending) == 0 {
				timer.Reset(recorderDelay)
			}
			pending = append(pending, it)
			if len(pending) >= recorderBatch {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// close flushes and returns the new feed events and how many deliveries
// were recorded.
func (r *recorder) close() ([]store.FeedEvent, int) {
	close(r.in)
	<-r.done
	return r.events, r.n
}
