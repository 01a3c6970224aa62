package store

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// clockAt is a settable clock for the token and Slack ledger tests.
type clockAt struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockAt) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clockAt) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestTokens(t *testing.T) {
	clock := &clockAt{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(clock.now))
	ctx := t.Context()

	tok, err := s.CreateToken(ctx, &APIToken{ID: "a1", Name: "jiyoon", Role: "marketer"}, "hash-a1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Kind != TokenAPI || !tok.CreatedAt.Equal(clock.now()) || tok.ExpiresAt != nil {
		t.Errorf("created %+v: want kind api, created now, no expiry", tok)
	}
	if _, err := s.CreateToken(ctx, &APIToken{ID: "a2", Name: "x", Role: "staff"}, "hash-a1"); err == nil {
		t.Error("a second token with the same hash was stored")
	}
	if _, err := s.CreateToken(ctx, &APIToken{ID: "a3", Role: "staff"}, "h3"); err == nil {
		t.Error("a token without a name was stored")
	}
	got, err := s.TokenByHash(ctx, "hash-a1")
	if err != nil || got.ID != "a1" || got.Name != "jiyoon" || got.Role != "marketer" || !got.Valid(clock.now()) {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown hash: %v, want ErrNotFound", err)
	}

	clock.add(time.Minute)
	if err := s.TouchToken(ctx, "a1", clock.now()); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchToken(ctx, "a1", clock.now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.TokenByHash(ctx, "hash-a1")
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(clock.now()) {
		t.Errorf("last used = %v, want %v (never moved back)", got.LastUsedAt, clock.now())
	}

	if err := s.RevokeToken(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown: %v, want ErrNotFound", err)
	}
	got, _ = s.TokenByHash(ctx, "hash-a1")
	if got.Valid(clock.now()) || got.RevokedAt == nil {
		t.Errorf("revoked token still valid: %+v", got)
	}

	exp := clock.now().Add(time.Hour)
	if _, err := s.CreateToken(ctx, &APIToken{ID: "b1", Name: "min", Role: "staff", ExpiresAt: &exp}, "hash-b1"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.TokenByHash(ctx, "hash-b1")
	if !got.Valid(clock.now()) || got.Valid(exp) {
		t.Errorf("expiring token: valid now %v, valid at expiry %v; want true, false", got.Valid(clock.now()), got.Valid(exp))
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "b1" {
		t.Errorf("ListTokens = %+v, %v; want b1 then a1", list, err)
	}
}

func TestSigninCodeOnce(t *testing.T) {
	clock := &clockAt{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(clock.now))
	ctx := t.Context()
	if err := s.CreateSigninCode(ctx, "code1", "admin", "admin", clock.now().Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSigninCode(ctx, "code2", "admin", "admin", clock.now().Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	exp := clock.now().Add(12 * time.Hour)
	// Many redemptions of one code at once: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.RedeemSigninCode(ctx, "code1", &APIToken{ID: "s" + string(rune('a'+i)), Name: "ignored", Role: "staff", ExpiresAt: &exp}, "tok-"+string(rune('a'+i)))
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
				if tok.Role != "admin" || tok.Name != "admin" || tok.Kind != TokenSession {
					t.Errorf("session %+v: want the code's name and role, kind session", tok)
				}
			} else if !errors.Is(err, ErrNotFound) {
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d redemptions of one code succeeded, want 1", won)
	}
	clock.add(16 * time.Minute)
	if _, err := s.RedeemSigninCode(ctx, "code2", &APIToken{ID: "late"}, "tok-late"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired code: %v, want ErrNotFound", err)
	}
	if n, err := s.PruneSigninCodes(ctx, clock.now()); err != nil || n != 2 {
		t.Errorf("prune = %d, %v; want both expired codes", n, err)
	}
}
