package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerations(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 1, 5, 17, 0, 0, 0, time.UTC)
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"), WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gens := []*Generation{
		{RequestID: "r1", ConversationID: "c1", Prompt: "campaign.push_copy@v1", Locale: "ko", Outcome: "repaired", Reason: "guard",
			Detail: `field "headline": banned word "폐기"`, Problems: []string{`banned word "폐기"`}, Attempts: 2, Provider: "openai",
			Model: "gpt-4o-mini", DurationMS: 812.5, Output: json.RawMessage(`{"headline":"크루아상 저녁 특가"}`)},
		{RequestID: "r1", Prompt: "chat.answer@v1", Locale: "ko", Outcome: "fallback", Reason: "breaker_open", Provider: "openai", Output: json.RawMessage(`{"text":"x"}`), At: clock.Add(time.Second)},
		{RequestID: "r2", Prompt: "chat.answer@v1", Locale: "en", Outcome: "error", Reason: "fallback_invalid", Provider: "template", At: clock.Add(2 * time.Second)},
	}
	for _, g := range gens {
		if err := s.LogGeneration(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GenerationsByRequest(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Prompt != "campaign.push_copy@v1" || got[1].Prompt != "chat.answer@v1" {
		t.Fatalf("by request: %+v", got)
	}
	g := got[0]
	if !g.At.Equal(clock) || g.ConversationID != "c1" || g.Reason != "guard" || g.Attempts != 2 || g.DurationMS != 812.5 ||
		len(g.Problems) != 1 || string(g.Output) != `{"headline":"크루아상 저녁 특가"}` || g.ID == 0 {
		t.Errorf("round trip: %+v", g)
	}
	recent, err := s.RecentGenerations(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].RequestID != "r2" || recent[0].Output != nil || recent[0].Problems != nil {
		t.Errorf("recent: %+v", recent)
	}
	for _, bad := range []*Generation{nil, {Outcome: "llm"}, {Prompt: "p@v1", Outcome: "llm", Output: json.RawMessage(`{`)}} {
		if err := s.LogGeneration(ctx, bad); err == nil || !strings.Contains(err.Error(), "log generation") {
			t.Errorf("%+v: err %v", bad, err)
		}
	}
}
