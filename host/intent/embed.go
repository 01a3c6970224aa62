package intent

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The default embedder turns an utterance into a sparse TF-IDF vector of
// hashed features, so that no model has to be downloaded:
//
//   - words, stemmed (English inflections, Korean particles) and, for
//     English, spell-corrected against the examples' vocabulary;
//   - character trigrams of Latin words, for typos the corrector misses;
//   - Hangul syllable bigrams and unigrams over the utterance with its
//     spaces removed ("폐 기 될" and "폐기될" give the same bigrams), after
//     folding the spellings people confuse (페기 is 폐기);
//   - English word bigrams ("push copy", "at risk");
//   - one placeholder word per entity found by the slot extractor (a
//     store, a product, a date, an amount), so that "잠실점 재고" looks like
//     the example "강남점 재고".
//
// The IDF weights are learnt from the examples; a feature no example has
// gets the largest weight, so an utterance made of words the examples
// never use is far from all of them.

// feature namespaces and their weights.
const (
	nsWord    = 'w'
	nsTrigram = 'c'
	nsBigram  = 'h'
	nsUnigram = 'u'
	nsPair    = 'p'
	nsConcept = 'k'
)

// weights of each namespace; tuned on testdata/dev.tsv.
type featureWeights struct {
	word, trigram, bigram, unigram, pair float64
	// wh weighs question words (what, where, how…), which tell a
	// question about a definition or a place from a request for numbers.
	wh float64
	// concept weighs the shared concepts of the lexicon.
	concept float64
	// entity weighs the placeholder of a store, product, date, … mention.
	entity float64
}

var defaultWeights = featureWeights{word: 1.0, trigram: 0.35, bigram: 0.8, unigram: 0.4, pair: 0.25, wh: 0.5, concept: 1.15, entity: 0.7}

var whWords = map[string]bool{"what": true, "whats": true, "which": true, "who": true, "how": true, "when": true, "where": true, "why": true}

// feature is one hashed feature with its raw weight.
type feature struct {
	key uint64
	w   float64
}

func hashFeature(ns byte, s string) uint64 {
	// FNV-1a, 64 bits.
	h := uint64(14695981039346656037)
	h ^= uint64(ns)
	h *= 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// stopwords are English function words: with few examples per intent even
// their IDF weight is enough to make "what is the weather?" look like
// "what is the shelf life?". Korean particles are stripped by stemKO.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "be": true, "do": true, "does": true, "did": true,
	"what": true, "whats": true, "which": true, "who": true, "how": true, "when": true, "where": true, "s": true, "t": true,
	"of": true, "in": true, "at": true, "on": true, "for": true, "to": true, "from": true, "with": true, "and": true, "or": true, "by": true,
	"i": true, "me": true, "my": true, "we": true, "us": true, "our": true, "you": true, "your": true, "it": true, "its": true,
	"there": true, "this": true, "that": true, "these": true, "those": true, "can": true, "could": true, "please": true,
	"will": true, "would": true, "should": true, "some": true, "any": true, "about": true, "up": true, "so": true, "am": true,
	// Addressing the bot and asking politely say nothing of the request:
	// "hey crumb, …", "can you tell me …", "I need to know …".
	"crumb": true, "hey": true, "tell": true, "know": true, "need": true, "want": true, "let": true, "kindly": true,
	"pls": true, "plz": true,
}

// koStop are Korean words that carry no intent on their own.
var koStop = map[string]bool{
	"좀": true, "그": true, "이": true, "저": true, "것": true, "거": true, "수": true, "등": true, "및": true, "요": true,
	"은": true, "는": true, "가": true, "을": true, "를": true, "에": true, "의": true, "도": true, "로": true, "만": true,
	"크럼": true, "혹시": true, "저기": true,
}

// colloquial maps chat spellings to the words the examples use.
var colloquial = map[string]string{
	"tonite": "tonight", "tmr": "tomorrow", "tmrw": "tomorrow", "tomoro": "tomorrow", "2day": "today", "2morrow": "tomorrow",
	"pls": "please", "plz": "please", "u": "you", "ur": "your", "xmas": "christmas", "thx": "thanks",
	"info": "information", "qty": "quantity", "promo": "promotion", "promos": "promotions", "rec": "recommend", "recs": "recommendations",
	"notif": "notification", "notifs": "notifications", "msg": "message", "inv": "inventory", "vips": "vip",
	"pushcopy": "push copy", "pushmessage": "push message",
	// Korean loanword spellings.
	"케익": "케이크", "케잌": "케이크", "푸쉬": "푸시", "이밴트": "이벤트", "프로모숀": "프로모션",
}

