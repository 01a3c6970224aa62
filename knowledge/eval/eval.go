// Package eval measures the knowledge base's retrieval: questions with the
// documents that answer them, searched in the vector, BM25 and hybrid modes,
// scored by recall at k and mean reciprocal rank at the document level.
package eval

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/crumb-dev/crumb/knowledge"
)

// Questions is the built-in question set (questions.tsv): a header
// "doc_ids<TAB>question", then one question per line with the ids of the
// documents that answer it separated by |. Lines starting with # are
// comments.
//
//go:embed questions.tsv
var Questions []byte

// Question is one question with the documents that answer it.
type Question struct {
	Expected []string `json:"expected"`
	Text     string   `json:"text"`
	Line     int      `json:"line"`
}

// Lang is "ko" when the question has Hangul, else "en".
func (q Question) Lang() string {
	for _, r := range q.Text {
		if unicode.Is(unicode.Hangul, r) {
			return "ko"
		}
	}
	return "en"
}

// Parse reads a question set in the questions.tsv format.
func Parse(r io.Reader) ([]Question, error) {
	sc := bufio.NewScanner(r)
	var out []Question
	header := false
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		ids, q, ok := strings.Cut(text, "\t")
		if !header {
			if !ok || strings.TrimSpace(ids) != "doc_ids" || strings.TrimSpace(q) != "question" {
				return nil, fmt.Errorf("line %d: want the header \"doc_ids<TAB>question\", got %q", line, text)
			}
			header = true
			continue
		}
		if !ok || strings.TrimSpace(q) == "" || strings.TrimSpace(ids) == "" {
			return nil, fmt.Errorf("line %d: want \"doc_id[|doc_id…]<TAB>question\", got %q", line, text)
		}
		var exp []string
		for _, id := range strings.Split(ids, "|") {
			if id = strings.TrimSpace(id); id != "" {
				exp = append(exp, id)
			}
		}
		out = append(out, Question{Expected: exp, Text: strings.TrimSpace(q), Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("no header line \"doc_ids<TAB>question\"")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no questions")
	}
	return out, nil
}

// Builtin parses Questions.
func Builtin() []Question {
	qs, err := Parse(bytes.NewReader(Questions))
	if err != nil {
		panic("knowledge/eval: questions.tsv: " + err.Error())
	}
	return qs
}

// Depth is how many documents deep a search looks for the expected one
// (the reciprocal rank is 0 beyond it).
const Depth = 20

// Score is one mode's result over a question set.
type Score struct {
	Mode      string  `json:"mode"`
	Questions int     `json:"questions"`
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAtK float64 `json:"recall_at_k"`
	MRR       float64 `json:"mrr"`
	// Per language (ko, en): recall at k.
	RecallAtKByLang map[string]float64 `json:"recall_at_k_by_lang"`
	// LatencyP50 and LatencyP99 are per search, in milliseconds.
	LatencyP50 float64 `json:"latency_p50_ms"`
	LatencyP99 float64 `json:"latency_p99_ms"`
	Misses     []Miss  `json:"misses,omitempty"`
}

// Miss is a question whose expected document was not in the top k.
type Miss struct {
	Question string   `json:"question"`
	Expected []string `json:"expected"`
	Rank     int      `json:"rank"` // 0: not within Depth
	Got      []string `json:"got"`  // the top k documents
}

// Report is the evaluation of every mode.
type Report struct {
	K        int     `json:"k"`
	Embedder string  `json:"embedder"`
	Dim      int     `json:"dim"`
	Docs     int     `json:"docs"`
	Chunks   int     `json:"chunks"`
	Scores   []Score `json:"scores"`
	// Skipped are questions none of whose documents is in the knowledge
	// base.
	Skipped []Question `json:"skipped,omitempty"`
}

// Run searches every question in each mode (default: vector, bm25,
// hybrid) and scores the ranks of the expected documents among distinct
// documents. Questions whose documents are all missing from the knowledge
// base are skipped and listed in the report.
func Run(ctx context.Context, kb *knowledge.KB, qs []Question, k int, modes ...string) (*Report, error) {
	if k <= 0 {
		k = 5
	}
	if len(modes) == 0 {
		modes = []string{knowledge.ModeVector, knowledge.ModeBM25, knowledge.ModeHybrid}
	}
	rep := &Report{K: k, Embedder: kb.Embedder().Name(), Dim: kb.Embedder().Dim()}
	for _, c := range kb.Collections() {
		rep.Docs += c.Docs
		rep.Chunks += c.Chunks
	}
	qs, rep.Skipped = answerable(kb, qs)
	if len(qs) == 0 {
		return nil, fmt.Errorf("none of the %d questions' documents is in the knowledge base: ingest the corpus first (crumb knowledge ingest)", len(rep.Skipped))
	}
	for _, mode := range modes {
		s := Score{Mode: mode, Questions: len(qs), RecallAtKByLang: map[string]float64{}}
		perLang := map[string][2]int{}
		var lat []float64
		for _, q := range qs {
			start := time.Now()
			hits, err := kb.Search(ctx, knowledge.Query{Text: q.Text, Mode: mode, Limit: Depth, DistinctDocs: true})
			if err != nil {
				return nil, fmt.Errorf("question on line %d (%q): %w", q.Line, q.Text, err)
			}
			lat = append(lat, float64(time.Since(start).Microseconds())/1000)
			rank := 0
			for i, h := range hits {
				if slices.Contains(q.Expected, h.DocID) {
					rank = i + 1
					break
				}
			}
			l := perLang[q.Lang()]
			l[1]++
			if rank == 1 {
				s.RecallAt1++
			}
			if rank > 0 {
				s.MRR += 1 / float64(rank)
			}
			if rank > 0 && rank <= k {
				s.RecallAtK++
				l[0]++
			} else {
				m := Miss{Question: q.Text, Expected: q.Expected, Rank: rank}
				for i := 0; i < len(hits) && i < k; i++ {
					m.Got = append(m.Got, hits[i].DocID)
				}
				s.Misses = append(s.Misses, m)
			}
			perLang[q.Lang()] = l
		}
		n := float64(len(qs))
		s.RecallAt1 /= n
		s.RecallAtK /= n
		s.MRR /= n
		for lang, l := range perLang {
			s.RecallAtKByLang[lang] = float64(l[0]) / float64(l[1])
		}
		slices.Sort(lat)
		s.LatencyP50 = lat[len(lat)/2]
		s.LatencyP99 = lat[min(len(lat)-1, int(float64(len(lat))*0.99))]
		rep.Scores = append(rep.Scores, s)
	}
	if d := kb.Embedder().Dim(); d != 0 {
		rep.Dim = d
	}
	return rep, nil
}

// Questions is the number of questions scored.
func (r *Report) Questions() int {
	if len(r.Scores) == 0 {
		return 0
	}
	return r.Scores[0].Questions
}

// answerable keeps the questions with at least one expected document in
// the knowledge base; the others could never be answered (their documents
// were not ingested) and are returned apart.
func answerable(kb *knowledge.KB, qs []Question) (keep, skipped []Question) {
	for _, q := range qs {
		ok := false
		for _, id := range q.Expected {
			if kb.HasDoc(id) {
				ok = true
				break
			}
		}
		if ok {
			keep = append(keep, q)
		} else {
			skipped = append(skipped, q)
		}
	}
	return keep, skipped
}
