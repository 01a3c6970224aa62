package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/crumb-dev/crumb/tools"
)

// KnowledgeBase is the knowledge base the host lends its plugins.
// WriteKnowledge records which plugin wrote each document (its metadata
// "plugin"), so that w.Replace drops only that plugin's documents.
type KnowledgeBase interface {
	SearchKnowledge(ctx context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error)
	WriteKnowledge(ctx context.Context, plugin string, w *tools.KnowledgeWrite) (int, error)
}

// Generator runs structured generation for a plugin. validate, when not
// nil, is the plugin's business validator, called back over its connection.
type Generator interface {
	Generate(ctx context.Context, plugin string, req *tools.GenerateRequest, validate tools.Validator) (*tools.Generation, error)
}

// ErrNoKnowledge and ErrNoGenerator mean the host was started without one.
var (
	ErrNoKnowledge = errors.New("this host has no knowledge base")
	ErrNoGenerator = errors.New("this host has no generator")
)

func (a *pluginAPI) SearchKnowledge(ctx context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error) {
	caps := a.capabilities()
	if len(q.Collections) == 0 {
		q.Collections = slices.Concat(caps.KnowledgeRead, caps.KnowledgeWrite)
		if len(q.Collections) == 0 {
			return nil, fmt.Errorf("%w: plugin %s may not search the knowledge base: list collections in Capabilities.KnowledgeRead", tools.ErrPermission, a.plugin)
		}
	}
	for _, c := range q.Collections {
		if !caps.AllowsKnowledgeRead(c) {
			a.log.WarnContext(ctx, "plugin knowledge search refused", "plugin", a.plugin, "collection", c)
			return nil, fmt.Errorf("%w: plugin %s may not search knowledge collection %q: add it to Capabilities.KnowledgeRead", tools.ErrPermission, a.plugin, c)
		}
	}
	if a.knowledge == nil {
		return nil, fmt.Errorf("%w: %w", tools.ErrNotFound, ErrNoKnowledge)
	}
	return a.knowledge.SearchKnowledge(ctx, q)
}

func (a *pluginAPI) WriteKnowledge(ctx context.Context, w *tools.KnowledgeWrite) (int, error) {
	if !a.capabilities().AllowsKnowledgeWrite(w.Collection) {
		a.log.WarnContext(ctx, "plugin knowledge write refused", "plugin", a.plugin, "collection", w.Collection)
		return 0, fmt.Errorf("%w: plugin %s may not write knowledge collection %q: add it to Capabilities.KnowledgeWrite", tools.ErrPermission, a.plugin, w.Collection)
	}
	for i, d := range w.Docs {
		if d.ID == "" {
			return 0, fmt.Errorf("%w: knowledge document %d has no id", tools.ErrInvalid, i)
		}
	}
	if a.knowledge == nil {
		return 0, fmt.Errorf("%w: %w", tools.ErrNotFound, ErrNoKnowledge)
	}
	return a.knowledge.WriteKnowledge(ctx, a.plugin, w)
}

func (a *pluginAPI) Generate(ctx context.Context, req *tools.GenerateRequest) (*tools.Generation, error) {
	if !a.capabilities().Generate {
		return nil, fmt.Errorf("%w: plugin %s may not ask for generation: set Capabilities.Generate in its manifest", tools.ErrPermission, a.plugin)
	}
	if a.gen == nil {
		return nil, fmt.Errorf("%w: %w", tools.ErrNotFound, ErrNoGenerator)
	}
	var validate tools.Validator
	if req.Validator != "" {
		name := req.Validator
		validate = func(out json.RawMessage) []string {
			conn := a.conn.Load()
			if conn == nil {
				return []string{"plugin " + a.plugin + " is not connected to check the output"}
			}
			errs, err := conn.Validate(ctx, name, out)
			if err != nil {
				return []string{err.Error()}
			}
			return errs
		}
	}
	return a.gen.Generate(ctx, a.plugin, req, validate)
}
