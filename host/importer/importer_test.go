package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// fake is an importer for registry tests; it detects directories holding
// a file named after it.
type fake struct{ name string }

func (f fake) Name() string     { return f.name }
func (f fake) Describe() string { return "the " + f.name + " format" }
func (f fake) Import(context.Context, string, store.Progress) (*store.Data, error) {
	return &store.Data{Stores: []tools.Store{{ID: f.name}}}, nil
}
func (f fake) Detect(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, f.name+".txt"))
	return err == nil
}

// plain is an importer without a Detect method.
type plain struct{ fake }

func (plain) Detect() {} // not a Detector: wrong signature

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	r.Register(fake{"beta"})
	r.Register(fake{"alpha"})
	mustPanic(t, `twice for "beta"`, func() { r.Register(fake{"beta"}) })
	mustPanic(t, "empty name", func() { r.Register(fake{""}) })
	mustPanic(t, "nil importer", func() { r.Register(nil) })

	if got := r.Names(); !reflect.DeepEqual(got, []string{"alpha", "beta"}) {
		t.Errorf("Names = %v", got)
	}
	imp, err := r.Get("beta")
	if err != nil || imp.Name() != "beta" {
		t.Errorf("Get(beta) = %v, %v", imp, err)
	}
	_, err = r.Get("gamma")
	if err == nil || err.Error() != `unknown importer "gamma": known importers are alpha, beta` {
		t.Errorf("Get(gamma) error = %v", err)
	}
	help := r.Help()
	if !strings.Contains(help, "  alpha  the alpha format\n") || !strings.Contains(help, "  beta   the beta format\n") {
		t.Errorf("Help =\n%s", help)
	}
}

func TestDefaultIsFresh(t *testing.T) {
	a, b := Default(), Default()
	if got := a.Names(); !reflect.DeepEqual(got, []string{"ddop", "groceries", "meteolytix", "northsea", "onlineretail"}) {
		t.Errorf("Default names = %v", got)
	}
	a.Register(fake{"extra"})
	if _, err := b.Get("extra"); err == nil {
		t.Error("registering into one Default registry changed another")
	}
	for _, n := range b.Names() {
		imp, _ := b.Get(n)
		if imp.Describe() == "" {
			t.Errorf("%s has no description", n)
		}
		if _, ok := imp.(Detector); !ok {
			t.Errorf("%s cannot detect its files", n)
		}
	}
}

func TestRegistryDetect(t *testing.T) {
	r := NewRegistry()
	r.Register(fake{"alpha"})
	r.Register(fake{"beta"})
	r.Register(plain{fake{"gamma"}})
	dir := func(files ...string) string {
		d := t.TempDir()
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(d, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	tests := []struct {
		name    string
		dir     string
		want    string
		wantErr string
	}{
		{"one", dir("alpha.txt", "other"), "alpha", ""},
		{"none", dir("gamma.txt"), "", "no importer recognises the files in"},
		{"several", dir("alpha.txt", "beta.txt"), "", "fit several importers (alpha, beta)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Detect(tt.dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Detect = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				if tt.name == "none" && !strings.Contains(err.Error(), "alpha  the alpha format") {
					t.Errorf("error does not list the importers: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDetectBuiltins(t *testing.T) {
	tests := []struct {
		files []string
		want  string
	}{
		{[]string{meteolytixSalesFile + ".gz", meteolytixGroupsFile + ".gz", meteolytixWeatherFile + ".gz"}, "meteolytix"},
		{[]string{meteolytixSalesFile, meteolytixGroupsFile, meteolytixWeatherFile + ".gz"}, "meteolytix"},
		{[]string{northSeaSalesFile + ".gz", northSeaMappingFile + ".gz", "README.md"}, "northsea"},
		{[]string{ddopDataFile + ".gz", ddopTargetFile + ".gz"}, "ddop"},
		{[]string{ddopDataFile}, ""},
		{[]string{meteolytixSalesFile + ".gz", meteolytixGroupsFile + ".gz"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.files, "+"), func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Detect(dir)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Detect = %q, want an error", got)
				}
				for _, n := range []string{"ddop", "meteolytix", "northsea"} {
					if !strings.Contains(err.Error(), n) {
						t.Errorf("error %q does not list %s", err, n)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name, importer, dir, wantErr string
	}{
		{"unknown importer", "bakery", dir, `unknown importer "bakery": known importers are ddop, groceries, meteolytix, northsea`},
		{"nothing to detect", "", dir, "no importer recognises the files in " + dir},
		{"missing files", "ddop", dir, "lacks bakery_target.csv.gz, bakery_data.csv.gz (or the same uncompressed): is this the right directory?"},
		{"missing dir", "northsea", filepath.Join(dir, "nope"), "data directory: stat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(ctx, tt.importer, tt.dir, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadDetects(t *testing.T) {
	dir := t.TempDir()
	writeGz(t, dir, ddopTargetFile, "roll,seeded_roll,pretzel\n1,2,3\n")
	writeGz(t, dir, ddopDataFile, ddopFixture("02.03.2016,WED,MAR,2016,0,0,2.3,4.2,0,0"))
	d, err := Load(context.Background(), "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sales) != 3 || d.Stores[0].ID != ddopStoreID {
		t.Errorf("Load detected and imported %+v", d)
	}
}

func TestSpans(t *testing.T) {
	d := &store.Data{
		Stores:   []tools.Store{{ID: "S"}},
		Sales:    []tools.Sale{{Date: "2020-01-03"}, {Date: "2019-12-30"}, {Date: "2020-01-01"}},
		Holidays: []tools.Holiday{{Date: "2020-01-01"}},
	}
	want := []Span{
		{Dataset: tools.DatasetStores, Rows: 1},
		{Dataset: tools.DatasetSales, Rows: 3, From: "2019-12-30", To: "2020-01-03"},
		{Dataset: tools.DatasetHolidays, Rows: 1, From: "2020-01-01", To: "2020-01-01"},
	}
	if got := Spans(d); !reflect.DeepEqual(got, want) {
		t.Errorf("Spans = %+v\nwant %+v", got, want)
	}
}

// writeGz writes content gzip-compressed to dir/name.gz.
func writeGz(t testing.TB, dir, name, content string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".gz"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// parseErr fails t unless err is a *ParseError at file:line:column.
func parseErr(t *testing.T, err error, file string, line, column int) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if pe.File != file || pe.Line != line || pe.Column != column {
		t.Fatalf("error at %s:%d:%d, want %s:%d:%d (%v)", pe.File, pe.Line, pe.Column, file, line, column, err)
	}
	return pe
}
