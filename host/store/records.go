package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// PutArtifact stores a new version of (a.Plugin, a.Key), numbered one past
// the latest inside the write transaction so that concurrent puts never
// collide. CreatedAt is the store's clock.
func (s *SQLite) PutArtifact(ctx context.Context, a *Artifact) (*Artifact, error) {
	if a == nil {
		return nil, errors.New("put artifact: nil artifact")
	}
	if a.Plugin == "" || a.Key == "" {
		return nil, fmt.Errorf("put artifact %q/%q: plugin and key must not be empty", a.Plugin, a.Key)
	}
	if len(a.Metadata) > 0 && !json.Valid(a.Metadata) {
		return nil, fmt.Errorf("put artifact %s/%s: metadata is not valid JSON", a.Plugin, a.Key)
	}
	out := *a
	out.CreatedAt = s.now().UTC()
	out.Metadata = cloneBytes(a.Metadata)
	out.Data = cloneBytes(a.Data)
	if out.Data == nil {
		out.Data = []byte{}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM artifacts WHERE plugin = ? AND key = ?",
			a.Plugin, a.Key).Scan(&out.Version)
		if err != nil {
			return fmt.Errorf("next version: %w", err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO artifacts (plugin, key, version, metadata, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			out.Plugin, out.Key, out.Version, nullJSON(out.Metadata), out.Data, encodeTime(out.CreatedAt))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("put artifact %s/%s: %w", a.Plugin, a.Key, err)
	}
	return &out, nil
}

// GetArtifact returns one version of (plugin, key), the latest when version
// is 0. A missing artifact is ErrNotFound.
func (s *SQLite) GetArtifact(ctx context.Context, plugin, key string, version int) (*Artifact, error) {
	if version < 0 {
		return nil, fmt.Errorf("get artifact %s/%s: version %d: must be 0 (latest) or positive", plugin, key, version)
	}
	q := "SELECT version, metadata, data, created_at FROM artifacts WHERE plugin = ? AND key = ? AND version = ?"
	args := []any{plugin, key, version}
	if version == 0 {
		q = "SELECT version, metadata, data, created_at FROM artifacts WHERE plugin = ? AND key = ? ORDER BY version DESC LIMIT 1"
		args = args[:2]
	}
	a := &Artifact{Plugin: plugin, Key: key}
	var meta sql.NullString
	var created string
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&a.Version, &meta, &a.Data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		if version == 0 {
			return nil, fmt.Errorf("get artifact %s/%s: %w", plugin, key, ErrNotFound)
		}
		return nil, fmt.Errorf("get artifact %s/%s version %d: %w", plugin, key, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get artifact %s/%s: %w", plugin, key, err)
	}
	if meta.Valid {
		a.Metadata = json.RawMessage(meta.String)
	}
	if a.CreatedAt, err = decodeTime(created); err != nil {
		return nil, fmt.Errorf("get artifact %s/%s: %w", plugin, key, err)
	}
	return a, nil
}

// EnsureConversation creates c unless a conversation with its ID exists, and
// returns the stored conversation. An empty ID is given a random one; zero
// times are the store's clock. An existing conversation is returned as
// stored, even if its user differs from c.User: callers that expose
// conversations by ID must compare the users.
func (s *SQLite) EnsureConversation(ctx context.Context, c *Conversation) (*Conversation, error) {
	if c == nil {
		return nil, errors.New("ensure conversation: nil conversation")
	}
	in := *c
	if in.ID == "" {
		id, err := newID()
		if err != nil {
			return nil, fmt.Errorf("ensure conversation: %w", err)
		}
		in.ID = id
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = s.now()
	}
	if in.UpdatedAt.IsZero() {
		in.UpdatedAt = in.CreatedAt
	}
	var out *Conversation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, user_id, channel, title, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			in.ID, in.User, in.Channel, in.Title, encodeTime(in.CreatedAt), encodeTime(in.UpdatedAt))
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+conversationCols+" FROM conversations WHERE id = ?", in.ID)
		if err != nil {
			return err
		}
		cs, err := scanConversations(rows)
		if err != nil {
			return err
		}
		if len(cs) != 1 {
			return fmt.Errorf("read back: %d rows", len(cs))
		}
		out = &cs[0]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ensure conversation %s: %w", in.ID, err)
	}
	return out, nil
}

