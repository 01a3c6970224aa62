package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// job is one question to answer.
type job struct {
	key     string // ledger key
	channel string
	thread  string // the thread to answer in; empty for a slash command (a new message)
	user    string
	text    string
	command bool
}

// start claims the job and answers it in the background. It reports
// whether the job was new.
func (a *Adapter) start(ctx context.Context, j *job) bool {
	claim, ok, err := a.o.Ledger.ClaimSlackEvent(ctx, j.key, j.channel, a.o.Lease, a.o.MaxAttempts)
	if err != nil {
		a.log.ErrorContext(ctx, "claim", "key", j.key, "err", err)
		return false
	}
	if !ok {
		a.log.InfoContext(ctx, "duplicate Slack event ignored", "key", j.key)
		return false
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.answer(a.base, j, claim)
	}()
	return true
}

// answer posts a placeholder (or reuses the one an earlier attempt
// posted), runs the turn, replaces the placeholder with the answer and
// uploads the charts into the thread.
func (a *Adapter) answer(ctx context.Context, j *job, claim *store.SlackClaim) {
	log := a.log.With("key", j.key, "slack_channel", j.channel, "user", j.user)
	locale := chat.DetectLocale(j.text)
	fail := func(stage string, err error) {
		log.Error("answer", "stage", stage, "err", err)
		_ = a.o.Ledger.FinishSlackEvent(context.WithoutCancel(ctx), j.key, store.SlackFailed, stage+": "+err.Error())
	}
	ts := claim.ReplyTS
	if ts == "" {
		opts := []slack.MsgOption{slack.MsgOptionText(thinking(locale, j), false)}
		if j.thread != "" {
			opts = append(opts, slack.MsgOptionTS(j.thread))
		}
		_, posted, err := a.api.PostMessageContext(ctx, j.channel, opts...)
		if err != nil {
			fail("chat.postMessage", err)
			return
		}
		ts = posted
		if err := a.o.Ledger.SetSlackReply(ctx, j.key, ts); err != nil {
			fail("ledger", err)
			return
		}
	}
	thread := j.thread
	if thread == "" {
		thread = ts // a slash command's answer starts its own thread
	}
	role := a.o.Role(j.user)
	var reply *chat.Reply
	var turnErr error
	if role == "" {
		turnErr = fmt.Errorf("%s", refusal(locale))
	} else {
		reply, turnErr = a.o.Chat.Stream(ctx, &chat.Turn{
			RequestID:      "slack-" + shortHash(j.key),
			User:           "slack:" + j.user,
			Role:           role,
			Channel:        "slack",
			ConversationID: "slack-" + shortHash(j.channel+"/"+thread+"/"+j.user),
			Text:           j.text,
		}, nil)
	}
	var blocks []slack.Block
	text := ""
	if turnErr != nil {
		text = "⚠️ " + turnErr.Error()
		blocks = []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, escape(text), false, false), nil, nil)}
	} else {
		text = reply.Text
		blocks = a.blocks(j, reply)
	}
	if _, _, _, err := a.api.UpdateMessageContext(ctx, j.channel, ts, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		fail("chat.update", err)
		return
	}
	if reply != nil && reply.Blocks != nil {
		for i, c := range reply.Blocks.Charts {
			if err := a.uploadChart(ctx, j.channel, thread, i, c, reply.Locale); err != nil {
				fail("upload chart", err)
				return
			}
		}
	}
	if err := a.o.Ledger.FinishSlackEvent(context.WithoutCancel(ctx), j.key, store.SlackAnswered, ""); err != nil {
		log.Error("ledger", "err", err)
	}
	log.Info("answered", "ts", ts, "attempt", claim.Attempts)
}

func (a *Adapter) uploadChart(ctx context.Context, channel, thread string, i int, c tools.Chart, locale string) error {
	png, err := render.PNG(c, render.Options{Locale: locale})
	if err != nil {
		return fmt.Errorf("render chart %d: %w", i+1, err)
	}
	title := c.Title
	if title == "" {
		title = "chart"
	}
	_, err = a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(png), FileSize: len(png), Filename: fmt.Sprintf("crumb-chart-%d.png", i+1),
		Title: title, AltTxt: title, Channel: channel, ThreadTimestamp: thread,
	})
	return err
}

// Slack's limits for a message: 50 blocks, 3000 characters of text per
// section, 100 rows and 20 columns per table; one table per message.
const (
	maxTableRows = 30
	maxCards     = 10
)

