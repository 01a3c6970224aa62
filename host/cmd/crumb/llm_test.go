package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm/llmtest"
)

// runLLM runs a command built by mk with args and cfg, in process.
func runLLM(t *testing.T, cfg config.Config, mk func(*app) *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	a := &app{cfg: cfg, stdout: &out, stderr: &out, log: slog.New(slog.DiscardHandler)}
	cmd := mk(a)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestLLMCommands(t *testing.T) {
	cfg := config.Default()
	out, err := runLLM(t, cfg, (*app).llmCmd, "check")
	if err != nil || !strings.Contains(out, "template") || !strings.Contains(out, "chat.answer@v1") {
		t.Errorf("llm check: %v\n%s", err, out)
	}
	out, err = runLLM(t, cfg, (*app).generateCmd, "chat.answer", "--json", "--vars",
		`{"question":"q","tool":"stock_on_hand","result":{"n":3},"fallback":"재고는 3개입니다."}`)
	if err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	var res struct {
		Output  json.RawMessage `json:"output"`
		Outcome string          `json:"outcome"`
	}
	err = json.Unmarshal([]byte(out), &res)
	var text struct{ Text string }
	_ = json.Unmarshal(res.Output, &text)
	if err != nil || res.Outcome != "fallback" || text.Text != "재고는 3개입니다." {
		t.Errorf("generate --json: %v\n%s", err, out)
	}
	if _, err := runLLM(t, cfg, (*app).generateCmd, "chat.answer", "--vars", "{"); err == nil || !strings.Contains(err.Error(), "--vars") {
		t.Errorf("bad vars: %v", err)
	}

	// check --call against a fake OpenAI-compatible server (a local vLLM, say).
	srv := llmtest.New(llmtest.OpenAI, llmtest.Sequence(llmtest.OK(`{"text":"강남점 크루아상은 14:00 기준 3개예요."}`)))
	defer srv.Close()
	cfg.LLM = config.LLMConfig{Provider: "openai", Model: "qwen2.5", BaseURL: srv.BaseURL()}
	out, err = runLLM(t, cfg, (*app).llmCmd, "check", "--call")
	if err != nil || !strings.Contains(out, "outcome llm") || !strings.Contains(out, "qwen2.5") || srv.Count() != 1 {
		t.Errorf("check --call: %v\n%s", err, out)
	}
}

func TestEvalLLMCommand(t *testing.T) {
	out, err := runLLM(t, config.Default(), (*app).evalLLMCmd, "--cases", "120", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep struct {
		Cases      int `json:"cases"`
		FailSchema int `json:"delivered_failing_schema"`
		FailGuard  int `json:"delivered_failing_guard"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Cases != 120 || rep.FailSchema != 0 || rep.FailGuard != 0 {
		t.Errorf("report: %v\n%s", err, out)
	}
}
