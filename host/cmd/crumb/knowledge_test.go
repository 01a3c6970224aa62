package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/knowledge"
)

// runKnowledge runs a command built by mk with args on a data directory
// of its own, in process.
func runKnowledge(t *testing.T, dataDir string, mk func(*app) *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cfg := config.Default()
	cfg.DataDir = dataDir
	a := &app{cfg: cfg, stdout: &out, stderr: &out}
	cmd := mk(a)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestKnowledgeCommands(t *testing.T) {
	data := t.TempDir()
	k := (*app).knowledgeCmd
	if _, err := runKnowledge(t, data, k, "search", "크루아상"); err == nil || !strings.Contains(err.Error(), "crumb knowledge ingest") {
		t.Errorf("search before ingest: %v", err)
	}
	out, err := runKnowledge(t, data, k, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "from the embedded corpus") || !strings.Contains(out, "products 52") || !strings.Contains(out, "segments 6") {
		t.Errorf("ingest output: %s", out)
	}
	out, err = runKnowledge(t, data, k, "search", "--json", "--collection", "segments", "--where", "segment=vip", "--limit", "20", "VIP", "고객", "특징")
	if err != nil {
		t.Fatal(err)
	}
	var hits []knowledge.Hit
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 {
		t.Fatalf("search --json: %v %s", err, out)
	}
	for _, h := range hits {
		if h.Metadata["segment"] != "vip" {
			t.Errorf("scoped search returned %s (segment %q)", h.DocID, h.Metadata["segment"])
		}
	}
	out, err = runKnowledge(t, data, k, "search", "--mode", "bm25", "--distinct", "서울역점은 언제 생겼어?")
	if err != nil || !strings.Contains(out, "store-s12") || !strings.Contains(out, "SCORE") {
		t.Errorf("search table: %v\n%s", err, out)
	}
	if _, err := runKnowledge(t, data, k, "search", "--where", "segment", "x"); err == nil || !strings.Contains(err.Error(), "KEY=VALUE") {
		t.Errorf("bad --where: %v", err)
	}
	if _, err := runKnowledge(t, data, k, "search", "--mode", "fuzzy", "x"); err == nil || !strings.Contains(err.Error(), "hybrid, vector or bm25") {
		t.Errorf("bad --mode: %v", err)
	}
	// Another embedder is refused with the way out; --reset switches.
	if _, err := runKnowledge(t, data, k, "ingest", "--embedder", "ollama"); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Errorf("other embedder: %v", err)
	}

	// A directory of one's own documents, upserted by id.
	docs := t.TempDir()
	os.MkdirAll(filepath.Join(docs, "events"), 0o755)
	os.WriteFile(filepath.Join(docs, "events", "e1.md"), []byte("---\nid: e1\nseason: winter\n---\n# 눈사람 스탬프 이벤트\n## 결과\n참여 420명"), 0o644)
	out, err = runKnowledge(t, data, k, "ingest", "--dir", docs)
	if err != nil || !strings.Contains(out, "ingested 1 documents") {
		t.Fatalf("ingest --dir: %v %s", err, out)
	}
	out, _ = runKnowledge(t, data, k, "search", "--where", "season=winter", "--collection", "events", "눈사람")
	if !strings.Contains(out, "e1") {
		t.Errorf("own document not found: %s", out)
	}
	out, err = runKnowledge(t, data, k, "ls")
	if err != nil || !strings.Contains(out, "products") || !strings.Contains(out, "52") {
		t.Errorf("ls: %v %s", err, out)
	}
	if _, err := runKnowledge(t, data, k, "ingest", "--dir", filepath.Join(docs, "missing")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("missing --dir: %v", err)
	}
}

func TestEvalKnowledgeCommand(t *testing.T) {
	out, err := runKnowledge(t, t.TempDir(), (*app).evalKnowledgeCmd, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Scores []struct {
			Mode      string  `json:"mode"`
			RecallAtK float64 `json:"recall_at_k"`
			MRR       float64 `json:"mrr"`
		} `json:"scores"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Scores) != 3 {
		t.Fatalf("eval --json: %v %s", err, out)
	}
	for _, s := range rep.Scores {
		if s.RecallAtK <= 0 || s.MRR <= 0 {
			t.Errorf("%s: %+v", s.Mode, s)
		}
	}
	file := filepath.Join(t.TempDir(), "q.tsv")
	os.WriteFile(file, []byte("doc_ids\tquestion\nops-ewr\t폐기율은 어떻게 계산해?\n"), 0o644)
	out, err = runKnowledge(t, t.TempDir(), (*app).evalKnowledgeCmd, "--file", file, "--misses")
	if err != nil || !strings.Contains(out, "1 questions (ko 1, en 0)") || !strings.Contains(out, "hybrid") {
		t.Errorf("eval --file: %v\n%s", err, out)
	}
	os.WriteFile(file, []byte("question\tdoc_ids\n"), 0o644)
	if _, err := runKnowledge(t, t.TempDir(), (*app).evalKnowledgeCmd, "--file", file); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("bad file: %v", err)
	}
}
