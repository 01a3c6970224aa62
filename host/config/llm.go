package config

import (
	"fmt"
	"slices"
	"time"
)

// LLMConfig configures the language model behind structured generation
// (host/llm). An empty Provider means template mode: no model, every
// generation comes from the prompts' fallback templates, offline and
// deterministic. Keys: llm.provider … (CRUMB_LLM_PROVIDER …).
type LLMConfig struct {
	// Provider is openai (any OpenAI-compatible server: OpenAI, vLLM,
	// llama.cpp's server, LocalAI, Ollama's /v1), anthropic or ollama
	// (Ollama's native /api/chat); empty for template mode.
	Provider string `yaml:"provider"`
	// Model is the provider's model name (gpt-4o-mini, claude-sonnet-4-5,
	// qwen2.5:7b …).
	Model string `yaml:"model"`
	// BaseURL overrides the provider's endpoint: http://localhost:8000/v1
	// for vLLM, http://localhost:11434 for Ollama.
	BaseURL string `yaml:"base_url"`
	// APIKeyEnv names the environment variable holding the API key; the key
	// itself never sits in the configuration. Defaults to OPENAI_API_KEY or
	// ANTHROPIC_API_KEY by provider.
	APIKeyEnv string `yaml:"api_key_env"`
	// JSONMode is how the provider is asked for JSON: schema (the
	// provider's JSON-schema mode where it has one), object (plain JSON
	// mode, for servers that reject schemas) or off (the prompt alone).
	JSONMode string `yaml:"json_mode"`
	// Timeout bounds one call to the provider.
	Timeout time.Duration `yaml:"timeout"`
	// Budget bounds a whole generation: every attempt and the fallback.
	// When the provider is slow or down, the answer comes from the fallback
	// within this budget.
	Budget time.Duration `yaml:"budget"`
	// MaxAttempts bounds the calls per generation (the first and the
	// re-asks with the errors).
	MaxAttempts int `yaml:"max_attempts"`
	// MaxTokens bounds each answer's length.
	MaxTokens int `yaml:"max_tokens"`
	// RatePerMinute and Burst limit calls to the provider.
	RatePerMinute int `yaml:"rate_per_minute"`
	Burst         int `yaml:"burst"`
	// BreakerFailures consecutive failed calls open the circuit breaker for
	// BreakerCooldown; while it is open generations use their fallback at
	// once.
	BreakerFailures int           `yaml:"breaker_failures"`
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"`
	// BannedDir is a directory whose ko.txt / en.txt replace the embedded
	// banned-word lists (prompts/banned) without a rebuild.
	BannedDir string `yaml:"banned_dir"`
}

// WithDefaults returns c with every zero value replaced by its default.
func (c LLMConfig) WithDefaults() LLMConfig {
	if c.APIKeyEnv == "" {
		switch c.Provider {
		case "openai":
			c.APIKeyEnv = "OPENAI_API_KEY"
		case "anthropic":
			c.APIKeyEnv = "ANTHROPIC_API_KEY"
		}
	}
	if c.JSONMode == "" {
		c.JSONMode = "schema"
	}
	if c.Timeout == 0 {
		c.Timeout = 20 * time.Second
	}
	if c.Budget == 0 {
		c.Budget = 30 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 3
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = 2048
	}
	if c.RatePerMinute == 0 {
		c.RatePerMinute = 120
	}
	if c.Burst == 0 {
		c.Burst = 10
	}
	if c.BreakerFailures == 0 {
		c.BreakerFailures = 5
	}
	if c.BreakerCooldown == 0 {
		c.BreakerCooldown = 30 * time.Second
	}
	return c
}

// Validate checks the values without the network or the environment.
func (c LLMConfig) Validate() error {
	if c.Provider != "" && !slices.Contains([]string{"openai", "anthropic", "ollama"}, c.Provider) {
		return fmt.Errorf("llm.provider %q: want openai, anthropic or ollama, or leave it empty for template mode", c.Provider)
	}
	if c.Provider != "" && c.Model == "" {
		return fmt.Errorf("llm.model is empty: name the %s model to use (CRUMB_LLM_MODEL), e.g. %s", c.Provider, map[string]string{
			"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5", "ollama": "qwen2.5:7b"}[c.Provider])
	}
	if !slices.Contains([]string{"", "schema", "object", "off"}, c.JSONMode) {
		return fmt.Errorf("llm.json_mode %q: want schema, object or off", c.JSONMode)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"llm.timeout", c.Timeout}, {"llm.budget", c.Budget}, {"llm.breaker_cooldown", c.BreakerCooldown}} {
		if d.v < 0 {
			return fmt.Errorf("%s %s: want a positive duration such as 20s", d.key, d.v)
		}
	}
	if c.Budget > 0 && c.Timeout > c.Budget {
		return fmt.Errorf("llm.timeout %s is longer than llm.budget %s: one call must fit in the budget of a whole generation", c.Timeout, c.Budget)
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"llm.max_attempts", c.MaxAttempts}, {"llm.max_tokens", c.MaxTokens}, {"llm.rate_per_minute", c.RatePerMinute}, {"llm.burst", c.Burst}, {"llm.breaker_failures", c.BreakerFailures}} {
		if n.v < 0 {
			return fmt.Errorf("%s %d: want a positive number (0 for the default)", n.key, n.v)
		}
	}
	if c.MaxAttempts > 10 {
		return fmt.Errorf("llm.max_attempts %d: at most 10 (each attempt is a paid call)", c.MaxAttempts)
	}
	return nil
}
