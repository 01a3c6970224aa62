package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/edge/ort"
	"github.com/crumb-dev/crumb/edge/reco"
)

// Latency is a latency distribution in microseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_us"`
	P99 float64 `json:"p99_us"`
	Max float64 `json:"max_us"`
}

func latency(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	us := func(x time.Duration) float64 { return float64(x.Nanoseconds()) / 1e3 }
	return Latency{N: len(d), P50: us(d[len(d)/2]), P99: us(d[len(d)*99/100]), Max: us(d[len(d)-1])}
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
	URL      string  `json:"url"`
	Clients  int     `json:"clients"`
	Seconds  float64 `json:"seconds"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	PerSec   float64 `json:"requests_per_second"`
	Latency
	// Models counts answers by the model that made them.
	Models map[string]int `json:"models"`
}

// BenchHTTP sends requests built from the bundle (half members, half guests) to url/recommend
// from clients concurrent clients for d, over keep-alive connections.
func BenchHTTP(ctx context.Context, url string, data []byte, clients int, d time.Duration) (*HTTPBench, error) {
	m, err := loadModels(data, "int8", fmt.Errorf("not needed"), time.Now())
	if err != nil {
		return nil, err
	}
	var bodies [][]byte
	for _, r := range requests(m, 1024, 0.5) {
		b, _ := json.Marshal(map[string]any{"user_id": r.UserID, "cart": r.Cart, "wishlist": []string{}})
		bodies = append(bodies, b)
	}
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	out := &HTTPBench{URL: url, Clients: clients, Models: map[string]int{}}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var local []time.Duration
			errs := 0
			models := map[string]int{}
			for i := c; ctx.Err() == nil; i += clients {
				t := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/recommend", bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs++
					continue
				}
				local = append(local, time.Since(t))
				models[resp.Header.Get("X-Crumb-Model")]++
			}
			mu.Lock()
			all = append(all, local...)
			out.Errors += errs
			for k, v := range models {
				out.Models[k] += v
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	out.Seconds = time.Since(start).Seconds()
	out.Requests = len(all)
	out.PerSec = float64(len(all)) / out.Seconds
	out.Latency = latency(all)
	return out, nil
}
