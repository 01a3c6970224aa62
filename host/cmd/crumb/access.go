package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web/auth"
)

// access is what `crumb serve` needs to let people in: the token store and
// authenticator, the per-token rate limiter, the command line's local token
// and the Slack adapter.
type access struct {
	a       *app
	tokens  store.Tokens
	auth    auth.Authenticator
	limiter *auth.Limiter
	slack   http.Handler
	// adapter is the connected Slack adapter, nil without Slack: other
	// parts of serve (the push pipeline's approvals and reports) use it.
	adapter *slack.Adapter
	closers []func()
}

func (a *app) webAccess(ctx context.Context, rt *runtime) (*access, error) {
	if err := a.cfg.Web.Validate(); err != nil {
		return nil, err
	}
	tokens, ok := rt.store.(store.Tokens)
	if !ok {
		return nil, fmt.Errorf("the database %s keeps no tokens, so nobody could sign in", a.dbName())
	}
	acc := &access{a: a, tokens: tokens, auth: auth.NewTokenAuth(tokens, nil)}
	rl := a.cfg.Web.RateLimit
	acc.limiter = auth.NewLimiter(rl.PerMinute, rl.BurstOrDefault(), nil)
	if n, err := tokens.PruneSigninCodes(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		a.log.Warn("prune sign-in codes", "err", err)
	} else if n > 0 {
		a.log.Info("old sign-in codes deleted", "count", n)
	}
	revoke, err := a.rotateLocalToken(ctx, tokens)
	if err != nil {
		return nil, err
	}
	acc.closers = append(acc.closers, revoke)
	if err := acc.startSlack(ctx, rt); err != nil {
		acc.close()
		return nil, err
	}
	return acc, nil
}

func (acc *access) close() {
	for i := len(acc.closers) - 1; i >= 0; i-- {
		acc.closers[i]()
	}
	acc.closers = nil
}

// announce prints where Crumb serves and a one-time sign-in link for the
// web UI, so that `make run` needs no set-up: whoever started the server
// can sign in, nobody else can.
func (acc *access) announce(ctx context.Context, addr string) {
	a := acc.a
	if a.cfg.Web.PublicURL == "" {
		// The address really bound (a :0 port is resolved).
		a.cfg.Web.PublicURL = "http://" + addr
		defer func() { a.cfg.Web.PublicURL = "" }()
	}
	base := strings.TrimRight(a.cfg.Web.BaseURL(addr), "/")
	fmt.Fprintf(a.stderr, "Crumb is serving on %s\n", base)
	if link, err := a.signinLink(ctx, acc.tokens, "admin", auth.Admin); err != nil {
		a.log.Error("sign-in link", "err", err)
	} else {
		fmt.Fprintf(a.stderr, "  Open the web UI and sign in as admin (one-time link, valid for %d minutes):\n    %s\n", int(a.cfg.Web.Signin().Minutes()), link)
	}
	fmt.Fprintf(a.stderr, "  More people: crumb token create --role staff|marketer|admin --name NAME  (or crumb token link)\n"+
		"  This machine's command line uses the admin token in %s:\n"+
		"    crumb ask \"오늘 폐기될 상품은?\"\n"+
		"    curl -H \"Authorization: Bearer $(cat %s)\" -d '{\"text\":\"what is in stock at Hongdae?\"}' %s/v1/chat\n",
		a.localTokenPath(), a.localTokenPath(), base)
}
