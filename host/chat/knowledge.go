package chat

import (
	"cmp"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/knowledge"
)

// scope is where an intent's knowledge may come from: the collections
// searched, the metadata every passage must have (Where), and entities
// whose other values rule a passage out (Exclude: a question about VIPs
// never cites the dormant segment's material — seed 001's fix).
type scope struct {
	Collections []string
	Where       map[string]string
	Exclude     map[string]string
}

// citeCollections are the collections each tool intent cites (the finer
// intent when the turn has one: a stock_lookup cites products, not every
// collection as a knowledge_qa does); intents not listed cite nothing
// beyond their tool's answer.
var citeCollections = map[string][]string{
	"segment_insight":   {"segments"},
	"waste_forecast":    {"operations", "policies"},
	"demand_forecast":   {"operations"},
	"product_info":      {"products"},
	"stock_lookup":      {"products"},
	"product_recommend": {"products"},
	"push_copy":         {"policies", "brand"},
}

// scopeOf restricts retrieval by the intent and its entities.
func scopeOf(intentName string, s intent.Slots) (scope, bool) {
	sc := scope{Exclude: map[string]string{}}
	if seg := s.Segment(); seg != "" {
		sc.Exclude["segment"] = intent.SegmentKey(seg)
	}
	if p := s.Product(); p != "" && len(s.Products) == 1 {
		sc.Exclude["product"] = p
	}
	if st := s.Store(); st != "" && len(s.Stores) == 1 {
		sc.Exclude["store"] = st
	}
	if intentName == IntentKnowledgeQA {
		return sc, true // every collection, entities excluding the others
	}
	colls, ok := citeCollections[intentName]
	if !ok {
		return sc, false
	}
	sc.Collections = colls
	if intentName == "segment_insight" {
		seg := s.Segment()
		if seg == "" {
			return sc, false // a summary of all segments: nothing one-sided to cite
		}
		sc.Where = map[string]string{"segment": intent.SegmentKey(seg)}
	}
	return sc, true
}

// search runs a scoped search: Where filters in the knowledge base, and
// Exclude drops passages about another segment, product or store than the
// one asked about. It asks for more than it keeps so that exclusion
// leaves enough.
func (e *Engine) search(ctx context.Context, sc scope, text string, n int) ([]knowledge.Hit, error) {
	hits, err := e.knowledge.Search(ctx, knowledge.Query{Collections: sc.Collections, Text: text, Where: sc.Where, Limit: 4 * n, DistinctDocs: true})
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		if excluded(h.Metadata, sc.Exclude) {
			continue
		}
		out = append(out, h)
		if len(out) == n {
			break
		}
	}
	return out, nil
}

