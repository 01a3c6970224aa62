package knowledge

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// httpEmbedder is what the OpenAI and Ollama embedders share: batching,
// a bounded retry of 429 and 5xx answers, and the dimension learnt from
// the first answer.
type httpEmbedder struct {
	name    string
	client  *http.Client
	batch   int
	retries int
	dim     atomic.Int64
	// call sends one batch and returns its vectors, or an error and
	// whether the request may be retried.
	call func(ctx context.Context, texts []string) ([][]float32, error)
}

func newHTTPEmbedder(name string, cfg EmbedderConfig) *httpEmbedder {
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: cmp.Or(cfg.Timeout, 60*time.Second)}
	}
	retries := cfg.Retries
	if retries == 0 {
		retries = 2
	}
	return &httpEmbedder{name: name, client: c, batch: cmp.Or(cfg.BatchSize, 64), retries: max(retries, 0)}
}

func (h *httpEmbedder) Name() string { return h.name }
func (h *httpEmbedder) Dim() int     { return int(h.dim.Load()) }

func (h *httpEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += h.batch {
		batch := texts[start:min(start+h.batch, len(texts))]
		vs, err := h.call(ctx, batch)
		if err != nil {
			return nil, err
		}
		if len(vs) != len(batch) {
			return nil, fmt.Errorf("%s embedder: asked for %d embeddings, got %d", h.name, len(batch), len(vs))
		}
		for i, v := range vs {
			if err := h.check(v); err != nil {
				return nil, fmt.Errorf("%s embedder: text %d: %w", h.name, start+i, err)
			}
		}
		out = append(out, vs...)
	}
	return out, nil
}

// check refuses empty, non-finite and wrong-length vectors.
func (h *httpEmbedder) check(v []float32) error {
	if len(v) == 0 {
		return errors.New("empty embedding")
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return errors.New("embedding holds NaN or Inf")
		}
	}
	if d := h.dim.Load(); d == 0 {
		h.dim.CompareAndSwap(0, int64(len(v)))
	} else if int(d) != len(v) {
		return fmt.Errorf("embedding of dimension %d, earlier ones had %d", len(v), d)
	}
	return nil
}

// post sends a JSON body and decodes a 2xx JSON answer into out, retrying
// 429 and 5xx answers. describe turns an error answer into an error.
func (h *httpEmbedder) post(ctx context.Context, u string, header http.Header, body, out any, describe func(status int, body []byte) error) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s embedder: %w", h.name, err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, vs := range header {
			req.Header[k] = vs
		}
		resp, err := h.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s embedder: POST %s: %w", h.name, redactURL(u), err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s embedder: read answer of %s: %w", h.name, redactURL(u), err)
		}
		if resp.StatusCode/100 == 2 {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s embedder: answer of %s is not the expected JSON: %w", h.name, redactURL(u), err)
			}
			return nil
		}
		retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		if !retryable || attempt >= h.retries {
			return fmt.Errorf("%s embedder: %w", h.name, describe(resp.StatusCode, data))
		}
		wait := time.Duration(500*(1<<attempt)) * time.Millisecond
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
		wait = min(wait, 30*time.Second)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Redacted()
}

// OpenAI embedder.

const (
	defaultOpenAIBase  = "https://api.openai.com/v1"
	defaultOpenAIModel = "text-embedding-3-small"
)

