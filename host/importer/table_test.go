package importer

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in    string
		point byte
		want  float64
		ok    bool
	}{
		{"52.92082471244701", '.', 52.92082471244701, true},
		{"-7.83", '.', -7.83, true},
		{"0", '.', 0, true},
		{"61.0", '.', 61, true},
		{"1e-3", '.', 0.001, true},
		{"2.5E+2", '.', 250, true},
		{"4,125", ',', 4.125, true},
		{"-0,5", ',', -0.5, true},
		{"13", ',', 13, true},
		{"", '.', 0, false},
		{"-", '.', 0, false},
		{".5", '.', 0, false},
		{"5.", '.', 0, false},
		{"+5", '.', 0, false},
		{" 5", '.', 0, false},
		{"5 ", '.', 0, false},
		{"NaN", '.', 0, false},
		{"Inf", '.', 0, false},
		{"0x1p3", '.', 0, false},
		{"1_000", '.', 0, false},
		{"1e400", '.', 0, false},
		{"1e", '.', 0, false},
		{"4.125", ',', 0, false},
		{"1.000,5", ',', 0, false},
		{"1e3", ',', 0, false},
		{"NULL", ',', 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDecimal(tt.in, tt.point)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseDecimal(%q, %q) = %v, %v; want %v, %v", tt.in, tt.point, got, ok, tt.want, tt.ok)
		}
	}
}

// readAllRecords reads text as a table and returns its records.
func readAllRecords(text, sep string, header []string, ragged bool) ([][]string, error) {
	tb, err := newTable(context.Background(), strings.NewReader(text), "f.csv", sep, header, ragged)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for {
		ok, err := tb.next()
		if err != nil {
			return out, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, tb.fields)
	}
}

func TestTable(t *testing.T) {
	h := []string{"a", "b"}
	tests := []struct {
		name    string
		text    string
		sep     string
		ragged  bool
		want    [][]string
		wantErr string
		line    int
	}{
		{name: "LF", text: "a,b\n1,2\n3,4\n", want: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "BOM, CRLF, no final newline", text: "\uFEFFa;b\r\n1;2\r\n3;\r\n", sep: ";", want: [][]string{{"1", "2"}, {"3", ""}}},
		{name: "trailing blank lines", text: "a,b\n1,2\n\n\r\n", want: [][]string{{"1", "2"}}},
		{name: "header only", text: "a,b\n", want: nil},
		{name: "quotes are data", text: "a,b\n\"x,y\",z\n", wantErr: "f.csv line 2: 3 columns: want 2 (a, b), separated by commas", line: 2},
		{name: "blank line inside", text: "a,b\n1,2\n\n3,4\n", want: [][]string{{"1", "2"}}, wantErr: "f.csv line 3: blank line in the middle of the file", line: 3},
		{name: "too few columns", text: "a,b\n1,2\n3\n", want: [][]string{{"1", "2"}}, wantErr: "f.csv line 3: 1 columns: want 2 (a, b)", line: 3},
		{name: "wrong separator", text: "a;b\n", wantErr: `f.csv line 1: header is "a;b": want "a,b" (columns separated by commas)`, line: 1},
		{name: "wrong header", text: "a,c\n1,2\n", wantErr: `header is "a,c": want "a,b"`, line: 1},
		{name: "BOM only counts at the start", text: "a,\uFEFFb\n", wantErr: "header is", line: 1},
		{name: "empty", text: "", wantErr: `f.csv line 1: file is empty: want a header line "a,b"`, line: 1},
		{name: "ragged padding", text: "a\tb\t\t\r\n1\tx\t\t\r\n2\t\t\t\r\n3\n", sep: "\t", ragged: true,
			want: [][]string{{"1", "x"}, {"2", ""}}, wantErr: "f.csv line 4: 1 columns", line: 4},
		{name: "ragged extra value", text: "a\tb\n1\tx\t\ty\n", sep: "\t", ragged: true,
			wantErr: `f.csv line 2, column 4: unexpected value "y" after the last column (b)`, line: 2},
		{name: "line too long", text: "a,b\n" + strings.Repeat("x", maxLine+1) + "\n", wantErr: "f.csv line 2: line longer than", line: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sep := tt.sep
			if sep == "" {
				sep = ","
			}
			got, err := readAllRecords(tt.text, sep, h, tt.ragged)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want containing %q", err, tt.wantErr)
				}
				parseErr(t, err, "f.csv", tt.line, parseErrColumn(err))
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records = %q, want %q", got, tt.want)
			}
		})
	}
}

