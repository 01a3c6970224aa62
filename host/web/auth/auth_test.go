package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/tools"
)

func TestTokenAuth(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "crumb.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sec, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sec.Plain, "crumb_"+sec.ID+"_") || len(sec.Plain) < 50 || sec.Hash == sec.Plain {
		t.Fatalf("token %q id %q hash %q", sec.Plain, sec.ID, sec.Hash)
	}
	if _, err := st.CreateToken(t.Context(), &store.APIToken{ID: sec.ID, Name: "jiyoon", Role: "marketer"}, sec.Hash); err != nil {
		t.Fatal(err)
	}
	a := auth.NewTokenAuth(st, clock)
	p, err := a.Authenticate(t.Context(), sec.Plain)
	if err != nil || p.Name != "jiyoon" || p.Role != "marketer" || p.TokenID != sec.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	for _, tc := range []struct{ token, want string }{
		{"", "Authorization: Bearer"},
		{"hunter2", "not a Crumb token"},
		{sec.Plain + "x", "unknown token"},
	} {
		if _, err := a.Authenticate(t.Context(), tc.token); !errors.Is(err, auth.ErrUnauthorized) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Authenticate(%q) = %v, want unauthorized mentioning %q", tc.token, err, tc.want)
		}
	}
	if err := st.RevokeToken(t.Context(), sec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(t.Context(), sec.Plain); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("revoked token: %v", err)
	}
	if got := auth.BearerToken("bearer  crumb_x "); got != "crumb_x" {
		t.Errorf("BearerToken = %q", got)
	}
}

var (
	waste   = tools.ToolInfo{Name: "waste_forecast", Intents: []tools.Intent{{Name: "waste_forecast"}}}
	profile = tools.ToolInfo{Name: "segment_profile", Intents: []tools.Intent{{Name: "segment_insight"}}}
	train   = tools.ToolInfo{Name: "train"}
)

func TestPolicy(t *testing.T) {
	p := auth.DefaultPolicy()
	for _, tc := range []struct {
		role string
		tool tools.ToolInfo
		want bool
	}{
		{"staff", waste, true}, {"staff", profile, false}, {"staff", train, false},
		{"marketer", waste, true}, {"marketer", profile, true}, {"marketer", train, false},
		{"admin", waste, true}, {"admin", profile, true}, {"admin", train, true},
		{"", train, true}, {"owner", waste, false},
	} {
		if got := p.Allows(tc.role, tc.tool); got != tc.want {
			t.Errorf("Allows(%q, %s) = %v, want %v", tc.role, tc.tool.Name, got, tc.want)
		}
	}
	if !auth.AtLeast("admin", "marketer") || auth.AtLeast("staff", "marketer") || auth.AtLeast("x", "staff") {
		t.Error("AtLeast")
	}
}

type fakeInvoker struct{ calls []string }

func (f *fakeInvoker) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	f.calls = append(f.calls, inv.Tool)
	return &tools.Result{Output: []byte(`{}`)}, nil
}

func (f *fakeInvoker) Manifests() []tools.Manifest {
	return []tools.Manifest{
		{Name: "forecast", Tools: []tools.ToolInfo{waste, train}},
		{Name: "segment", Tools: []tools.ToolInfo{profile, train}},
	}
}

func TestGuard(t *testing.T) {
	f := &fakeInvoker{}
	g := auth.NewGuard(f, nil)
	call := func(tool, role, locale string) *tools.Result {
		res, err := g.Invoke(t.Context(), &tools.Invocation{Tool: tool, CallInfo: tools.CallInfo{Role: role, Locale: locale}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := call("segment.segment_profile", "staff", "ko"); !strings.Contains(r.Failure, "staff 역할은 segment_profile") {
		t.Errorf("staff → segment_profile: failure %q, want a Korean refusal", r.Failure)
	}
	if r := call("segment_profile", "staff", "en"); !strings.Contains(r.Failure, "ask an admin for a marketer token") {
		t.Errorf("staff → segment_profile: failure %q", r.Failure)
	}
	if r := call("forecast.train", "marketer", "en"); !strings.Contains(r.Failure, "needs admin") {
		t.Errorf("marketer → train: failure %q", r.Failure)
	}
	if len(f.calls) != 0 {
		t.Fatalf("refused calls reached the plugin: %v", f.calls)
	}
	if r := call("forecast.waste_forecast", "staff", "ko"); r.Failure != "" {
		t.Errorf("staff → waste: %q", r.Failure)
	}
	call("forecast.train", "admin", "en")
	call("segment.train", "", "en")
	if strings.Join(f.calls, ",") != "forecast.waste_forecast,forecast.train,segment.train" {
		t.Errorf("calls = %v", f.calls)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(func(role string) int {
		if role == "staff" {
			return 60
		}
		return 0
	}, 3, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("t1", "staff"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("t1", "staff")
	if ok || wait <= 0 || wait > time.Second || auth.RetryAfter(wait) != 1 {
		t.Fatalf("4th request: ok %v, wait %v; want refused for up to 1 s", ok, wait)
	}
	if ok, _ := l.Allow("t2", "staff"); !ok {
		t.Error("another token was limited by t1's bucket")
	}
	if ok, _ := l.Allow("t3", "admin"); !ok {
		t.Error("unlimited role refused")
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("t1", "staff"); !ok {
		t.Error("refused after a second at 60/min")
	}
}
