package llm

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normRune is one rune of normalised text and the byte span of the
// original text it came from.
type normRune struct {
	r          rune
	start, end int
}

// normalize returns the text after the guard's normalisation, rune by rune,
// each with its span in s:
//
//   - NFKC: full-width and other compatibility forms become plain ones
//     (ＷＡＳＴＥ → WASTE), Hangul compatibility and half-width jamo become
//     conjoining jamo, conjoining jamo compose into syllables;
//   - case folding;
//   - Cyrillic and Greek letters that look Latin become Latin (а → a);
//   - diacritics and other combining marks are dropped outside Hangul
//     (wáste → waste, w̶a̶s̶t̶e̶ → waste).
//
// Separators (spaces, punctuation, symbols, invisible format characters)
// are kept here; the matchers decide what to do with them.
func normalize(s string) []normRune {
	out := make([]normRune, 0, len(s))
	var it norm.Iter
	it.InitString(norm.NFKC, s)
	for !it.Done() {
		p0 := it.Pos()
		seg := it.Next()
		p1 := it.Pos()
		for len(seg) > 0 {
			r, n := utf8.DecodeRune(seg)
			seg = seg[n:]
			for _, f := range foldRune(r) {
				out = append(out, normRune{r: f, start: p0, end: p1})
			}
		}
	}
	return out
}

// foldRune folds case, look-alikes and diacritics of one NFKC rune; it
// returns nothing for a combining mark.
func foldRune(r rune) []rune {
	if unicode.In(r, unicode.Mn, unicode.Me) {
		return nil
	}
	if r < utf8.RuneSelf {
		return []rune{unicode.ToLower(r)}
	}
	if unicode.Is(unicode.Hangul, r) {
		return []rune{r}
	}
	// Drop diacritics (é is e + U+0301 in NFD), then map look-alikes.
	d := norm.NFD.String(string(unicode.ToLower(r)))
	var kept []rune
	for _, x := range d {
		if unicode.In(x, unicode.Mn, unicode.Me) {
			continue
		}
		x = unicode.ToLower(x)
		if l, ok := lookalike[x]; ok {
			x = l
		}
		kept = append(kept, x)
	}
	return kept
}

// lookalike maps lower-case Cyrillic and Greek letters that are written
// like Latin ones to those Latin letters, so that "wаste" with a Cyrillic а
// is still waste.
var lookalike = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	'ɡ': 'g', 'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w',
}

// isWordRune says whether r is part of a word: a letter or a digit. Every
// other rune (space, punctuation, symbol, zero-width character) separates.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }

// Conjoining jamo ranges and syllable arithmetic (Unicode §3.12).
const (
	jamoLBase, jamoVBase, jamoTBase = 0x1100, 0x1161, 0x11A7
	jamoLCount, jamoVCount          = 19, 21
	jamoTCount                      = 28
	syllableBase                    = 0xAC00
	syllableCount                   = 11172
)

// lToT maps a leading consonant (choseong) index to the trailing
// consonant (jongseong) index of the same letter, 0 for none (ㄸ ㅃ ㅉ
// cannot end a syllable). Compatibility jamo (ㄱ ㄹ …) always become
// leading consonants under NFKC, so "ㄸㅓㄹㅇㅣ" needs this to become 떨이.
var lToT = [jamoLCount]int{1, 2, 4, 7, 0, 8, 16, 17, 0, 19, 20, 21, 22, 0, 23, 24, 25, 26, 27}

func isL(r rune) bool { return r >= jamoLBase && r < jamoLBase+jamoLCount }
func isV(r rune) bool { return r >= jamoVBase && r < jamoVBase+jamoVCount }
func isT(r rune) bool { return r > jamoTBase && r < jamoTBase+jamoTCount }
func isLV(r rune) bool {
	return r >= syllableBase && r < syllableBase+syllableCount && (r-syllableBase)%jamoTCount == 0
}

// composeJamo composes conjoining jamo that became adjacent once
// separators were removed ("ㅍ ㅖ ㄱ ㅣ" → 폐기), keeping spans.
func composeJamo(rs []normRune) []normRune {
	out := rs[:0:0]
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case isL(c.r) && i+1 < len(rs) && isV(rs[i+1].r):
			l, v := c.r-jamoLBase, rs[i+1].r-jamoVBase
			s := syllableBase + (l*jamoVCount+v)*jamoTCount
			end := rs[i+1].end
			i++
			// A trailing consonant: a T jamo, or an L jamo not followed by a
			// vowel (it cannot start the next syllable then).
			if i+1 < len(rs) {
				n := rs[i+1]
				switch {
				case isT(n.r):
					s += n.r - jamoTBase
					end = n.end
					i++
				case isL(n.r) && lToT[n.r-jamoLBase] != 0 && (i+2 >= len(rs) || !isV(rs[i+2].r)):
					s += rune(lToT[n.r-jamoLBase])
					end = n.end
					i++
				}
			}
			out = append(out, normRune{r: s, start: c.start, end: end})
		case isLV(c.r) && i+1 < len(rs) && (isT(rs[i+1].r) ||
			isL(rs[i+1].r) && lToT[rs[i+1].r-jamoLBase] != 0 && (i+2 >= len(rs) || !isV(rs[i+2].r))):
			n := rs[i+1]
			t := n.r - jamoTBase
			if isL(n.r) {
				t = rune(lToT[n.r-jamoLBase])
			}
			out = append(out, normRune{r: c.r + t, start: c.start, end: n.end})
			i++
		default:
			out = append(out, c)
		}
	}
	return out
}

// skeleton is the word runes of normalised text with every separator
// removed and loose jamo composed: "폐 기", "폐-기" and "ㅍㅖㄱㅣ" are all 폐기.
func skeleton(rs []normRune) []normRune {
	out := make([]normRune, 0, len(rs))
	for _, r := range rs {
		if isWordRune(r.r) {
			out = append(out, r)
		}
	}
	return composeJamo(out)
}

// token is one word of normalised text: a run of word runes of one script
// family (Hangul or not), with its span in the original.
type token struct {
	text       string
	letters    int
	hangul     bool
	start, end int
}

// tokenize splits normalised text into words at separators and where
// Hangul meets other letters ("waste라는" is waste + 라는).
func tokenize(rs []normRune) []token {
	var out []token
	var cur []rune
	start, end := 0, 0
	hangul := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, token{text: string(cur), letters: len(cur), hangul: hangul, start: start, end: end})
			cur = cur[:0]
		}
	}
	for _, r := range rs {
		if !isWordRune(r.r) {
			flush()
			continue
		}
		h := isHangul(r.r)
		if len(cur) > 0 && h != hangul {
			flush()
		}
		if len(cur) == 0 {
			start, hangul = r.start, h
		}
		cur = append(cur, r.r)
		end = r.end
	}
	flush()
	return out
}
