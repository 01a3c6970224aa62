package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/prompts"
)

// Guard finds banned words and phrases in generated text after
// normalisation (see prompts/README.md for the rules):
//
//   - an entry with Hangul matches anywhere in the text with every space,
//     punctuation mark and symbol removed, so 폐기 matches "폐 기", "폐-기",
//     "폐기될" and "ㅍㅖㄱㅣ". Korean attaches particles to words, so a
//     word boundary cannot be asked for; the price is that an entry can
//     match across two words, which the lists avoid by holding phrases
//     that do not occur by accident.
//   - a Latin entry matches a word, or a run of words that joins into it
//     exactly ("w a s t e", "was-te", "w.a.s.t.e"), plus an inflection
//     (-s -es -d -ed -ing -er -ers -ly -ful -fully): waste matches wastes,
//     wasted, wasting and wasteful. It does not match inside a longer word
//     (wasteland, wastewater: a different word, listed itself if it must be
//     banned) nor across ordinary words ("now a steal" holds w-a-s-t-e): a
//     run of several words matches a one-word entry only when one of the
//     words has at most two letters, as letter-spacing does.
//   - a Latin entry ending in * matches as a prefix: expir* matches
//     expired, expiry, expiration.
//
// A Guard is immutable and safe for concurrent use.
type Guard struct {
	entries  []*entry
	exact    map[string][]*entry // Latin key → entries (a word and a phrase may share one)
	prefixes []*entry
	hangul   []*entry
	maxKey   int
	allowed  map[*entry]bool
}

type entry struct {
	word   string // as written in the list
	locale string
	key    string // normalised, separators removed
	prefix bool
	phrase bool // the entry has several words
	hangul bool
}

// NewGuard compiles banned-word lists keyed by locale.
func NewGuard(lists map[string][]string) *Guard {
	g := &Guard{exact: map[string][]*entry{}}
	for _, locale := range slices.Sorted(maps.Keys(lists)) {
		for _, w := range lists[locale] {
			w = strings.TrimSpace(w)
			e := &entry{word: w, locale: locale}
			body, prefix := strings.CutSuffix(w, "*")
			rs := normalize(body)
			sk := skeleton(rs)
			if len(sk) == 0 {
				continue
			}
			var b strings.Builder
			for _, r := range sk {
				b.WriteRune(r.r)
				e.hangul = e.hangul || isHangul(r.r)
			}
			e.key = b.String()
			e.prefix = prefix && !e.hangul
			e.phrase = len(tokenize(rs)) > 1
			g.entries = append(g.entries, e)
			switch {
			case e.hangul:
				g.hangul = append(g.hangul, e)
			case e.prefix:
				g.prefixes = append(g.prefixes, e)
			default:
				g.exact[e.key] = append(g.exact[e.key], e)
			}
			g.maxKey = max(g.maxKey, len(e.key))
		}
	}
	return g
}

// GuardFromPrompts compiles the banned-word lists of a prompt set.
func GuardFromPrompts(set *prompts.Set) *Guard {
	lists := map[string][]string{}
	for _, l := range set.BannedLocales() {
		lists[l] = set.Banned(l)
	}
	return NewGuard(lists)
}

// Words returns the number of entries the guard checks.
func (g *Guard) Words() int { return len(g.entries) }

// Allowing returns a guard that lets through the entries that occur in any
// of texts. A chat answer about the waste forecast may say 폐기 when the
// user asked about 폐기 or the tool's own result says it; it may not bring
// the word in on its own.
func (g *Guard) Allowing(texts ...string) *Guard {
	c := *g
	c.allowed = maps.Clone(g.allowed)
	if c.allowed == nil {
		c.allowed = map[*entry]bool{}
	}
	for _, t := range texts {
		for _, m := range g.scan(t) {
			c.allowed[m.entry] = true
		}
	}
	return &c
}

// Match is one banned word found in a text.
type Match struct {
	// Word is the entry as written in the banned list; Locale names the list.
	Word   string `json:"word"`
	Locale string `json:"locale"`
	// Found is the original text that matched ("폐 기"), at byte offsets
	// [Start, End) of the checked text.
	Found string `json:"found"`
	Start int    `json:"start"`
	End   int    `json:"end"`

	entry *entry
}

