package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultPath is where the host keeps its SQLite database when no database
// URL is configured.
const DefaultPath = ".crumb/crumb.db"

// busyTimeout is how long a connection waits for another process's write
// lock (crumb import beside crumb serve, say) before failing with
// SQLITE_BUSY. Within one process writes are queued by the writer pool and
// never wait here.
const busyTimeout = 10 * time.Second

// Option configures a store opened by Open or OpenSQLite.
type Option func(*options)

type options struct {
	now     func() time.Time
	loc     *time.Location
	readers int
}

// WithClock sets the clock that stamps rows written without a time
// (artifacts, conversations, messages, audit entries). The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLocation sets the brand's time zone, in which From and To are taken as
// days when they filter timestamps (stock snapshots, orders). The default is
// Korea Standard Time, a fixed UTC+9 (Korea has no daylight saving time), so
// that no time zone database is needed.
func WithLocation(loc *time.Location) Option {
	return func(o *options) { o.loc = loc }
}

// WithReaders sets the size of the read connection pool. The default is the
// number of CPUs, at least 4.
func WithReaders(n int) Option {
	return func(o *options) { o.readers = n }
}

// kst is Korea Standard Time, the default brand time zone.
func kst() *time.Location { return time.FixedZone("KST", 9*60*60) }

func newOptions(opts []Option) options {
	o := options{now: time.Now, loc: kst(), readers: max(4, runtime.NumCPU())}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.loc == nil {
		o.loc = kst()
	}
	if o.readers < 1 {
		o.readers = 1
	}
	return o
}

// Open opens the store named by dsn: a file path, or a sqlite: or file: URL
// (sqlite:data/crumb.db, sqlite:///var/lib/crumb/crumb.db,
// file:///var/lib/crumb/crumb.db). postgres:// URLs are recognised but not
// supported yet.
func Open(ctx context.Context, dsn string, opts ...Option) (Store, error) {
	path, err := sqlitePath(dsn)
	if err != nil {
		return nil, err
	}
	s, err := OpenSQLite(ctx, path, opts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sqlitePath returns the file path a dsn names. It never echoes dsn in an
// error, because a database URL may carry a password.
func sqlitePath(dsn string) (string, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return "", fmt.Errorf("open store: empty database URL: give a file path such as %s, or a sqlite: URL", DefaultPath)
	}
	scheme, rest, ok := strings.Cut(dsn, ":")
	switch s := strings.ToLower(scheme); {
	case !ok:
		return dsn, nil
	case s == "postgres" || s == "postgresql":
		return "", errors.New("open store: PostgreSQL support is not built yet: use a SQLite file path or sqlite: URL for the database")
	case s == "sqlite" || s == "sqlite3" || s == "file":
		return urlPath(dsn)
	case strings.HasPrefix(rest, "//"):
		return "", fmt.Errorf("open store: unsupported database URL scheme %q: use a file path or a sqlite: URL", scheme)
	}
	// A colon without "//" is part of a path (C:\crumb.db, ./a:b.db).
	return dsn, nil
}

// urlPath returns the path of a sqlite: or file: URL: either opaque and
// relative (sqlite:data/crumb.db) or absolute with an empty or localhost
// host (sqlite:///var/lib/crumb.db, file://localhost/var/lib/crumb.db).
func urlPath(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("open store: parse database URL: %w", err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("open store: %s: URL takes no query parameters: the store sets its own pragmas", u.Scheme)
	}
	var p string
	switch {
	case u.Opaque != "":
		p, err = url.PathUnescape(u.Opaque)
		if err != nil {
			return "", fmt.Errorf("open store: parse database URL: %w", err)
		}
	case u.Host == "" || u.Host == "localhost":
		p = u.Path
	default:
		return "", fmt.Errorf("open store: %s: URL has host %q: write %s:relative/path.db or %s:///absolute/path.db", u.Scheme, u.Host, u.Scheme, u.Scheme)
	}
	if p == "" {
		return "", fmt.Errorf("open store: %s: URL has no path", u.Scheme)
	}
	return p, nil
}

// SQLite is the embedded store: one SQLite database file in WAL mode.
//
// It keeps two connection pools on the file. SQLite allows one writer at a
// time, so writes go through a pool of exactly one connection whose
// transactions begin IMMEDIATE: writers queue in database/sql (honouring
// their contexts) instead of failing with SQLITE_BUSY or deadlocking on lock
// upgrades. Reads go through a separate pool of query-only connections; WAL
// lets them run beside the writer, each seeing the last commit from when its
// read began, so a long Replace never stalls chat history or dataset reads.
// A single pool with SetMaxOpenConns(1) would be simpler but would queue
// every read behind a multi-second Replace.
type SQLite struct {
	path string
	w    *sql.DB // one connection: all writes
	r    *sql.DB // query-only connections: all reads
	now  func() time.Time
	loc  *time.Location
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) the SQLite database at path, creates
// its parent directory, and applies pending migrations. A database migrated
// by a newer build is an error.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*SQLite, error) {
	o := newOptions(opts)
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory") {
		return nil, errors.New("open sqlite: in-memory databases are not supported (readers and writer need a shared file): use a path under t.TempDir()")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open sqlite %s: create directory: %w", path, err)
	}
	s := &SQLite{path: abs, now: o.now, loc: o.loc}
	if err := s.open(ctx, o); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

