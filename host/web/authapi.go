package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/tools"
)

type principalKey struct{}

// principalOf is the caller of a signed-in route.
func principalOf(r *http.Request) *auth.Principal {
	if p, ok := r.Context().Value(principalKey{}).(*auth.Principal); ok {
		return p
	}
	return &auth.Principal{}
}

// authenticated checks the bearer token, the role and the token's rate
// limit before h.
func (s *Server) authenticated(min string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && crossSite(r) {
			writeError(w, http.StatusForbidden, "cross_site", "cross-site requests are not allowed", nil)
			return
		}
		if s.o.Auth == nil {
			writeError(w, http.StatusUnauthorized, "unauthorized", "this server has no token store, so no request can be signed in", nil)
			return
		}
		p, err := s.o.Auth.Authenticate(r.Context(), auth.BearerToken(r.Header.Get("Authorization")))
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthorized) {
				s.o.Logger.ErrorContext(r.Context(), "authenticate", "err", err)
				writeError(w, http.StatusInternalServerError, "internal", "could not check the token; see the host log for this request id", nil)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="crumb"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", err.Error(), nil)
			return
		}
		if s.o.Limiter != nil {
			if ok, wait := s.o.Limiter.Allow(p.TokenID, p.Role); !ok {
				secs := auth.RetryAfter(wait)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeError(w, http.StatusTooManyRequests, "rate_limited",
					fmt.Sprintf("token %s (%s) is over its rate limit; retry in %d s", p.TokenID, p.Role, secs), nil)
				return
			}
		}
		if !auth.AtLeast(p.Role, min) {
			writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("this needs the %s role; your token (%s) is %s", min, p.Name, p.Role), nil)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// recordAudit appends an entry for the request's principal.
func (s *Server) recordAudit(r *http.Request, action string, args []byte, outcome string) {
	if s.o.Audit == nil {
		return
	}
	p := principalOf(r)
	if len(args) == 0 || !json.Valid(args) {
		args = nil
	}
	err := s.o.Audit.RecordAudit(r.Context(), &store.AuditEntry{
		RequestID: tools.RequestIDFrom(r.Context()), Actor: p.Name, Role: p.Role, Action: action, Args: args, Outcome: outcome,
	})
	if err != nil {
		s.o.Logger.ErrorContext(r.Context(), "audit", "err", err)
	}
}

// findTool resolves a tool id or bare name among the running tools.
func (s *Server) findTool(name string) (pluginhost.Tool, bool) {
	var hit pluginhost.Tool
	n := 0
	for _, t := range s.o.Plugins.Tools() {
		if t.ID == name {
			return t, true
		}
		if t.Name == name {
			hit, n = t, n+1
		}
	}
	return hit, n == 1
}

// me tells the UI who is signed in and what they may ask about.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	intents := map[string]bool{}
	for _, t := range s.o.Plugins.Tools() {
		if !s.o.Policy.Allows(p.Role, t.ToolInfo) {
			continue
		}
		for _, in := range t.Intents {
			intents[in.Name] = true
		}
	}
	list := make([]string, 0, len(intents))
	for k := range intents {
		list = append(list, k)
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": p.Name, "role": p.Role, "token_id": p.TokenID, "kind": p.Kind, "intents": list})
}

// SigninRequest is the body of POST /v1/auth/signin.
type SigninRequest struct {
	Code string `json:"code"`
}

