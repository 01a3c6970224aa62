package chat

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/crumb-dev/crumb/tools"
)

// Slots are the entities found in an utterance.
type Slots struct {
	Store   string `json:"store,omitempty"`   // store id
	Product string `json:"product,omitempty"` // product id
	// Days is a span asked about ("this week" is 7, "3일" is 3); 0 when none.
	Days int `json:"days,omitempty"`
	// Segment is a customer segment named in the text, in English (VIP,
	// loyal, at risk, …).
	Segment string `json:"segment,omitempty"`
}

// segmentWords maps how people name customer segments to the English
// names the segment plugin knows; longer phrases are tried first.
var segmentWords = []struct{ word, name string }{
	{"이탈 위험", "at risk"}, {"이탈위험", "at risk"}, {"at risk", "at risk"}, {"at-risk", "at risk"}, {"churn", "at risk"}, {"이탈", "at risk"},
	{"vip", "VIP"}, {"우수 고객", "VIP"}, {"단골", "loyal"}, {"loyal", "loyal"}, {"충성", "loyal"},
	{"휴면", "dormant"}, {"dormant", "dormant"}, {"신규", "new"}, {"new customer", "new"}, {"일반 고객", "regular"}, {"regular", "regular"},
}

func findSegment(text string) string {
	t := strings.ToLower(text)
	for _, w := range segmentWords {
		if strings.Contains(t, w.word) {
			return w.name
		}
	}
	return ""
}

// daysPattern finds spans such as "3일", "3 days", "일주일", "this week".
var daysPattern = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:일간|일|days?\b)|(일주일|한\s*주|이번\s*주|다음\s*주|this week|next week|a week|the week)`)

// findDays returns the span in days mentioned in text, or 0.
func findDays(text string) int {
	loc := daysPattern.FindStringSubmatchIndex(text)
	if loc == nil {
		return 0
	}
	m := daysPattern.FindStringSubmatch(text)
	if m[2] != "" {
		return 7
	}
	// "12월 24일" is a date, not a span.
	if before := strings.TrimSpace(text[:loc[0]]); strings.HasSuffix(before, "월") {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// gazetteer finds store and product names in text: Korean and English
// names, districts, with and without the 점/구 suffixes, longest match first.
type gazetteer struct {
	stores   []alias
	products []alias
}

type alias struct {
	text   string // normalised, without spaces
	spaced string // normalised, with its spaces
	id     string
}

func newGazetteer(stores []tools.Store, products []tools.Product) *gazetteer {
	g := &gazetteer{}
	for _, s := range stores {
		for _, a := range []string{s.Name, strings.TrimSuffix(s.Name, "점"), s.NameEN, s.District, strings.TrimSuffix(s.District, "구"), s.DistrictEN, strings.TrimSuffix(s.DistrictEN, "-gu")} {
			g.stores = appendAlias(g.stores, a, s.ID)
		}
	}
	for _, p := range products {
		for _, a := range []string{p.Name, p.NameEN} {
			g.products = appendAlias(g.products, a, p.ID)
		}
	}
	return g
}

func appendAlias(as []alias, text, id string) []alias {
	t := squash(text)
	if len([]rune(t)) < 2 {
		return as
	}
	return append(as, alias{text: t, spaced: normalizeText(text), id: id})
}

// Placeholders that stand for a mentioned entity when routing, so that
// "잠실점 재고는?" looks like the example "강남점 재고 알려줘".
const (
	storeToken   = "entitystore"
	productToken = "entityproduct"
)

// mask replaces store and product names in text (normalised) with
// placeholder words, longest names first.
func (g *gazetteer) mask(text string) string {
	t := " " + normalizeText(text) + " "
	for _, set := range []struct {
		as    []alias
		token string
	}{{g.products, productToken}, {g.stores, storeToken}} {
		for _, a := range byLength(set.as) {
			// Names are matched as word prefixes so that particles
			// (강남점은, croissants) stay attached to the entity.
			t = replaceWordPrefix(t, a.spaced, set.token)
		}
	}
	return strings.TrimSpace(t)
}

func byLength(as []alias) []alias {
	out := slices.Clone(as)
	slices.SortStableFunc(out, func(a, b alias) int { return len(b.spaced) - len(a.spaced) })
	return out
}

// replaceWordPrefix replaces every occurrence of name that starts a word
// (and the rest of that word) with token.
func replaceWordPrefix(t, name, token string) string {
	var b strings.Builder
	for {
		i := strings.Index(t, " "+name)
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i+1])
		b.WriteString(token)
		rest := t[i+1+len(name):]
		if j := strings.IndexByte(rest, ' '); j >= 0 {
			rest = rest[j:]
		} else {
			rest = ""
		}
		t = rest
	}
}

// squash normalises and drops spaces so that "white bread" matches
// "whitebread" and "강남 점" matches "강남점".
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, normalizeText(s))
}

func (g *gazetteer) find(text string) Slots {
	t := squash(text)
	return Slots{Store: longest(t, g.stores), Product: longest(t, g.products), Days: findDays(text), Segment: findSegment(text)}
}

func longest(t string, as []alias) string {
	best, bestLen := "", 0
	for _, a := range as {
		if l := len(a.text); l > bestLen && strings.Contains(t, a.text) {
			best, bestLen = a.id, l
		}
	}
	return best
}
