package llm

import (
	"context"
	"encoding/json"
	"time"
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