// signin redeems a one-time sign-in code for a session token.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	if s.o.Tokens == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server has no token store: sign in with an API token instead", nil)
		return
	}
	if ok, wait := s.signins.Allow(clientIP(r), "any"); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(auth.RetryAfter(wait)))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many sign-in attempts from this address; wait a moment", nil)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req SigninRequest
	if err := decodeStrict(body, &req); err != nil || req.Code == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"code":"…"} with the code of a sign-in link (print one with `+"`crumb token link`"+`)`, nil)
		return
	}
	sec, err := auth.NewToken()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	exp := s.o.Now().Add(s.o.SessionTTL)
	t, err := s.o.Tokens.RedeemSigninCode(r.Context(), auth.Hash(req.Code), &store.APIToken{ID: sec.ID, ExpiresAt: &exp}, sec.Hash)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "this sign-in link was used already or has expired: print a new one with `crumb token link`, or paste an API token", nil)
		return
	}
	if err != nil {
		s.o.Logger.ErrorContext(r.Context(), "signin", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "could not sign in; see the host log for this request id", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": sec.Plain, "name": t.Name, "role": t.Role, "expires_at": exp})
}

// signout revokes the caller's token when it is a web session; API tokens
// are revoked by an admin.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	revoked := false
	if s.o.Tokens != nil && p.Kind == store.TokenSession {
		if err := s.o.Tokens.RevokeToken(r.Context(), p.TokenID); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
			return
		}
		revoked = true
	}
	writeJSON(w, http.StatusOK, map[string]any{"revoked": revoked})
}

// TokenRequest is the body of POST /v1/tokens.
type TokenRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	ExpiresIn string `json:"expires_in,omitempty"` // a duration such as 720h; empty: never
}

// CreateToken makes and stores a token; the plain token is returned once.
func CreateToken(ctx context.Context, st store.Tokens, name, role string, expires *time.Time) (string, *store.APIToken, error) {
	if strings.TrimSpace(name) == "" || len(name) > 64 {
		return "", nil, errors.New("name: give the holder's name, 1 to 64 characters (e.g. --name jiyoon)")
	}
	if _, err := auth.ParseRole(role); err != nil {
		return "", nil, err
	}
	sec, err := auth.NewToken()
	if err != nil {
		return "", nil, err
	}
	t, err := st.CreateToken(ctx, &store.APIToken{ID: sec.ID, Name: strings.TrimSpace(name), Role: role, Kind: store.TokenAPI, ExpiresAt: expires}, sec.Hash)
	if err != nil {
		return "", nil, err
	}
	return sec.Plain, t, nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	if s.o.Tokens == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server has no token store", nil)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req TokenRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error()+` (want {"name":"jiyoon","role":"marketer"})`, nil)
		return
	}
	var exp *time.Time
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("expires_in %q: want a positive duration such as 720h", req.ExpiresIn), map[string]any{"field": "expires_in"})
			return
		}
		t := s.o.Now().Add(d)
		exp = &t
	}
	plain, t, err := CreateToken(r.Context(), s.o.Tokens, req.Name, req.Role, exp)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error(), nil)
		return
	}
	args, _ := json.Marshal(map[string]string{"id": t.ID, "name": t.Name, "role": t.Role})
	s.recordAudit(r, "token:create", args, "ok")
	writeJSON(w, http.StatusCreated, map[string]any{"token": plain, "id": t.ID, "name": t.Name, "role": t.Role, "expires_at": t.ExpiresAt})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	if s.o.Tokens == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server has no token store", nil)
		return
	}
	ts, err := s.o.Tokens.ListTokens(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	type row struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		Role       string     `json:"role"`
		Kind       string     `json:"kind"`
		CreatedAt  time.Time  `json:"created_at"`
		ExpiresAt  *time.Time `json:"expires_at,omitempty"`
		LastUsedAt *time.Time `json:"last_used_at,omitempty"`
		RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	}
	out := make([]row, len(ts))
	for i, t := range ts {
		out[i] = row(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if s.o.Tokens == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server has no token store", nil)
		return
	}
	id := r.PathValue("id")
	err := s.o.Tokens.RevokeToken(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no token %q: list them with GET /v1/tokens or `crumb token ls`", id), nil)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	args, _ := json.Marshal(map[string]string{"id": id})
	s.recordAudit(r, "token:revoke", args, "ok")
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "revoked": true})
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	if s.o.Audit == nil {
		writeError(w, http.StatusNotImplemented, "unavailable", "this server keeps no audit log", nil)
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "invalid_request", "limit: want 1 to 1000", map[string]any{"field": "limit"})
			return
		}
		limit = n
	}
	es, err := s.o.Audit.Audit(r.Context(), limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error(), nil)
		return
	}
	if es == nil {
		es = []store.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
}

// decodeStrict decodes one JSON object, refusing unknown fields.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode body: %v", err)
	}
	if dec.More() {
		return errors.New("decode body: unexpected data after the JSON object")
	}
	return nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
