package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema migrations, named NNNN_description.sql and
// applied in version order. A released migration is never edited: a change
// to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one versioned schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations under migrations/ in fsys. Versions
// must run 1, 2, 3, … without gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("load migration %s: name must be NNNN_description.sql with NNNN ≥ 1", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migration %s: version %d, want %d (versions run from 1 without gaps or duplicates)", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations db has not seen, each in its own
// transaction together with its schema_migrations row. It is a no-op on an
// up-to-date database and an error on one migrated by a newer build. db must
// begin transactions IMMEDIATE (the writer DSN does), so that two processes
// opening the same file at once cannot both apply a migration.
func migrate(ctx context.Context, db *sql.DB, ms []migration, now func() time.Time) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    applied_at TEXT    NOT NULL
)`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	known := len(ms) // versions are 1…len(ms)
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > known {
		return fmt.Errorf("migrate: database schema version %d is newer than this build knows (%d): upgrade crumb or use another database file", current, known)
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, m, now); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.name, err)
		}
	}
	return nil
}

// schemaVersion is the highest applied migration version, 0 for none.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// Another process may have applied it since we looked.
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if v >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		m.version, encodeTime(now())); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	return tx.Commit()
}