func (m Match) String() string {
	if m.Found == m.Word {
		return fmt.Sprintf("banned word %q at byte %d", m.Word, m.Start)
	}
	return fmt.Sprintf("banned word %q (written %q) at byte %d", m.Word, m.Found, m.Start)
}

// Check returns the banned words in text, in order of position.
func (g *Guard) Check(text string) []Match {
	ms := g.scan(text)
	out := ms[:0]
	for _, m := range ms {
		if !g.allowed[m.entry] {
			out = append(out, m)
		}
	}
	return out
}

func (g *Guard) scan(text string) []Match {
	if text == "" || len(g.entries) == 0 {
		return nil
	}
	rs := normalize(text)
	var out []Match
	add := func(e *entry, start, end int) {
		for _, m := range out {
			if m.entry == e && m.Start == start {
				return
			}
		}
		out = append(out, Match{Word: e.word, Locale: e.locale, Found: text[start:end], Start: start, End: end, entry: e})
	}
	if len(g.hangul) > 0 {
		sk := skeleton(rs)
		str := make([]rune, len(sk))
		for i, r := range sk {
			str[i] = r.r
		}
		s := string(str)
		// byte offset in s → rune index in sk
		idx := make([]int, 0, len(s)+1)
		for i := range str {
			for range utf8.RuneLen(str[i]) {
				idx = append(idx, i)
			}
		}
		idx = append(idx, len(sk))
		for _, e := range g.hangul {
			for from := 0; ; {
				j := strings.Index(s[from:], e.key)
				if j < 0 {
					break
				}
				a, b := idx[from+j], idx[from+j+len(e.key)]-1
				add(e, sk[a].start, sk[b].end)
				from += j + len(e.key)
			}
		}
	}
	toks := tokenize(rs)
	for i := range toks {
		var cat strings.Builder
		short := false
		// Latin entries hold no Hangul: a run stops at a Hangul word.
		for j := i; j < len(toks) && !toks[j].hangul; j++ {
			cat.WriteString(toks[j].text)
			short = short || toks[j].letters <= 2
			if cat.Len() > g.maxKey+6 {
				break
			}
			if e := g.latinMatch(cat.String(), j > i, short); e != nil {
				add(e, toks[i].start, toks[j].end)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int { return a.Start - b.Start })
	return out
}

// inflections are the endings a Latin entry may take and still match.
var inflections = []string{"s", "es", "d", "ed", "ing", "er", "ers", "ly", "ful", "fully"}

// latinMatch finds the entry a run of words spells: exactly, inflected,
// or by prefix. run says the text is several words joined; short says one
// of them has at most two letters.
func (g *Guard) latinMatch(s string, run, short bool) *entry {
	ok := func(e *entry) bool {
		// Ordinary words that join into a one-word entry are not that word
		// ("now a steal"); letter-spacing is.
		return e != nil && (!run || short || e.phrase)
	}
	exact := func(key string) *entry {
		for _, e := range g.exact[key] {
			if ok(e) {
				return e
			}
		}
		return nil
	}
	if e := exact(s); e != nil {
		return e
	}
	for _, suf := range inflections {
		stem, found := strings.CutSuffix(s, suf)
		if !found || stem == "" {
			continue
		}
		if e := exact(stem); e != nil {
			return e
		}
		// waste → wasting, wasted, waster
		if suf[0] == 'i' || suf[0] == 'e' {
			if e := exact(stem + "e"); e != nil {
				return e
			}
		}
	}
	for _, e := range g.prefixes {
		if strings.HasPrefix(s, e.key) && ok(e) {
			return e
		}
	}
	return nil
}

// Violation is a banned word in one field of a JSON document.
type Violation struct {
	Field string `json:"field"` // recommendations[2].title; empty for a bare string
	Match
}

func (v Violation) String() string {
	if v.Field == "" {
		return v.Match.String() + ": rephrase without it"
	}
	return fmt.Sprintf("field %q: %s: rephrase without it", v.Field, v.Match)
}

// CheckJSON checks every string value (not the keys) of a JSON document.
func (g *Guard) CheckJSON(doc json.RawMessage) []Violation {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	var out []Violation
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case string:
			for _, m := range g.Check(x) {
				out = append(out, Violation{Field: path, Match: m})
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, x[k])
			}
		case []any:
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		}
	}
	walk("", v)
	return out
}
