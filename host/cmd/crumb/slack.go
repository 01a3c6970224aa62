package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
)

// startSlack connects the Slack adapter when slack.bot_token is set: over
// Socket Mode when slack.app_token is set, and at /slack/… over HTTP when
// slack.signing_secret is set.
func (acc *access) startSlack(ctx context.Context, rt *runtime) error {
	a := acc.a
	cfg := a.cfg.Slack
	if err := cfg.Validate(); err != nil {
		return err
	}
	if !cfg.Enabled() {
		return nil
	}
	ledger, ok := rt.store.(store.SlackEvents)
	if !ok {
		return errors.New("the database keeps no Slack event ledger, so Slack replies could not be de-duplicated")
	}
	audit, _ := rt.store.(store.AuditLog)
	ad, err := slack.New(slack.Options{
		Chat: rt.chat, Ledger: ledger, Role: cfg.Role, BotToken: cfg.BotToken, AppToken: cfg.AppToken,
		SigningSecret: cfg.SigningSecret, APIURL: cfg.APIURL, WebURL: a.cfg.Web.PublicURL, Audit: audit, Logger: a.log,
	})
	if err != nil {
		return err
	}
	team, bot, err := ad.Check(ctx)
	if err != nil {
		return err
	}
	a.log.Info("slack connected", "team", team, "bot", bot, "socket_mode", cfg.AppToken != "", "events_api", cfg.SigningSecret != "")
	acc.adapter = ad
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	if cfg.AppToken != "" {
		go func() {
			defer close(done)
			if err := ad.RunSocketMode(runCtx); err != nil {
				a.log.Error("slack socket mode stopped", "err", err)
			}
		}()
	} else {
		close(done)
	}
	if cfg.SigningSecret != "" {
		acc.slack = ad
		fmt.Fprintf(a.stderr, "  Slack Events API: point the app's Event Subscriptions, Slash Commands and Interactivity at %s/slack/events, /slack/commands and /slack/interactive\n",
			a.cfg.Web.BaseURL(a.cfg.Listen))
	}
	// The ledger only needs to outlive Slack's retries (about an hour);
	// a week is kept for looking into what happened.
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			if n, err := ledger.PruneSlackEvents(runCtx, time.Now().Add(-7*24*time.Hour)); err != nil && runCtx.Err() == nil {
				a.log.Warn("prune the Slack event ledger", "err", err)
			} else if n > 0 {
				a.log.Info("old Slack events deleted from the ledger", "count", n)
			}
			select {
			case <-runCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	acc.closers = append(acc.closers, func() { cancel(); <-done; <-pruned; ad.Close() })
	return nil
}
