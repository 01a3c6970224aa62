package llm

import (
	"context"
	"encoding/json"
	"time"

	"github.com/crumb-dev/crumb/host/store"
)

// Record is one generation as the host logs it beside the chat message.
type Record struct {
	RequestID      string
	ConversationID string
	Prompt         string // ref used
	Locale         string
	Outcome        string // llm, repaired, fallback, or error
	Reason         string
	Detail         string
	Problems       []string
	Attempts       int
	Provider       string
	Model          string
	Duration       time.Duration
	Output         json.RawMessage
	At             time.Time
}

// Recorder keeps generation records.
type Recorder interface {
	RecordGeneration(ctx context.Context, r *Record) error
}

// RecorderFunc adapts a function to Recorder.
type RecorderFunc func(ctx context.Context, r *Record) error

// RecordGeneration calls f.
func (f RecorderFunc) RecordGeneration(ctx context.Context, r *Record) error { return f(ctx, r) }

// GenerationLog is where StoreRecorder writes: the host's SQL store.
type GenerationLog interface {
	LogGeneration(ctx context.Context, g *store.Generation) error
}

// StoreRecorder records generations in the host's SQL store (table
// generations, migration 0004), beside the request's chat messages.
func StoreRecorder(log GenerationLog) Recorder {
	return RecorderFunc(func(ctx context.Context, r *Record) error {
		return log.LogGeneration(ctx, &store.Generation{
			At: r.At, RequestID: r.RequestID, ConversationID: r.ConversationID, Prompt: r.Prompt, Locale: r.Locale,
			Outcome: r.Outcome, Reason: r.Reason, Detail: r.Detail, Problems: r.Problems, Attempts: r.Attempts,
			Provider: r.Provider, Model: r.Model, DurationMS: float64(r.Duration.Microseconds()) / 1000, Output: r.Output,
		})
	})
}
