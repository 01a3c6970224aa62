package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
)

var intentDefs = []intent.Def{
	{Name: "demand_forecast", Description: "Expected sales per item and day.", Examples: []string{"내일 크루아상 몇 개 팔릴까?"}},
	{Name: "waste_forecast", Description: "Expected waste rate per item today.", Examples: []string{"오늘 폐기될 상품은?"}},
	{Name: "out_of_scope", Description: "Anything Crumb does not do."},
}

// TestIntentFallback: the model is offered the intent list; an intent not
// on it is re-asked, and a valid one is returned.
func TestIntentFallback(t *testing.T) {
	e := setup(t, llmtest.OpenAI, llmtest.Sequence(
		llmtest.OK(`{"intent":"baking_plan","confidence":0.9}`),
		llmtest.OK(`{"intent":"demand_forecast","confidence":0.8}`),
	), nil)
	got, conf, err := llm.IntentFallback{Generator: e.gen}.ClassifyIntent(context.Background(), "내일 케이크 몇 개 구워야 해?", intentDefs)
	if err != nil || got != "demand_forecast" || conf != 0.8 {
		t.Fatalf("ClassifyIntent = %q, %v, %v; want demand_forecast after a repair", got, conf, err)
	}
	reqs := e.srv.Requests()
	last := func(r *llmtest.Request) string { return r.Messages[len(r.Messages)-1].Content }
	if len(reqs) != 2 || !strings.Contains(reqs[0].System, "waste_forecast: Expected waste rate") || !strings.Contains(last(reqs[1]), "baking_plan") {
		t.Errorf("requests: %d; the first must list the intents, the second name the wrong one", len(reqs))
	}
}

// TestIntentFallbackWithoutModel: template mode never calls out and says so.
func TestIntentFallbackWithoutModel(t *testing.T) {
	gen, err := llm.New(config.LLMConfig{}, loadPrompts(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := (llm.IntentFallback{Generator: gen}).ClassifyIntent(context.Background(), "뭐든", intentDefs); !errors.Is(err, llm.ErrTemplateMode) {
		t.Fatalf("err = %v, want ErrTemplateMode", err)
	}
}