// wordInfo is what the embedder learnt about one English word.
type wordInfo struct {
	df int
}

// embedder is the default embedder, fitted on the examples.
type embedder struct {
	weights featureWeights
	idf     map[uint64]float64
	idfMiss float64
	// vocab holds the Latin words of the examples, for spelling correction.
	vocab map[string]wordInfo
	// byLen indexes vocab by word length in runes.
	byLen map[int][]string
}

// unit is one piece of an analysed utterance: a token or an entity
// placeholder.
type unit struct {
	text   string
	kind   script
	entity bool
	suffix bool // the rest of a word after a name in it
}

// analyze turns masked units into features. correct enables spelling
// correction (off while fitting: the examples define the vocabulary).
func (e *embedder) analyze(units []unit, correct bool, out []feature) []feature {
	w := e.weights
	units = joinSyllables(units)
	content := 0
	for _, u := range units {
		if u.entity || (u.kind == scriptLatin && !stopwords[u.text]) || (u.kind == scriptHangul && !koStop[u.text]) || u.kind == scriptDigit || u.kind == scriptOther {
			content++
		}
	}
	keepStop := content == 0 // "what can you do" is all function words: keep them
	var hangul []rune
	flush := func() {
		for i, r := range hangul {
			out = append(out, feature{hashFeature(nsUnigram, string(r)), w.unigram})
			if i+1 < len(hangul) {
				out = append(out, feature{hashFeature(nsBigram, string(hangul[i:i+2])), w.bigram})
			}
		}
		hangul = hangul[:0]
	}
	if w.concept > 0 {
		lexicon.conceptsKO(squashHangul(units), func(c string) {
			out = append(out, feature{hashFeature(nsConcept, c), w.concept})
		})
	}
	prevWord := ""
	for _, u := range units {
		switch {
		case u.entity:
			flush()
			out = append(out, feature{hashFeature(nsWord, u.text), w.entity})
			prevWord = u.text
		case u.kind == scriptLatin:
			flush()
			if stopwords[u.text] && !keepStop {
				if whWords[u.text] && w.wh > 0 {
					out = append(out, feature{hashFeature(nsWord, u.text), w.wh})
				}
				prevWord = ""
				continue
			}
			word := u.text
			if c, ok := colloquial[word]; ok {
				word = c
			} else if correct {
				word = e.correct(word)
			}
			for part := range strings.FieldsSeq(word) {
				st := stemEN(part)
				out = append(out, feature{hashFeature(nsWord, st), w.word})
				if c, ok := lexicon.conceptOf(st); ok && w.concept > 0 {
					out = append(out, feature{hashFeature(nsConcept, c), w.concept})
				}
				if prevWord != "" {
					out = append(out, feature{hashFeature(nsPair, prevWord+" "+st), w.pair})
				}
				prevWord = st
			}
			rs := "^" + u.text + "$"
			n := utf8.RuneCountInString(rs)
			if n >= 5 {
				tw := w.trigram / math.Sqrt(float64(n-2))
				b := []rune(rs)
				for i := 0; i+3 <= len(b); i++ {
					out = append(out, feature{hashFeature(nsTrigram, string(b[i:i+3])), tw})
				}
			}
		case u.kind == scriptHangul && u.suffix && isParticle(u.text):
			// 강남점|은: the particle adds nothing.
		case u.kind == scriptHangul:
			word := u.text
			if c, ok := colloquial[word]; ok {
				word = c
			}
			if !koStop[word] || keepStop {
				st := stemKO(word)
				if parts := e.segment(word); parts != nil && !e.known(st) {
					// 오늘폐기될상품 is 오늘 폐기될 상품.
					for _, p := range parts {
						out = append(out, feature{hashFeature(nsWord, p), w.word})
					}
				} else {
					out = append(out, feature{hashFeature(nsWord, st), w.word})
				}
				prevWord = ""
			}
			for _, r := range word {
				hangul = append(hangul, foldSyllable(r))
			}
		case u.kind == scriptDigit:
			flush()
			out = append(out, feature{hashFeature(nsWord, "#num"), w.word * 0.5})
			prevWord = ""
		default:
			flush()
			out = append(out, feature{hashFeature(nsWord, u.text), w.word})
			prevWord = ""
		}
	}
	flush()
	return out
}