// blocks lays out a reply in Block Kit: the question (for a slash
// command), the text, the first table as a table block and further ones as
// text, the cards as sections with fields, and the buttons.
func (a *Adapter) blocks(j *job, r *chat.Reply) []slack.Block {
	var out []slack.Block
	if j.command {
		out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, "<@"+j.user+"> /crumb "+escape(j.text), false, false)))
	}
	out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(escape(r.Text), 2900), false, false), nil, nil))
	if b := r.Blocks; b != nil {
		for i, t := range b.Tables {
			if i == 0 {
				out = append(out, tableBlock(t))
				continue
			}
			out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(tableText(t), 2900), false, false), nil, nil))
		}
		for i, c := range b.Cards {
			if i == maxCards {
				break
			}
			out = append(out, cardBlock(c))
		}
		if len(b.Charts) > 0 {
			note := "📈 차트는 이 스레드에 이미지로 올립니다."
			if r.Locale != "ko" {
				note = "📈 The chart follows in this thread as an image."
			}
			out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
		}
	}
	ko := r.Locale == "ko"
	label := func(k, e string) *slack.TextBlockObject {
		if ko {
			return slack.NewTextBlockObject(slack.PlainTextType, k, true, false)
		}
		return slack.NewTextBlockObject(slack.PlainTextType, e, true, false)
	}
	buttons := []slack.BlockElement{
		slack.NewButtonBlockElement("crumb_feedback_up", r.ConversationID, label("👍 도움됐어요", "👍 Helpful")),
		slack.NewButtonBlockElement("crumb_feedback_down", r.ConversationID, label("👎 아쉬워요", "👎 Not helpful")),
	}
	if a.o.WebURL != "" {
		open := slack.NewButtonBlockElement("crumb_open", "", label("Crumb에서 열기", "Open in Crumb"))
		open.URL = strings.TrimRight(a.o.WebURL, "/") + "/"
		buttons = append(buttons, open)
	}
	out = append(out, slack.NewActionBlock("crumb_actions", buttons...))
	meta := fmt.Sprintf("intent `%s` · %.0f%%", r.Intent, r.Confidence*100)
	for _, c := range r.ToolCalls {
		meta += fmt.Sprintf(" · `%s` %.0f ms", c.ID, c.DurationMS)
	}
	out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, meta, false, false)))
	return out
}

func tableBlock(t tools.Table) *slack.TableBlock {
	tb := slack.NewTableBlock("")
	header := make([]slack.TableCell, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = slack.NewTableRichTextCell(slack.NewRichTextSection(slack.NewRichTextSectionTextElement(c, &slack.RichTextSectionTextStyle{Bold: true})))
	}
	tb.AddRow(header...)
	for i, row := range t.Rows {
		if i == maxTableRows {
			break
		}
		cells := make([]slack.TableCell, len(row))
		for k, v := range row {
			cells[k] = slack.NewTableRawTextCell(cell(v))
		}
		tb.AddRow(cells...)
	}
	return tb
}

func tableText(t tools.Table) string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "*%s*\n", escape(t.Title))
	}
	b.WriteString("```\n")
	b.WriteString(strings.Join(t.Columns, " | "))
	b.WriteString("\n")
	for i, row := range t.Rows {
		if i == maxTableRows {
			break
		}
		parts := make([]string, len(row))
		for k, v := range row {
			parts[k] = cell(v)
		}
		b.WriteString(strings.Join(parts, " | "))
		b.WriteString("\n")
	}
	b.WriteString("```")
	return b.String()
}

func cardBlock(c tools.Card) *slack.SectionBlock {
	text := "*" + escape(c.Title) + "*"
	if c.Subtitle != "" {
		text += "\n_" + escape(c.Subtitle) + "_"
	}
	if c.Body != "" {
		text += "\n" + escape(c.Body)
	}
	var fields []*slack.TextBlockObject
	for i, f := range c.Fields {
		if i == 10 { // Slack's limit per section
			break
		}
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, "*"+escape(f.Label)+"*\n"+escape(f.Value), false, false))
	}
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(text, 2900), false, false), fields, nil)
}

func cell(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// escape makes text safe for Slack's mrkdwn: &, < and > are control
// characters there.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func thinking(locale string, j *job) string {
	if locale == "ko" {
		return "⏳ 확인 중입니다… (" + j.text + ")"
	}
	return "⏳ Looking into it… (" + j.text + ")"
}

func refusal(locale string) string {
	if locale == "ko" {
		return "이 Slack 계정에는 Crumb 역할이 없어요. 관리자에게 slack.users에 추가해 달라고 요청하세요."
	}
	return "this Slack account has no Crumb role: ask an admin to add your Slack user id to slack.users"
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// PostReply posts a reply that no Slack message asked for (a scheduled
// report, say) to a channel, in the thread of threadTS when it is not
// empty, laid out as answers are, with its charts uploaded into the
// message's thread. It returns the message's timestamp.
func (a *Adapter) PostReply(ctx context.Context, channel, threadTS string, r *chat.Reply) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(a.blocks(&job{channel: channel, thread: threadTS}, r)...)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage to %s: %w", channel, err)
	}
	thread := threadTS
	if thread == "" {
		thread = ts
	}
	if r.Blocks != nil {
		for i, c := range r.Blocks.Charts {
			if err := a.uploadChart(ctx, channel, thread, i, c, r.Locale); err != nil {
				return ts, fmt.Errorf("slack upload chart: %w", err)
			}
		}
	}
	return ts, nil
}
