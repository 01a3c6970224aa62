package slack

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects over Socket Mode (slack.app_token; no public URL
// needed) and answers until ctx ends. Each envelope is claimed in the ledger
// and then acknowledged, and answered in the background, as over HTTP.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.o.AppToken == "" {
		return errors.New("slack: Socket Mode needs slack.app_token (xapp-… with connections:write)")
	}
	client := socketmode.New(a.api)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case ev := <-client.Events:
			a.socketEvent(ctx, client, ev)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode", "event", ev.Type, "data", ev.Data)
		return
	}
	req := ev.Request
	if req == nil {
		return
	}
	var ack any
	switch ev.Type {
	case socketmode.EventTypeEventsAPI:
		env, inner, err := ParseEnvelope(req.Payload)
		if err != nil {
			a.log.Warn("slack socket event", "err", err)
		} else if env.Type == "event_callback" {
			a.takeEvent(ctx, env.EventID, inner)
		}
	case socketmode.EventTypeSlashCommand:
		var c struct {
			Text      string `json:"text"`
			UserID    string `json:"user_id"`
			ChannelID string `json:"channel_id"`
			TriggerID string `json:"trigger_id"`
		}
		if err := json.Unmarshal(req.Payload, &c); err != nil {
			a.log.Warn("slack socket command", "err", err)
			break
		}
		text := strings.TrimSpace(c.Text)
		if text == "" || text == "help" || c.TriggerID == "" {
			ack = map[string]string{"response_type": "ephemeral", "text": "예: `/crumb 오늘 폐기될 상품은?` · e.g. `/crumb which items will be wasted today?`"}
			break
		}
		a.start(ctx, &job{key: "command:" + c.TriggerID, channel: c.ChannelID, user: c.UserID, text: text, command: true})
		ack = map[string]string{"response_type": "ephemeral", "text": "⏳ " + text}
	case socketmode.EventTypeInteractive:
		if err := a.takeInteraction(ctx, req.Payload); err != nil {
			a.log.Warn("slack socket interaction", "err", err)
		}
	default:
		return
	}
	var err error
	if ack != nil {
		err = client.Ack(*req, ack)
	} else {
		err = client.Ack(*req)
	}
	if err != nil {
		a.log.Error("slack socket ack", "err", err)
	}
}
