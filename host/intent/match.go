package intent

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// span is a part of the normalised text that a slot extractor claimed.
type span struct {
	start, end int
	kind       spanKind
}

type spanKind uint8

const (
	spanStore spanKind = iota + 1
	spanProduct
	spanDate     // a written date (12월 24일, Dec 24): masked when embedding
	spanRelDate  // 오늘, tomorrow: kept when embedding (they tell waste from demand)
	spanMoney    // a budget
	spanMember   // a member id
	spanDays     // a span of days (3일, two weeks)
	spanSegment  // kept when embedding
	spanSeason   // kept when embedding
	spanCategory // kept when embedding
	spanPercent  // 30%, 12 percent: masked
	spanOccasion // 크리스마스, Halloween: a season with a date, kept when embedding
)

// masked reports whether a span is replaced by a placeholder word when
// embedding, and by which.
func (k spanKind) placeholder() (string, bool) {
	switch k {
	case spanStore:
		return "#store", true
	case spanProduct:
		return "#product", true
	case spanDate:
		return "#date", true
	case spanMoney:
		return "#money", true
	case spanMember:
		return "#member", true
	case spanDays:
		return "#days", true
	case spanPercent:
		return "#pct", true
	}
	return "", false
}

// hrune is one Hangul syllable of the text with the spaces squeezed out.
type hrune struct {
	r, folded  rune
	start, end int // byte span in doc.text
}

// doc is an utterance being analysed.
type doc struct {
	text  string // normalised
	toks  []token
	hang  []hrune // the Hangul syllables, in order, spaces squeezed out
	spans []span
	stems []string // stemEN of each token
}

func newDoc(raw string) *doc {
	d := &doc{text: respell(normalize(raw))}
	d.toks = tokenize(d.text)
	d.stems = make([]string, len(d.toks))
	for ti, t := range d.toks {
		if t.kind != scriptHangul {
			d.stems[ti] = stemEN(t.text)
			continue
		}
		for i, r := range t.text {
			s := t.start + i
			d.hang = append(d.hang, hrune{r: r, folded: foldSyllable(r), start: s, end: s + utf8.RuneLen(r)})
		}
	}
	return d
}

// respellings are whole-substring rewrites of spellings the examples do not
// use (loanwords typed several ways).
var respellings = strings.NewReplacer(
	"케익", "케이크", "케잌", "케이끄", "푸쉬", "푸시", "이밴트", "이벤트", "크로와상", "크루아상", "크로아상", "크루아상",
	"크루와상", "크루아상", "크르와상", "크루아상", "바게뜨", "바게트", "샌드위취", "샌드위치", "쌘드위치", "샌드위치",
	"티라미슈", "티라미수", "마카룽", "마카롱", "베이클", "베이글", "에그타르뜨", "에그타르트", "브이아이피", "vip",
	"세그멘트", "세그먼트", "프로모숀", "프로모션",
	// "stock" is the shelf or the market.
	"stock market", "stockmarket", "stock price", "shareprice", "stock exchange", "stockmarket",
)

func respell(s string) string { return respellings.Replace(s) }

// free reports whether no span claims any of [start, end).
func (d *doc) free(start, end int) bool {
	for _, s := range d.spans {
		if start < s.end && s.start < end {
			return false
		}
	}
	return true
}

func (d *doc) claim(start, end int, k spanKind) {
	d.spans = append(d.spans, span{start: start, end: end, kind: k})
}

// units splits the tokens at the spans: a masked span becomes one
// placeholder unit, the text of other spans and of the rest stays as
// tokens.
func (d *doc) units() []unit {
	spans := slices.Clone(d.spans)
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var out []unit
	si := 0
	emitted := map[int]bool{}
	for _, t := range d.toks {
		pos := t.start
		for pos < t.end {
			for si < len(spans) && spans[si].end <= pos {
				si++
			}
			if si < len(spans) && spans[si].start <= pos {
				sp := spans[si]
				end := min(sp.end, t.end)
				if ph, ok := sp.kind.placeholder(); ok {
					if !emitted[si] {
						emitted[si] = true
						out = append(out, unit{text: ph, entity: true})
					}
				} else {
					out = append(out, unit{text: d.text[pos:end], kind: t.kind})
				}
				pos = end
				continue
			}
			end := t.end
			if si < len(spans) && spans[si].start < end {
				end = spans[si].start
			}
			// What follows a name inside its word is its particle
			// (강남점은, 회원 12345에게).
			suffix := pos > t.start
			out = append(out, unit{text: d.text[pos:end], kind: t.kind, suffix: suffix})
			pos = end
		}
	}
	return out
}

// residual returns the units outside every span: what is left of an
// utterance once its slots are taken away.
func (d *doc) residual() []unit {
	var out []unit
	for _, t := range d.toks {
		pos := t.start
		for pos < t.end {
			inside := false
			next := t.end
			for _, s := range d.spans {
				if s.start <= pos && pos < s.end {
					inside = true
					pos = min(s.end, t.end)
					break
				}
				if s.start > pos && s.start < next {
					next = s.start
				}
			}
			if inside {
				continue
			}
			out = append(out, unit{text: d.text[pos:next], kind: t.kind})
			pos = next
		}
	}
	return out
}

