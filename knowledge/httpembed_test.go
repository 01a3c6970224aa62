package knowledge

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// openAIServer speaks the OpenAI embeddings API: POST /v1/embeddings with
// {"model", "input": [...], "encoding_format"} → {"object": "list", "data":
// [{"object": "embedding", "index", "embedding"}], "model", "usage"}. It
// embeds with the hash embedder, answers in reverse order (the index field
// is what counts), and fails as configured.
type openAIServer struct {
	mu       sync.Mutex
	requests []map[string]any
	fail     []func(w http.ResponseWriter) bool // consumed one per request
	emb      *HashEmbedder
}

func (s *openAIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"Invalid URL (`+r.Method+" "+r.URL.Path+`)","type":"invalid_request_error","param":null,"code":null}}`, http.StatusNotFound)
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}`, http.StatusBadRequest)
		return
	}
	req["authorization"] = r.Header.Get("Authorization")
	s.requests = append(s.requests, req)
	if len(s.fail) > 0 {
		f := s.fail[0]
		s.fail = s.fail[1:]
		if f(w) {
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer sk-test" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`))
		return
	}
	if req["model"] != "text-embedding-3-small" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"message":"The model ` + "`" + req["model"].(string) + "`" + ` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`))
		return
	}
	var texts []string
	for _, x := range req["input"].([]any) {
		texts = append(texts, x.(string))
	}
	vs, _ := s.emb.Embed(context.Background(), texts)
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i := len(vs) - 1; i >= 0; i-- {
		data = append(data, item{"embedding", i, vs[i]})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "text-embedding-3-small",
		"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8}})
}

func TestOpenAIEmbedder(t *testing.T) {
	srv := &openAIServer{emb: NewHashEmbedder(64)}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	e, err := NewEmbedder("openai", EmbedderConfig{BaseURL: ts.URL + "/v1", APIKey: "sk-test", BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"크루아상", "소금빵", "바게트", "마카롱", "우유"}
	got, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := srv.emb.Embed(ctx, texts)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("vector %d out of order or changed", i)
		}
	}
	if len(srv.requests) != 3 || e.Dim() != 64 {
		t.Errorf("%d requests (want 3 batches of ≤2), dim %d", len(srv.requests), e.Dim())
	}
	if r := srv.requests[0]; r["model"] != "text-embedding-3-small" || r["encoding_format"] != "float" || r["authorization"] != "Bearer sk-test" {
		t.Errorf("request %v", r)
	}

	// Dimensions are asked for when configured.
	srv.requests = nil
	e2, _ := NewEmbedder("openai", EmbedderConfig{BaseURL: ts.URL + "/v1/", APIKey: "sk-test", Dim: 64})
	if _, err := e2.Embed(ctx, []string{"x"}); err != nil || srv.requests[0]["dimensions"] != float64(64) {
		t.Errorf("dimensions: %v %v", srv.requests, err)
	}

	for _, tc := range []struct {
		name string
		cfg  EmbedderConfig
		want []string
	}{
		{"bad key", EmbedderConfig{BaseURL: ts.URL + "/v1", APIKey: "sk-wrong"}, []string{"HTTP 401", "Incorrect API key", "invalid_api_key", "OPENAI_API_KEY"}},
		{"bad model", EmbedderConfig{BaseURL: ts.URL + "/v1", APIKey: "sk-test", Model: "text-embedding-4"}, []string{"HTTP 404", "does not exist", `check the model name "text-embedding-4"`}},
		{"bad path", EmbedderConfig{BaseURL: ts.URL, APIKey: "sk-test"}, []string{"HTTP 404", "Invalid URL"}},
	} {
		e, _ := NewEmbedder("openai", tc.cfg)
		_, err := e.Embed(ctx, []string{"x"})
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to say %q", tc.name, err, w)
			}
		}
	}

	// 429 and 5xx are retried; a lasting 429 says so.
	srv.requests = nil
	srv.fail = []func(http.ResponseWriter) bool{
		func(w http.ResponseWriter) bool {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"message":"Rate limit reached for text-embedding-3-small","type":"requests","param":null,"code":"rate_limit_exceeded"}}`))
			return true
		},
		func(w http.ResponseWriter) bool {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusBadGateway)
			return true
		},
	}
	if _, err := e.Embed(ctx, []string{"x"}); err != nil || len(srv.requests) != 3 {
		t.Errorf("retry: %v after %d requests", err, len(srv.requests))
	}
	rateLimited := func(w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`))
		return true
	}
	srv.fail = []func(http.ResponseWriter) bool{rateLimited, rateLimited, rateLimited}
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || !strings.Contains(err.Error(), "exceeded your current quota") || !strings.Contains(err.Error(), "rate limited") {
		t.Errorf("lasting 429: %v", err)
	}
	// A wrong number of vectors is caught.
	srv.fail = []func(http.ResponseWriter) bool{func(w http.ResponseWriter) bool {
		w.Write([]byte(`{"object":"list","data":[],"model":"text-embedding-3-small"}`))
		return true
	}}
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || !strings.Contains(err.Error(), "asked for 1 embeddings, got 0") {
		t.Errorf("short answer: %v", err)
	}

	if _, err := NewEmbedder("openai", EmbedderConfig{}); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("no key for api.openai.com: %v", err)
	}
}

