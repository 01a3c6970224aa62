package knowledge

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// TestPluginsReplaceAndScope checks what the segment plugin relies on: a
// retrain's profiles replace the last ones (and only that plugin's), and a
// search scoped to one segment sees nothing of another.
func TestPluginsReplaceAndScope(t *testing.T) {
	ctx := context.Background()
	kb, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	p := Plugins{KB: kb}
	doc := func(id, seg, text string) tools.KnowledgeDoc {
		return tools.KnowledgeDoc{ID: id, Title: id, Text: "# " + id + "\n\n" + text, Metadata: map[string]string{"segment": seg}}
	}
	if _, err := p.WriteKnowledge(ctx, "other", &tools.KnowledgeWrite{Collection: "segments", Docs: []tools.KnowledgeDoc{doc("def-vip", "vip", "VIP customers buy cakes often")}}); err != nil {
		t.Fatal(err)
	}
	first := []tools.KnowledgeDoc{doc("p-vip", "vip", "VIP customers buy whole cakes"), doc("p-dormant", "dormant", "Dormant customers bought cakes long ago"), doc("p-vip_2", "vip", "second VIP group buys cakes")}
	if _, err := p.WriteKnowledge(ctx, "segment", &tools.KnowledgeWrite{Collection: "segments", Docs: first, Replace: true}); err != nil {
		t.Fatal(err)
	}
	second := []tools.KnowledgeDoc{doc("p-vip", "vip", "VIP customers buy whole cakes and croissants"), doc("p-dormant", "dormant", "Dormant customers bought cakes long ago")}
	if _, err := p.WriteKnowledge(ctx, "segment", &tools.KnowledgeWrite{Collection: "segments", Docs: second, Replace: true}); err != nil {
		t.Fatal(err)
	}
	hits, err := p.SearchKnowledge(ctx, &tools.KnowledgeQuery{Collections: []string{"segments"}, Text: "what do VIP customers buy cakes", Where: map[string]string{"segment": "vip"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, h := range hits {
		got[h.DocID] = true
		if h.Metadata["segment"] != "vip" {
			t.Errorf("VIP-scoped search returned %s of segment %q", h.DocID, h.Metadata["segment"])
		}
	}
	if !got["p-vip"] || !got["def-vip"] || got["p-vip_2"] || len(hits) != 2 {
		t.Errorf("hits %v: want p-vip (replaced), def-vip (another plugin's, kept), not p-vip_2 (dropped by the retrain)", got)
	}
}

// TestPluginsOwnership: a plugin cannot overwrite the corpus's or another
// plugin's documents, nor claim another plugin's name.
func TestPluginsOwnership(t *testing.T) {
	ctx := context.Background()
	kb, _ := Open(ctx, Options{})
	if _, err := kb.Ingest(ctx, "segments", []Document{{ID: "segment-definition-vip", Text: "# VIP\n정의"}}); err != nil {
		t.Fatal(err)
	}
	p := Plugins{KB: kb}
	write := func(plugin, id string, meta map[string]string) error {
		_, err := p.WriteKnowledge(ctx, plugin, &tools.KnowledgeWrite{Collection: "segments", Docs: []tools.KnowledgeDoc{{ID: id, Text: "# " + id + "\n본문", Metadata: meta}}})
		return err
	}
	if err := write("segment", "segment-definition-vip", nil); !errors.Is(err, tools.ErrPermission) || !strings.Contains(err.Error(), "built-in corpus") {
		t.Errorf("overwrite the corpus: %v", err)
	}
	if err := write("segment", "p1", nil); err != nil {
		t.Fatal(err)
	}
	if err := write("campaign", "p1", nil); !errors.Is(err, tools.ErrPermission) || !strings.Contains(err.Error(), "plugin segment") {
		t.Errorf("overwrite another plugin's document: %v", err)
	}
	if err := write("segment", "p1", map[string]string{"plugin": "campaign"}); !errors.Is(err, tools.ErrInvalid) {
		t.Errorf("claim another name: %v", err)
	}
	if err := write("segment", "p1", map[string]string{"segment": "vip"}); err != nil {
		t.Errorf("rewrite its own document: %v", err)
	}
	hits, _ := p.SearchKnowledge(ctx, &tools.KnowledgeQuery{Text: "본문", Where: map[string]string{"plugin": "segment"}})
	if len(hits) != 1 || hits[0].DocID != "p1" || hits[0].Metadata["segment"] != "vip" {
		t.Errorf("hits %+v", hits)
	}
	if _, err := p.SearchKnowledge(ctx, &tools.KnowledgeQuery{Text: " "}); !errors.Is(err, tools.ErrInvalid) {
		t.Errorf("empty query: %v", err)
	}
}
