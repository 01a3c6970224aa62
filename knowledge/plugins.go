package knowledge

import (
	"context"
	"fmt"
	"maps"

	"github.com/crumb-dev/crumb/tools"
)

// MetaPlugin is the metadata key naming the plugin that wrote a document.
const MetaPlugin = "plugin"

// Plugins serves plugins' knowledge calls (HostAPI.SearchKnowledge and
// WriteKnowledge) from a knowledge base; it is what
// pluginhost.Config.Knowledge takes. The host has already checked the
// plugin's capabilities.
type Plugins struct {
	KB *KB
}

// SearchKnowledge searches q.Collections with q.Where, one hit per document.
func (p Plugins) SearchKnowledge(ctx context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error) {
	hits, err := p.KB.Search(ctx, Query{Collections: q.Collections, Text: q.Text, Where: q.Where, Limit: q.Limit, DistinctDocs: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	}
	out := make([]tools.KnowledgeHit, len(hits))
	for i, h := range hits {
		out[i] = tools.KnowledgeHit{DocID: h.DocID, Collection: h.Collection, Title: h.Title, Heading: h.Heading, Text: h.Text, Metadata: h.Metadata, Score: h.Score}
	}
	return out, nil
}

// WriteKnowledge ingests w.Docs into w.Collection, each tagged with the
// plugin that wrote it; with w.Replace the plugin's earlier documents in
// the collection go first.
func (p Plugins) WriteKnowledge(ctx context.Context, plugin string, w *tools.KnowledgeWrite) (int, error) {
	if w.Replace {
		if _, err := p.KB.Delete(ctx, w.Collection, map[string]string{MetaPlugin: plugin}); err != nil {
			return 0, fmt.Errorf("replace %s's documents in %s: %w", plugin, w.Collection, err)
		}
	}
	docs := make([]Document, len(w.Docs))
	for i, d := range w.Docs {
		md := maps.Clone(d.Metadata)
		if md == nil {
			md = map[string]string{}
		}
		md[MetaPlugin] = plugin
		docs[i] = Document{ID: d.ID, Title: d.Title, Text: d.Text, Metadata: md}
	}
	if _, err := p.KB.Ingest(ctx, w.Collection, docs); err != nil {
		return 0, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	}
	return len(docs), nil
}
