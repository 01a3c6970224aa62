package knowledge

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Embedder turns texts into vectors. Vectors of one embedder are comparable
// with each other only; the knowledge base records the embedder's name and
// dimension and refuses to mix.
type Embedder interface {
	// Name is the name the embedder was chosen by (hash, openai, …).
	Name() string
	// Dim is the vector length, or 0 while it is unknown (a remote model
	// before its first answer).
	Dim() int
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedderConfig configures an embedder. Each embedder reads the fields it
// needs and ignores the rest.
type EmbedderConfig struct {
	// Dim is the hash embedder's number of buckets, or the dimensions
	// asked of an OpenAI text-embedding-3 model (0: the model's own).
	Dim int
	// BaseURL is the HTTP API's root: https://api.openai.com/v1 for openai
	// (or any OpenAI-compatible server), http://localhost:11434 for ollama.
	BaseURL string
	// Model is the remote model name (text-embedding-3-small,
	// nomic-embed-text …).
	Model string
	// APIKey is sent as a bearer token (openai).
	APIKey string
	// ModelDir is the onnx embedder's model directory: model.onnx and
	// vocab.txt or tokenizer.json.
	ModelDir string
	// ORTLib is the ONNX Runtime shared library (default: $CRUMB_ORT_LIB,
	// then .crumb/ort/libonnxruntime.so).
	ORTLib string
	// MaxTokens caps the onnx embedder's sequence length (default 256, at
	// most the model's limit).
	MaxTokens int
	// BatchSize is how many texts go in one request (default: 64 for the
	// HTTP embedders, 16 for onnx).
	BatchSize int
	// Timeout bounds one HTTP request (default 60s).
	Timeout time.Duration
	// Retries is how often a rate-limited (429) or failed (5xx) request is
	// retried (default 2; negative: never).
	Retries int
	// HTTPClient replaces the default HTTP client.
	HTTPClient *http.Client
}

// EmbedderFactory makes an embedder from its configuration. It validates
// the configuration without using the network.
type EmbedderFactory func(cfg EmbedderConfig) (Embedder, error)

// Registry holds embedder factories by name.
type Registry struct {
	factories map[string]EmbedderFactory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]EmbedderFactory{}} }

// Builtin returns a new registry holding the built-in embedders: hash,
// openai, ollama and onnx.
func Builtin() *Registry {
	r := NewRegistry()
	r.Register("hash", func(cfg EmbedderConfig) (Embedder, error) { return NewHashEmbedder(cfg.Dim), nil })
	r.Register("openai", func(cfg EmbedderConfig) (Embedder, error) { return NewOpenAIEmbedder(cfg) })
	r.Register("ollama", func(cfg EmbedderConfig) (Embedder, error) { return NewOllamaEmbedder(cfg) })
	r.Register("onnx", func(cfg EmbedderConfig) (Embedder, error) {
		e, err := NewONNXEmbedder(cfg)
		if err != nil {
			return nil, err
		}
		return e, nil
	})
	return r
}

// Register adds a factory. An empty or duplicate name is a programming
// error and panics.
func (r *Registry) Register(name string, f EmbedderFactory) {
	if name == "" || f == nil {
		panic("knowledge: Register with an empty name or nil factory")
	}
	if _, dup := r.factories[name]; dup {
		panic("knowledge: embedder " + name + " registered twice")
	}
	r.factories[name] = f
}

// Names lists the registered embedders, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// New makes the embedder called name ("" is hash).
func (r *Registry) New(name string, cfg EmbedderConfig) (Embedder, error) {
	if name == "" {
		name = "hash"
	}
	f, ok := r.factories[name]
	if !ok {
		return nil, fmt.Errorf("unknown embedder %q (known: %s)", name, strings.Join(r.Names(), ", "))
	}
	e, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedder %s: %w", name, err)
	}
	return e, nil
}

// NewEmbedder makes a built-in embedder by name: hash (the default when
// name is empty), openai, ollama or onnx.
func NewEmbedder(name string, cfg EmbedderConfig) (Embedder, error) {
	return Builtin().New(name, cfg)
}
