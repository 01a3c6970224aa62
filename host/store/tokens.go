package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Token kinds.
const (
	// TokenAPI is a token made by `crumb token create`, for programs and
	// people who paste it into the web UI.
	TokenAPI = "api"
	// TokenSession is a token the web UI got by redeeming a sign-in code;
	// it expires.
	TokenSession = "session"
)

// APIToken is a bearer token's record. The secret is never stored: the
// store keys tokens by the hash of the whole token string.
type APIToken struct {
	ID         string // the token's public part, used to list and revoke it
	Name       string // who holds it; conversations and the audit log use it
	Role       string // staff, marketer or admin
	Kind       string // TokenAPI or TokenSession
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil: never
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Valid reports whether the token may be used at now.
func (t *APIToken) Valid(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Tokens keeps API tokens and one-time sign-in codes, by hash.
type Tokens interface {
	// CreateToken stores t under hash; CreatedAt is the store's clock when
	// zero. An ID or hash already stored is an error.
	CreateToken(ctx context.Context, t *APIToken, hash string) (*APIToken, error)
	// TokenByHash returns the token stored under hash, revoked and expired
	// ones included (the caller decides); an unknown hash is ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// ListTokens returns every token, newest first.
	ListTokens(ctx context.Context) ([]APIToken, error)
	// RevokeToken revokes a token by id; an unknown id is ErrNotFound.
	// Revoking twice keeps the first time.
	RevokeToken(ctx context.Context, id string) error
	// TouchToken records that the token was used at at.
	TouchToken(ctx context.Context, id string, at time.Time) error
	// CreateSigninCode stores a one-time sign-in code under hash.
	CreateSigninCode(ctx context.Context, hash, name, role string, expires time.Time) error
	// RedeemSigninCode uses the code stored under codeHash, once, and in
	// the same transaction stores session (with the code's name and role)
	// under tokenHash. An unknown, used or expired code is ErrNotFound.
	RedeemSigninCode(ctx context.Context, codeHash string, session *APIToken, tokenHash string) (*APIToken, error)
	// PruneSigninCodes deletes codes that expired before before, used or
	// not, and returns how many.
	PruneSigninCodes(ctx context.Context, before time.Time) (int, error)
}

var _ Tokens = (*SQLite)(nil)

const tokenCols = "id, name, role, kind, created_at, expires_at, last_used_at, revoked_at"

// CreateToken stores a token record under the hash of its secret.
func (s *SQLite) CreateToken(ctx context.Context, t *APIToken, hash string) (*APIToken, error) {
	if t == nil {
		return nil, errors.New("create token: nil token")
	}
	var out *APIToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = insertToken(ctx, tx, t, hash, s.now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return out, nil
}

func insertToken(ctx context.Context, tx *sql.Tx, t *APIToken, hash string, now time.Time) (*APIToken, error) {
	if t.ID == "" || t.Name == "" || t.Role == "" || hash == "" {
		return nil, errors.New("id, name, role and hash are required")
	}
	out := *t
	if out.Kind == "" {
		out.Kind = TokenAPI
	}
	if out.CreatedAt.IsZero() {
		out.CreatedAt = now
	}
	out.CreatedAt = out.CreatedAt.UTC()
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, name, role, kind, hash, created_at, expires_at, last_used_at, revoked_at)
VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)`, out.ID, out.Name, out.Role, out.Kind, hash, encodeTime(out.CreatedAt), nullTime(out.ExpiresAt))
	if err != nil {
		return nil, err
	}
	out.LastUsedAt, out.RevokedAt = nil, nil
	return &out, nil
}

// TokenByHash finds a token by the hash of its secret.
func (s *SQLite) TokenByHash(ctx context.Context, hash string) (*APIToken, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE hash = ?", hash)
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	ts, err := scanTokens(rows)
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("look up token: %w", ErrNotFound)
	}
	return &ts[0], nil
}

// ListTokens returns every token, newest first.
func (s *SQLite) ListTokens(ctx context.Context) ([]APIToken, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+tokenCols+" FROM api_tokens ORDER BY created_at DESC, id")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	ts, err := scanTokens(rows)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes the token with the given id.
func (s *SQLite) RevokeToken(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
			encodeTime(s.now()), id); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM api_tokens WHERE id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

// TouchToken sets the token's last use, never moving it back.
func (s *SQLite) TouchToken(ctx context.Context, id string, at time.Time) error {
	v := encodeTime(at)
	_, err := s.w.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)", v, id, v)
	if err != nil {
		return fmt.Errorf("touch token %s: %w", id, err)
	}
	return nil
}

// CreateSigninCode stores a one-time sign-in code.
func (s *SQLite) CreateSigninCode(ctx context.Context, hash, name, role string, expires time.Time) error {
	if hash == "" || name == "" || role == "" {
		return errors.New("create sign-in code: hash, name and role are required")
	}
	_, err := s.w.ExecContext(ctx, "INSERT INTO signin_codes (hash, name, role, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)",
		hash, name, role, encodeTime(s.now()), encodeTime(expires))
	if err != nil {
		return fmt.Errorf("create sign-in code: %w", err)
	}
	return nil
}

// RedeemSigninCode marks the code used and stores the session token, in one
// transaction: two redemptions of one code cannot both succeed.
func (s *SQLite) RedeemSigninCode(ctx context.Context, codeHash string, session *APIToken, tokenHash string) (*APIToken, error) {
	if session == nil {
		return nil, errors.New("redeem sign-in code: nil session")
	}
	now := s.now()
	var out *APIToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var name, role string
		err := tx.QueryRowContext(ctx, "SELECT name, role FROM signin_codes WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
			codeHash, encodeTime(now)).Scan(&name, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE signin_codes SET used_at = ? WHERE hash = ?", encodeTime(now), codeHash); err != nil {
			return err
		}
		t := *session
		t.Name, t.Role, t.Kind = name, role, TokenSession
		out, err = insertToken(ctx, tx, &t, tokenHash, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("redeem sign-in code: %w", err)
	}
	return out, nil
}

// PruneSigninCodes deletes long-expired sign-in codes.
func (s *SQLite) PruneSigninCodes(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, "DELETE FROM signin_codes WHERE expires_at < ?", encodeTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune sign-in codes: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func scanTokens(rows *sql.Rows) ([]APIToken, error) {
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created string
		var expires, used, revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &t.Kind, &created, &expires, &used, &revoked); err != nil {
			return nil, err
		}
		var err error
		if t.CreatedAt, err = decodeTime(created); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			src sql.NullString
			dst **time.Time
		}{{expires, &t.ExpiresAt}, {used, &t.LastUsedAt}, {revoked, &t.RevokedAt}} {
			if !p.src.Valid {
				continue
			}
			v, err := decodeTime(p.src.String)
			if err != nil {
				return nil, err
			}
			*p.dst = &v
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return encodeTime(*t)
}
