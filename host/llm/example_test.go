package llm_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/prompts"
)

// Without a provider (template mode) the prompt's fallback template is the
// generator; its output passes the same schema, guard and rules a model's
// answer would.
func ExampleGenerator_Generate() {
	set, _ := prompts.Load()
	gen, _ := llm.New(config.LLMConfig{}, set)
	res, err := gen.Generate(context.Background(), &llm.Request{
		Prompt: "chat.answer",
		Locale: "ko",
		Vars: map[string]any{
			"question": "강남점 크루아상 재고 몇 개야?",
			"tool":     "stock_on_hand",
			"result":   json.RawMessage(`{"store":"강남점","product":"크루아상","quantity":3}`),
			"fallback": "강남점의 크루아상 재고는 3개입니다.",
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(gen.Mode(), res.Prompt, res.Outcome, res.Reason)
	fmt.Println(string(res.Output))
	// Output:
	// template chat.answer@v1 fallback no_provider
	// {"text":"강남점의 크루아상 재고는 3개입니다."}
}

// The guard finds banned words however they are written.
func ExampleGuard_Check() {
	set, _ := prompts.Load()
	g := llm.GuardFromPrompts(set)
	for _, text := range []string{"폐 기 직전 특가", "ZERO ＷＡＳＴＥ", "w.a.s.t.e", "Welcome to the wasteland", "오늘 저녁 한정 혜택"} {
		fmt.Printf("%s → %v\n", text, g.Check(text))
	}
	// Output:
	// 폐 기 직전 특가 → [banned word "폐기" (written "폐 기") at byte 0]
	// ZERO ＷＡＳＴＥ → [banned word "waste" (written "ＷＡＳＴＥ") at byte 5]
	// w.a.s.t.e → [banned word "waste" (written "w.a.s.t.e") at byte 0]
	// Welcome to the wasteland → []
	// 오늘 저녁 한정 혜택 → []
}
