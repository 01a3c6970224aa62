package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/reco"
)

// Latency is a latency distribution in microseconds.
type Latency struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean_us"`
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	P999 float64 `json:"p999_us"`
	Max  float64 `json:"max_us"`
}

func latency(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	us := func(x time.Duration) float64 { return float64(x.Nanoseconds()) / 1e3 }
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	q := func(p float64) float64 { return us(d[int(float64(len(d))*p)]) }
	return Latency{N: len(d), Mean: us(sum / time.Duration(len(d))), P50: q(0.5), P90: q(0.9), P99: q(0.99), P999: q(0.999), Max: us(d[len(d)-1])}
}

// ScoreBench is the in-process benchmark of one bundle.
type ScoreBench struct {
	Bundle  int    `json:"bundle"`
	Items   int    `json:"items"`
	Members int    `json:"members"`
	Runtime string `json:"runtime"`
	// ONNX is one member graph run at batch 1, per form.
	ONNX map[string]Latency `json:"onnx"`
	// Member is a whole member answer (query, ONNX int8, top 10); Guest a whole guest answer.
	Member Latency `json:"member_answer"`
	Guest  Latency `json:"guest_answer"`
}

// BenchScore loads a bundle and times n batch-1 runs of each member graph and n answers of each
// path, in process.
func BenchScore(data []byte, n int) (*ScoreBench, error) {
	if err := ort.Init(ort.LibPath("")); err != nil {
		return nil, err
	}
	out := &ScoreBench{ONNX: map[string]Latency{}, Runtime: ort.Version()}
	var m8 *Models
	for _, form := range []string{"float32", "int8"} {
		m, err := loadModels(data, form, nil, time.Now())
		if err != nil {
			return nil, err
		}
		defer m.Close()
		if !m.MemberEnabled() {
			return nil, fmt.Errorf("%s member graph does not run here: %s", form, m.MemberReason)
		}
		out.Bundle, out.Items, out.Members = m.Version, len(m.Guest.Items), len(m.Spec.Users)
		reqs := requests(m, 256, 1)
		var qs []reco.MemberQuery
		for _, r := range reqs {
			if q, ok := m.Spec.Query(r); ok {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			return nil, fmt.Errorf("bundle version %d has no members to benchmark", m.Version)
		}
		for i := 0; i < 200; i++ { // warm up
			runQuery(m.member, qs[i%len(qs)])
		}
		d := make([]time.Duration, n)
		for i := range d {
			t := time.Now()
			if _, err := runQuery(m.member, qs[i%len(qs)]); err != nil {
				return nil, err
			}
			d[i] = time.Since(t)
		}
		out.ONNX[form] = latency(d)
		if form == "int8" {
			m8 = m
		}
	}
	member, guest := requests(m8, 256, 1), requests(m8, 256, 0)
	for _, x := range []struct {
		reqs []reco.Request
		dst  *Latency
	}{{member, &out.Member}, {guest, &out.Guest}} {
		d := make([]time.Duration, n)
		for i := range d {
			t := time.Now()
			if _, err := m8.Recommend(x.reqs[i%len(x.reqs)], 10); err != nil {
				return nil, err
			}
			d[i] = time.Since(t)
		}
		*x.dst = latency(d)
	}
	return out, nil
}

// requests makes n seeded requests from a bundle: a known member (share members of them) or a
// guest, with two random items in the cart.
func requests(m *Models, n int, members float64) []reco.Request {
	r := rand.New(rand.NewPCG(5, 8))
	out := make([]reco.Request, n)
	for i := range out {
		var q reco.Request
		if len(m.Spec.Users) > 0 && r.Float64() < members {
			q.UserID = m.Spec.Users[r.IntN(len(m.Spec.Users))].ID
		}
		for range 2 {
			q.Cart = append(q.Cart, m.Guest.Items[r.IntN(len(m.Guest.Items))].ID)
		}
		out[i] = q
	}
	return out
}

// HTTPBench is a load test of POST /recommend.
type HTTPBench struct {
	URL     string  `json:"url"`
	Clients int     `json:"clients"`
	Seconds float64 `json:"seconds"`
	// Rate is the offered load in requests per second of an open-loop run, 0 for a closed loop
	// (each client sends its next request when the answer to the last one is in).
	Rate     float64 `json:"offered_per_second,omitempty"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	PerSec   float64 `json:"requests_per_second"`
	Latency
	// Models counts answers by the model that made them.
	Models map[string]int `json:"models"`
	// Pacer is how late the open loop's pacer handed out requests (its own timer's error,
	// included in Latency).
	Pacer Latency `json:"pacer_lateness"`
	// ClientCPU is the load generator's own CPU time (user + system) per answer, in µs: it shares
	// the machine with the server.
	ClientCPU float64 `json:"client_cpu_us_per_request"`
}

// HTTPOptions configure BenchHTTP.
type HTTPOptions struct {
	// URL is crumb-edge's base URL (http://127.0.0.1:8090).
	URL string
	// Bundle is the bundle the requests are built from (members' ids and items).
	Bundle   []byte
	Clients  int
	Duration time.Duration
	// Rate, when positive, makes the run open-loop: Rate requests per second in all, spread
	// evenly over the clients, each request timed from when it was due to be sent, so that a
	// slow answer that holds up the next request counts against the server (no coordinated
	// omission).
	Rate float64
}

// BenchHTTP sends requests built from the bundle (half members, half guests) to url/recommend
// from Clients concurrent clients for Duration, each on its own keep-alive HTTP/1.1 connection
// over TCP.
//
// The load generator runs on the server's cores, so it is lean: every request is built once,
// up front, as the bytes a client sends (request line, Host, Content-Type, Content-Length,
// body), and each client writes them to its connection and reads the answer with a reused
// buffer (status line, headers, Content-Length or chunked body), where net/http's client spent
// about as much CPU per request as the server did.
func BenchHTTP(ctx context.Context, o HTTPOptions) (*HTTPBench, error) {
	m, err := loadModels(o.Bundle, "int8", fmt.Errorf("not needed"), time.Now())
	if err != nil {
		return nil, err
	}
	u, err := neturl.Parse(o.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("url %q: want http://host:port", o.URL)
	}
	if o.Clients < 1 {
		return nil, fmt.Errorf("%d clients: want at least 1", o.Clients)
	}
	path := strings.TrimRight(u.Path, "/") + "/recommend"
	var reqs [][]byte
	for _, r := range requests(m, 1024, 0.5) {
		body, _ := json.Marshal(map[string]any{"user_id": r.UserID, "cart": r.Cart, "wishlist": []string{}})
		reqs = append(reqs, fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, u.Host, len(body), body))
	}
	out := &HTTPBench{URL: o.URL, Clients: o.Clients, Rate: max(o.Rate, 0), Models: map[string]int{}}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	// An open loop's requests are due at start + j/Rate. One pacer hands each due time to the
	// next free client; when none is free it waits in the queue, and its latency, timed from
	// when it was due, says so.
	var (
		due       chan time.Time
		lateness  []time.Duration
		pacerDone = make(chan struct{})
	)
	cpu0 := cpuTime()
	start := time.Now()
	if o.Rate > 0 {
		due = make(chan time.Time, 1<<16)
		go func() {
			defer close(pacerDone)
			lateness = pace(ctx, start, o.Rate, due)
		}()
	} else {
		close(pacerDone)
	}
	for c := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &client{addr: u.Host, models: map[string]int{}, lat: make([]time.Duration, 0, 1<<14)}
			defer cl.close()
			for i := c; ctx.Err() == nil; i += o.Clients {
				sent := time.Now()
				if due != nil {
					select {
					case <-ctx.Done():
					case sent = <-due:
					}
					if ctx.Err() != nil {
						break
					}
				}
				if err := cl.do(reqs[i%len(reqs)]); err != nil {
					if ctx.Err() == nil {
						cl.errs++
					}
					cl.close()
					continue
				}
				cl.lat = append(cl.lat, time.Since(sent))
			}
			mu.Lock()
			all = append(all, cl.lat...)
			out.Errors += cl.errs
			for k, v := range cl.models {
				out.Models[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Seconds = time.Since(start).Seconds()
	out.Requests = len(all)
	out.PerSec = float64(len(all)) / out.Seconds
	if len(all) > 0 {
		out.ClientCPU = float64((cpuTime() - cpu0).Nanoseconds()) / 1e3 / float64(len(all))
	}
	out.Latency = latency(all)
	cancel()
	<-pacerDone
	if due != nil {
		out.Pacer = latency(lateness)
	}
	return out, nil
}

// cpuTime is this process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// client is one keep-alive HTTP/1.1 connection of the load generator.
type client struct {
	addr   string
	conn   net.Conn
	r      *bufio.Reader
	models map[string]int
	lat    []time.Duration
	errs   int
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// do sends one pre-built request and reads the whole answer; anything but a 200 is an error.
func (c *client) do(req []byte) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn = conn
		if c.r == nil {
			c.r = bufio.NewReaderSize(conn, 4096)
		} else {
			c.r.Reset(conn)
		}
	}
	// A deadline per request, so that a server that stops answering ends the run.
	if err := c.conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	if _, err := c.conn.Write(req); err != nil {
		return err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return fmt.Errorf("bad status line %q", line)
	}
	code := string(line[9:12])
	length, chunked, keep := -1, false, true
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return fmt.Errorf("bad header line %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("X-Crumb-Model")):
			if code == "200" {
				c.models[string(value)]++
			}
		}
	}
	switch {
	case chunked:
		err = c.discardChunked()
	case length >= 0:
		_, err = c.r.Discard(length)
	default:
		return errors.New("answer with neither Content-Length nor chunked body")
	}
	if err != nil {
		return err
	}
	if !keep {
		c.close()
	}
	if code != "200" {
		return fmt.Errorf("status %s", code)
	}
	return nil
}

func (c *client) discardChunked() error {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, then the blank line
				l, err := c.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(l, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := c.r.Discard(int(n) + 2); err != nil {
			return err
		}
	}
}
