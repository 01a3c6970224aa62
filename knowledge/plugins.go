package knowledge

import (
	"context"
	"fmt"
	"maps"

	"github.com/crumb-dev/crumb/tools"
)

// MetaPlugin is the metadata key holding the plugin that wrote a document.
const MetaPlugin = "plugin"

// Plugins lends a knowledge base to plugins through the host's HostAPI
// (it is a pluginhost.KnowledgeBase). The host has already checked the
// plugin's capabilities for the collections; Plugins keeps plugins from
// overwriting each other's documents and the corpus: every document a
// plugin writes carries metadata plugin=<name>, a plugin may replace only
// documents it wrote, and Replace drops only its own.
type Plugins struct {
	KB *KB
}

// SearchKnowledge searches q.Collections with q.Where, one hit per
// document (its best chunk).
func (p Plugins) SearchKnowledge(ctx context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error) {
	hits, err := p.KB.Search(ctx, Query{Collections: q.Collections, Text: q.Text, Where: q.Where, Limit: q.Limit, DistinctDocs: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	}
	out := make([]tools.KnowledgeHit, len(hits))
	for i, h := range hits {
		out[i] = tools.KnowledgeHit{DocID: h.DocID, Collection: h.Collection, Title: h.Title, Heading: h.Heading,
			Text: h.Text, Metadata: h.Metadata, Score: h.Score}
	}
	return out, nil
}

// WriteKnowledge stores w.Docs in w.Collection for plugin, each tagged
// with the plugin that wrote it, and returns how many documents it stored.
// With w.Replace the plugin's earlier documents in the collection go in
// the same step (Replace), so a search never sees the collection without
// them.
func (p Plugins) WriteKnowledge(ctx context.Context, plugin string, w *tools.KnowledgeWrite) (int, error) {
	if plugin == "" {
		return 0, fmt.Errorf("%w: a knowledge write needs the writing plugin's name", tools.ErrInvalid)
	}
	docs := make([]Document, len(w.Docs))
	for i, d := range w.Docs {
		meta := maps.Clone(d.Metadata)
		if meta == nil {
			meta = map[string]string{}
		}
		if v, ok := meta[MetaPlugin]; ok && v != plugin {
			return 0, fmt.Errorf("%w: document %s: metadata %q is set by the host to the writing plugin (%s), not %q", tools.ErrInvalid, d.ID, MetaPlugin, plugin, v)
		}
		meta[MetaPlugin] = plugin
		docs[i] = Document{ID: d.ID, Title: d.Title, Text: d.Text, Metadata: meta}
		if owner, ok := p.KB.docOwner(w.Collection, d.ID); ok && owner != plugin {
			who := "the built-in corpus"
			if owner != "" {
				who = "plugin " + owner
			}
			return 0, fmt.Errorf("%w: document %s in %s belongs to %s; choose another id", tools.ErrPermission, d.ID, w.Collection, who)
		}
	}
	var err error
	if w.Replace {
		_, _, err = p.KB.Replace(ctx, w.Collection, map[string]string{MetaPlugin: plugin}, docs)
	} else {
		_, err = p.KB.Ingest(ctx, w.Collection, docs)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	}
	return len(docs), nil
}

// docOwner is the plugin that wrote a stored document ("" for one it did
// not), and whether the document exists.
func (kb *KB) docOwner(collection, id string) (string, bool) {
	kb.mu.RLock()
	defer kb.mu.RUnlock()
	chunks, ok := kb.docs[collection][id]
	if !ok || len(chunks) == 0 {
		return "", false
	}
	r := kb.idx.get(collection + "\x00" + chunks[0])
	if r == nil {
		return "", false
	}
	return r.Metadata[MetaPlugin], true
}
