package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ollamaProvider speaks Ollama's native /api/chat with a thin HTTP call
// rather than langchaingo: langchaingo v0.1.14 types the request's format
// as a string, so it can send "json" but not the JSON schema that Ollama
// (0.5 and later) accepts there and enforces with constrained decoding.
// Ollama's OpenAI-compatible /v1 endpoint is served by the openai provider.
type ollamaProvider struct {
	cfg ProviderConfig
}

const ollamaURL = "http://localhost:11434"

func newOllama(cfg ProviderConfig) (Provider, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = ollamaURL
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.Host == "" {
		return nil, fmt.Errorf("llm.base_url %q: want an absolute URL such as http://localhost:11434", cfg.BaseURL)
	}
	cfg.HTTPClient = observe(cfg.HTTPClient)
	return &ollamaProvider{cfg: cfg}, nil
}

type ollamaMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type ollamaRequest struct {
	Model    string          `json:"model"`
	Messages []ollamaMessage `json:"messages"`
	Stream   bool            `json:"stream"`
	Format   json.RawMessage `json:"format,omitempty"`
	Options  map[string]any  `json:"options,omitempty"`
}

type ollamaResponse struct {
	Model   string        `json:"model"`
	Message ollamaMessage `json:"message"`
	Done    bool          `json:"done"`
	Error   string        `json:"error"`
}

func (p *ollamaProvider) Complete(ctx context.Context, c *Completion) (*Reply, error) {
	return call(ctx, p.cfg.Name, func(ctx context.Context) (*Reply, error) {
		req := ollamaRequest{
			Model:    p.cfg.Model,
			Messages: []ollamaMessage{{Role: "system", Content: c.System}},
			Options:  map[string]any{"num_predict": c.MaxTokens},
		}
		for _, m := range c.Messages {
			req.Messages = append(req.Messages, ollamaMessage(m))
		}
		switch {
		case p.cfg.JSONMode == "schema" && len(c.Schema) > 0:
			req.Format = c.Schema
		case p.cfg.JSONMode != "off":
			req.Format = json.RawMessage(`"json"`)
		}
		body, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(p.cfg.BaseURL, "/")+"/api/chat", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("Content-Type", "application/json")
		if p.cfg.APIKey != "" {
			hr.Header.Set("Authorization", "Bearer "+p.cfg.APIKey)
		}
		resp, err := p.cfg.HTTPClient.Do(hr)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		if err != nil {
			return nil, err
		}
		var out ollamaResponse
		decodeErr := json.Unmarshal(raw, &out)
		if resp.StatusCode != http.StatusOK {
			msg := out.Error
			if decodeErr != nil || msg == "" {
				msg = strings.TrimSpace(string(raw))
			}
			return nil, fmt.Errorf("API returned status %d: %.300s", resp.StatusCode, msg)
		}
		if decodeErr != nil {
			return nil, fmt.Errorf("decode response: %w", decodeErr)
		}
		if out.Error != "" {
			return nil, errors.New(out.Error)
		}
		return &Reply{Text: out.Message.Content, Model: out.Model}, nil
	})
}
