package plugintest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// SearchKnowledge ranks the documents written to the fake host (and those
// in Knowledge) by how many of the query's words they contain, keeping only
// those whose metadata matches q.Where, as the real host's filters do.
func (h *Host) SearchKnowledge(_ context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	words := strings.Fields(strings.ToLower(q.Text))
	var hits []tools.KnowledgeHit
	for coll, docs := range h.Knowledge {
		if len(q.Collections) > 0 && !slices.Contains(q.Collections, coll) {
			continue
		}
		for _, d := range docs {
			if !metadataMatches(d.Metadata, q.Where) {
				continue
			}
			text := strings.ToLower(d.Title + " " + d.Text)
			score := 0.0
			for _, w := range words {
				if strings.Contains(text, w) {
					score++
				}
			}
			hits = append(hits, tools.KnowledgeHit{DocID: d.ID, Collection: coll, Title: d.Title, Text: d.Text, Metadata: d.Metadata, Score: score})
		}
	}
	slices.SortStableFunc(hits, func(a, b tools.KnowledgeHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.DocID, b.DocID))
	})
	return hits[:min(len(hits), cmp.Or(q.Limit, 5))], nil
}

func metadataMatches(md, where map[string]string) bool {
	for k, v := range where {
		if md[k] != v {
			return false
		}
	}
	return true
}

// WriteKnowledge keeps the documents, replacing those with the same id
// (and, with w.Replace, every document of the collection).
func (h *Host) WriteKnowledge(_ context.Context, w *tools.KnowledgeWrite) (int, error) {
	if w.Collection == "" {
		return 0, fmt.Errorf("%w: knowledge write names no collection", tools.ErrInvalid)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.Knowledge == nil {
		h.Knowledge = map[string][]tools.KnowledgeDoc{}
	}
	docs := h.Knowledge[w.Collection]
	if w.Replace {
		docs = nil
	}
	for _, d := range w.Docs {
		d.Metadata = maps.Clone(d.Metadata)
		if i := slices.IndexFunc(docs, func(x tools.KnowledgeDoc) bool { return x.ID == d.ID }); i >= 0 {
			docs[i] = d
		} else {
			docs = append(docs, d)
		}
	}
	h.Knowledge[w.Collection] = docs
	return len(w.Docs), nil
}

// Generate answers as the host does in template mode (no language model):
// the request's fallback, after the same checks the host makes — the
// schema, and the named validator when Validators has it. A fallback that
// fails them is an error, as it is in the host.
func (h *Host) Generate(ctx context.Context, req *tools.GenerateRequest) (*tools.Generation, error) {
	h.mu.Lock()
	gen := h.GenerateFunc
	v := h.Validators[req.Validator]
	h.generations = append(h.generations, *req)
	h.mu.Unlock()
	if gen != nil {
		return gen(ctx, req)
	}
	if len(req.Fallback) == 0 {
		return nil, fmt.Errorf("%w: generate %s: no fallback given", tools.ErrInvalid, req.Prompt)
	}
	if len(req.Schema) > 0 {
		s, err := tools.CompileSchema(req.Schema)
		if err != nil {
			return nil, fmt.Errorf("%w: generate %s: schema: %v", tools.ErrInvalid, req.Prompt, err)
		}
		if err := s.Validate(req.Fallback); err != nil {
			return nil, fmt.Errorf("generate %s: the fallback fails its schema: %w", req.Prompt, err)
		}
	}
	if req.Validator != "" && v != nil {
		if errs := v(req.Fallback); len(errs) > 0 {
			return nil, fmt.Errorf("generate %s: the fallback fails validator %s: %w", req.Prompt, req.Validator, errors.New(strings.Join(errs, "; ")))
		}
	}
	return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback, Reason: "no language model (plugintest host)", Attempts: 0}, nil
}

// Generations returns the generation requests made so far.
func (h *Host) Generations() []tools.GenerateRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.generations)
}
