package auth

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a token bucket per key (a token id), refilled at a rate that
// depends on the key's role. Buckets idle for ten minutes are dropped, so
// memory stays bounded by the tokens in recent use. Limits are per process:
// several replicas each allow the rate.
type Limiter struct {
	perMinute func(role string) int
	burst     int
	now       func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a limiter; perMinute gives a role's requests per
// minute (0 or less: unlimited).
func NewLimiter(perMinute func(role string) int, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{perMinute: perMinute, burst: max(burst, 1), now: now, buckets: map[string]*bucket{}}
}

// Allow spends one request of key. When the bucket is empty it returns
// false and how long until a request would be allowed.
func (l *Limiter) Allow(key, role string) (bool, time.Duration) {
	n := l.perMinute(role)
	if n <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	limit := rate.Limit(float64(n) / 60)
	b, ok := l.buckets[key]
	if !ok || b.lim.Limit() != limit {
		b = &bucket{lim: rate.NewLimiter(limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// RetryAfter is a delay in whole seconds, rounded up, at least 1, for a
// Retry-After header.
func RetryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
