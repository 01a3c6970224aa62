package tools

import (
	"context"
	"slices"
)

// Knowledge is the host's knowledge base as a plugin sees it: search in the
// collections its manifest may read, write into those it may write.
type Knowledge interface {
	// SearchKnowledge returns the passages best matching q, best first.
	SearchKnowledge(ctx context.Context, q *KnowledgeQuery) ([]KnowledgeHit, error)
	// WriteKnowledge stores w.Docs in w.Collection, replacing documents
	// with the same id, and returns how many it stored.
	WriteKnowledge(ctx context.Context, w *KnowledgeWrite) (int, error)
}

// KnowledgeQuery is a search of the knowledge base.
type KnowledgeQuery struct {
	// Collections to search; empty means every collection the plugin may read.
	Collections []string `json:"collections,omitempty"`
	Text        string   `json:"text"`
	// Where keeps only passages whose metadata has every key with that value
	// (for instance {"segment": "vip"}): scoped retrieval.
	Where map[string]string `json:"where,omitempty"`
	// Limit is the number of hits wanted; 0 means 5.
	Limit int `json:"limit,omitempty"`
}

// KnowledgeHit is one passage found, with the document it comes from.
type KnowledgeHit struct {
	DocID      string            `json:"doc_id"`
	Collection string            `json:"collection"`
	Title      string            `json:"title"`
	Heading    string            `json:"heading,omitempty"`
	Text       string            `json:"text"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Score      float64           `json:"score"`
}

// KnowledgeWrite stores documents in one collection.
type KnowledgeWrite struct {
	Collection string         `json:"collection"`
	Docs       []KnowledgeDoc `json:"docs"`
	// Replace drops every document this plugin wrote to the collection
	// before, so that afterwards it holds exactly Docs from this plugin
	// (a retrained model's profiles replace the last model's).
	Replace bool `json:"replace,omitempty"`
}

// KnowledgeDoc is a document written to the knowledge base; Text is
// Markdown, chunked by the host under its headings.
type KnowledgeDoc struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// AllowsKnowledgeRead reports whether the capabilities let a plugin search
// collection.
func (c Capabilities) AllowsKnowledgeRead(collection string) bool {
	return slices.Contains(c.KnowledgeRead, collection) || slices.Contains(c.KnowledgeWrite, collection)
}

// AllowsKnowledgeWrite reports whether the capabilities let a plugin write
// into collection.
func (c Capabilities) AllowsKnowledgeWrite(collection string) bool {
	return slices.Contains(c.KnowledgeWrite, collection)
}
