package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Errors a HostAPI call may wrap; test with errors.Is.
var (
	// ErrPermission means the plugin asked for something its manifest's
	// capabilities do not include.
	ErrPermission = errors.New("permission denied")
	// ErrNotFound means the requested artifact does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the request itself was malformed.
	ErrInvalid = errors.New("invalid request")
)

// HostAPI is what the host offers a plugin during a call.
type HostAPI interface {
	DatasetReader
	ArtifactStore
	Logger
	PushQueue
	Knowledge
	Generator
}

// DatasetReader streams the rows of one of the brand's datasets.
type DatasetReader interface {
	// ReadDataset calls fn with each row matching q as a JSON object.
	// Returning an error from fn stops the read and returns that error.
	ReadDataset(ctx context.Context, q *DatasetQuery, fn func(row json.RawMessage) error) error
}

// Artifact is a versioned blob a plugin keeps in the host, such as a model.
type Artifact struct {
	Key       string          `json:"key"`
	Version   int             `json:"version"` // assigned by the host
	Metadata  json.RawMessage `json:"metadata,omitempty"`
	Data      []byte          `json:"-"`
	CreatedAt time.Time       `json:"created_at"`
}

// ArtifactStore keeps a plugin's artifacts; each plugin sees only its own.
type ArtifactStore interface {
	// PutArtifact stores a new version of a.Key and returns it with Version
	// and CreatedAt set.
	PutArtifact(ctx context.Context, a *Artifact) (*Artifact, error)
	// GetArtifact returns one version of key, the latest when version is 0;
	// ErrNotFound when there is none.
	GetArtifact(ctx context.Context, key string, version int) (*Artifact, error)
}

// Logger writes to the host's log, tagged with the plugin and request.
type Logger interface {
	Log(ctx context.Context, level slog.Level, msg string, attrs map[string]any) error
}

// PushCandidate is an item a plugin asks the host to push about: one row of
// the push queue, keyed by store, product and day.
type PushCandidate struct {
	StoreID   string          `json:"store_id"`
	ProductID string          `json:"product_id"`
	Date      string          `json:"date"`
	Payload   json.RawMessage `json:"payload,omitempty"`
}

// PushQueue hands items over to the host's push pipeline.
type PushQueue interface {
	// EnqueuePush adds a pending push per candidate, at most once per
	// store, product and day however often it is called; it returns how
	// many were new and how many were already queued.
	EnqueuePush(ctx context.Context, candidates []PushCandidate) (created, existing int, err error)
}

// ReadAll reads every row of q into values of T.
func ReadAll[T any](ctx context.Context, r DatasetReader, q *DatasetQuery) ([]T, error) {
	var out []T
	err := r.ReadDataset(ctx, q, func(row json.RawMessage) error {
		var v T
		if err := json.Unmarshal(row, &v); err != nil {
			return fmt.Errorf("decode %s row: %w", q.Dataset, err)
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Dataset, err)
	}
	return out, nil
}
