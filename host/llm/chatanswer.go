package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChatAnswerPrompt is the prompt of ChatAnswer.
const ChatAnswerPrompt = "chat.answer"

// ChatAnswerInput is a tool result to put into words.
type ChatAnswerInput struct {
	Locale   string
	Question string
	Tool     string
	Result   json.RawMessage
	// Fallback is the answer the host gives without a model (the tool's
	// display text or an answer template); it is the template-mode answer
	// and the fallback when the model fails.
	Fallback       string
	RequestID      string
	ConversationID string
}

// ChatAnswer summarises a tool result in 1–3 grounded sentences
// (chat.answer, schema {"text": string}). Numbers must come from the
// result, the question or the fallback (GroundedText); banned words are
// allowed only where the question, the result or the fallback already
// use them (a waste forecast may say 폐기 to the staff who asked about 폐기).
// In template mode the text is in.Fallback unchanged.
func (g *Generator) ChatAnswer(ctx context.Context, in ChatAnswerInput) (string, *Result, error) {
	result := in.Result
	if len(bytes.TrimSpace(result)) == 0 {
		result = json.RawMessage("null")
	}
	vars := map[string]any{"question": in.Question, "tool": in.Tool, "result": result, "fallback": in.Fallback}
	res, err := g.Generate(ctx, &Request{
		Prompt: ChatAnswerPrompt, Locale: in.Locale, Vars: vars,
		Validate:  GroundedText(result, in.Question, in.Fallback),
		Guard:     g.guard.Allowing(in.Question, in.Fallback, string(result)),
		RequestID: in.RequestID, ConversationID: in.ConversationID,
	})
	if err != nil {
		return "", nil, err
	}
	var out struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		return "", nil, fmt.Errorf("chat answer: %w", err)
	}
	return out.Text, res, nil
}

var (
	numberRE   = regexp.MustCompile(`\d[\d,]*(?:\.\d+)?`)
	sentenceRE = regexp.MustCompile(`[.!?。]+(?:\s|$)`)
)

// GroundedText returns a validator for {"text": …} answers about a tool
// result: at most 3 sentences and 400 characters (or as many as the
// longest of the context texts, which the host wrote itself), and every
// number in the text present in the result (as a number, inside a string,
// as a count of a list, or as a percentage of a fraction) or in one of the
// context texts. Numbers are what a model invents most easily and what a
// store manager acts on.
func GroundedText(result json.RawMessage, context ...string) func(json.RawMessage) []string {
	allowed := map[string]bool{}
	add := func(f float64) {
		for _, d := range []int{0, 1, 2} {
			allowed[fmtNum(roundTo(f, d))] = true
		}
		allowed[fmtNum(f)] = true
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case json.Number:
			if f, err := x.Float64(); err == nil {
				add(f)
				add(f * 100) // 0.124 → 12.4%
			}
		case string:
			for _, n := range numbersIn(x) {
				add(n)
			}
		case []any:
			add(float64(len(x)))
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(result))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) == nil {
		walk(doc)
	}
	maxRunes, maxSentences := 400, 3
	for _, c := range context {
		for _, n := range numbersIn(c) {
			add(n)
		}
		maxRunes = max(maxRunes, utf8.RuneCountInString(c))
		maxSentences = max(maxSentences, sentences(c))
	}
	return func(out json.RawMessage) []string {
		var a struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(out, &a); err != nil {
			return []string{"text: " + err.Error()}
		}
		var msgs []string
		text := strings.TrimSpace(a.Text)
		if text == "" {
			return []string{"text is empty: answer the question in 1 to 3 sentences"}
		}
		if n := utf8.RuneCountInString(text); n > maxRunes {
			msgs = append(msgs, fmt.Sprintf("text has %d characters; keep it to %d", n, maxRunes))
		}
		if n := sentences(text); n > maxSentences {
			msgs = append(msgs, fmt.Sprintf("text has %d sentences; use 1 to %d", n, maxSentences))
		}
		for _, m := range numberRE.FindAllString(text, -1) {
			f, err := parseNum(m)
			if err != nil || allowed[fmtNum(f)] {
				continue
			}
			msgs = append(msgs, fmt.Sprintf("the number %s is not in the tool result: use only numbers the result gives", m))
		}
		return msgs
	}
}

func sentences(s string) int {
	n := len(sentenceRE.FindAllStringIndex(strings.TrimSpace(s), -1))
	return max(n, 1)
}

func numbersIn(s string) []float64 {
	var out []float64
	for _, m := range numberRE.FindAllString(s, -1) {
		if f, err := parseNum(m); err == nil {
			out = append(out, f)
		}
	}
	return out
}

func parseNum(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimRight(strings.ReplaceAll(s, ",", ""), "."), 64)
}

func roundTo(f float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(f*p) / p
}

func fmtNum(f float64) string { return strconv.FormatFloat(roundTo(f, 6), 'f', -1, 64) }
