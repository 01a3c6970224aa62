package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crumb-dev/crumb/prompts"
	"github.com/crumb-dev/crumb/tools"
)

// Plugins serves plugins' generation requests (HostAPI.Generate) with a
// generator; it is what pluginhost.Config.Generator takes:
//
//	pluginhost.Config{…, Generator: llm.Plugins{Generator: gen}}
//
// A plugin may use only its own prompts, those whose id starts with its
// name and a dot (the campaign plugin: campaign.event_plan,
// campaign.push_copy), so that one plugin cannot speak with another's
// words.
type Plugins struct {
	Generator *Generator
}

// Generate runs req for plugin; validate is the plugin's own validator
// (called back over its connection), nil when it named none. Mistakes in
// the request wrap tools.ErrInvalid or tools.ErrPermission.
func (p Plugins) Generate(ctx context.Context, plugin string, req *tools.GenerateRequest, validate tools.Validator) (*tools.Generation, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: empty generation request", tools.ErrInvalid)
	}
	id, _, _ := strings.Cut(req.Prompt, "@")
	if !strings.HasPrefix(id, plugin+".") {
		return nil, fmt.Errorf("%w: plugin %s may use prompts %s.* only, not %q: add llm/%s.<name>@v1.<locale>.tmpl to prompts", tools.ErrPermission, plugin, plugin, req.Prompt, plugin)
	}
	r := &Request{Prompt: req.Prompt, Locale: req.Locale, Vars: req.Vars, Schema: req.Schema}
	if validate != nil {
		r.Validate = validate
	}
	if fb := req.Fallback; len(fb) > 0 {
		r.Fallback = func(context.Context) (json.RawMessage, error) { return fb, nil }
	}
	res, err := p.Generator.Generate(ctx, r)
	switch {
	case errors.Is(err, ErrFallbackInvalid):
		return nil, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	case errors.Is(err, prompts.ErrNoPrompt):
		return nil, fmt.Errorf("%w: %w", tools.ErrNotFound, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", tools.ErrInvalid, err)
	}
	return res.Generation(), nil
}
