package chat

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/crumb-dev/crumb/tools"
)

// Host-level intents, answered without a plugin.
const (
	IntentHelp       = "help"
	IntentOutOfScope = "out_of_scope"
)

// hostExamples are the host's own intents' examples.
var hostExamples = map[string][]string{
	IntentHelp: {
		"도움말", "뭘 할 수 있어?", "무엇을 도와줄 수 있어?", "사용법 알려줘", "기능 목록",
		"help", "what can you do?", "how do I use this?", "show me your features",
	},
}

// Route is the router's decision for one utterance.
type Route struct {
	Intent     string
	Tool       string // the serving tool's id (plugin.tool); empty for host intents
	Confidence float64
	// Example is the training example that matched best.
	Example string
}

// Router is the foundation's example-based router: it scores an utterance
// against every intent's examples by cosine similarity of character n-gram
// vectors (Hangul and Latin alike) and takes the best intent when it clears
// a threshold. A real classifier replaces it (host/intent).
type Router struct {
	threshold float64
	examples  []example
	// idf weighs each n-gram by how rare it is among the examples, so that
	// "the" and "은" count for little and "재고" and "stock" for much.
	idf     map[string]float64
	idfMiss float64 // weight of an n-gram no example has
	mask    func(string) string
	// toolOf maps an intent to the id of the tool that serves it.
	toolOf map[string]string
}

type example struct {
	intent string
	tool   string // id of the tool that declared it; empty for host intents
	text   string
	vec    ngramVec
}

// DefaultThreshold is the similarity below which an utterance is out of scope.
const DefaultThreshold = 0.22

// NewRouter learns the intents and examples of the given manifests and the
// host's own. mask, when not nil, rewrites every text before it is
// vectorised (the engine replaces store and product names by placeholders).
func NewRouter(manifests []tools.Manifest, threshold float64, mask func(string) string) *Router {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	r := &Router{threshold: threshold, toolOf: map[string]string{}, mask: mask}
	add := func(intent, tool, text string) {
		r.examples = append(r.examples, example{intent: intent, tool: tool, text: text, vec: countNgrams(mask(text))})
	}
	for _, m := range manifests {
		for _, t := range m.Tools {
			id := m.Name + "." + t.Name
			for _, in := range t.Intents {
				if _, dup := r.toolOf[in.Name]; !dup {
					r.toolOf[in.Name] = id
				}
				for _, e := range in.Examples {
					add(in.Name, id, e)
				}
			}
		}
	}
	intents := make([]string, 0, len(hostExamples))
	for in := range hostExamples {
		intents = append(intents, in)
	}
	slices.Sort(intents)
	for _, in := range intents {
		for _, e := range hostExamples[in] {
			add(in, "", e)
		}
	}
	df := map[string]float64{}
	for _, e := range r.examples {
		for k := range e.vec.counts {
			df[k]++
		}
	}
	n := float64(len(r.examples))
	r.idf = make(map[string]float64, len(df))
	for k, d := range df {
		r.idf[k] = math.Log(1 + n/d)
	}
	r.idfMiss = math.Log(1 + n)
	for i := range r.examples {
		r.examples[i].vec = r.weigh(r.examples[i].vec)
	}
	return r
}

// weigh turns raw n-gram counts into TF-IDF weights with their norm.
func (r *Router) weigh(v ngramVec) ngramVec {
	v.norm = 0
	for k, c := range v.counts {
		w, ok := r.idf[k]
		if !ok {
			w = r.idfMiss
		}
		v.counts[k] = c * w
		v.norm += v.counts[k] * v.counts[k]
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

// Route picks the intent of text.
func (r *Router) Route(text string) Route {
	v := r.weigh(countNgrams(r.mask(text)))
	best := Route{Intent: IntentOutOfScope}
	// Several tools may serve one intent (segment_summary and
	// segment_profile both serve segment_insight): the tool is the one
	// whose example matched best.
	for _, e := range r.examples {
		if s := cosine(v, e.vec); s > best.Confidence {
			best = Route{Intent: e.intent, Tool: e.tool, Confidence: s, Example: e.text}
		}
	}
	if best.Confidence < r.threshold {
		return Route{Intent: IntentOutOfScope, Confidence: best.Confidence}
	}
	return best
}

// Examples returns up to n example utterances, one per tool intent, for
// suggestions.
func (r *Router) Examples(n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range r.examples {
		if seen[e.intent] || r.toolOf[e.intent] == "" {
			continue
		}
		seen[e.intent] = true
		out = append(out, e.text)
		if len(out) == n {
			break
		}
	}
	return out
}

type ngramVec struct {
	counts map[string]float64
	norm   float64
}

// normalizeText folds width and case and turns punctuation into spaces.
func normalizeText(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// stopwords are English function words: with few examples per intent
// even their TF-IDF weight is enough to make "what is the weather?" look
// like "what is the shelf life?". Korean needs no list: its particles
// attach to words and only dilute their n-grams.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "be": true, "do": true, "does": true,
	"what": true, "whats": true, "which": true, "who": true, "how": true, "when": true, "where": true,
	"of": true, "in": true, "at": true, "on": true, "for": true, "to": true, "from": true, "with": true, "and": true, "or": true,
	"i": true, "me": true, "my": true, "we": true, "us": true, "our": true, "you": true, "your": true, "it": true, "its": true,
	"there": true, "this": true, "that": true, "these": true, "those": true, "can": true, "could": true, "please": true, "s": true,
}

// countNgrams counts the character bigrams and trigrams of each word (with
// word boundaries) plus whole words, which handles Korean particles (재고는,
// 재고가) and English inflection without a tokeniser.
func countNgrams(s string) ngramVec {
	v := ngramVec{counts: map[string]float64{}}
	words := strings.Fields(normalizeText(s))
	content := slices.DeleteFunc(slices.Clone(words), func(w string) bool { return stopwords[w] })
	if len(content) > 0 { // "what can you do" is all function words: keep them
		words = content
	}
	for _, w := range words {
		v.counts["w:"+w]++
		rs := []rune("^" + w + "$")
		for n := 2; n <= 3; n++ {
			for i := 0; i+n <= len(rs); i++ {
				v.counts[string(rs[i:i+n])]++
			}
		}
	}
	return v
}

func cosine(a, b ngramVec) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	if len(a.counts) > len(b.counts) {
		a, b = b, a
	}
	dot := 0.0
	for k, x := range a.counts {
		dot += x * b.counts[k]
	}
	return dot / (a.norm * b.norm)
}
