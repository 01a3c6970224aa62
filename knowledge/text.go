package knowledge

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds text the way both retrieval arms see it: NFKC (full-width
// letters and digits, compatibility jamo and ligatures become their plain
// forms), lower case, and runs of white space as one space.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// runKind is the kind of a run of characters the tokenisers cut text into.
type runKind int

const (
	runNone runKind = iota
	runWord         // Latin letters and digits: one word
	runSyll         // Hangul syllables, CJK ideographs, kana: cut into n-grams
)

func kindOf(r rune) runKind {
	switch {
	case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		return runSyll
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return runSyll
	case unicode.IsLetter(r), unicode.IsDigit(r):
		return runWord
	}
	return runNone
}

// forEachRun calls fn with every maximal run of one kind in normalised
// text. A Latin run keeps letters and digits together (p001, s01, 12개 is
// "12" then the syllable run 개).
func forEachRun(s string, fn func(run string, kind runKind)) {
	start, kind := -1, runNone
	for i, r := range s {
		k := kindOf(r)
		if k != kind {
			if kind != runNone {
				fn(s[start:i], kind)
			}
			start, kind = i, k
		}
	}
	if kind != runNone {
		fn(s[start:], kind)
	}
}

// englishStop are English words too common to help a search.
var englishStop = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "to": true, "in": true,
	"on": true, "at": true, "for": true, "by": true, "with": true, "from": true, "as": true, "is": true,
	"are": true, "was": true, "were": true, "be": true, "been": true, "it": true, "its": true, "this": true,
	"that": true, "these": true, "those": true, "do": true, "does": true, "did": true, "what": true,
	"which": true, "who": true, "whom": true, "how": true, "when": true, "where": true, "why": true,
	"can": true, "could": true, "should": true, "would": true, "will": true, "shall": true, "may": true,
	"i": true, "we": true, "you": true, "our": true, "your": true, "my": true, "me": true, "us": true,
	"there": true, "their": true, "they": true, "them": true, "if": true, "than": true, "then": true,
	"so": true, "about": true, "any": true, "some": true, "into": true, "have": true, "has": true,
	"had": true, "not": true, "no": true, "tell": true, "please": true, "much": true, "many": true,
}

// Stem reduces an English word to a light stem: plurals, -ing, -ed and
// -ly endings. It is deliberately timid — over-stemming joins words that
// mean different things — and leaves short words and non-Latin text alone.
func Stem(w string) string {
	n := len(w)
	if n <= 3 || !isASCIILetters(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:n-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ing") && n > 5:
		return undouble(w[:n-3])
	case strings.HasSuffix(w, "ed") && n > 4:
		return undouble(w[:n-2])
	case strings.HasSuffix(w, "ly") && n > 4:
		return w[:n-2]
	case strings.HasSuffix(w, "es") && n > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes")):
		return w[:n-2]
	case strings.HasSuffix(w, "s"):
		return w[:n-1]
	}
	return w
}

// undouble turns "shipp" (from shipping) into "ship".
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Korean endings and particles that SplitSuffix strips from a run of
// Hangul, longest first. Question endings (…나요, …야) matter as much as
// particles: questions end in them and documents, written in …니다, do
// not, so left in they match by accident.
var (
	koEndings = suffixes(nil, []string{
		"인가요", "은가요", "는가요", "나요", "가요", "까요", "세요", "해요", "어요", "아요", "예요", "이에요", "에요",
		"습니까", "합니까", "니까", "습니다", "합니다", "입니다", "됩니다", "니다", "해줘", "알려줘", "줘", "주세요",
		"할까", "을까", "를까", "인지", "는지", "은지", "했어", "했나요", "할래", "해", "래", "야", "냐", "요",
	})
	// koParticles maps a particle to the final consonant it needs on the
	// syllable before it: 1 yes (을, 은, 이, 과, 으로), -1 no (를, 는, 가,
	// 와, 로), 0 either. Checking it keeps 파이 and 사과 whole.
	koParticles = map[string]int{
		"은": 1, "는": -1, "이": 1, "가": -1, "을": 1, "를": -1, "과": 1, "와": -1, "으로": 1, "로": 0,
		"에": 0, "의": 0, "도": 0, "만": 0, "에서": 0, "에게": 0, "한테": 0, "께": 0, "까지": 0, "부터": 0,
		"보다": 0, "처럼": 0, "이랑": 1, "랑": -1, "하고": 0, "에는": 0, "에서는": 0, "으로는": 1, "로는": 0,
		"에도": 0, "에서도": 0, "까지는": 0, "부터는": 0, "에게는": 0, "이나": 1, "이라": 1, "라": -1, "이라고": 1,
		"라고": -1, "이란": 1, "란": -1, "마다": 0, "끼리": 0, "별": 0, "별로": 0,
		// The plural 들 with the particles that follow it (고객들은 → 고객).
		"들": 0, "들은": 0, "들이": 0, "들을": 0, "들의": 0, "들에게": 0, "들도": 0, "들만": 0, "들과": 0, "들이랑": 0,
	}
	koParticleList = suffixes(koParticles, keys(koParticles))
	// koStop are question words that say nothing about the topic.
	koStop = map[string]bool{
		"어떤": true, "어떻게": true, "어때": true, "무엇": true, "뭐": true, "뭘": true, "무슨": true, "언제": true,
		"어디": true, "얼마": true, "얼마나": true, "몇": true, "왜": true, "누구": true, "알려": true, "말해": true,
		"좀": true, "있어": true, "있나": true, "있는지": true, "되나": true, "돼": true, "되": true, "해": true,
		"하나": true, "뭐뭐": true, "그리고": true, "혹시": true, "우리": true, "저희": true, "거": true,
	}
)

