// Package auth owns who may do what in Crumb: API tokens (made once, kept
// as hashes), the roles staff, marketer and admin, the policy that says
// which tools each role may call, a guard that enforces it on every tool
// call, and per-token rate limits.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/host/store"
)

// Roles, from least to most trusted.
const (
	Staff    = "staff"    // store staff: stock, waste, demand, products
	Marketer = "marketer" // marketers: everything a chat can reach (segments, campaigns, push copy …)
	Admin    = "admin"    // operators: every tool (training, evaluation), tokens, the audit log
)

// Roles lists the roles in order of trust.
var Roles = []string{Staff, Marketer, Admin}

// ParseRole checks a role name.
func ParseRole(s string) (string, error) {
	if slices.Contains(Roles, s) {
		return s, nil
	}
	return "", fmt.Errorf("role %q: want staff, marketer or admin", s)
}

// AtLeast reports whether role has at least the trust of min.
func AtLeast(role, min string) bool {
	i, j := slices.Index(Roles, role), slices.Index(Roles, min)
	return i >= 0 && j >= 0 && i >= j
}

// tokenPrefix starts every token, so that secret scanners can find leaked
// ones and people can tell what they hold.
const tokenPrefix = "crumb_"

// Secret is a newly made token or sign-in code: Plain is shown once and
// never stored; Hash is what the store keeps.
type Secret struct {
	ID    string
	Plain string
	Hash  string
}

// NewToken makes a token crumb_<id>_<secret>: the id (12 hex digits) names
// it in listings; the secret has 256 random bits.
func NewToken() (Secret, error) {
	var id [6]byte
	var sec [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Secret{}, fmt.Errorf("make token: %w", err)
	}
	if _, err := rand.Read(sec[:]); err != nil {
		return Secret{}, fmt.Errorf("make token: %w", err)
	}
	s := Secret{ID: hex.EncodeToString(id[:])}
	s.Plain = tokenPrefix + s.ID + "_" + base64.RawURLEncoding.EncodeToString(sec[:])
	s.Hash = Hash(s.Plain)
	return s, nil
}

// NewCode makes a one-time sign-in code (256 random bits).
func NewCode() (Secret, error) {
	var sec [32]byte
	if _, err := rand.Read(sec[:]); err != nil {
		return Secret{}, fmt.Errorf("make sign-in code: %w", err)
	}
	plain := base64.RawURLEncoding.EncodeToString(sec[:])
	return Secret{Plain: plain, Hash: Hash(plain)}, nil
}

// Hash is the hex SHA-256 of a token or code. The secrets are random and
// long, so a fast hash is enough: there is nothing to guess.
func Hash(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}

// Principal is who is calling.
type Principal struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	TokenID string `json:"token_id"`
	Kind    string `json:"kind"`
}

// ErrUnauthorized is wrapped by every authentication failure.
var ErrUnauthorized = errors.New("unauthorized")

// Authenticator turns a bearer token into a principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Principal, error)
}

// TokenAuth authenticates tokens against the store.
type TokenAuth struct {
	store store.Tokens
	now   func() time.Time

	mu      sync.Mutex
	touched map[string]time.Time // last use written, by token id
}

// NewTokenAuth returns an authenticator over st; now is the clock (nil:
// time.Now).
func NewTokenAuth(st store.Tokens, now func() time.Time) *TokenAuth {
	if now == nil {
		now = time.Now
	}
	return &TokenAuth{store: st, now: now, touched: map[string]time.Time{}}
}

// Authenticate checks a token. The errors say what to do.
func (a *TokenAuth) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: no token: send Authorization: Bearer <token> (make one with `crumb token create --role staff --name you`)", ErrUnauthorized)
	}
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, fmt.Errorf("%w: this is not a Crumb token (they start with %q)", ErrUnauthorized, tokenPrefix)
	}
	t, err := a.store.TokenByHash(ctx, Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: unknown token: check that it was copied whole, or make a new one with `crumb token create`", ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	switch {
	case t.RevokedAt != nil:
		return nil, fmt.Errorf("%w: token %s was revoked on %s: ask an admin for a new one", ErrUnauthorized, t.ID, t.RevokedAt.Format(time.DateOnly))
	case !t.Valid(now):
		return nil, fmt.Errorf("%w: token %s expired at %s: sign in again", ErrUnauthorized, t.ID, t.ExpiresAt.Format(time.RFC3339))
	}
	if _, err := ParseRole(t.Role); err != nil {
		return nil, fmt.Errorf("%w: token %s has %v", ErrUnauthorized, t.ID, err)
	}
	a.touch(ctx, t.ID, now)
	return &Principal{Name: t.Name, Role: t.Role, TokenID: t.ID, Kind: t.Kind}, nil
}

// touch records the token's last use at most once a minute.
func (a *TokenAuth) touch(ctx context.Context, id string, now time.Time) {
	a.mu.Lock()
	last, ok := a.touched[id]
	stale := !ok || now.Sub(last) >= time.Minute
	if stale {
		a.touched[id] = now
	}
	a.mu.Unlock()
	if stale {
		_ = a.store.TouchToken(context.WithoutCancel(ctx), id, now)
	}
}

// BearerToken returns the token of an Authorization header value.
func BearerToken(header string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// Static authenticates a fixed set of tokens, for tests and for embedding
// the API in another program.
type Static map[string]Principal

// Authenticate looks the token up.
func (s Static) Authenticate(_ context.Context, token string) (*Principal, error) {
	p, ok := s[token]
	if !ok {
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthorized)
	}
	return &p, nil
}
