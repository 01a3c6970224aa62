package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLLMConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crumb.yaml")
	yaml := "llm:\n  provider: anthropic\n  model: claude-sonnet-4-5\n  budget: 12s\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, []string{"CRUMB_LLM_TIMEOUT=5s", "CRUMB_LLM_RATE_PER_MINUTE=30"})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.LLM.WithDefaults()
	if c.Provider != "anthropic" || c.Budget != 12*time.Second || c.Timeout != 5*time.Second || c.RatePerMinute != 30 ||
		c.APIKeyEnv != "ANTHROPIC_API_KEY" || c.MaxAttempts != 3 || c.JSONMode != "schema" {
		t.Errorf("llm config %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := Load("", []string{"CRUMB_LLM_PROVIDR=openai"}); err == nil || !strings.Contains(err.Error(), "CRUMB_LLM_PROVIDER") {
		t.Errorf("a misspelt variable should list the known ones: %v", err)
	}
	for _, c := range []struct {
		cfg  LLMConfig
		want string
	}{
		{LLMConfig{Provider: "gemini", Model: "x"}, "llm.provider"},
		{LLMConfig{Provider: "ollama"}, "llm.model"},
		{LLMConfig{JSONMode: "yaml"}, "llm.json_mode"},
		{LLMConfig{Timeout: -time.Second}, "llm.timeout"},
		{LLMConfig{Timeout: time.Minute, Budget: time.Second}, "longer than llm.budget"},
		{LLMConfig{MaxAttempts: 50}, "llm.max_attempts"},
		{LLMConfig{Burst: -1}, "llm.burst"},
	} {
		if err := c.cfg.WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want it to mention %s", c.cfg, err, c.want)
		}
	}
	if err := (LLMConfig{}).WithDefaults().Validate(); err != nil {
		t.Errorf("template mode: %v", err)
	}
}
