package llm_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
)

// BenchmarkGenerateTemplate is one generation in template mode: render the
// fallback, validate the schema, run the guard and the validator.
func BenchmarkGenerateTemplate(b *testing.B) {
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		req  *llm.Request
	}{
		{"push_copy", pushRequest()},
		{"chat_answer", &llm.Request{Prompt: "chat.answer", Locale: "ko", Vars: json.RawMessage(`{"question":"강남점 크루아상 재고 몇 개야?","tool":"stock_on_hand","result":{"store":"강남점","quantity":3},"fallback":"강남점의 크루아상 재고는 3개입니다 (14:00 기준)."}`)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gen.Generate(ctx, c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerateOpenAI is one generation through langchaingo to a local
// fake OpenAI server that answers at once: the host's own overhead per call.
func BenchmarkGenerateOpenAI(b *testing.B) {
	srv := llmtest.New(llmtest.OpenAI, llmtest.Sequence(llmtest.OK(goodPush)))
	defer srv.Close()
	gen, err := llm.New(config.LLMConfig{Provider: "openai", Model: "m", BaseURL: srv.BaseURL(), RatePerMinute: 1 << 30, Burst: 1 << 20}, loadPrompts(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := gen.Generate(ctx, pushRequest())
		if err != nil || res.Outcome != llm.OutcomeLLM {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkGuard checks a 90-character push text.
func BenchmarkGuard(b *testing.B) {
	g := llm.GuardFromPrompts(loadPrompts(b))
	text := "강남점 갓 구운 크루아상, 오늘 저녁 30% 할인으로 만나보세요. Fresh croissants tonight only!"
	b.ReportAllocs()
	for b.Loop() {
		g.Check(text)
	}
}
