package eval

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/knowledge"
)

func TestParse(t *testing.T) {
	qs, err := Parse(strings.NewReader("# comment\ndoc_ids\tquestion\na|b\t크루아상 알레르기\n\nc\twhat is EWR?\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || !slices.Equal(qs[0].Expected, []string{"a", "b"}) || qs[0].Lang() != "ko" || qs[1].Lang() != "en" || qs[1].Line != 5 {
		t.Errorf("parsed %+v", qs)
	}
	for _, bad := range []string{"", "question\tdoc_ids\n", "doc_ids\tquestion\n", "doc_ids\tquestion\nno tab here\n", "doc_ids\tquestion\na\t \n"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if n := len(Builtin()); n < 60 {
		t.Errorf("built-in question set has %d questions, want at least 60", n)
	}
}

// TestBuiltinQuestions runs the built-in set on the embedded corpus with the
// default embedder and holds the goal: hybrid recall@5 of at least 0.9 and
// no worse than either arm alone.
func TestBuiltinQuestions(t *testing.T) {
	ctx := context.Background()
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.IngestFS(ctx, knowledge.Docs); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, kb, Builtin(), 5)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Score{}
	for _, s := range rep.Scores {
		by[s.Mode] = s
		t.Logf("%-6s recall@1 %.3f recall@5 %.3f MRR %.3f (ko %.3f, en %.3f)", s.Mode, s.RecallAt1, s.RecallAtK, s.MRR, s.RecallAtKByLang["ko"], s.RecallAtKByLang["en"])
	}
	h := by[knowledge.ModeHybrid]
	if h.RecallAtK < 0.9 {
		t.Errorf("hybrid recall@5 %.3f, goal 0.9", h.RecallAtK)
	}
	for _, m := range []string{knowledge.ModeVector, knowledge.ModeBM25} {
		if h.RecallAtK < by[m].RecallAtK {
			t.Errorf("hybrid recall@5 %.3f is below %s alone (%.3f)", h.RecallAtK, m, by[m].RecallAtK)
		}
	}
	if len(rep.Skipped) > 0 {
		t.Logf("%d questions skipped: their documents are not in the corpus", len(rep.Skipped))
	}
	if rep.Questions() != len(Builtin())-len(rep.Skipped) {
		t.Errorf("questions %d", rep.Questions())
	}
}

func TestRunSkipsUnanswerable(t *testing.T) {
	ctx := context.Background()
	kb, _ := knowledge.Open(ctx, knowledge.Options{})
	kb.Ingest(ctx, "brand", []knowledge.Document{{ID: "a", Text: "# 크럼\n크럼은 빵집입니다."}})
	qs := []Question{{Expected: []string{"a"}, Text: "크럼이 뭐야"}, {Expected: []string{"missing"}, Text: "없는 문서"}}
	rep, err := Run(ctx, kb, qs, 5, knowledge.ModeBM25)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 1 || rep.Scores[0].Questions != 1 || rep.Scores[0].RecallAtK != 1 || rep.Scores[0].MRR != 1 {
		t.Errorf("report %+v", rep)
	}
	if _, err := Run(ctx, kb, qs[1:], 5); err == nil || !strings.Contains(err.Error(), "crumb knowledge ingest") {
		t.Errorf("nothing answerable: %v", err)
	}
}