// suffix is an ending or particle with its length in syllables and the
// final consonant it needs before it (see koParticles).
type suffix struct {
	s     string
	n     int
	final int
}

// suffixes sorts xs longest first, for longest-match stripping.
func suffixes(final map[string]int, xs []string) []suffix {
	out := make([]suffix, len(xs))
	for i, x := range xs {
		out[i] = suffix{x, runeLen(x), final[x]}
	}
	slices.SortStableFunc(out, func(a, b suffix) int { return b.n - a.n })
	return out
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hasFinal reports whether a Hangul syllable ends in a consonant (받침).
func hasFinal(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 && (r-0xAC00)%28 != 0 }

// SplitSuffix strips one ending and then one particle from the end of a
// run of Hangul syllables, keeping at least one syllable (two before a
// one-syllable particle, so that 포도 and 회의 stay whole): 고객에게 →
// 고객, 되나요 → 되, 소금빵이 → 소금빵. It is a light stemmer, not a
// morphological analyser: it never needs to be right, only to remove the
// syllables that make the same word look different.
func SplitSuffix(run string) (stem, suffix string) {
	stem = run
	n := runeLen(stem)
	if e := matchSuffix(stem, n, koEndings); e.s != "" {
		stem, n = stem[:len(stem)-len(e.s)], n-e.n
	}
	if p := matchSuffix(stem, n, koParticleList); p.s != "" {
		stem = stem[:len(stem)-len(p.s)]
	}
	return stem, run[len(stem):]
}

// matchSuffix is the longest of list that s (of n syllables) ends in and
// may lose: at least one syllable stays (two before a one-syllable
// suffix), and the final-consonant rule holds.
func matchSuffix(s string, n int, list []suffix) suffix {
	for _, suf := range list {
		if !strings.HasSuffix(s, suf.s) {
			continue
		}
		need := 1
		if suf.n == 1 {
			need = 2
		}
		if n-suf.n < need {
			continue
		}
		if suf.final != 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:len(s)-len(suf.s)])
			if (suf.final == 1) != hasFinal(prev) {
				continue
			}
		}
		return suf
	}
	return suffix{}
}

// Tokens cuts text into the BM25 arm's terms: English words lower-cased,
// stop words dropped and lightly stemmed; digits kept; Hangul (and other
// unspaced scripts) as syllable unigrams and bigrams, so that 서울은 yields
// 서, 울, 서울 — a search for 서울 matches it, and 서울은 itself too, since
// endings and particles are stripped first (SplitSuffix) and question
// words dropped.
func Tokens(text string) []string {
	var out []string
	forEachRun(Normalize(text), func(run string, kind runKind) {
		switch kind {
		case runWord:
			if englishStop[run] {
				return
			}
			if len(run) == 1 && !isDigit(run[0]) {
				return
			}
			out = append(out, Stem(run))
		case runSyll:
			run = koStem(run)
			if run == "" {
				return
			}
			prev := ""
			for _, r := range run {
				cur := string(r)
				out = append(out, cur)
				if prev != "" {
					out = append(out, prev+cur)
				}
				prev = cur
			}
		}
	})
	return out
}

// koStem is a Hangul run without its ending and particle, or "" for a
// question word.
func koStem(run string) string {
	if koStop[run] {
		return ""
	}
	stem, _ := SplitSuffix(run)
	if koStop[stem] {
		return ""
	}
	return stem
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// runeLen is the length of s in characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
