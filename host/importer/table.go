package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// ParseError is a problem with one field (or line) of an input file. Line
// and Column count from 1; Column is 0 when the whole line is at fault.
type ParseError struct {
	File   string // base name, e.g. bakery_data.csv.gz
	Line   int
	Column int
	Field  string // the column's header name, when known
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s line %d", e.File, e.Line)
	if e.Column > 0 {
		fmt.Fprintf(&b, ", column %d", e.Column)
		if e.Field != "" {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// maxLine bounds one line of input; the widest real line (north_sea's 75
// columns) is under 1 KiB.
const maxLine = 1 << 20

// utf8BOM starts files saved by Excel and some German tools.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// table reads a delimited text file with a header line, one record at a
// time. None of the formats quote fields, so a separator always separates;
// a quote character is kept as part of the field. Lines end in LF or CRLF;
// blank lines are allowed only at the end of the file.
type table struct {
	ctx    context.Context
	file   string
	sep    string
	header []string
	// ragged accepts lines with more fields than the header when the extra
	// fields are empty (item_mapping.txt pads every line with tabs).
	ragged bool

	sc     *bufio.Scanner
	line   int // of the current record
	blank  int // line of a blank line seen, 0 if none
	fields []string
}

// newTable reads the header from r and checks it is exactly want; a nil
// want accepts any header (the caller checks t.header). file names the file
// in errors.
func newTable(ctx context.Context, r io.Reader, file, sep string, want []string, ragged bool) (*table, error) {
	t := &table{ctx: ctx, file: file, sep: sep, ragged: ragged, sc: bufio.NewScanner(r)}
	t.sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	if !t.sc.Scan() {
		if err := t.scanErr(); err != nil {
			return nil, err
		}
		if want == nil {
			return nil, &ParseError{File: file, Line: 1, Err: errors.New("file is empty: want a header line")}
		}
		return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf("file is empty: want a header line %q", strings.Join(want, sep))}
	}
	t.line = 1
	text := strings.TrimSuffix(string(bytes.TrimPrefix(t.sc.Bytes(), utf8BOM)), "\r")
	got := strings.Split(text, sep)
	if ragged {
		got = trimEmptyTail(got)
	}
	if want == nil {
		want = got
	}
	if !equalStrings(got, want) {
		return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf("header is %q: want %q (columns separated by %s)",
			strings.Join(got, sep), strings.Join(want, sep), sepName(sep))}
	}
	t.header = want
	return t, nil
}

// next advances to the next record and reports whether there is one.
func (t *table) next() (bool, error) {
	for t.sc.Scan() {
		t.line++
		if t.line%4096 == 0 {
			if err := t.ctx.Err(); err != nil {
				return false, err
			}
		}
		text := strings.TrimSuffix(t.sc.Text(), "\r")
		if text == "" {
			if t.blank == 0 {
				t.blank = t.line
			}
			continue
		}
		if t.blank != 0 {
			return false, &ParseError{File: t.file, Line: t.blank, Err: errors.New("blank line in the middle of the file: remove it")}
		}
		t.fields = strings.Split(text, t.sep)
		if t.ragged && len(t.fields) > len(t.header) {
			for i, f := range t.fields[len(t.header):] {
				if f != "" {
					return false, t.errorf(len(t.header)+i, "unexpected value %q after the last column (%s): want at most %d columns", clip(f), t.header[len(t.header)-1], len(t.header))
				}
			}
			t.fields = t.fields[:len(t.header)]
		}
		if len(t.fields) != len(t.header) {
			return false, &ParseError{File: t.file, Line: t.line, Err: fmt.Errorf("%d columns: want %d (%s), separated by %s",
				len(t.fields), len(t.header), headerList(t.header), sepName(t.sep))}
		}
		return true, nil
	}
	return false, t.scanErr()
}

func (t *table) scanErr() error {
	err := t.sc.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bufio.ErrTooLong):
		return &ParseError{File: t.file, Line: t.line + 1, Err: fmt.Errorf("line longer than %d bytes: is this the right file?", maxLine)}
	default:
		return fmt.Errorf("read %s: %w", t.file, err)
	}
}

// errorf is a ParseError at column col (0-based) of the current record.
func (t *table) errorf(col int, format string, args ...any) error {
	e := &ParseError{File: t.file, Line: t.line, Column: col + 1, Err: fmt.Errorf(format, args...)}
	if col < len(t.header) {
		e.Field = t.header[col]
	}
	return e
}

// lineErrorf is a ParseError about the current record as a whole.
func (t *table) lineErrorf(format string, args ...any) error {
	return &ParseError{File: t.file, Line: t.line, Err: fmt.Errorf(format, args...)}
}

// float parses column col as a decimal number with a point ("52.9", "-3",
// "1e-3"). NaN and infinities are errors.
func (t *table) float(col int) (float64, error) {
	s := t.fields[col]
	v, ok := parseDecimal(s, '.')
	if !ok {
		return 0, t.errorf(col, "%q is not a number: want a decimal with a point, like 52.9", clip(s))
	}
	return v, nil
}

// commaFloat parses column col as a German decimal ("4,125"), or NULL
// (null is then true).
func (t *table) commaFloat(col int) (v float64, null bool, err error) {
	s := t.fields[col]
	if s == "NULL" {
		return 0, true, nil
	}
	v, ok := parseDecimal(s, ',')
	if !ok {
		return 0, false, t.errorf(col, "%q is not a number: want a decimal with a comma, like 4,125, or NULL", clip(s))
	}
	return v, false, nil
}

