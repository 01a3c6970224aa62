package llm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
)

// anthropicProvider speaks Anthropic's Messages API through langchaingo.
//
// JSON: langchaingo v0.1.14 neither passes tool_choice (so a tool whose
// input schema is the output schema cannot be forced) nor knows the
// output_format field. It does send an assistant turn after the user's,
// which the Messages API treats as the start of its answer: the prefill
// "{" that Anthropic documents for JSON output. The schema itself travels
// in the system prompt (the prompts' "format" block), and the host
// validates every answer against it.
type anthropicProvider struct {
	cfg ProviderConfig
}

const anthropicURL = "https://api.anthropic.com/v1"

func newAnthropic(cfg ProviderConfig) (Provider, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = anthropicURL
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.Host == "" {
		return nil, fmt.Errorf("llm.base_url %q: want an absolute URL such as https://api.anthropic.com/v1", cfg.BaseURL)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("no Anthropic API key: set the environment variable named by llm.api_key_env (ANTHROPIC_API_KEY by default)")
	}
	cfg.HTTPClient = observe(cfg.HTTPClient)
	return &anthropicProvider{cfg: cfg}, nil
}

// prefill starts the assistant's answer when JSON is asked for.
const prefill = "{"

func (p *anthropicProvider) Complete(ctx context.Context, c *Completion) (*Reply, error) {
	return call(ctx, p.cfg.Name, func(ctx context.Context) (*Reply, error) {
		model, err := anthropic.New(
			anthropic.WithToken(p.cfg.APIKey),
			anthropic.WithModel(p.cfg.Model),
			anthropic.WithBaseURL(strings.TrimSuffix(p.cfg.BaseURL, "/")),
			anthropic.WithHTTPClient(p.cfg.HTTPClient),
		)
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
		usePrefill := p.cfg.JSONMode != "off"
		if usePrefill {
			msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeAI, prefill))
		}
		resp, err := model.GenerateContent(ctx, msgs, llms.WithMaxTokens(c.MaxTokens))
		if err != nil {
			return nil, err
		}
		var text strings.Builder
		for _, ch := range resp.Choices {
			text.WriteString(ch.Content)
		}
		out := text.String()
		if usePrefill && !strings.HasPrefix(strings.TrimSpace(out), prefill) {
			out = prefill + out
		}
		return &Reply{Text: out, Model: p.cfg.Model}, nil
	})
}
