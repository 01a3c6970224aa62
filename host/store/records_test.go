package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestArtifacts(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	s := openTest(t, WithClock(clock.now))

	puts := []struct {
		plugin, key string
		meta        string
		data        string
		wantVersion int
	}{
		{"forecast", "model/S1", `{"rmse":1.5}`, "v1 bytes", 1},
		{"forecast", "model/S1", "", "v2 bytes", 2},
		{"forecast", "model/S2", `{"rmse":2}`, "other key", 1},
		{"segment", "model/S1", "", "other plugin", 1},
		{"forecast", "model/S1", `{"rmse":1.1}`, "", 3},
	}
	stored := map[string]*Artifact{}
	for _, p := range puts {
		in := &Artifact{Plugin: p.plugin, Key: p.key, Data: []byte(p.data), Version: 42}
		if p.meta != "" {
			in.Metadata = json.RawMessage(p.meta)
		}
		got, err := s.PutArtifact(ctx, in)
		if err != nil {
			t.Fatalf("PutArtifact(%s/%s): %v", p.plugin, p.key, err)
		}
		if got.Version != p.wantVersion {
			t.Errorf("PutArtifact(%s/%s) version = %d, want %d", p.plugin, p.key, got.Version, p.wantVersion)
		}
		if got.CreatedAt.IsZero() {
			t.Errorf("PutArtifact(%s/%s) CreatedAt is zero", p.plugin, p.key)
		}
		stored[fmt.Sprintf("%s/%s/%d", p.plugin, p.key, got.Version)] = got
	}

	gets := []struct {
		name        string
		plugin, key string
		version     int
		want        string // key into stored; "" for ErrNotFound
	}{
		{"latest", "forecast", "model/S1", 0, "forecast/model/S1/3"},
		{"first", "forecast", "model/S1", 1, "forecast/model/S1/1"},
		{"middle", "forecast", "model/S1", 2, "forecast/model/S1/2"},
		{"other key", "forecast", "model/S2", 0, "forecast/model/S2/1"},
		{"other plugin", "segment", "model/S1", 0, "segment/model/S1/1"},
		{"missing version", "forecast", "model/S1", 4, ""},
		{"missing key", "forecast", "model/S9", 0, ""},
		{"plugins are separate", "campaign", "model/S1", 0, ""},
	}
	for _, g := range gets {
		t.Run(g.name, func(t *testing.T) {
			got, err := s.GetArtifact(ctx, g.plugin, g.key, g.version)
			if g.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("GetArtifact error = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetArtifact: %v", err)
			}
			want := stored[g.want]
			if got.Plugin != want.Plugin || got.Key != want.Key || got.Version != want.Version ||
				!bytes.Equal(got.Data, want.Data) || string(got.Metadata) != string(want.Metadata) ||
				!got.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("GetArtifact = %+v, want %+v", got, want)
			}
		})
	}

	if _, err := s.PutArtifact(ctx, &Artifact{Plugin: "forecast"}); err == nil {
		t.Error("PutArtifact with an empty key succeeded")
	}
	if _, err := s.PutArtifact(ctx, &Artifact{Plugin: "p", Key: "k", Metadata: json.RawMessage("{")}); err == nil {
		t.Error("PutArtifact with invalid metadata succeeded")
	}
}

func TestArtifactsConcurrentPuts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.PutArtifact(ctx, &Artifact{Plugin: "p", Key: "k", Data: []byte{byte(i)}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("PutArtifact: %v", err)
		}
	}
	latest, err := s.GetArtifact(ctx, "p", "k", 0)
	if err != nil || latest.Version != n {
		t.Fatalf("latest version = %v, %v; want %d", latest, err, n)
	}
}