func excluded(md, exclude map[string]string) bool {
	for k, want := range exclude {
		if v, ok := md[k]; ok && v != "" && !strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

// cite attaches the passages a tool answer's intent and entities make
// relevant (up to three), in the user's language where there is a choice.
func (e *Engine) cite(ctx context.Context, reply *Reply, question string) {
	if e.knowledge == nil || reply.Result == nil {
		return
	}
	sc, ok := scopeOf(cmp.Or(reply.SubIntent, reply.Intent), reply.Slots)
	if !ok {
		return
	}
	t0 := time.Now()
	hits, err := e.search(ctx, sc, question, 6)
	reply.Timings.KnowledgeMS = ms(time.Since(t0))
	if err != nil {
		e.log.ErrorContext(ctx, "knowledge search", "intent", reply.Intent, "err", err)
		return
	}
	reply.Sources = sources(preferLocale(hits, reply.Locale), 3)
}

// answerFromKnowledge answers a knowledge_qa turn from the best passages
// and cites them. In template mode the answer is the best passage's
// opening sentences; with a model it is written from the passages.
func (e *Engine) answerFromKnowledge(ctx context.Context, reply *Reply, question string) error {
	if e.knowledge == nil {
		reply.Text = e.mustRender("no_knowledge", reply.Locale, nil)
		return nil
	}
	sc, _ := scopeOf(IntentKnowledgeQA, reply.Slots)
	t0 := time.Now()
	hits, err := e.search(ctx, sc, question, 8)
	reply.Timings.KnowledgeMS = ms(time.Since(t0))
	if err != nil {
		return err
	}
	hits = preferLocale(hits, reply.Locale)
	if len(hits) > 0 {
		// A bilingual document answers in the asker's language: its
		// best chunk in that language, when it has one.
		if chunk, ok := e.chunkIn(ctx, sc, question, hits[0], reply.Locale); ok {
			hits[0] = chunk
		}
	}
	if len(hits) == 0 {
		reply.Text = e.mustRender("no_knowledge", reply.Locale, nil)
		return nil
	}
	reply.Sources = sources(hits, 3)
	titles := make([]string, len(reply.Sources))
	for i, s := range reply.Sources {
		titles[i] = s.Title
	}
	fallback := e.mustRender("knowledge_answer", reply.Locale, map[string]any{
		"Answer": excerpt(hits[0].Text, reply.Locale, 320), "Sources": titles,
	})
	reply.Text = fallback
	if e.answerer != nil {
		t1 := time.Now()
		result, _ := json.Marshal(map[string]any{"passages": reply.Sources})
		text, res, err := e.answerer.ChatAnswer(ctx, llm.ChatAnswerInput{
			Locale: reply.Locale, Question: question, Tool: "knowledge.search", Result: result, Fallback: fallback,
			RequestID: reply.RequestID, ConversationID: reply.ConversationID,
		})
		reply.Timings.ComposeMS = ms(time.Since(t1))
		if err != nil {
			e.log.ErrorContext(ctx, "compose knowledge answer", "err", err)
			return nil
		}
		reply.Text, reply.Generation = text, generationOf(res)
	}
	return nil
}

// chunkIn returns the best chunk of best's document written in locale.
func (e *Engine) chunkIn(ctx context.Context, sc scope, question string, best knowledge.Hit, locale string) (knowledge.Hit, bool) {
	if textLocale(best.Text) == locale {
		return best, true
	}
	where := map[string]string{knowledge.MetaDocID: best.DocID}
	for k, v := range sc.Where {
		where[k] = v
	}
	chunks, err := e.knowledge.Search(ctx, knowledge.Query{Collections: []string{best.Collection}, Text: question, Where: where, Limit: 20})
	if err != nil {
		return best, false
	}
	for _, c := range chunks {
		if textLocale(c.Text) == locale {
			return c, true
		}
	}
	return best, false
}

// textLocale is the language most of text's letters are in.
func textLocale(text string) string {
	var hangul, latin int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.IsLetter(r) && r < 0x250:
			latin++
		}
	}
	if hangul*2 >= latin { // a syllable carries about two letters' worth
		return "ko"
	}
	return "en"
}

// preferLocale moves passages written for the other language only behind
// the rest, keeping the order otherwise. Documents written in both (locale
// "ko,en") count as either.
func preferLocale(hits []knowledge.Hit, locale string) []knowledge.Hit {
	var first, rest []knowledge.Hit
	for _, h := range hits {
		if l := h.Metadata["locale"]; l == "" || strings.Contains(l, locale) {
			first = append(first, h)
		} else {
			rest = append(rest, h)
		}
	}
	return append(first, rest...)
}

func sources(hits []knowledge.Hit, n int) []Source {
	out := make([]Source, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, Source{DocID: h.DocID, Collection: h.Collection, Title: h.Title, Heading: h.Heading, Text: h.Text, Score: round3(h.Score)})
	}
	return out
}

var (
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}\s.*$`)
	mdMarks   = regexp.MustCompile("[*_`>|]+")
	spaces    = regexp.MustCompile(`\s+`)
	sentence  = regexp.MustCompile(`[.!?。](\s|$)|다\.\s|요\.\s`)
)

// excerpt is the opening of a passage as plain text: whole sentences up to
// about limit characters, in locale's lines where a bilingual passage has
// both.
func excerpt(md, locale string, limit int) string {
	text := mdHeading.ReplaceAllString(md, "")
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•0123456789."))
		if l == "" {
			continue
		}
		if (DetectLocale(l) == "ko") == (locale == "ko") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		lines = strings.Split(text, "\n")
	}
	plain := strings.TrimSpace(spaces.ReplaceAllString(mdMarks.ReplaceAllString(strings.Join(lines, " "), ""), " "))
	r := []rune(plain)
	if len(r) <= limit {
		return plain
	}
	cut := string(r[:limit])
	if locs := sentence.FindAllStringIndex(cut, -1); len(locs) > 0 {
		return strings.TrimSpace(cut[:locs[len(locs)-1][1]])
	}
	return cut + "…"
}
