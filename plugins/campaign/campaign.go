package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// Version is the plugin's version, reported in its manifest.
const Version = "1.0.0"

// eventsCollection is the knowledge collection of past events
// (knowledge/docs/events).
const eventsCollection = "events"

// Validator names, registered in the manifest's Validators and named in
// every GenerateRequest.
const (
	validatorEventPlan = "event_plan"
	validatorPushCopy  = "push_copy"
)

// Prompt ids of the host's templates (prompts/).
const (
	promptEventPlan = "campaign.event_plan"
	promptPushCopy  = "campaign.push_copy"
)

// catalogTTL is how long the stores and products read from the host are
// reused before they are read again.
const catalogTTL = 10 * time.Minute

// campaign is the plugin's state: the push templates and a cache of the
// catalogue, so that a push for a named product reads nothing and one for a
// product id reads the catalogue once per catalogTTL.
type campaign struct {
	templates *pushTemplates
	// clock is the wall clock used only for cache expiry; answers use the
	// call's Now.
	clock func() time.Time

	mu       sync.Mutex
	cat      *catalog
	catAt    time.Time
	schemaMu sync.Mutex
	schemas  map[string][]byte // push output schemas by locale and item
}

func newCampaign() *campaign {
	t, err := loadPushTemplates()
	if err != nil {
		// The templates are embedded: a broken file is a build mistake the
		// tests catch.
		panic(fmt.Sprintf("campaign: %v", err))
	}
	return &campaign{templates: t, clock: time.Now, schemas: map[string][]byte{}}
}

// Plugin returns the campaign plugin's definition.
func Plugin() tools.Plugin {
	c := newCampaign()
	return tools.Plugin{
		Name:        "campaign",
		Version:     Version,
		Description: "Marketing campaigns: six event plans (low/medium/high budget × online/offline) grounded in the brand's past events, and push copy with the item as the hook.",
		Tools:       []tools.Tool{c.eventPlanTool(), c.pushCopyTool(), c.pushCopyBatchTool()},
		Capabilities: tools.Capabilities{
			Datasets:      []string{tools.DatasetStores, tools.DatasetProducts, tools.DatasetStock},
			KnowledgeRead: []string{eventsCollection},
			Generate:      true,
		},
		Validators: map[string]tools.Validator{
			validatorEventPlan: validatePlan,
			validatorPushCopy:  c.validatePush,
		},
	}
}

// catalog is the brand's stores and products as read from the host.
type catalog struct {
	stores   []tools.Store
	products []tools.Product
	product  map[string]tools.Product
	store    map[string]tools.Store
}

// catalog returns the cached catalogue, reading it again after catalogTTL.
func (c *campaign) catalog(ctx context.Context, host tools.HostAPI) (*catalog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cat != nil && c.clock().Sub(c.catAt) < catalogTTL {
		return c.cat, nil
	}
	stores, err := tools.ReadAll[tools.Store](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetStores})
	if err != nil {
		return nil, fmt.Errorf("read stores: %w", err)
	}
	products, err := tools.ReadAll[tools.Product](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetProducts})
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	cat := &catalog{stores: stores, products: products, product: map[string]tools.Product{}, store: map[string]tools.Store{}}
	for _, p := range products {
		cat.product[p.ID] = p
	}
	for _, s := range stores {
		cat.store[s.ID] = s
	}
	c.cat, c.catAt = cat, c.clock()
	return cat, nil
}

// generate asks the host for a checked output. A host without a generator
// (an older host) gets the plugin's own fallback, checked by the plugin's
// validator, so the feature still works; any other failure is the host's.
func generate(ctx context.Context, host tools.HostAPI, req *tools.GenerateRequest, check tools.Validator) (*tools.Generation, error) {
	g, err := host.Generate(ctx, req)
	if err == nil && bytes.Equal(g.Output, req.Fallback) {
		return g, nil // the fallback was checked when it was built
	}
	if err == nil {
		// The host has checked the output; a host that does not call
		// validators back is caught here and answered with the fallback.
		if errs := check(g.Output); len(errs) > 0 {
			return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback,
				Reason: "the generated output failed the plugin's check: " + errs[0], Attempts: g.Attempts}, nil
		}
		return g, nil
	}
	if errors.Is(err, tools.ErrNotFound) {
		if errs := check(req.Fallback); len(errs) > 0 {
			return nil, fmt.Errorf("generate %s: the fallback fails its own check: %v", req.Prompt, errs)
		}
		return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback, Reason: "the host could not generate (" + err.Error() + "); the plugin checked its own fallback"}, nil
	}
	return nil, fmt.Errorf("generate %s: %w", req.Prompt, err)
}

// localeOf picks the answer's locale: the argument, else the caller's, else
// Korean.
func localeOf(arg, caller string) (string, error) {
	switch l := cmp.Or(arg, caller, "ko"); l {
	case "ko", "en":
		return l, nil
	default:
		return "", tools.Failf("locale %q: want ko or en", l)
	}
}