func parseErrColumn(err error) int {
	if pe, ok := err.(*ParseError); ok {
		return pe.Column
	}
	return -1
}

func TestTableCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	text := "a\n" + strings.Repeat("1\n", 5000)
	tb, err := newTable(ctx, strings.NewReader(text), "f.csv", ",", []string{"a"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ok, err := tb.next()
		if err != nil {
			if err != context.Canceled {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			return
		}
		if !ok {
			t.Fatal("read to the end despite a canceled context")
		}
	}
}

func TestFieldErrors(t *testing.T) {
	tb, err := newTable(context.Background(), strings.NewReader("n,d\n1.5,2020-13-01\n"), "f.csv", ",", []string{"n", "d"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := tb.next(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	_, err = tb.count(0)
	if want := `f.csv line 2, column 1 (n): "1.5" is not a count: want a whole number ≥ 0, like 61 or 61.0`; err == nil || err.Error() != want {
		t.Errorf("count error = %v\nwant %s", err, want)
	}
	_, _, err = tb.date(1, "2006-01-02", "2015-01-07")
	if want := `f.csv line 2, column 2 (d): "2020-13-01" is not a date: want YYYY-MM-DD, like 2015-01-07`; err == nil || err.Error() != want {
		t.Errorf("date error = %v\nwant %s", err, want)
	}
	_, _, err = tb.commaFloat(0)
	if want := `f.csv line 2, column 1 (n): "1.5" is not a number: want a decimal with a comma, like 4,125, or NULL`; err == nil || err.Error() != want {
		t.Errorf("commaFloat error = %v\nwant %s", err, want)
	}
	_, err = tb.flag(0)
	if want := `f.csv line 2, column 1 (n): "1.5": want 0 or 1`; err == nil || err.Error() != want {
		t.Errorf("flag error = %v\nwant %s", err, want)
	}
	if v, err := tb.float(0); v != 1.5 || err != nil {
		t.Errorf("float = %v, %v", v, err)
	}
}

func TestOpenSources(t *testing.T) {
	dir := t.TempDir()
	writeGz(t, dir, "a.csv", "x\n1\n")
	if err := os.WriteFile(filepath.Join(dir, "b.csv"), []byte("x\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.csv.gz"), []byte("x\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := findSources(dir, "a.csv", "b.csv", "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	rep := newReporter(func(done, total int) { calls = append(calls, [2]int{done, total}) }, srcs)
	for i, want := range []string{"1", "2"} {
		err := withFile(srcs[i], rep, func(r io.Reader, file string) error {
			recs, err := readAllRecords(readString(t, r), ",", []string{"x"}, false)
			if err != nil || len(recs) != 1 || recs[0][0] != want {
				t.Errorf("%s: records %v, %v", file, recs, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err = withFile(srcs[2], rep, func(r io.Reader, file string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "c.csv.gz: not a gzip file") || !strings.Contains(err.Error(), "compress it with gzip or remove the .gz") {
		t.Errorf("opening a plain file named .gz: %v", err)
	}
	rep.finish()
	if len(calls) == 0 {
		t.Fatal("no progress reported")
	}
	total := int(srcs[0].size + srcs[1].size + srcs[2].size)
	if last := calls[len(calls)-1]; last != [2]int{total, total} {
		t.Errorf("last progress %v, want %d of %d", last, total, total)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != total {
			t.Errorf("progress %v does not rise to %d", calls, total)
		}
	}

	if err := os.Mkdir(filepath.Join(dir, "d.csv.gz"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := findSources(dir, "d.csv"); err == nil || !strings.Contains(err.Error(), "lacks d.csv.gz") {
		t.Errorf("a directory named like a file: %v", err)
	}
	if _, err := findSources(filepath.Join(dir, "b.csv"), "x"); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("a file as the directory: %v", err)
	}
}

func readString(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