// squashHangul joins the Hangul words of units that are not names.
func squashHangul(units []unit) string {
	var b strings.Builder
	for _, u := range units {
		if u.kind == scriptHangul && !u.entity {
			b.WriteString(u.text)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// anchored reports whether units name something of the bakery's business:
// a store, a product, a segment, a member, an amount, an occasion a bakery
// sells for (Christmas, Pepero Day: "할로윈 뭐하지" asks for an event), or a
// word of a domain concept.
func (e *embedder) anchored(units []unit, spans []span) bool {
	for _, sp := range spans {
		switch sp.kind {
		case spanStore, spanProduct, spanCategory, spanSegment, spanMember, spanMoney, spanPercent, spanOccasion:
			return true
		}
	}
	found := false
	lexicon.conceptsKO(squashHangul(units), func(c string) { found = found || domainConcepts[c] })
	for _, u := range units {
		if u.kind == scriptLatin && !u.entity {
			// As the embedder reads it: "prdouction qty" is about production.
			w, ok := colloquial[u.text]
			if !ok {
				w = e.correct(u.text)
			}
			for part := range strings.FieldsSeq(w) {
				if c, ok := lexicon.conceptOf(stemEN(part)); ok && domainConcepts[c] {
					found = true
				}
			}
		}
	}
	return found
}

// known reports whether the examples have the word w.
func (e *embedder) known(w string) bool {
	_, ok := e.idf[hashFeature(nsWord, w)]
	return ok
}

// segment splits a Hangul word typed without its spaces into words the
// examples know, longest first, dropping the particles between them; nil
// when it cannot be covered so, or is one word already.
func (e *embedder) segment(w string) []string {
	if len(e.idf) == 0 {
		return nil
	}
	rs := []rune(w)
	if len(rs) < 3 || len(rs) > 24 {
		return nil
	}
	var out []string
	for i := 0; i < len(rs); {
		next := 0
		for j := len(rs); j > i; j-- {
			cand := string(rs[i:j])
			if e.known(cand) || e.known(stemKO(cand)) {
				out = append(out, stemKO(cand))
				next = j
				break
			}
			if i > 0 && isParticle(cand) {
				next = j
				break
			}
		}
		if next == 0 {
			return nil
		}
		i = next
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// joinSyllables joins runs of single Hangul syllables typed apart ("폐 기
// 될" is "폐기될"), so that they make one word rather than several
// unknown ones.
func joinSyllables(units []unit) []unit {
	single := func(u unit) bool {
		return u.kind == scriptHangul && !u.entity && !u.suffix && utf8.RuneCountInString(u.text) == 1
	}
	var out []unit
	for i := 0; i < len(units); {
		j := i
		for j < len(units) && single(units[j]) {
			j++
		}
		if j-i >= 2 {
			var b strings.Builder
			for _, u := range units[i:j] {
				b.WriteString(u.text)
			}
			out = append(out, unit{text: b.String(), kind: scriptHangul})
			i = j
			continue
		}
		out = append(out, units[i])
		i++
	}
	return out
}

// isParticle reports whether w is a particle on its own, or particles
// strung together (에게는, 이랑은).
func isParticle(w string) bool {
	for w != "" {
		found := false
		for _, p := range particles {
			if strings.HasPrefix(w, p) {
				w, found = w[len(p):], true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// correct returns the vocabulary word closest to an unknown English word:
// distance 1 for words of 4–6 letters, 2 for longer ones; ties go to the
// more frequent word. Known and short words come back unchanged.
func (e *embedder) correct(word string) string {
	if _, ok := e.vocab[word]; ok || len(e.vocab) == 0 {
		return word
	}
	n := utf8.RuneCountInString(word)
	if n < 4 {
		return word
	}
	// A word of the concept lexicon is known even if no example has it
	// ("contact" is not a typo of "contain").
	if _, ok := lexicon.conceptOf(stemEN(word)); ok {
		return word
	}
	maxD := 1
	if n >= 7 {
		maxD = 2
	}
	best, bestD, bestDF := word, maxD+1, 0
	for l := n - maxD; l <= n+maxD; l++ {
		for _, v := range e.byLen[l] {
			// Typos seldom change the first letter: "most" is not a
			// typo of "cost", nor "mountain" of "contain".
			if v[0] != word[0] {
				continue
			}
			d := editDistance(word, v, maxD)
			if d < bestD || (d == bestD && e.vocab[v].df > bestDF) {
				best, bestD, bestDF = v, d, e.vocab[v].df
			}
		}
	}
	if bestD > maxD {
		return word
	}
	return best
}

// vector is a sparse, L2-normalised vector sorted by key.
type vector struct {
	keys []uint64
	vals []float32
}

// fit learns the IDF weights and the vocabulary from the analysed
// examples.
func (e *embedder) fit(docs [][]unit) {
	e.idf = map[uint64]float64{}
	e.vocab = map[string]wordInfo{}
	df := map[uint64]int{}
	var buf []feature
	for _, d := range docs {
		seenWord := map[string]bool{}
		for _, u := range d {
			if u.kind == scriptLatin && !u.entity && !seenWord[u.text] {
				seenWord[u.text] = true
				wi := e.vocab[u.text]
				wi.df++
				e.vocab[u.text] = wi
			}
		}
		buf = e.analyze(d, false, buf[:0])
		seen := map[uint64]bool{}
		for _, f := range buf {
			if !seen[f.key] {
				seen[f.key] = true
				df[f.key]++
			}
		}
	}
	n := float64(len(docs))
	for k, d := range df {
		e.idf[k] = math.Log(1 + n/float64(d))
	}
	e.idfMiss = math.Log(1 + n)
	// The lexicon's English words are spellings to correct to as well
	// ("discrad" is "discard" though no example says it); an example's
	// word is preferred on a tie (df).
	for w := range lexicon.words {
		if _, ok := e.vocab[w]; !ok {
			e.vocab[w] = wordInfo{}
		}
	}
	e.byLen = map[int][]string{}
	for w := range e.vocab {
		l := utf8.RuneCountInString(w)
		e.byLen[l] = append(e.byLen[l], w)
	}
	for _, ws := range e.byLen {
		slices.Sort(ws)
	}
}

// embed turns analysed units into a weighted, normalised vector.
func (e *embedder) embed(units []unit, correct bool) vector {
	feats := e.analyze(units, correct, make([]feature, 0, 64))
	slices.SortFunc(feats, func(a, b feature) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	var v vector
	norm := 0.0
	for i := 0; i < len(feats); {
		j, sum, count := i, 0.0, 0
		for j < len(feats) && feats[j].key == feats[i].key {
			sum += feats[j].w
			count++
			j++
		}
		// Sublinear term frequency: a repeated n-gram counts, but less.
		tf := sum / float64(count) * (1 + math.Log(float64(count)))
		idf, ok := e.idf[feats[i].key]
		if !ok {
			idf = e.idfMiss
		}
		x := tf * idf
		v.keys = append(v.keys, feats[i].key)
		v.vals = append(v.vals, float32(x))
		norm += x * x
		i = j
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range v.vals {
			v.vals[i] *= inv
		}
	}
	return v
}

// contentWords calls f with the word feature of every content word of
// units (a Latin word that is not a stopword, a Hangul word of two
// syllables or more that is not a filler), as analyze reads it, and
// whether the lexicon gives it a concept.
func (e *embedder) contentWords(units []unit, correct bool, f func(key uint64, concept bool)) {
	for _, u := range joinSyllables(units) {
		switch {
		case u.entity || u.suffix:
		case u.kind == scriptLatin && !stopwords[u.text]:
			word, ok := colloquial[u.text]
			if !ok && correct {
				word = e.correct(u.text)
			} else if !ok {
				word = u.text
			}
			for part := range strings.FieldsSeq(word) {
				st := stemEN(part)
				_, c := lexicon.conceptOf(st)
				f(hashFeature(nsWord, st), c)
			}
		case u.kind == scriptHangul && !koStop[u.text] && utf8.RuneCountInString(u.text) >= 2:
			c := false
			lexicon.conceptsKO(u.text, func(string) { c = true })
			f(hashFeature(nsWord, stemKO(u.text)), c)
		}
	}
}
