package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/edge/ort/orttest"
)

// benchBundle is the bundle the benchmarks serve: $CRUMB_EDGE_BENCH_BUNDLE (a real one, e.g.
// the demo brand's from `crumb bench edge`) or the test fixture.
func benchBundle(b *testing.B) []byte {
	if p := os.Getenv("CRUMB_EDGE_BENCH_BUNDLE"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	return makeBundle(b, 1, bundleOpts{})
}

func benchServer(b *testing.B) (*Server, *Models) {
	b.Helper()
	orttest.Init(b)
	s, err := New(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	if err := s.Install(benchBundle(b)); err != nil {
		b.Fatal(err)
	}
	m := s.Models()
	if !m.MemberEnabled() {
		b.Fatalf("member model off: %s", m.MemberReason)
	}
	return s, m
}

// BenchmarkRecommendHandler is one POST /recommend through the handler (decode, answer,
// metrics, encode) without the network, for members and guests as crumb bench edge sends them.
func BenchmarkRecommendHandler(b *testing.B) {
	s, m := benchServer(b)
	h := s.Handler()
	for _, c := range []struct {
		name    string
		members float64
	}{{"member", 1}, {"guest", 0}} {
		var bodies [][]byte
		for _, r := range requests(m, 256, c.members) {
			body, _ := json.Marshal(map[string]any{"user_id": r.UserID, "cart": r.Cart, "wishlist": []string{}})
			bodies = append(bodies, body)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/recommend", bytes.NewReader(bodies[i%len(bodies)]))
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%d: %s", w.Code, w.Body)
					}
					i++
				}
			})
		})
	}
}

// BenchmarkMemberGraph is one batch-1 run of the member graph (int8), in process.
func BenchmarkMemberGraph(b *testing.B) {
	_, m := benchServer(b)
	reqs := requests(m, 256, 1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q, _ := m.Spec.Query(reqs[i%len(reqs)])
		if _, err := runQuery(m.member, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnswer is a whole answer in process (no HTTP, no JSON).
func BenchmarkAnswer(b *testing.B) {
	_, m := benchServer(b)
	for _, c := range []struct {
		name    string
		members float64
	}{{"member", 1}, {"guest", 0}} {
		reqs := requests(m, 256, c.members)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := m.Recommend(reqs[i%len(reqs)], 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecommendLoopback is one POST /recommend over a keep-alive loopback TCP connection
// to the real handler, with crumb bench edge's client: the round trip of one client alone
// (half members, half guests).
func BenchmarkRecommendLoopback(b *testing.B) {
	s, m := benchServer(b)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "http://")
	var reqs [][]byte
	for _, r := range requests(m, 256, 0.5) {
		body, _ := json.Marshal(map[string]any{"user_id": r.UserID, "cart": r.Cart, "wishlist": []string{}})
		reqs = append(reqs, fmt.Appendf(nil, "POST /recommend HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body))
	}
	cl := &client{addr: host, models: map[string]int{}}
	defer cl.close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := cl.do(reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
}
