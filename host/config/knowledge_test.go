package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestKnowledgeConfig(t *testing.T) {
	cfg, err := Load("", []string{"CRUMB_KNOWLEDGE_EMBEDDER=openai", "CRUMB_KNOWLEDGE_MODEL=text-embedding-3-large", "CRUMB_KNOWLEDGE_DIM=256"})
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Knowledge.WithDefaults(cfg.DataDir)
	if k.Embedder != "openai" || k.Model != "text-embedding-3-large" || k.Dim != 256 || k.APIKeyEnv != "OPENAI_API_KEY" || k.Dir != filepath.Join(".crumb", "knowledge") {
		t.Errorf("knowledge config %+v", k)
	}
	if err := k.Validate(); err != nil {
		t.Error(err)
	}
	if k := (Knowledge{}).WithDefaults("/data"); k.Embedder != "hash" || k.APIKeyEnv != "" || k.Dir != "/data/knowledge" {
		t.Errorf("defaults %+v", k)
	}
	for _, bad := range []Knowledge{{Embedder: "word2vec"}, {Dim: -1}, {Embedder: "onnx"}} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "knowledge.") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
