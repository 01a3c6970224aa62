package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// script is the kind of a token.
type script uint8

const (
	scriptLatin script = iota + 1
	scriptHangul
	scriptDigit
	scriptOther // letters of other scripts, kept as they are
)

// token is one run of letters of one script (or of digits) in the
// normalised text, with its byte span in that text.
type token struct {
	text       string
	kind       script
	start, end int
}

// normalize folds width and compatibility forms (NFKC: "ＶＩＰ" is "vip",
// "㎏" is "kg"), lower-cases, and turns every character that is neither a
// letter nor a digit into a space, except the few symbols slots read
// (₩ % # . , - / :), which stay.
func normalize(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '₩' || r == '%' || r == '#' || r == '.' || r == ',' || r == '-' || r == '/' || r == ':' || r == '&' || r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// isJamo reports compatibility jamo typed on their own (ㅋㅋ, ㅠㅠ).
func isJamo(r rune) bool { return r >= 0x3131 && r <= 0x318E }

func kindOf(r rune) script {
	switch {
	case isHangul(r):
		return scriptHangul
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z'):
		return scriptLatin
	case unicode.IsDigit(r):
		return scriptDigit
	case unicode.In(r, unicode.Latin):
		return scriptLatin
	case unicode.IsLetter(r) && !isJamo(r):
		return scriptOther
	}
	return 0
}

// tokenize splits normalised text into runs of one script: "vip고객" is
// "vip" and "고객", "12월" is "12" and "월". An apostrophe inside a Latin
// word was turned into a space by normalize, so "tomorrow's" is
// "tomorrow" and "s".
func tokenize(s string) []token {
	var out []token
	start, kind := -1, script(0)
	for i, r := range s {
		k := kindOf(r)
		if k != kind || k == 0 {
			if start >= 0 && kind != 0 {
				out = append(out, token{text: s[start:i], kind: kind, start: start, end: i})
			}
			start, kind = i, k
			if k == 0 {
				start = -1
			}
		}
	}
	if start >= 0 && kind != 0 {
		out = append(out, token{text: s[start:], kind: kind, start: start, end: len(s)})
	}
	return out
}

// Hangul syllable arithmetic (Unicode 3.12): a syllable is
// 0xAC00 + (lead*21 + vowel)*28 + tail.
const (
	hangulBase = 0xAC00
	numVowels  = 21
	numTails   = 28
)

func decompose(r rune) (lead, vowel, tail int) {
	i := int(r - hangulBase)
	return i / (numVowels * numTails), (i % (numVowels * numTails)) / numTails, i % numTails
}

func compose(lead, vowel, tail int) rune {
	return rune(hangulBase + (lead*numVowels+vowel)*numTails + tail)
}

// foldSyllable maps a syllable to a representative of the spellings people
// confuse when typing fast: tense and plain leads (까/가), the e-like vowels
// (ㅐ ㅔ ㅒ ㅖ, so 페기 is 폐기) and the we-like ones (ㅙ ㅚ ㅞ, so 됬 is 됐).
func foldSyllable(r rune) rune {
	if !isHangul(r) {
		return r
	}
	l, v, t := decompose(r)
	switch l {
	case 1, 4, 8, 10, 13: // ㄲ ㄸ ㅃ ㅆ ㅉ
		l--
	}
	switch v {
	case 1, 3, 7: // ㅐ ㅒ ㅖ → ㅔ
		v = 5
	case 10, 15: // ㅙ ㅞ → ㅚ
		v = 11
	}
	switch t {
	case 2: // ㄲ → ㄱ
		t = 1
	case 20: // ㅆ → ㅅ
		t = 19
	}
	return compose(l, v, t)
}

// jamoDistance is a small edit distance between two syllables: the number of
// their three parts that differ.
func jamoDistance(a, b rune) int {
	if a == b {
		return 0
	}
	if !isHangul(a) || !isHangul(b) {
		return 3
	}
	l1, v1, t1 := decompose(a)
	l2, v2, t2 := decompose(b)
	d := 0
	if l1 != l2 {
		d++
	}
	if v1 != v2 {
		d++
	}
	if t1 != t2 {
		d++
	}
	return d
}

// editDistance is the optimal-string-alignment distance (Levenshtein with
// adjacent transpositions) between a and b, giving up once it exceeds max.
func editDistance(a, b string, max int) int {
	if len(a) <= 32 && len(b) <= 32 && isASCII(a) && isASCII(b) {
		return editDistanceASCII(a, b, max)
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	// Three rows are enough for OSA.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// editDistanceASCII is editDistance for short ASCII strings, without
// allocating.
func editDistanceASCII(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	var rows [3][33]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// stemEN strips English inflections well enough for matching: plurals,
// possessives, -ing, -ed, -ly, and a final e ("waste", "wasted" and
// "wasting" are all "wast").
func stemEN(w string) string {
	orig := len(w)
	switch w {
	case "loaves":
		return "loaf"
	case "children":
		return "child"
	case "people":
		return "person"
	}
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 6 && strings.HasSuffix(w, "ation"):
		w = w[:n-5]
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		w = w[:n-2]
	case n > 5 && strings.HasSuffix(w, "ly"):
		w = w[:n-2]
	}
	// binned → bin, planning → plan, shopping → shop.
	if n := len(w); n >= 4 && n < orig && w[n-1] == w[n-2] && strings.IndexByte("bdgmnprt", w[n-1]) >= 0 {
		w = w[:n-1]
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

// particles are Korean postpositions and endings that attach to the word
// before them; longer ones first.
var particles = []string{
	"에서는", "에게는", "으로는", "이라도", "까지는", "한테는",
	"에서", "에게", "한테", "으로", "까지", "부터", "처럼", "보다", "이랑", "이나", "이야", "이에요", "예요", "이요",
	"은", "는", "이", "가", "을", "를", "에", "의", "도", "로", "와", "과", "랑", "만", "야", "요",
}

// endings rewrite the polite and interrogative endings of Korean verbs to
// one plain form, so that 알려주세요, 알려줄래요 and 알려줘 are one word and
// 있나요 is 있어; longer endings first.
var endings = []struct{ from, to string }{
	{"부탁드립니다", "부탁"}, {"부탁드려요", "부탁"}, {"부탁해요", "부탁"}, {"부탁합니다", "부탁"},
	{"주시겠어요", "줘"}, {"주실수있나요", "줘"}, {"해봐", "해줘"}, {"해주라", "해줘"}, {"주실래요", "줘"}, {"주세요", "줘"}, {"줄래요", "줘"}, {"줄래", "줘"}, {"줘요", "줘"}, {"주라", "줘"}, {"줘라", "줘"},
	{"습니까", "어"}, {"ㅂ니까", "어"}, {"있나요", "있어"}, {"있니", "있어"}, {"있어요", "있어"}, {"없나요", "없어"}, {"없어요", "없어"},
	{"인가요", "야"}, {"인가", "야"}, {"이에요", "야"}, {"예요", "야"}, {"입니다", "야"}, {"입니까", "야"}, {"이죠", "야"}, {"죠", "야"},
	{"될까요", "될까"}, {"할까요", "할까"}, {"을까요", "을까"}, {"ㄹ까요", "ㄹ까"}, {"까요", "까"},
	{"하나요", "해"}, {"합니까", "해"}, {"해요", "해"}, {"하니", "해"}, {"나요", "어"}, {"어요", "어"}, {"아요", "아"},
}

// verbForms are whole words, conjugations of the verbs people ask about
// most (오다, 하다, 되다, 팔리다, 남다), that the endings do not reach: the
// conjecture (-ㄹ까, -려나), hearsay (-ㄴ대), the attributive (-는) and the
// past observation (-던데) all ask the same thing as the plain form.
var verbForms = map[string]string{
	"와": "와", "와요": "와", "올까": "와", "올까요": "와", "온대": "와", "온대요": "와", "오나": "와", "오나요": "와", "오는": "와", "올": "와",
	"오려나": "와", "올려나": "와", "왔어": "와", "왔나": "와", "오던데": "와", "온": "와", "오니": "와",
	"할까": "해", "하려나": "해", "할려나": "해", "한대": "해", "하던데": "해", "하는": "해", "했나": "해", "하지": "해",
	"될까": "돼", "되려나": "돼", "될려나": "돼", "된대": "돼", "되던데": "돼", "되는": "돼", "됐나": "돼", "되나": "돼", "되지": "돼",
	"팔릴까": "팔려", "팔리려나": "팔려", "팔릴려나": "팔려", "팔린대": "팔려", "팔리던데": "팔려", "팔리는": "팔려", "팔렸나": "팔려", "팔리나": "팔려",
	"남을까": "남아", "남으려나": "남아", "남을려나": "남아", "남는대": "남아", "남던데": "남아", "남는": "남아", "남았나": "남아", "남나": "남아",
}

// plainKO rewrites a Hangul word's polite ending.
func plainKO(w string) string {
	if v, ok := verbForms[w]; ok {
		return v
	}
	for _, e := range endings {
		if strings.HasSuffix(w, e.from) && len(w) > len(e.from) {
			return w[:len(w)-len(e.from)] + e.to
		}
	}
	return w
}

// stemKO strips one particle from a Hangul word of at least two syllables
// ("고객이" → "고객", "강남점은" → "강남점").
func stemKO(w string) string {
	w = plainKO(w)
	if utf8.RuneCountInString(w) < 2 {
		return w
	}
	for _, p := range particles {
		if strings.HasSuffix(w, p) {
			rest := w[:len(w)-len(p)]
			if utf8.RuneCountInString(rest) >= 1 {
				return rest
			}
		}
	}
	return w
}

// DetectLocale returns ko when text holds Hangul and en otherwise.
func DetectLocale(text string) string {
	for _, r := range text {
		if isHangul(r) || isJamo(r) {
			return "ko"
		}
	}
	return "en"
}