func (s *SQLite) open(ctx context.Context, o options) error {
	var err error
	// The writer opens first: it switches the file to WAL (a persistent
	// setting) and migrates before any reader looks at the schema.
	if s.w, err = sql.Open("sqlite", sqliteDSN(s.path, false)); err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not wal: is the file on a file system without shared memory?", mode)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if err := migrate(ctx, s.w, ms, s.now); err != nil {
		return err
	}
	if s.r, err = sql.Open("sqlite", sqliteDSN(s.path, true)); err != nil {
		return err
	}
	s.r.SetMaxOpenConns(o.readers)
	s.r.SetMaxIdleConns(o.readers)
	s.r.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("open readers: %w", err)
	}
	return nil
}

// sqliteDSN is the modernc.org/sqlite data source name for the file at abs.
// Pragmas are per connection, so they go in the DSN, which the driver applies
// to every connection it opens.
func sqliteDSN(abs string, readOnly bool) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=temp_store(MEMORY)",
	}
	if readOnly {
		q = append(q, "_pragma=query_only(1)", "_pragma=cache_size(-16384)")
	} else {
		// A larger page cache keeps the indexes hot while Replace loads
		// hundreds of thousands of rows.
		q = append(q, "_pragma=journal_mode(WAL)", "_pragma=cache_size(-65536)", "_txlock=immediate")
	}
	return "file:" + escapeURIPath(filepath.ToSlash(abs)) + "?" + strings.Join(q, "&")
}

// escapeURIPath escapes the characters that end or escape the path part of
// an SQLite URI filename.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Path is the absolute path of the database file.
func (s *SQLite) Path() string { return s.path }

// Close releases both connection pools.
func (s *SQLite) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite %s: %w", s.path, err)
	}
	return nil
}

// timeLayout encodes instants: UTC, fixed width with nanoseconds, so that
// text order is time order (RFC3339Nano trims zeros and would sort
// "…:05.5Z" before "…:05Z") and a time.Time round-trips exactly.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func encodeTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func decodeTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// Rows written by hand or by other tools may use any RFC 3339 form.
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("decode time %q: %w", s, err)
		}
	}
	return t.UTC(), nil
}

// nullJSON stores an empty document as NULL.
func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// rebind rewrites ? placeholders as $1, $2, … for PostgreSQL. Queries are
// written with ? (SQLite's native form); the PostgreSQL store will pass each
// through rebind. It does not look inside string literals, so queries must
// not put ? in literals.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
