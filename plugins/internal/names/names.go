// Package names matches what people type ("강남", "gangnam store",
// "크로아상") to the names of stores and products, for the plugins.
package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Best returns the candidate whose names best match q: an exact match after
// normalisation, then containment, then a small edit distance.
func Best[T any](q string, cands []T, names func(T) []string) (T, bool) {
	var zero T
	nq := Normalize(q)
	if nq == "" {
		return zero, false
	}
	bestScore, bestIdx := 0, -1
	for i, c := range cands {
		for _, n := range names(c) {
			if s := Score(nq, Normalize(n)); s > bestScore {
				bestScore, bestIdx = s, i
			}
		}
	}
	if bestIdx < 0 {
		return zero, false
	}
	return cands[bestIdx], true
}

// Score rates how well a normalised query matches a normalised name; 0
// means no match.
func Score(q, name string) int {
	switch {
	case name == "":
		return 0
	case q == name:
		return 100
	case len([]rune(name)) >= 2 && strings.Contains(q, name):
		return 80 + min(len([]rune(name)), 15)
	case len([]rune(q)) >= 2 && strings.Contains(name, q):
		return 60 + min(len([]rune(q)), 15)
	}
	d := editDistance([]rune(q), []rune(name))
	limit := 1
	if len([]rune(name)) >= 6 {
		limit = 2
	}
	if d <= limit {
		return 50 - d
	}
	return 0
}

// Normalize folds width and case and drops spaces and punctuation, so that
// "Gangnam Store", "gangnam-store" and "ｇａｎｇｎａｍ" compare equal; a
// trailing English plural s and "store"/"branch" are dropped too.
func Normalize(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	out := b.String()
	for _, suffix := range []string{"store", "branch"} {
		if t := strings.TrimSuffix(out, suffix); t != "" {
			out = t
		}
	}
	if len(out) > 3 && strings.HasSuffix(out, "s") && !strings.HasSuffix(out, "ss") {
		out = strings.TrimSuffix(out, "s")
	}
	return out
}

func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