// NewOpenAIEmbedder returns an embedder that calls POST {BaseURL}/embeddings
// of the OpenAI API (or a compatible server) with cfg.Model
// (text-embedding-3-small by default) and cfg.APIKey.
func NewOpenAIEmbedder(cfg EmbedderConfig) (Embedder, error) {
	base := strings.TrimRight(cmp.Or(cfg.BaseURL, defaultOpenAIBase), "/")
	if _, err := url.ParseRequestURI(base); err != nil {
		return nil, fmt.Errorf("base URL %q is not a URL: %w", cfg.BaseURL, err)
	}
	if cfg.APIKey == "" && base == defaultOpenAIBase {
		return nil, errors.New("no API key: set OPENAI_API_KEY (or the variable named by knowledge.api_key_env), or point knowledge.base_url at an OpenAI-compatible server that needs none")
	}
	model := cmp.Or(cfg.Model, defaultOpenAIModel)
	h := newHTTPEmbedder("openai", cfg)
	header := http.Header{}
	if cfg.APIKey != "" {
		header.Set("Authorization", "Bearer "+cfg.APIKey)
	}
	h.call = func(ctx context.Context, texts []string) ([][]float32, error) {
		req := map[string]any{"model": model, "input": texts, "encoding_format": "float"}
		if cfg.Dim > 0 {
			req["dimensions"] = cfg.Dim
		}
		var resp struct {
			Data []struct {
				Index     int       `json:"index"`
				Embedding []float32 `json:"embedding"`
			} `json:"data"`
		}
		if err := h.post(ctx, base+"/embeddings", header, req, &resp, openAIError(model)); err != nil {
			return nil, err
		}
		sort.SliceStable(resp.Data, func(i, j int) bool { return resp.Data[i].Index < resp.Data[j].Index })
		out := make([][]float32, len(resp.Data))
		for i, d := range resp.Data {
			if d.Index != i {
				return nil, fmt.Errorf("openai embedder: answer indexes are not 0..%d", len(texts)-1)
			}
			out[i] = d.Embedding
		}
		return out, nil
	}
	return h, nil
}

// openAIError reads OpenAI's error body ({"error": {"message", "type",
// "code"}}) and adds what to do.
func openAIError(model string) func(int, []byte) error {
	return func(status int, body []byte) error {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Type    string `json:"type"`
				Code    any    `json:"code"`
			} `json:"error"`
		}
		msg := strings.TrimSpace(string(body))
		if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
			if c, ok := e.Error.Code.(string); ok && c != "" {
				msg += " (" + c + ")"
			}
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		hint := ""
		switch {
		case status == http.StatusUnauthorized:
			hint = "; check the API key (OPENAI_API_KEY or knowledge.api_key_env)"
		case status == http.StatusNotFound || strings.Contains(msg, "model"):
			hint = fmt.Sprintf("; check the model name %q (knowledge.model)", model)
		case status == http.StatusTooManyRequests:
			hint = "; rate limited or out of quota: wait and retry, or lower the batch size"
		case status >= 500:
			hint = "; the server failed: retry later"
		}
		return fmt.Errorf("HTTP %d: %s%s", status, msg, hint)
	}
}

// Ollama embedder.

const (
	defaultOllamaBase  = "http://localhost:11434"
	defaultOllamaModel = "bge-m3"
)

// NewOllamaEmbedder returns an embedder that calls POST {BaseURL}/api/embed
// of an Ollama server with cfg.Model (bge-m3 by default, a multilingual
// model that handles Korean).
func NewOllamaEmbedder(cfg EmbedderConfig) (Embedder, error) {
	base := strings.TrimRight(cmp.Or(cfg.BaseURL, defaultOllamaBase), "/")
	if _, err := url.ParseRequestURI(base); err != nil {
		return nil, fmt.Errorf("base URL %q is not a URL: %w", cfg.BaseURL, err)
	}
	model := cmp.Or(cfg.Model, defaultOllamaModel)
	h := newHTTPEmbedder("ollama", cfg)
	h.call = func(ctx context.Context, texts []string) ([][]float32, error) {
		var resp struct {
			Embeddings [][]float32 `json:"embeddings"`
		}
		err := h.post(ctx, base+"/api/embed", nil, map[string]any{"model": model, "input": texts}, &resp, ollamaError(model))
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) && strings.Contains(err.Error(), "connection refused") {
				return nil, fmt.Errorf("%w (is Ollama running at %s? start it with `ollama serve`)", err, base)
			}
			return nil, err
		}
		return resp.Embeddings, nil
	}
	return h, nil
}

// ollamaError reads Ollama's error body ({"error": "…"}) and adds what to
// do.
func ollamaError(model string) func(int, []byte) error {
	return func(status int, body []byte) error {
		var e struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(body))
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		hint := ""
		switch {
		case status == http.StatusNotFound || strings.Contains(msg, "not found"):
			hint = fmt.Sprintf("; pull the model with `ollama pull %s` or set knowledge.model", model)
		case strings.Contains(msg, "does not support embeddings"):
			hint = "; choose an embedding model such as bge-m3 or nomic-embed-text (knowledge.model)"
		case status >= 500:
			hint = "; the server failed: retry later"
		}
		return fmt.Errorf("HTTP %d: %s%s", status, msg, hint)
	}
}
