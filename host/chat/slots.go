package chat

import (
	"strings"
	"unicode"

	"github.com/crumb-dev/crumb/tools"
)

// Slots are the entities found in an utterance.
type Slots struct {
	Store   string `json:"store,omitempty"`   // store id
	Product string `json:"product,omitempty"` // product id
}

// gazetteer finds store and product names in text: Korean and English
// names, districts, with and without the 점/구 suffixes, longest match first.
type gazetteer struct {
	stores   []alias
	products []alias
}

type alias struct {
	text string // normalised, without spaces
	id   string
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
	return append(as, alias{text: t, id: id})
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
	return Slots{Store: longest(t, g.stores), Product: longest(t, g.products)}
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