// count parses column col as a whole number of at least 0, written as an
// integer or with a zero fraction ("61" or "61.0").
func (t *table) count(col int) (int, error) {
	s := t.fields[col]
	v, ok := parseDecimal(s, '.')
	if !ok || v < 0 || v != math.Trunc(v) || v > 1e9 {
		return 0, t.errorf(col, "%q is not a count: want a whole number ≥ 0, like 61 or 61.0", clip(s))
	}
	return int(v), nil
}

// flag parses column col as 0 or 1.
func (t *table) flag(col int) (bool, error) {
	switch t.fields[col] {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, t.errorf(col, "%q: want 0 or 1", clip(t.fields[col]))
}

// optionalFloat parses column col as a number or nothing (an empty field).
func (t *table) optionalFloat(col int) error {
	if t.fields[col] == "" {
		return nil
	}
	_, err := t.float(col)
	return err
}

// date parses column col in layout and returns it as YYYY-MM-DD.
func (t *table) date(col int, layout, example string) (time.Time, string, error) {
	s := t.fields[col]
	d, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, "", t.errorf(col, "%q is not a date: want %s, like %s", clip(s), layoutName(layout), example)
	}
	return d, d.Format(tools.DateLayout), nil
}

// parseDecimal parses s strictly: an optional minus sign, digits, an
// optional fraction after point, and (with a point only) an optional
// exponent. Anything else (spaces, "+", "NaN", "0x1p3", "1_000",
// thousands separators) fails.
func parseDecimal(s string, point byte) (float64, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return 0, false
	}
	if i < len(s) && s[i] == point {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	if point == '.' && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	if point != '.' {
		s = strings.Replace(s, string(point), ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

func trimEmptyTail(f []string) []string {
	for len(f) > 0 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return f
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func headerList(h []string) string {
	if len(h) <= 6 {
		return strings.Join(h, ", ")
	}
	return fmt.Sprintf("%s, … %s", strings.Join(h[:3], ", "), strings.Join(h[len(h)-2:], ", "))
}

func sepName(sep string) string {
	switch sep {
	case ",":
		return "commas"
	case ";":
		return "semicolons"
	case "\t":
		return "tabs"
	}
	return strconv.Quote(sep)
}

func layoutName(layout string) string {
	switch layout {
	case tools.DateLayout:
		return "YYYY-MM-DD"
	case germanDate:
		return "DD.MM.YYYY"
	}
	return layout
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

const germanDate = "02.01.2006"

// source is one input file of an import: its name in the directory, opened
// gzip-compressed (name.gz) or, failing that, plain (name).
type source struct {
	name string // e.g. bakery_data.csv
	path string // the file found
	gz   bool
	size int64
}

// findSource looks for name.gz, then name, in dir.
func findSource(dir, name string) (source, bool) {
	for _, gz := range []bool{true, false} {
		p := filepath.Join(dir, name)
		if gz {
			p += ".gz"
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return source{name: name, path: p, gz: gz, size: fi.Size()}, true
		}
	}
	return source{}, false
}

// findSources finds every named file in dir, or says which are missing.
func findSources(dir string, names ...string) ([]source, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("data directory %s is not a directory", dir)
	}
	var out []source
	var missing []string
	for _, n := range names {
		s, ok := findSource(dir, n)
		if !ok {
			missing = append(missing, n+".gz")
			continue
		}
		out = append(out, s)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s lacks %s (or the same uncompressed): is this the right directory?", dir, strings.Join(missing, ", "))
	}
	return out, nil
}

// reporter turns bytes read from the input files into Progress calls,
// about one per percent.
type reporter struct {
	fn          store.Progress
	done, total int64
	last        int64
}

func newReporter(fn store.Progress, srcs []source) *reporter {
	r := &reporter{fn: fn}
	for _, s := range srcs {
		r.total += s.size
	}
	return r
}

func (r *reporter) add(n int) {
	r.done += int64(n)
	if r.fn != nil && (r.done-r.last)*100 >= r.total {
		r.last = r.done
		r.fn(int(r.done), int(r.total))
	}
}

func (r *reporter) finish() {
	if r.fn != nil && r.last != r.total {
		r.last = r.total
		r.fn(int(r.total), int(r.total))
	}
}

type countingReader struct {
	r   io.Reader
	rep *reporter
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.rep.add(n)
	return n, err
}

// open opens s for reading, decompressing it if it is gzip; bytes read
// from the file count towards rep.
func open(s source, rep *reporter) (io.ReadCloser, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.path, err)
	}
	var r io.Reader = f
	if rep != nil {
		r = countingReader{r: f, rep: rep}
	}
	if !s.gz {
		return readCloser{Reader: r, Closer: f}, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: not a gzip file (%w): compress it with gzip or remove the .gz", s.path, err)
	}
	return &gzipFile{Reader: zr, f: f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzipFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// withFile opens s and calls read with its text.
func withFile(s source, rep *reporter, read func(r io.Reader, file string) error) error {
	rc, err := open(s, rep)
	if err != nil {
		return err
	}
	defer rc.Close()
	file := filepath.Base(s.path)
	if err := read(rc, file); err != nil {
		return err
	}
	return nil
}

// hasAll reports whether dir holds every named file, compressed or not.
func hasAll(dir string, names ...string) bool {
	for _, n := range names {
		if _, ok := findSource(dir, n); !ok {
			return false
		}
	}
	return true
}

// dateRange returns the first and last date of rows, which must not be
// empty.
func dateRange[T any](rows []T, date func(*T) string) (first, last string) {
	first, last = date(&rows[0]), date(&rows[0])
	for i := range rows {
		first, last = min(first, date(&rows[i])), max(last, date(&rows[i]))
	}
	return first, last
}

// yearOf is the year of a YYYY-MM-DD date.
func yearOf(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}