// TestKnowledgeBaseWithOpenAI runs ingest and search with vectors from an
// OpenAI-compatible server.
func TestKnowledgeBaseWithOpenAI(t *testing.T) {
	srv := &openAIServer{emb: NewHashEmbedder(0)}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	e, _ := NewEmbedder("openai", EmbedderConfig{BaseURL: ts.URL + "/v1", APIKey: "sk-test"})
	dir := t.TempDir()
	kb, err := Open(ctx, Options{Dir: dir, Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.IngestFS(ctx, Docs); err != nil {
		t.Fatal(err)
	}
	hits, err := kb.Search(ctx, Query{Text: "how is EWR calculated?", Mode: ModeVector, DistinctDocs: true})
	if err != nil || !slices.Contains(docIDs(hits), "ops-ewr") {
		t.Errorf("vector search through openai: %v %v", docIDs(hits), err)
	}
	kb.Close()
	// The dimension learnt from the server is recorded: reopening with an
	// embedder that has not asked yet works, and a search checks it.
	e2, _ := NewEmbedder("openai", EmbedderConfig{BaseURL: ts.URL + "/v1", APIKey: "sk-test"})
	kb2, err := Open(ctx, Options{Dir: dir, Embedder: e2})
	if err != nil {
		t.Fatal(err)
	}
	srv.emb = NewHashEmbedder(32) // the server changed models
	if _, err := kb2.Search(ctx, Query{Text: "EWR"}); err == nil || !strings.Contains(err.Error(), "dimension 32") {
		t.Errorf("search with vectors of another dimension: %v", err)
	}
}

// ollamaServer speaks Ollama's POST /api/embed: {"model", "input": [...]}
// → {"model", "embeddings": [[...]], "total_duration", …}; unknown models
// get 404 {"error": "model \"x\" not found, try pulling it first"}.
func ollamaServer(t *testing.T, emb *HashEmbedder) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/embed" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("404 page not found"))
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid request"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch req.Model {
		case "bge-m3":
		case "llama3.2":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"\"llama3.2\" does not support embeddings"}`))
			return
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"model \"` + req.Model + `\" not found, try pulling it first"}`))
			return
		}
		vs, _ := emb.Embed(r.Context(), req.Input)
		json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": vs, "total_duration": 14143917, "load_duration": 1019500, "prompt_eval_count": 8})
	}))
}

func TestOllamaEmbedder(t *testing.T) {
	emb := NewHashEmbedder(128)
	ts := ollamaServer(t, emb)
	defer ts.Close()
	ctx := context.Background()
	e, err := NewEmbedder("ollama", EmbedderConfig{BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Embed(ctx, []string{"단팥빵", "우유"})
	want, _ := emb.Embed(ctx, []string{"단팥빵", "우유"})
	if err != nil || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) || e.Dim() != 128 {
		t.Errorf("embed: %v", err)
	}
	for model, wants := range map[string][]string{
		"nomic-embed-text": {"HTTP 404", `model "nomic-embed-text" not found`, "ollama pull nomic-embed-text"},
		"llama3.2":         {"HTTP 400", "does not support embeddings", "bge-m3"},
	} {
		e, _ := NewEmbedder("ollama", EmbedderConfig{BaseURL: ts.URL, Model: model})
		_, err := e.Embed(ctx, []string{"x"})
		for _, w := range wants {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to say %q", model, err, w)
			}
		}
	}
	// Nobody listening: say how to start Ollama.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	e, _ = NewEmbedder("ollama", EmbedderConfig{BaseURL: url, Retries: -1})
	if _, err := e.Embed(ctx, []string{"x"}); err == nil || !strings.Contains(err.Error(), "ollama serve") {
		t.Errorf("no server: %v", err)
	}
	if _, err := NewEmbedder("ollama", EmbedderConfig{BaseURL: "::not a url"}); err == nil {
		t.Errorf("bad base URL accepted")
	}

	// And a knowledge base on it.
	e, _ = NewEmbedder("ollama", EmbedderConfig{BaseURL: ts.URL})
	kb, _ := Open(ctx, Options{Embedder: e})
	if _, err := kb.Ingest(ctx, "products", []Document{{ID: "p7", Text: "# 단팥빵\n## 원재료\n국산 팥"}, {ID: "p46", Text: "# 우유\n## 원재료\n원유 100%"}}); err != nil {
		t.Fatal(err)
	}
	hits, err := kb.Search(ctx, Query{Text: "단팥빵 원재료", Mode: ModeVector})
	if err != nil || len(hits) == 0 || hits[0].DocID != "p7" {
		t.Errorf("search: %v %v", docIDs(hits), err)
	}
}
