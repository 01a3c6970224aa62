package knowledge

import (
	"context"
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
