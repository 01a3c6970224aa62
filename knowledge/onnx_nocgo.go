//go:build !cgo

package knowledge

import (
	"context"
	"errors"
)

var errNoCgo = errors.New("the onnx embedder needs ONNX Runtime, which this binary cannot load: it was built without cgo (CGO_ENABLED=0); rebuild with cgo or use the hash, openai or ollama embedder")

// InitORT fails: this binary was built without cgo.
func InitORT(lib string) error { return errNoCgo }

// ONNXEmbedder is unavailable without cgo.
type ONNXEmbedder struct{}

// NewONNXEmbedder fails: this binary was built without cgo.
func NewONNXEmbedder(cfg EmbedderConfig) (*ONNXEmbedder, error) { return nil, errNoCgo }

// Name is "onnx".
func (e *ONNXEmbedder) Name() string { return "onnx" }

// Dim is 0.
func (e *ONNXEmbedder) Dim() int { return 0 }

// Close does nothing.
func (e *ONNXEmbedder) Close() error { return nil }

// Embed fails.
func (e *ONNXEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return nil, errNoCgo
}
