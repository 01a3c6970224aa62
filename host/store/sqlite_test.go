package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// testClock is a clock for tests: each call returns the next second.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2024, 3, 1, 9, 0, 0, 123456789, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// openTest opens a fresh store in a temporary directory.
func openTest(t testing.TB, opts ...Option) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "db", "crumb.db"), opts...)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		dsn     string
		want    string
		wantErr string
	}{
		{dsn: "data/crumb.db", want: "data/crumb.db"},
		{dsn: "/var/lib/crumb/crumb.db", want: "/var/lib/crumb/crumb.db"},
		{dsn: "  ./crumb.db ", want: "./crumb.db"},
		{dsn: `C:\crumb\crumb.db`, want: `C:\crumb\crumb.db`},
		{dsn: "sqlite:data/crumb.db", want: "data/crumb.db"},
		{dsn: "SQLite:data/crumb.db", want: "data/crumb.db"},
		{dsn: "sqlite3:crumb.db", want: "crumb.db"},
		{dsn: "sqlite:///var/lib/crumb.db", want: "/var/lib/crumb.db"},
		{dsn: "file:///var/lib/crumb.db", want: "/var/lib/crumb.db"},
		{dsn: "file://localhost/var/lib/crumb.db", want: "/var/lib/crumb.db"},
		{dsn: "file:my%20data/crumb.db", want: "my data/crumb.db"},
		{dsn: "", wantErr: "empty database URL"},
		{dsn: "postgres://crumb:s3cret@db:5432/crumb", wantErr: "PostgreSQL support is not built yet"},
		{dsn: "postgresql://crumb:s3cret@db/crumb?sslmode=disable", wantErr: "PostgreSQL support is not built yet"},
		{dsn: "mysql://crumb:s3cret@db/crumb", wantErr: `unsupported database URL scheme "mysql"`},
		{dsn: "sqlite://data/crumb.db", wantErr: `has host "data"`},
		{dsn: "sqlite:crumb.db?mode=ro", wantErr: "no query parameters"},
		{dsn: "sqlite:", wantErr: "no path"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			got, err := sqlitePath(tt.dsn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("sqlitePath(%q) error = %v, want containing %q", tt.dsn, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("sqlitePath(%q) = %q, %v; want %q", tt.dsn, got, err, tt.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name string
		dsn  string
	}{
		{"path creates parents", filepath.Join(dir, "a", "b", "crumb.db")},
		{"sqlite url", "sqlite://" + filepath.Join(dir, "url.db")},
		{"file url", "file://" + filepath.Join(dir, "file.db")},
		{"awkward characters", filepath.Join(dir, "a b?c#d%20e", "crumb.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Open(ctx, tt.dsn)
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.dsn, err)
			}
			if err := st.Replace(ctx, testData(), nil); err != nil {
				t.Fatalf("Replace: %v", err)
			}
			if err := st.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			// Reopen: the data is in the file the DSN names.
			st, err = Open(ctx, tt.dsn)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer st.Close()
			stores, err := st.ListStores(ctx)
			if err != nil || len(stores) != len(testData().Stores) {
				t.Fatalf("ListStores after reopen = %d stores, %v", len(stores), err)
			}
		})
	}
}

func TestOpenPragmas(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, db := range []*sql.DB{s.w, s.r} {
		checks := []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"synchronous", "1"}, // NORMAL
			{"busy_timeout", "10000"},
		}
		for _, c := range checks {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", c.pragma, err)
			}
			if got != c.want {
				t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
			}
		}
	}
	if _, err := s.r.ExecContext(ctx, "DELETE FROM stores"); err == nil {
		t.Error("write through the read pool succeeded; want query_only to refuse it")
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, p := range []string{":memory:", "file::memory:?cache=shared", ""} {
		if _, err := OpenSQLite(context.Background(), p); err == nil {
			t.Errorf("OpenSQLite(%q) succeeded, want an error", p)
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crumb.db")
	known, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) == 0 {
		t.Fatal("no embedded migrations")
	}
	var first []string
	for i := range 3 {
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		rows, err := s.r.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for v := 1; rows.Next(); v++ {
			var version int
			var at string
			if err := rows.Scan(&version, &at); err != nil {
				t.Fatal(err)
			}
			if version != v {
				t.Errorf("open #%d: version %d recorded at position %d", i+1, version, v)
			}
			got = append(got, at)
		}
		rows.Close()
		if len(got) != len(known) {
			t.Errorf("open #%d: %d versions recorded, want %d", i+1, len(got), len(known))
		}
		if first == nil {
			first = got
		} else if strings.Join(got, ",") != strings.Join(first, ",") {
			t.Errorf("open #%d re-applied migrations: applied_at %v, first %v", i+1, got, first)
		}
		s.Close()
	}
}

func TestMigrationsNewerDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crumb.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = OpenSQLite(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer than this build") {
		t.Fatalf("open of a newer database: error = %v, want one saying it is newer", err)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "m.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	fsys := fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER REFERENCES a (x));")},
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER PRIMARY KEY); INSERT INTO a (x) VALUES (1);")},
		"migrations/README.md":  {Data: []byte("not a migration")},
	}
	steps := []struct {
		name        string
		add         map[string]string
		wantVersion int
		wantErr     string
		wantTables  []string
		notTables   []string
	}{
		{name: "fresh database applies all in order", wantVersion: 2, wantTables: []string{"a", "b"}},
		{name: "again is a no-op", wantVersion: 2},
		{
			name:        "failing migration rolls back entirely",
			add:         map[string]string{"migrations/0003_c.sql": "CREATE TABLE c (x INTEGER); SELECT nope FROM missing;"},
			wantVersion: 2, wantErr: "apply 0003_c.sql", notTables: []string{"c"},
		},
		{
			name:        "fixed migration applies",
			add:         map[string]string{"migrations/0003_c.sql": "CREATE TABLE c (x INTEGER);"},
			wantVersion: 3, wantTables: []string{"c"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for name, body := range st.add {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			ms, err := loadMigrations(fsys)
			if err != nil {
				t.Fatal(err)
			}
			err = migrate(ctx, db, ms, newTestClock().now)
			if st.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), st.wantErr) {
					t.Fatalf("migrate error = %v, want containing %q", err, st.wantErr)
				}
			} else if err != nil {
				t.Fatalf("migrate: %v", err)
			}
			v, err := schemaVersion(ctx, db)
			if err != nil || v != st.wantVersion {
				t.Fatalf("schema version = %d, %v; want %d", v, err, st.wantVersion)
			}
			for _, tbl := range st.wantTables {
				if !tableExists(t, db, tbl) {
					t.Errorf("table %s missing", tbl)
				}
			}
			for _, tbl := range st.notTables {
				if tableExists(t, db, tbl) {
					t.Errorf("table %s exists, want it rolled back", tbl)
				}
			}
		})
	}
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestLoadMigrationsErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		wantErr string
	}{
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, "version 3, want 2"},
		{"duplicate", []string{"0001_a.sql", "0001_b.sql"}, "version 1, want 2"},
		{"bad name", []string{"init.sql"}, "NNNN_description.sql"},
		{"zero", []string{"0000_a.sql"}, "NNNN_description.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			_, err := loadMigrations(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("loadMigrations error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTimeEncoding(t *testing.T) {
	tests := []time.Time{
		time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 1, 0, 0, 0, 500000000, time.UTC),
		time.Date(2024, 3, 1, 9, 30, 0, 1, kst()),
		{},
	}
	prev := ""
	for _, tm := range tests[:3] {
		enc := encodeTime(tm)
		if prev != "" && enc <= prev && tm.After(tests[0]) {
			t.Errorf("encodeTime(%v) = %q sorts before %q", tm, enc, prev)
		}
		prev = enc
	}
	for _, tm := range tests {
		got, err := decodeTime(encodeTime(tm))
		if err != nil || !got.Equal(tm) || got.Location() != time.UTC {
			t.Errorf("round trip of %v = %v, %v", tm, got, err)
		}
	}
	if got, err := decodeTime("2024-03-01T09:00:00+09:00"); err != nil || !got.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("decodeTime of RFC 3339 with offset = %v, %v", got, err)
	}
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
