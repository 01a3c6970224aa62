package chat

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

func manifests() []tools.Manifest {
	in := json.RawMessage(`{"type":"object","properties":{"store":{"type":"string"},"product":{"type":"string"}}}`)
	q := json.RawMessage(`{"type":"object","properties":{"query":{"type":"string"}}}`)
	return []tools.Manifest{{Name: "catalog", Version: "1", Tools: []tools.ToolInfo{
		{Name: "stock_on_hand", Description: "Stock on hand.", InputSchema: in, OutputSchema: json.RawMessage(`{}`),
			Intents: []tools.Intent{{Name: "stock_lookup", Parent: "knowledge_qa", Examples: []string{
				"강남점 크루아상 재고 몇 개야?", "홍대점 재고 알려줘", "지금 잠실점에 남은 빵 뭐 있어?", "식빵 재고 얼마나 남았어?",
				"what is in stock at Hongdae?", "how many croissants are left at Gangnam?", "show me current stock levels", "do we still have cheesecake at Yeouido?"}}}},
		{Name: "product_lookup", Description: "Find products.", InputSchema: q, OutputSchema: json.RawMessage(`{}`),
			Intents: []tools.Intent{{Name: "product_info", Parent: "knowledge_qa", Examples: []string{
				"크루아상 가격 얼마야?", "치즈케이크에 어떤 알레르기 성분 있어?", "소금빵 유통기한은?", "케이크 종류 뭐 있어?",
				"how much is a croissant?", "what allergens are in the cheesecake?", "what is the shelf life of baguette?", "list the cakes on the menu"}}}},
	}}}
}

// recorder is an Invoker that answers from a function and records calls.
type recorder struct {
	calls  []*tools.Invocation
	answer func(*tools.Invocation) (*tools.Result, error)
}

func (r *recorder) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	r.calls = append(r.calls, inv)
	return r.answer(inv)
}

func (r *recorder) Manifests() []tools.Manifest { return manifests() }

func newEngine(t *testing.T, inv Invoker) (*Engine, store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Replace(context.Background(), &store.Data{
		Stores:   []tools.Store{{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", OpenedOn: "2020-01-01"}},
		Products: []tools.Product{{ID: "P3", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Tags: []string{}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC)
	e, err := New(Options{Tools: inv, Store: st, Texts: texts, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return e, st
}

func TestHandle(t *testing.T) {
	inv := &recorder{answer: func(inv *tools.Invocation) (*tools.Result, error) {
		switch string(inv.Args) {
		case `{"product":"P3","store":"S01"}`:
			return &tools.Result{Output: json.RawMessage(`{"total":7}`), Display: &tools.Display{Text: "7개", Tables: []tools.Table{{Columns: []string{"a"}}}}}, nil
		case `{"store":"S01"}`:
			return &tools.Result{Failure: `no stock snapshot for 2026-11-21`}, nil
		}
		return nil, errors.New("plugin catalog is restarting")
	}}
	e, st := newEngine(t, inv)
	ctx := context.Background()

	r, err := e.Handle(ctx, &Turn{User: "u1", Text: "강남점 크루아상 재고 몇 개야?"})
	if err != nil {
		t.Fatal(err)
	}
	// The reply's intent is canonical, the plugin's finer one beside it.
	if r.Intent != IntentKnowledgeQA || r.SubIntent != "stock_lookup" || r.Locale != "ko" || r.Text != "7개" || string(r.Result) != `{"total":7}` || len(r.Blocks.Tables) != 1 {
		t.Fatalf("reply: %+v", r)
	}
	if got := inv.calls[0]; got.Locale != "ko" || got.ConversationID != r.ConversationID || got.Now.IsZero() {
		t.Fatalf("call info: %+v", got.CallInfo)
	}

	// A follow-up in the same conversation; a tool failure is polite text.
	r2, err := e.Handle(ctx, &Turn{User: "u1", ConversationID: r.ConversationID, Text: "what is in stock at Gangnam?"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.ConversationID != r.ConversationID || !strings.HasPrefix(r2.Text, "I could not answer that: no stock snapshot") || r2.ToolCalls[0].Failure == "" {
		t.Fatalf("failure reply: %+v", r2)
	}
	msgs, err := st.Messages(ctx, r.ConversationID)
	if err != nil || len(msgs) != 4 || msgs[0].Role != "user" || msgs[3].Intent != IntentKnowledgeQA {
		t.Fatalf("messages: %d %v", len(msgs), err)
	}
	audit, err := st.Audit(ctx, 10)
	if err != nil || len(audit) != 2 || audit[0].Action != "tool:stock_on_hand" || audit[0].Actor != "u1" {
		t.Fatalf("audit: %+v %v", audit, err)
	}

	// Someone else's conversation is refused.
	if _, err := e.Handle(ctx, &Turn{User: "u2", ConversationID: r.ConversationID, Text: "help"}); !errors.Is(err, ErrInvalidTurn) {
		t.Fatalf("other user's conversation: err = %v", err)
	}

	// Help lists the tools with an example in the user's language.
	h, err := e.Handle(ctx, &Turn{User: "u1", Text: "뭘 할 수 있어?"})
	if err != nil || h.Intent != IntentHelp || !strings.Contains(h.Text, "강남점 크루아상 재고 몇 개야?") {
		t.Fatalf("help: %+v %v", h, err)
	}
	o, err := e.Handle(ctx, &Turn{User: "u1", Text: "who won the football yesterday"})
	if err != nil || o.Intent != IntentOutOfScope || !strings.Contains(o.Text, "outside what I can help with") {
		t.Fatalf("out of scope: %+v %v", o, err)
	}

	for _, bad := range []*Turn{{Text: "  "}, {Text: strings.Repeat("빵", MaxTextRunes+1)}, {Text: "hi", Locale: "fr"}, {Text: "\xff\xfe"}} {
		if _, err := e.Handle(ctx, bad); !errors.Is(err, ErrInvalidTurn) {
			t.Errorf("bad turn %q: err = %v", bad.Text[:min(len(bad.Text), 10)], err)
		}
	}
}

func TestToolErrorIsPolite(t *testing.T) {
	e, _ := newEngine(t, &recorder{answer: func(*tools.Invocation) (*tools.Result, error) {
		return nil, errors.New("tool stock_on_hand is unavailable: plugin catalog is restarting")
	}})
	r, err := e.Handle(context.Background(), &Turn{User: "u", Text: "홍대점 재고 알려줘"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "지금은 stock_on_hand 기능을 쓸 수 없어요") || r.ToolCalls[0].Error == "" {
		t.Fatalf("reply: %+v", r)
	}
}
