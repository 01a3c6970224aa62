package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Generation is one structured generation as logged by host/llm: which
// prompt version served which request, how it ended and why.
type Generation struct {
	ID             int64
	At             time.Time
	RequestID      string
	ConversationID string
	Prompt         string // id@vN
	Locale         string
	Outcome        string // llm, repaired, fallback, error
	Reason         string
	Detail         string
	Problems       []string
	Attempts       int
	Provider       string
	Model          string
	DurationMS     float64
	Output         json.RawMessage
}

// Generations is the generation log.
type Generations interface {
	LogGeneration(ctx context.Context, g *Generation) error
	// GenerationsByRequest returns a request's generations, oldest first.
	GenerationsByRequest(ctx context.Context, requestID string) ([]Generation, error)
	// RecentGenerations returns the latest generations, newest first;
	// limit ≤ 0 returns all.
	RecentGenerations(ctx context.Context, limit int) ([]Generation, error)
}

var _ Generations = (*SQLite)(nil)

// LogGeneration appends g; a zero At is the store's clock.
func (s *SQLite) LogGeneration(ctx context.Context, g *Generation) error {
	if g == nil {
		return errors.New("log generation: nil generation")
	}
	if g.Prompt == "" || g.Outcome == "" {
		return fmt.Errorf("log generation: prompt %q and outcome %q must not be empty", g.Prompt, g.Outcome)
	}
	if len(g.Output) > 0 && !json.Valid(g.Output) {
		return fmt.Errorf("log generation %s: output is not valid JSON", g.Prompt)
	}
	at := g.At
	if at.IsZero() {
		at = s.now()
	}
	var problems []byte
	if len(g.Problems) > 0 {
		problems, _ = json.Marshal(g.Problems)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO generations
(at, request_id, conversation_id, prompt, locale, outcome, reason, detail, problems, attempts, provider, model, duration_ms, output)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		encodeTime(at), g.RequestID, g.ConversationID, g.Prompt, g.Locale, g.Outcome, g.Reason, g.Detail,
		nullJSON(problems), g.Attempts, g.Provider, g.Model, g.DurationMS, nullJSON(g.Output))
	if err != nil {
		return fmt.Errorf("log generation %s: %w", g.Prompt, err)
	}
	return nil
}

const generationCols = `id, at, request_id, conversation_id, prompt, locale, outcome, reason, detail, problems, attempts, provider, model, duration_ms, output`

// GenerationsByRequest returns a request's generations, oldest first.
func (s *SQLite) GenerationsByRequest(ctx context.Context, requestID string) ([]Generation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+generationCols+` FROM generations WHERE request_id = ? ORDER BY at, id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("read generations of request %s: %w", requestID, err)
	}
	return scanGenerations(rows)
}

// RecentGenerations returns the latest generations, newest first.
func (s *SQLite) RecentGenerations(ctx context.Context, limit int) ([]Generation, error) {
	q := `SELECT ` + generationCols + ` FROM generations ORDER BY at DESC, id DESC`
	var args []any
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read generations: %w", err)
	}
	return scanGenerations(rows)
}

func scanGenerations(rows *sql.Rows) ([]Generation, error) {
	defer rows.Close()
	var out []Generation
	for rows.Next() {
		var (
			g                Generation
			at               string
			problems, output sql.NullString
		)
		if err := rows.Scan(&g.ID, &at, &g.RequestID, &g.ConversationID, &g.Prompt, &g.Locale, &g.Outcome, &g.Reason, &g.Detail,
			&problems, &g.Attempts, &g.Provider, &g.Model, &g.DurationMS, &output); err != nil {
			return nil, fmt.Errorf("read generation: %w", err)
		}
		t, err := decodeTime(at)
		if err != nil {
			return nil, err
		}
		g.At = t
		if problems.Valid {
			if err := json.Unmarshal([]byte(problems.String), &g.Problems); err != nil {
				return nil, fmt.Errorf("read generation %d: problems: %w", g.ID, err)
			}
		}
		if output.Valid {
			g.Output = json.RawMessage(output.String)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
