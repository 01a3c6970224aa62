package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// Importer turns a directory of files in one known format into the brand's
// datasets.
type Importer interface {
	// Name is the importer's registry name, e.g. "ddop".
	Name() string
	// Describe is one line for help texts: the data set and what it becomes.
	Describe() string
	// Import reads dir and returns its datasets. progress, when not nil, is
	// called as the files are read, with bytes as the unit.
	Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error)
}

// Detector is implemented by importers that can tell from the file names in
// a directory whether it holds their format. Registry.Detect asks every
// importer that implements it.
type Detector interface {
	Detect(dir string) bool
}

// Registry holds importers by name.
type Registry struct {
	byName map[string]Importer
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]Importer{}}
}

// Default returns a new registry holding the built-in importers:
// meteolytix, northsea, ddop and onlineretail.
func Default() *Registry {
	r := NewRegistry()
	r.Register(Meteolytix{})
	r.Register(NorthSea{})
	r.Register(DDOP{})
	r.Register(OnlineRetail{})
	r.Register(Groceries{})
	return r
}

// Register adds imp. It panics when imp is nil, its name is empty or the
// name is taken: both are programming errors.
func (r *Registry) Register(imp Importer) {
	if imp == nil {
		panic("importer: Register of a nil importer")
	}
	name := imp.Name()
	if name == "" {
		panic(fmt.Sprintf("importer: Register of %T with an empty name", imp))
	}
	if _, dup := r.byName[name]; dup {
		panic(fmt.Sprintf("importer: Register called twice for %q", name))
	}
	r.byName[name] = imp
}

// Get returns the importer called name, or an error listing the known ones.
func (r *Registry) Get(name string) (Importer, error) {
	if imp, ok := r.byName[name]; ok {
		return imp, nil
	}
	return nil, fmt.Errorf("unknown importer %q: known importers are %s", name, strings.Join(r.Names(), ", "))
}

// Names returns the registered names in sorted order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Help lists the importers, one "name  description" line each, for help
// texts and error messages.
func (r *Registry) Help() string {
	var b strings.Builder
	width := 0
	for _, n := range r.Names() {
		width = max(width, len(n))
	}
	for _, n := range r.Names() {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, n, r.byName[n].Describe())
	}
	return b.String()
}

// Detect returns the name of the one importer whose files dir holds. It is
// an error when none or several match.
func (r *Registry) Detect(dir string) (string, error) {
	var hits []string
	for _, n := range r.Names() {
		if d, ok := r.byName[n].(Detector); ok && d.Detect(dir) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("no importer recognises the files in %s: name the format, one of:\n%s", dir, r.Help())
	}
	return "", fmt.Errorf("the files in %s fit several importers (%s): name the one to use", dir, strings.Join(hits, ", "))
}

// Load imports dir with the built-in importer called name; an empty name
// detects the format from the file names (see Detect).
func Load(ctx context.Context, name, dir string, progress store.Progress) (*store.Data, error) {
	r := Default()
	if name == "" {
		var err error
		if name, err = r.Detect(dir); err != nil {
			return nil, err
		}
	}
	imp, err := r.Get(name)
	if err != nil {
		return nil, err
	}
	d, err := imp.Import(ctx, dir, progress)
	if err != nil {
		return nil, fmt.Errorf("import %s from %s: %w", name, dir, err)
	}
	return d, nil
}

// Detect returns the name of the built-in importer whose files dir holds,
// judged by file names alone.
func Detect(dir string) (string, error) {
	return Default().Detect(dir)
}

// Span summarises one dataset of an import: its row count and, for dated
// datasets, the first and last date.
type Span struct {
	Dataset  string
	Rows     int
	From, To string // YYYY-MM-DD; empty for undated datasets or no rows
}

// Spans summarises the datasets of d that have rows, in the order of
// tools.Datasets.
func Spans(d *store.Data) []Span {
	var out []Span
	add := func(dataset string, n int, date func(i int) string) {
		if n == 0 {
			return
		}
		s := Span{Dataset: dataset, Rows: n}
		if date != nil {
			s.From, s.To = date(0), date(0)
			for i := 1; i < n; i++ {
				v := date(i)
				s.From, s.To = min(s.From, v), max(s.To, v)
			}
		}
		out = append(out, s)
	}
	add(tools.DatasetStores, len(d.Stores), nil)
	add(tools.DatasetProducts, len(d.Products), nil)
	add(tools.DatasetProduction, len(d.Production), func(i int) string { return d.Production[i].Date })
	add(tools.DatasetSales, len(d.Sales), func(i int) string { return d.Sales[i].Date })
	add(tools.DatasetStock, len(d.Stock), nil)
	add(tools.DatasetWeather, len(d.Weather), func(i int) string { return d.Weather[i].Date })
	add(tools.DatasetCustomers, len(d.Customers), nil)
	add(tools.DatasetOrders, len(d.Orders), nil)
	add(tools.DatasetOrderItems, len(d.OrderItems), nil)
	add(tools.DatasetIntraday, len(d.Intraday), nil)
	add(tools.DatasetHolidays, len(d.Holidays), func(i int) string { return d.Holidays[i].Date })
	return out
}
