package config

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
)

// Knowledge configures the knowledge base (package knowledge): where it
// lives and which embedder builds it. Keys: knowledge.embedder …
// (CRUMB_KNOWLEDGE_EMBEDDER …). The embedder a base was built with is
// recorded beside it; opening it with another one is an error that says to
// re-ingest with `crumb knowledge ingest --reset`.
type Knowledge struct {
	// Dir holds the database (default DataDir/knowledge).
	Dir string `yaml:"dir"`
	// Embedder is hash (the default: offline, hashed character n-grams),
	// openai (or any OpenAI-compatible server), ollama or onnx (a local
	// sentence-transformer directory run with ONNX Runtime).
	Embedder string `yaml:"embedder"`
	// Dim is the hash embedder's number of buckets (default 1024), or the
	// dimensions asked of an OpenAI text-embedding-3 model.
	Dim int `yaml:"dim"`
	// BaseURL is the openai or ollama server (default
	// https://api.openai.com/v1, http://localhost:11434).
	BaseURL string `yaml:"base_url"`
	// Model is the remote embedding model (default text-embedding-3-small
	// for openai, bge-m3 for ollama).
	Model string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the openai key
	// (default OPENAI_API_KEY); the key never sits in the configuration.
	APIKeyEnv string `yaml:"api_key_env"`
	// ModelDir is the onnx embedder's directory: model.onnx and vocab.txt
	// or tokenizer.json.
	ModelDir string `yaml:"model_dir"`
	// ORTLib is the ONNX Runtime library (default $CRUMB_ORT_LIB, then
	// .crumb/ort/libonnxruntime.so from `make ort`).
	ORTLib string `yaml:"ort_lib"`
}

// knowledgeEmbedders are the embedders the knowledge base knows.
var knowledgeEmbedders = []string{"hash", "openai", "ollama", "onnx"}

// WithDefaults fills what was left empty: the directory under dataDir,
// the hash embedder, the key variable.
func (k Knowledge) WithDefaults(dataDir string) Knowledge {
	k.Dir = cmp.Or(k.Dir, filepath.Join(dataDir, "knowledge"))
	k.Embedder = cmp.Or(k.Embedder, "hash")
	if k.Embedder == "openai" {
		k.APIKeyEnv = cmp.Or(k.APIKeyEnv, "OPENAI_API_KEY")
	}
	return k
}

// Validate checks the section without the network.
func (k Knowledge) Validate() error {
	if k.Embedder != "" && !slices.Contains(knowledgeEmbedders, k.Embedder) {
		return fmt.Errorf("knowledge.embedder %q: want hash, openai, ollama or onnx", k.Embedder)
	}
	if k.Dim < 0 || k.Dim > 65536 {
		return fmt.Errorf("knowledge.dim %d: want 0 (the default) or a positive size up to 65536", k.Dim)
	}
	if k.Embedder == "onnx" && k.ModelDir == "" {
		return fmt.Errorf("knowledge.model_dir is empty: the onnx embedder needs a directory holding model.onnx and vocab.txt or tokenizer.json (CRUMB_KNOWLEDGE_MODEL_DIR)")
	}
	return nil
}
