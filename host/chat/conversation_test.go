package chat

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/knowledge"
	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// bakery is a small brand's plugins: waste forecasts and segment profiles.
type bakery struct{ calls []*tools.Invocation }

func (b *bakery) Manifests() []tools.Manifest {
	obj := func(props string) json.RawMessage {
		return json.RawMessage(`{"type":"object","properties":{` + props + `}}`)
	}
	return []tools.Manifest{
		{Name: "forecast", Version: "1", Tools: []tools.ToolInfo{{
			Name: "waste_forecast", Description: "Expected waste rate per item.", Descriptions: map[string]string{"ko": "상품별 예상 폐기율."}, InputSchema: obj(`"store":{"type":"string"},"date":{"type":"string"}`), OutputSchema: obj(""),
			Intents: []tools.Intent{{Name: "waste_forecast", Examples: []string{
				"오늘 폐기될 상품은?", "강남점 오늘 폐기 예상 알려줘", "내일 어떤 빵이 남을까?", "폐기율 높은 상품 보여줘",
				"which items will be wasted today?", "waste forecast for Gangnam", "what will be left over tonight?", "expected waste rate by item"}}},
		}}},
		{Name: "segment", Version: "1", Tools: []tools.ToolInfo{{
			Name: "segment_profile", Description: "What a segment buys.", InputSchema: obj(`"segment":{"type":"string"}`), OutputSchema: obj(""),
			Intents: []tools.Intent{{Name: "segment_insight", Examples: []string{
				"VIP 고객은 뭘 사?", "VIP 고객들의 특징은?", "단골 고객은 어떤 상품을 좋아해?", "휴면 고객 프로필",
				"what do VIPs buy?", "profile of loyal customers", "what do dormant customers buy?", "when do VIP customers come?"}}},
		}}},
	}
}

func (b *bakery) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	b.calls = append(b.calls, inv)
	return &tools.Result{Output: json.RawMessage(`{"ok":true}`), Display: &tools.Display{Text: "answer for " + string(inv.Args)}}, nil
}

