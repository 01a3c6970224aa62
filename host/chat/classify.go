package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/tools"
)

// catalogTTL is how long the store and product names used for slots are
// kept before they are read again.
const catalogTTL = time.Minute

// current returns the classifier for the running plugins and the current
// catalogue, rebuilding it when either changed, and the tools by id.
func (e *Engine) current(ctx context.Context) (*intent.Classifier, map[string]tools.ToolInfo, error) {
	manifests := e.tools.Manifests()
	slices.SortFunc(manifests, func(a, b tools.Manifest) int { return strings.Compare(a.Name, b.Name) })
	var sig strings.Builder
	for _, m := range manifests {
		fmt.Fprintf(&sig, "%s@%s;", m.Name, m.Version)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.catalogAt.IsZero() || time.Since(e.catalogAt) > catalogTTL {
		stores, err1 := e.store.ListStores(ctx)
		products, err2 := e.store.ListProducts(ctx)
		if err := errors.Join(err1, err2); err != nil {
			e.log.ErrorContext(ctx, "load catalogue for slots", "err", err)
		} else if changed := len(stores) != len(e.catalog.Stores) || len(products) != len(e.catalog.Products) ||
			!slices.EqualFunc(stores, e.catalog.Stores, sameStore) || !slices.EqualFunc(products, e.catalog.Products, sameProduct); changed {
			e.catalog = intent.Catalog{Stores: stores, Products: products}
			e.classifier = nil
		}
		e.catalogAt = time.Now()
	}
	if e.classifier == nil || e.sig != sig.String() {
		cls, err := intent.New(intent.Options{Manifests: manifests, Catalog: e.catalog, Location: e.loc, Now: e.now, Fallback: e.fallback})
		if err != nil {
			return nil, nil, fmt.Errorf("build the intent classifier: %w", err)
		}
		e.classifier, e.sig = cls, sig.String()
		e.toolInfo = map[string]tools.ToolInfo{}
		for _, m := range manifests {
			for _, t := range m.Tools {
				e.toolInfo[m.Name+"."+t.Name] = t
			}
		}
	}
	return e.classifier, e.toolInfo, nil
}

func sameStore(a, b tools.Store) bool {
	return a.ID == b.ID && a.Name == b.Name && a.NameEN == b.NameEN && a.District == b.District
}

func sameProduct(a, b tools.Product) bool {
	return a.ID == b.ID && a.Name == b.Name && a.NameEN == b.NameEN && a.Category == b.Category
}