// phrase is a dictionary entry matched in the text: Hangul phrases against
// the syllables with spaces squeezed out, Latin phrases against whole words.
type phrase struct {
	words []string // Latin: the words (stemmed); Hangul: one element, spaces removed
	runes []rune   // Hangul phrase
	value string
	// wordStart requires a Hangul phrase to start a word (so that 봄 does
	// not match inside 바봄).
	wordStart bool
}

// dictionary is a list of phrases, longest first, indexed by their first
// syllable (Hangul) or first word (Latin): a phrase can only match where
// the text has it, so find tries those phrases only, in order.
type dictionary struct {
	phrases []phrase
	byRune  map[rune][]int
	byWord  map[string][]int
	always  []int // phrases with neither (none in practice)
}

func newDictionary(entries map[string]string, wordStart bool) dictionary {
	var ps []phrase
	for text, value := range entries {
		ps = append(ps, newPhrase(text, value, wordStart))
	}
	// Longer phrases first, then a stable order.
	slices.SortFunc(ps, func(a, b phrase) int {
		if la, lb := a.length(), b.length(); la != lb {
			return lb - la
		}
		return strings.Compare(strings.Join(a.words, " ")+string(a.runes), strings.Join(b.words, " ")+string(b.runes))
	})
	d := dictionary{phrases: ps, byRune: map[rune][]int{}, byWord: map[string][]int{}}
	for i, p := range ps {
		switch {
		case len(p.runes) > 0:
			d.byRune[p.runes[0]] = append(d.byRune[p.runes[0]], i)
		case p.runes == nil && len(p.words) > 0:
			d.byWord[p.words[0]] = append(d.byWord[p.words[0]], i)
		default:
			d.always = append(d.always, i)
		}
	}
	return d
}

// candidates returns, in order, the phrases that may match in d.
func (dict dictionary) candidates(d *doc) []int {
	out := slices.Clone(dict.always)
	for i, h := range d.hang {
		seen := false
		for _, p := range d.hang[:i] {
			if p.r == h.r {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, dict.byRune[h.r]...)
		}
	}
	for i, t := range d.toks {
		if t.kind != scriptLatin && t.kind != scriptDigit {
			continue
		}
		seen := false
		for j := range i {
			if (d.toks[j].kind == scriptLatin || d.toks[j].kind == scriptDigit) && d.stems[j] == d.stems[i] {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, dict.byWord[d.stems[i]]...)
		}
	}
	slices.Sort(out)
	return out
}

func newPhrase(text, value string, wordStart bool) phrase {
	n := respell(normalize(text))
	p := phrase{value: value, wordStart: wordStart}
	if strings.IndexFunc(n, isHangul) >= 0 {
		p.runes = []rune(strings.ReplaceAll(n, " ", ""))
		return p
	}
	for _, t := range tokenize(n) {
		p.words = append(p.words, stemEN(t.text))
	}
	return p
}

func (p phrase) length() int {
	if p.runes != nil {
		return len(p.runes) * 2
	}
	n := 0
	for _, w := range p.words {
		n += len(w) + 1
	}
	return n
}

// match is a phrase found in a doc.
type match struct {
	start, end int
	value      string
}

// find returns every non-overlapping match of the dictionary in d that no
// span claims yet, longest phrases first, in text order.
func (dict dictionary) find(d *doc) []match {
	var out []match
	taken := func(s, e int) bool {
		if !d.free(s, e) {
			return true
		}
		for _, m := range out {
			if s < m.end && m.start < e {
				return true
			}
		}
		return false
	}
	for _, pi := range dict.candidates(d) {
		p := &dict.phrases[pi]
		if p.runes != nil {
			for i := 0; i+len(p.runes) <= len(d.hang); i++ {
				ok := true
				for j, r := range p.runes {
					if d.hang[i+j].r != r {
						ok = false
						break
					}
				}
				if !ok {
					continue
				}
				s, e := d.hang[i].start, d.hang[i+len(p.runes)-1].end
				if p.wordStart && !d.startsWord(s) {
					continue
				}
				if !taken(s, e) {
					out = append(out, match{start: s, end: e, value: p.value})
				}
			}
			continue
		}
		for i := range d.toks {
			if i+len(p.words) > len(d.toks) {
				break
			}
			ok := true
			for j, w := range p.words {
				t := d.toks[i+j]
				if t.kind != scriptLatin && t.kind != scriptDigit || d.stems[i+j] != w {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			s, e := d.toks[i].start, d.toks[i+len(p.words)-1].end
			if !taken(s, e) {
				out = append(out, match{start: s, end: e, value: p.value})
			}
		}
	}
	slices.SortFunc(out, func(a, b match) int { return a.start - b.start })
	return out
}

// startsWord reports whether byte offset s starts a token.
func (d *doc) startsWord(s int) bool {
	for _, t := range d.toks {
		if t.start == s {
			return true
		}
	}
	return false
}
