package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnqueuePushOnce(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	items := []PushItem{
		{StoreID: "S01", ProductID: "P001", Date: "2026-11-21", Payload: json.RawMessage(`{"ewr":23.5}`)},
		{StoreID: "S01", ProductID: "P002", Date: "2026-11-21"},
	}
	for run, want := range []int{2, 0, 0} {
		n, err := s.EnqueuePush(ctx, items)
		if err != nil || n != want {
			t.Fatalf("run %d: created %d, %v; want %d", run, n, err, want)
		}
	}
	n, err := s.EnqueuePush(ctx, []PushItem{{StoreID: "S01", ProductID: "P001", Date: "2026-11-22"}})
	if err != nil || n != 1 {
		t.Fatalf("next day: %d %v", n, err)
	}
	got, err := s.Pushes(ctx, "2026-11-21")
	if err != nil || len(got) != 2 || got[0].Status != PushPending || string(got[0].Payload) != `{"ewr":23.5}` {
		t.Fatalf("pushes: %+v %v", got, err)
	}
	// A bad item rolls the whole batch back.
	_, err = s.EnqueuePush(ctx, []PushItem{{StoreID: "S09", ProductID: "P1", Date: "2026-11-23"}, {StoreID: "S09", ProductID: "P2", Date: "tomorrow"}})
	if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Fatalf("bad date: %v", err)
	}
	if all, _ := s.Pushes(ctx, ""); len(all) != 3 {
		t.Fatalf("after failed batch: %d rows, want 3", len(all))
	}
}
