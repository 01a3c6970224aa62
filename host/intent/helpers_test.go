package intent

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/demo"
	"github.com/crumb-dev/crumb/tools"
)

// The tests learn from testdata/manifests.json, a snapshot of the intents
// of the plugins built from this tree (refresh it with
// `crumb eval intent --file … --save-manifests FILE` and strip the schemas),
// and from the demo brand's stores and products.

var (
	catalogOnce sync.Once
	catalog     Catalog
)

func testCatalog(t testing.TB) Catalog {
	t.Helper()
	catalogOnce.Do(func() {
		d, err := demo.Generate(demo.Config{Seed: 42, Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Days: 1, Customers: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		catalog = Catalog{Stores: d.Stores, Products: d.Products}
	})
	return catalog
}

func testManifests(t testing.TB) []tools.Manifest {
	t.Helper()
	raw, err := os.ReadFile("testdata/manifests.json")
	if err != nil {
		t.Fatal(err)
	}
	var m []tools.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// testNow is a Saturday afternoon in Seoul: 2026-11-21 15:00 KST.
var testNow = time.Date(2026, 11, 21, 15, 0, 0, 0, seoul())

func newTestClassifier(t testing.TB, extra ...tools.Manifest) *Classifier {
	t.Helper()
	c, err := New(Options{
		Manifests: append(testManifests(t), extra...),
		Catalog:   testCatalog(t),
		Now:       func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readSet(t testing.TB, path string) []Labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := ReadTSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

var ctx = context.Background()

// fine is a result's intent as learnt: the finer intent when it has one,
// which is how the test sets (labelled with stock_lookup, …) name it.
func fine(r Result) string { return cmp.Or(r.Sub, r.Intent) }