// AppendMessage adds m to its conversation, which must exist (else
// ErrNotFound), and moves the conversation's UpdatedAt forward to the
// message's time. It returns m with ID and CreatedAt set.
func (s *SQLite) AppendMessage(ctx context.Context, m *Message) (*Message, error) {
	if m == nil {
		return nil, errors.New("append message: nil message")
	}
	if len(m.Payload) > 0 && !json.Valid(m.Payload) {
		return nil, fmt.Errorf("append message to %s: payload is not valid JSON", m.ConversationID)
	}
	out := *m
	out.Payload = cloneBytes(m.Payload)
	if out.CreatedAt.IsZero() {
		out.CreatedAt = s.now()
	}
	out.CreatedAt = out.CreatedAt.UTC()
	at := encodeTime(out.CreatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE conversations SET updated_at = ? WHERE id = ? AND updated_at < ?",
			at, m.ConversationID, at)
		if err != nil {
			return fmt.Errorf("touch conversation: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM conversations WHERE id = ?", m.ConversationID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("conversation %s: %w", m.ConversationID, ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO messages (conversation_id, role, content, intent, payload, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			m.ConversationID, m.Role, m.Text, m.Intent, nullJSON(m.Payload), at).Scan(&out.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("append message to %s: %w", m.ConversationID, err)
	}
	return &out, nil
}

// Messages returns a conversation's messages, oldest first (ties in time by
// insertion). An unknown conversation is ErrNotFound.
func (s *SQLite) Messages(ctx context.Context, conversationID string) ([]Message, error) {
	var out []Message
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM conversations WHERE id = ?", conversationID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, conversation_id, role, content, intent, payload, created_at
FROM messages WHERE conversation_id = ? ORDER BY created_at, id`, conversationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m Message
			var payload sql.NullString
			var at string
			if err := rows.Scan(&m.ID, &m.ConversationID, &m.Role, &m.Text, &m.Intent, &payload, &at); err != nil {
				return err
			}
			if payload.Valid {
				m.Payload = json.RawMessage(payload.String)
			}
			if m.CreatedAt, err = decodeTime(at); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read messages of %s: %w", conversationID, err)
	}
	return out, nil
}

// ListConversations returns user's conversations, most recently updated
// first; limit ≤ 0 returns them all.
func (s *SQLite) ListConversations(ctx context.Context, user string, limit int) ([]Conversation, error) {
	q := "SELECT " + conversationCols + " FROM conversations WHERE user_id = ? ORDER BY updated_at DESC, created_at DESC, id DESC"
	args := []any{user}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversations of %s: %w", user, err)
	}
	out, err := scanConversations(rows)
	if err != nil {
		return nil, fmt.Errorf("list conversations of %s: %w", user, err)
	}
	return out, nil
}

const conversationCols = "id, user_id, channel, title, created_at, updated_at"

// scanConversations reads and closes rows of conversationCols.
func scanConversations(rows *sql.Rows) ([]Conversation, error) {
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		var c Conversation
		var created, updated string
		if err := rows.Scan(&c.ID, &c.User, &c.Channel, &c.Title, &created, &updated); err != nil {
			return nil, err
		}
		var err error
		if c.CreatedAt, err = decodeTime(created); err != nil {
			return nil, err
		}
		if c.UpdatedAt, err = decodeTime(updated); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordAudit appends e; a zero At is the store's clock.
func (s *SQLite) RecordAudit(ctx context.Context, e *AuditEntry) error {
	if e == nil {
		return errors.New("record audit: nil entry")
	}
	if len(e.Args) > 0 && !json.Valid(e.Args) {
		return fmt.Errorf("record audit %s: args are not valid JSON", e.Action)
	}
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (at, request_id, actor, role, action, args, outcome)
VALUES (?, ?, ?, ?, ?, ?, ?)`, encodeTime(at), e.RequestID, e.Actor, e.Role, e.Action, nullJSON(e.Args), e.Outcome)
	if err != nil {
		return fmt.Errorf("record audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit returns the latest entries, newest first; limit ≤ 0 returns all.
func (s *SQLite) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	q := "SELECT id, at, request_id, actor, role, action, args, outcome FROM audit_log ORDER BY at DESC, id DESC"
	var args []any
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		var a sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.RequestID, &e.Actor, &e.Role, &e.Action, &a, &e.Outcome); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		if a.Valid {
			e.Args = json.RawMessage(a.String)
		}
		if e.At, err = decodeTime(at); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// inTx runs fn in a write transaction and commits it if fn succeeds.
func (s *SQLite) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readTx runs fn in a read transaction, so that its queries see one
// snapshot.
func (s *SQLite) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// newID is a random 128-bit hex identifier.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
