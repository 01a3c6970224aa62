package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
)

// openAIProvider speaks the OpenAI chat-completions API through
// langchaingo: OpenAI itself and every compatible server (vLLM, llama.cpp's
// server, LocalAI, Ollama's /v1).
type openAIProvider struct {
	cfg    ProviderConfig
	legacy bool // send max_tokens rather than max_completion_tokens
}

const openAIURL = "https://api.openai.com/v1"

func newOpenAI(cfg ProviderConfig) (Provider, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = openAIURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("llm.base_url %q: want an absolute URL such as http://localhost:8000/v1", cfg.BaseURL)
	}
	official := u.Host == "api.openai.com"
	cfg.HTTPClient = observe(cfg.HTTPClient)
	if cfg.APIKey == "" {
		if official {
			return nil, errors.New("no OpenAI API key: set the environment variable named by llm.api_key_env (OPENAI_API_KEY by default)")
		}
		// Local OpenAI-compatible servers ignore the key; langchaingo
		// refuses an empty one.
		cfg.APIKey = "none"
	}
	return &openAIProvider{cfg: cfg, legacy: !official}, nil
}

func (p *openAIProvider) Complete(ctx context.Context, c *Completion) (*Reply, error) {
	return call(ctx, p.cfg.Name, func(ctx context.Context) (*Reply, error) {
		opts := []openai.Option{
			openai.WithToken(p.cfg.APIKey),
			openai.WithModel(p.cfg.Model),
			openai.WithBaseURL(p.cfg.BaseURL),
			openai.WithHTTPClient(p.cfg.HTTPClient),
		}
		// The response format is a client option in langchaingo v0.1.14,
		// not a call option, so each call builds its (cheap) client.
		switch p.cfg.JSONMode {
		case "schema":
			if rf := openAIResponseFormat(c.Schema, c.SchemaName); rf != nil {
				opts = append(opts, openai.WithResponseFormat(rf))
			} else {
				opts = append(opts, openai.WithResponseFormat(openai.ResponseFormatJSON))
			}
		case "object":
			opts = append(opts, openai.WithResponseFormat(openai.ResponseFormatJSON))
		}
		model, err := openai.New(opts...)
		if err != nil {
			return nil, err
		}
		msgs := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeSystem, c.System)}
		for _, m := range c.Messages {
			role := llms.ChatMessageTypeHuman
			if m.Role == "assistant" {
				role = llms.ChatMessageTypeAI
			}
			msgs = append(msgs, llms.TextParts(role, m.Content))
		}
		callOpts := []llms.CallOption{llms.WithMaxTokens(c.MaxTokens)}
		if p.legacy {
			callOpts = append(callOpts, openai.WithLegacyMaxTokensField())
		}
		resp, err := model.GenerateContent(ctx, msgs, callOpts...)
		if err != nil {
			return nil, err
		}
		if len(resp.Choices) == 0 {
			return nil, errors.New("no choices in the response")
		}
		return &Reply{Text: resp.Choices[0].Content, Model: p.cfg.Model}, nil
	})
}

// schemaNode is the part of JSON Schema that OpenAI's response_format can
// carry through langchaingo's ResponseFormatJSONSchemaProperty.
type schemaNode struct {
	Type                 any                    `json:"type"`
	Description          string                 `json:"description"`
	Enum                 []any                  `json:"enum"`
	Items                *schemaNode            `json:"items"`
	Properties           map[string]*schemaNode `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"`
	AnyOf                []json.RawMessage      `json:"anyOf"`
	OneOf                []json.RawMessage      `json:"oneOf"`
	AllOf                []json.RawMessage      `json:"allOf"`
	Ref                  string                 `json:"$ref"`
}

// openAIResponseFormat converts a JSON schema into OpenAI's json_schema
// response format, strict when the schema allows it (every object closed
// and every property required). Keywords the format cannot carry (lengths,
// item counts, bounds) are left out: the host validates the full schema on
// every answer anyway. It returns nil for a schema it cannot express
// (union types, anyOf, $ref), and the caller asks for plain JSON mode.
func openAIResponseFormat(raw json.RawMessage, name string) *openai.ResponseFormat {
	if len(raw) == 0 {
		return nil
	}
	var n schemaNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil
	}
	strict := true
	prop, ok := convertSchema(&n, &strict)
	if !ok {
		return nil
	}
	if name == "" {
		name = "output"
	}
	return &openai.ResponseFormat{
		Type:       "json_schema",
		JSONSchema: &openai.ResponseFormatJSONSchema{Name: name, Strict: strict, Schema: prop},
	}
}

func convertSchema(n *schemaNode, strict *bool) (*openai.ResponseFormatJSONSchemaProperty, bool) {
	typ, ok := n.Type.(string)
	if !ok || len(n.AnyOf)+len(n.OneOf)+len(n.AllOf) > 0 || n.Ref != "" {
		return nil, false
	}
	p := &openai.ResponseFormatJSONSchemaProperty{Type: typ, Description: n.Description, Enum: n.Enum}
	switch typ {
	case "object":
		closed := string(n.AdditionalProperties) == "false"
		p.AdditionalProperties = false
		if !closed {
			*strict = false
		}
		p.Properties = map[string]*openai.ResponseFormatJSONSchemaProperty{}
		for k, sub := range n.Properties {
			c, ok := convertSchema(sub, strict)
			if !ok {
				return nil, false
			}
			p.Properties[k] = c
			if !slices.Contains(n.Required, k) {
				*strict = false
			}
		}
		p.Required = n.Required
	case "array":
		if n.Items == nil {
			return nil, false
		}
		c, ok := convertSchema(n.Items, strict)
		if !ok {
			return nil, false
		}
		p.Items = c
	}
	return p, true
}