func TestConversations(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	s := openTest(t, WithClock(clock.now))

	a, err := s.EnsureConversation(ctx, &Conversation{ID: "a", User: "u1", Channel: "web", Title: "폐기 예측"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.EnsureConversation(ctx, &Conversation{ID: "b", User: "u1", Channel: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureConversation(ctx, &Conversation{ID: "c", User: "u2", Channel: "web"}); err != nil {
		t.Fatal(err)
	}
	// Ensuring again returns the stored row untouched.
	again, err := s.EnsureConversation(ctx, &Conversation{ID: "a", User: "u1", Channel: "cli", Title: "changed"})
	if err != nil {
		t.Fatal(err)
	}
	if *again != *a || again.Title != "폐기 예측" || again.Channel != "web" {
		t.Errorf("EnsureConversation of an existing one = %+v, want %+v", again, a)
	}
	gen, err := s.EnsureConversation(ctx, &Conversation{User: "u3"})
	if err != nil || len(gen.ID) != 32 {
		t.Errorf("EnsureConversation without ID = %+v, %v; want a generated id", gen, err)
	}

	// Messages to a, then b, then a: a was updated last.
	texts := []struct{ conv, role, text string }{
		{"a", "user", "오늘 폐기될 상품은?"},
		{"a", "assistant", "크루아상 12개"},
		{"b", "user", "VIP 고객은 뭘 사?"},
		{"a", "user", "thanks"},
	}
	for _, m := range texts {
		got, err := s.AppendMessage(ctx, &Message{ConversationID: m.conv, Role: m.role, Text: m.text,
			Intent: "waste_forecast", Payload: json.RawMessage(`{"n":12}`)})
		if err != nil {
			t.Fatalf("AppendMessage: %v", err)
		}
		if got.ID == 0 || got.CreatedAt.IsZero() {
			t.Errorf("AppendMessage = %+v, want ID and CreatedAt set", got)
		}
	}
	// A message stamped earlier than the others sorts first and does not
	// move the conversation's UpdatedAt back.
	early := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.AppendMessage(ctx, &Message{ConversationID: "b", Role: "user", Text: "backfilled", CreatedAt: early}); err != nil {
		t.Fatal(err)
	}

	msgs, err := s.Messages(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
		if string(m.Payload) != `{"n":12}` || m.Intent != "waste_forecast" || m.ConversationID != "a" {
			t.Errorf("message %+v lost fields", m)
		}
	}
	if want := []string{"오늘 폐기될 상품은?", "크루아상 12개", "thanks"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Messages(a) = %q, want %q", got, want)
	}
	msgs, err = s.Messages(ctx, "b")
	if err != nil || len(msgs) != 2 || msgs[0].Text != "backfilled" || msgs[0].Payload != nil {
		t.Errorf("Messages(b) = %+v, %v; want the backfilled one first, without payload", msgs, err)
	}

	lists := []struct {
		user  string
		limit int
		want  []string
	}{
		{"u1", 0, []string{"a", "b"}},
		{"u1", 1, []string{"a"}},
		{"u2", 10, []string{"c"}},
		{"nobody", 0, nil},
	}
	for _, l := range lists {
		cs, err := s.ListConversations(ctx, l.user, l.limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(l.want) {
			t.Errorf("ListConversations(%s, %d) = %v, want %v", l.user, l.limit, ids, l.want)
		}
	}
	cs, _ := s.ListConversations(ctx, "u1", 0)
	if !cs[0].UpdatedAt.After(b.UpdatedAt) || cs[1].UpdatedAt.Before(b.CreatedAt) {
		t.Errorf("UpdatedAt not advanced by messages: %+v", cs)
	}

	if _, err := s.Messages(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Messages(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.AppendMessage(ctx, &Message{ConversationID: "missing", Role: "user", Text: "hi"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("AppendMessage(missing) error = %v, want ErrNotFound", err)
	}
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	s := openTest(t, WithClock(clock.now))
	entries := []AuditEntry{
		{RequestID: "r1", Actor: "kim", Role: "staff", Action: "tool:stock_on_hand", Args: json.RawMessage(`{"store":"S1"}`), Outcome: "ok"},
		{RequestID: "r2", Actor: "lee", Role: "marketer", Action: "tool:segment_insight", Outcome: "permission denied"},
		{RequestID: "r3", Actor: "kim", Role: "staff", Action: "tool:waste_forecast", Outcome: "ok"},
	}
	for i := range entries {
		if err := s.RecordAudit(ctx, &entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{0, []string{"r3", "r2", "r1"}},
		{2, []string{"r3", "r2"}},
	}
	for _, tt := range tests {
		got, err := s.Audit(ctx, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range got {
			ids = append(ids, e.RequestID)
			if e.ID == 0 || e.At.IsZero() {
				t.Errorf("entry %+v lacks ID or At", e)
			}
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
			t.Errorf("Audit(%d) = %v, want %v", tt.limit, ids, tt.want)
		}
	}
	all, _ := s.Audit(ctx, 0)
	if string(all[2].Args) != `{"store":"S1"}` || all[1].Args != nil || all[1].Outcome != "permission denied" {
		t.Errorf("Audit lost fields: %+v", all)
	}
}
