package main

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// bannedTerms are words and phrases that never reach customers: they make a
// discounted item sound like something being thrown away. The host's guard
// (prompts/banned/*.txt, editable data) is the authority on every generated
// output; the plugin keeps a copy — a test fails when the host's lists gain
// a word this one lacks — so that its templates, fallbacks and validators
// refuse the same words before the host sees them. The rules follow the
// host's: Hangul matches anywhere once spaces and punctuation are gone; a
// Latin word matches a whole word or a letter-spaced run ("w a s t e",
// "wa ste") with an inflection (-s, -ed, -ing …), not a longer compound;
// a trailing * makes a prefix.
var bannedTerms = []string{
	// prompts/banned/ko.txt
	"폐기", "재고 처리", "재고 정리", "재고 소진", "재고 떨이", "떨이", "땡처리", "유통기한 임박", "유통기한 지난",
	"유통기한 만료", "유통 기한이 지난", "남은 빵", "팔다 남은", "안 팔린", "처분", "버려지는", "버려질", "쓰레기",
	// prompts/banned/en.txt
	"waste", "leftover", "left over", "clearance", "expir*", "out of date", "past its best", "best before", "stale",
	"surplus", "unsold", "overstock", "excess stock", "dispos*", "trash", "garbage", "dump", "throw away",
	"thrown away", "get rid of", "day old",
	// the plugin's own additions
	"페기", "유통기한", "소비기한", "기한 임박", "남은 재고", "버릴", "discard*", "past its date", "going off",
}

// confusables maps letters that look like Latin ones (Cyrillic, Greek) to
// them, so that "wаste" with a Cyrillic а is still caught.
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'х': 'x', 'у': 'y', 'і': 'i', 'ѕ': 's', 'ј': 'j',
	'ο': 'o', 'α': 'a', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'τ': 't',
}

// normalize folds compatibility forms and full-width letters (NFKC, which
// also composes decomposed and compatibility jamo into syllables), case and
// look-alike letters.
func normalize(s string) []rune {
	rs := []rune(strings.ToLower(norm.NFKC.String(s)))
	for i, r := range rs {
		if c, ok := confusables[r]; ok {
			rs[i] = c
		}
	}
	return rs
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// fold normalises text and drops everything that is not a letter or digit,
// so that "폐 기", "W.A.S.T.E" and "ｗａｓｔｅ" compare as 폐기 and waste.
func fold(s string) string {
	var b strings.Builder
	for _, r := range normalize(s) {
		if isWordRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type bannedTerm struct {
	term   string // as listed
	key    string // folded, without the *
	hangul bool
	phrase bool // several words: may match across spaces
	prefix bool // listed with a trailing *
}

var banned = func() []bannedTerm {
	out := make([]bannedTerm, len(bannedTerms))
	for i, t := range bannedTerms {
		base, prefix := strings.CutSuffix(t, "*")
		out[i] = bannedTerm{term: t, key: fold(base), hangul: hasHangul(t), phrase: strings.Contains(base, " "), prefix: prefix}
	}
	return out
}()

// latinTokens splits normalised text into runs of Latin letters and digits;
// Hangul, spaces and punctuation end a token.
func latinTokens(rs []rune) []string {
	var toks []string
	var b strings.Builder
	for _, r := range rs {
		if isWordRune(r) && !unicode.Is(unicode.Hangul, r) && !unicode.Is(unicode.Han, r) {
			b.WriteRune(r)
			continue
		}
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		toks = append(toks, b.String())
	}
	return toks
}

// inflections are the endings a Latin term may take and still match.
var inflections = []string{"s", "es", "d", "ed", "ing", "er", "ers", "ly", "ful", "fully"}

func (t bannedTerm) spells(s string) bool {
	if t.prefix {
		return strings.HasPrefix(s, t.key)
	}
	if s == t.key {
		return true
	}
	for _, suf := range inflections {
		if stem, ok := strings.CutSuffix(s, suf); ok && stem != "" {
			if stem == t.key || ((suf[0] == 'i' || suf[0] == 'e') && stem+"e" == t.key) {
				return true
			}
		}
	}
	return false
}

// maxLatinKey bounds the runs of words worth joining.
var maxLatinKey = func() int {
	n := 0
	for _, t := range banned {
		if !t.hangul {
			n = max(n, len(t.key))
		}
	}
	return n + 6
}()

// wordRun is one word, or several joined, of a text's Latin words.
type wordRun struct {
	text string
	// several: joined from more than one word; short: one of them has
	// at most two letters (letter-spacing such as "w a s t e").
	several, short bool
}

// bannedIn returns the banned terms found in s, as listed in bannedTerms.
// Ordinary words that join into a one-word term are not that term ("now a
// steal" is not "waste"); letter-spacing and phrases are.
func bannedIn(s string) []string {
	rs := normalize(s)
	var whole strings.Builder
	for _, r := range rs {
		if isWordRune(r) {
			whole.WriteRune(r)
		}
	}
	toks := latinTokens(rs)
	var runs []wordRun
	for i := range toks {
		joined, short := "", false
		for j := i; j < len(toks); j++ {
			joined += toks[j]
			short = short || runes(toks[j]) <= 2
			if len(joined) > maxLatinKey {
				break
			}
			runs = append(runs, wordRun{joined, j > i, short})
		}
	}
	var found []string
	for _, t := range banned {
		if t.hangul {
			if strings.Contains(whole.String(), t.key) {
				found = append(found, t.term)
			}
			continue
		}
		for _, r := range runs {
			if (!r.several || r.short || t.phrase) && t.spells(r.text) {
				found = append(found, t.term)
				break
			}
		}
	}
	return found
}

// hasHangul reports whether s contains a Hangul letter: text in Korean
// gets the Korean length limits.
func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// runes counts characters as people (and the seed's limits) count them.
func runes(s string) int { return len([]rune(s)) }