func (b *bakery) lastArgs(t *testing.T) map[string]any {
	t.Helper()
	if len(b.calls) == 0 {
		t.Fatal("no tool was called")
	}
	var m map[string]any
	if err := json.Unmarshal(b.calls[len(b.calls)-1].Args, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func bakeryEngine(t *testing.T) (*Engine, *bakery) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Replace(ctx, &store.Data{
		Stores: []tools.Store{
			{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", OpenedOn: "2020-01-01"},
			{ID: "S02", Name: "홍대점", NameEN: "Hongdae", District: "마포구", DistrictEN: "Mapo-gu", OpenedOn: "2020-01-01"},
		},
		Products: []tools.Product{{ID: "P3", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Tags: []string{}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kb.Close() })
	doc := func(id, title, text string, md map[string]string) knowledge.Document {
		return knowledge.Document{ID: id, Title: title, Text: "# " + title + "\n\n" + text, Metadata: md}
	}
	for coll, docs := range map[string][]knowledge.Document{
		"segments": {
			doc("seg-vip", "VIP 고객 (VIP customers)", "VIP customers buy whole cakes and visit on weekends. VIP 고객은 홀케이크를 많이 사요.", map[string]string{"segment": "vip", "locale": "ko,en"}),
			doc("seg-dormant", "휴면 고객 (Dormant customers)", "Dormant customers have not bought for months; they used to buy cakes. 휴면 고객은 오래 구매하지 않았어요.", map[string]string{"segment": "dormant", "locale": "ko,en"}),
		},
		"policies": {
			doc("pol-coupons", "쿠폰과 할인 정책", "쿠폰은 한 번의 주문에 한 장만 쓸 수 있어요. 마감 할인은 19시 이후 최대 30%까지 적용합니다.", map[string]string{"locale": "ko"}),
			doc("pol-coupons-en", "Coupon and discount policy", "One coupon per order. Closing-time discounts apply after 19:00, up to 30%.", map[string]string{"locale": "en"}),
		},
		"operations": {
			doc("ops-ewr", "How EWR is computed", "The expected waste rate is the share of today's production expected to remain unsold at closing.", map[string]string{"locale": "en"}),
		},
	} {
		if _, err := kb.Ingest(ctx, coll, docs); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 14, 30, 0, 0, seoul)
	b := &bakery{}
	e, err := New(Options{Tools: b, Store: st, Texts: texts, Knowledge: kb, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return e, b
}

// TestFollowups: "and tomorrow?" after a waste question keeps the intent
// and the store and moves the date, in both languages.
func TestFollowups(t *testing.T) {
	e, b := bakeryEngine(t)
	ctx := context.Background()
	for _, c := range []struct{ first, next string }{
		{"강남점 오늘 폐기될 상품은?", "내일은?"},
		{"which items will be wasted today at Gangnam?", "and tomorrow?"},
	} {
		r, err := e.Handle(ctx, &Turn{User: "u", Text: c.first})
		if err != nil {
			t.Fatal(err)
		}
		if a := b.lastArgs(t); r.Intent != "waste_forecast" || a["store"] != "S01" || a["date"] != "2026-11-21" {
			t.Fatalf("%q: intent %s, args %v", c.first, r.Intent, a)
		}
		r2, err := e.Handle(ctx, &Turn{User: "u", ConversationID: r.ConversationID, Text: c.next})
		if err != nil {
			t.Fatal(err)
		}
		if a := b.lastArgs(t); r2.Intent != "waste_forecast" || !r2.Followup || a["store"] != "S01" || a["date"] != "2026-11-22" {
			t.Errorf("%q after %q: intent %s followup %v, args %v; want waste_forecast at S01 for 2026-11-22", c.next, c.first, r2.Intent, r2.Followup, a)
		}
		// The same words opening a new conversation are not a follow-up.
		r3, err := e.Handle(ctx, &Turn{User: "u", Text: c.next})
		if err != nil {
			t.Fatal(err)
		}
		if r3.Followup {
			t.Errorf("%q in a new conversation was taken as a follow-up", c.next)
		}
	}
}

// TestScopedCitations: a question about one segment cites that segment's
// material and never another's (seed 001).
func TestScopedCitations(t *testing.T) {
	e, b := bakeryEngine(t)
	for _, q := range []string{"what do VIPs buy?", "VIP 고객은 뭘 사?"} {
		r, err := e.Handle(context.Background(), &Turn{User: "u", Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if a := b.lastArgs(t); r.Intent != "segment_insight" || a["segment"] != "vip" {
			t.Fatalf("%q: intent %s args %v", q, r.Intent, a)
		}
		if len(r.Sources) == 0 {
			t.Fatalf("%q: no sources", q)
		}
		for _, s := range r.Sources {
			if s.DocID != "seg-vip" {
				t.Errorf("%q cites %s: only the VIP segment's material may be cited", q, s.DocID)
			}
		}
	}
}

// TestKnowledgeAnswers: knowledge_qa answers from the knowledge base in
// the asker's language and cites its sources.
func TestKnowledgeAnswers(t *testing.T) {
	e, _ := bakeryEngine(t)
	for _, c := range []struct{ q, want, cite string }{
		{"쿠폰은 한 번에 몇 장까지 쓸 수 있어?", "한 장", "출처: 쿠폰과 할인 정책"},
		{"how many coupons can a customer use per order?", "One coupon per order", "Sources: Coupon and discount policy"},
	} {
		r, err := e.Handle(context.Background(), &Turn{User: "u", Text: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Intent != IntentKnowledgeQA || !strings.Contains(r.Text, c.want) || !strings.Contains(r.Text, c.cite) || len(r.Sources) == 0 {
			t.Errorf("%q: intent %s, text %q, %d sources", c.q, r.Intent, r.Text, len(r.Sources))
		}
	}
}

// TestHelpSpeaksTheAskersLanguage: help is generated from the manifests,
// with each tool's description in the asker's language where it has one.
func TestHelpSpeaksTheAskersLanguage(t *testing.T) {
	e, _ := bakeryEngine(t)
	for _, c := range []struct{ q, want string }{{"도움말", "상품별 예상 폐기율."}, {"help", "Expected waste rate per item."}} {
		r, err := e.Handle(context.Background(), &Turn{User: "u", Text: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Intent != IntentHelp || !strings.Contains(r.Text, c.want) {
			t.Errorf("%q: intent %s, text %q; want %q", c.q, r.Intent, r.Text, c.want)
		}
	}
}
