package intent

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/tools"
)

// gazetteer finds store and product names in a doc: Korean and English
// names, districts, plurals, and names typed with a small typo ("gangnm",
// "강넘점", "crossaints").
type gazetteer struct {
	aliases []alias // longest first
	// byRune and byByte index the aliases by their first folded syllable
	// (Hangul) or first byte (Latin): a name can only start where the
	// utterance has it, so find tries those aliases only, in order.
	byRune map[rune][]int
	byByte [256][]int
}

type alias struct {
	ids []string
	// Hangul aliases: folded syllables, spaces removed.
	runes []rune
	// Latin aliases: stemmed words, and the words joined without spaces.
	words      []string
	raw        []string // the words as written, for edit distance
	squash     string
	squashStem string
	// suffixes are Latin words swallowed after a store name ("gangnam
	// store").
	suffixes []string
}

func (a *alias) size() int {
	if a.runes != nil {
		return len(a.runes) * 3
	}
	return len(a.squash)
}

// categoryWords name product categories; they are slots of their own, never
// product aliases.
var categoryWords = map[string]string{
	"빵": "bread", "bread": "bread", "breads": "bread", "식사빵": "bread",
	"페이스트리": "pastry", "pastry": "pastry", "pastries": "pastry",
	"케이크": "cake", "cake": "cake", "cakes": "cake",
	"샌드위치": "sandwich", "sandwich": "sandwich", "sandwiches": "sandwich",
	"쿠키": "cookie", "cookie": "cookie", "cookies": "cookie",
	"음료": "beverage", "음료수": "beverage", "beverage": "beverage", "beverages": "beverage", "drink": "beverage", "drinks": "beverage",
	"커피": "beverage", "coffee": "beverage",
}

// ingredientWords are not product names on their own even when one product
// ends with them (Hot Chocolate, Strawberry Milk).
var ingredientWords = map[string]bool{
	"chocolate": true, "cheese": true, "cream": true, "milk": true, "strawberry": true, "almond": true, "butter": true,
	"garlic": true, "rice": true, "brew": true, "man": true, "box": true, "chip": true, "bean": true, "fresh": true,
}

// extraAliases are spellings and short names people use that the catalogue
// does not list, by the catalogue's English name.
var extraAliases = map[string][]string{
	"croissant":        {"크로상", "크롸상"},
	"white bread":      {"식빵"},
	"salt bread":       {"시오빵", "소금 빵"},
	"pain au chocolat": {"뺑오초콜릿", "뱅오쇼콜라", "pain au choc", "chocolate croissant", "초코 크루아상"},
	"castella":         {"카스테라"},
	"americano":        {"아메리카노"},
	"cafe latte":       {"라떼", "latte", "카페라테", "라테"},
	"egg tart":         {"에그탈트", "egg tarts"},
	"cinnamon roll":    {"시나몬 롤"},
	"cheesecake":       {"cheese cake", "치즈 케이크"},
	"macaron":          {"마카롱", "macaroon"},
	"madeleine":        {"마들렌", "madeline"},
}

func newGazetteer(stores []tools.Store, products []tools.Product) *gazetteer {
	g := &gazetteer{}
	byKey := map[string]*alias{}
	add := func(text, id string, suffixes []string) {
		n := respell(normalize(text))
		n = strings.Join(strings.Fields(strings.NewReplacer(".", " ", ",", " ", "&", " ", "-", " ", "/", " ").Replace(n)), " ")
		if n == "" {
			return
		}
		var a alias
		if strings.IndexFunc(n, isHangul) >= 0 {
			if strings.IndexFunc(n, func(r rune) bool { return kindOf(r) == scriptLatin }) >= 0 {
				return // mixed (BLT 샌드위치): its parts are added on their own
			}
			for _, r := range strings.ReplaceAll(n, " ", "") {
				a.runes = append(a.runes, foldSyllable(r))
			}
			if len(a.runes) < 2 {
				return
			}
		} else {
			for _, t := range tokenize(n) {
				a.words = append(a.words, stemEN(t.text))
				a.raw = append(a.raw, t.text)
			}
			a.squash = strings.Join(a.raw, "")
			a.squashStem = stemEN(a.squash)
			if len(a.squash) < 3 {
				return
			}
			a.suffixes = suffixes
		}
		key := string(a.runes) + "|" + strings.Join(a.words, " ")
		if old, ok := byKey[key]; ok {
			if !slices.Contains(old.ids, id) {
				old.ids = append(old.ids, id)
			}
			return
		}
		a.ids = []string{id}
		byKey[key] = &a
	}
	storeSuffixes := []string{"store", "branch", "shop", "location", "점", "station"}
	for _, s := range stores {
		for _, t := range []string{s.Name, strings.TrimSuffix(s.Name, "점"), s.NameEN, s.District, strings.TrimSuffix(s.District, "구"),
			s.DistrictEN, strings.TrimSuffix(s.DistrictEN, "-gu"), strings.TrimSuffix(s.NameEN, " Univ.")} {
			add(t, s.ID, storeSuffixes)
		}
	}
	// Product names, then the shorter names they contain when those name
	// one kind of product (bagel, loaf, tart) rather than a category.
	exact := map[string]bool{}
	for _, p := range products {
		exact[strings.ToLower(p.NameEN)] = true
		exact[strings.ReplaceAll(p.Name, " ", "")] = true
	}
	for _, p := range products {
		add(p.Name, p.ID, nil)
		add(p.NameEN, p.ID, nil)
		for _, extra := range extraAliases[strings.ToLower(p.NameEN)] {
			add(extra, p.ID, nil)
		}
		for _, name := range []string{p.Name, p.NameEN} {
			words := strings.Fields(strings.NewReplacer("&", " ").Replace(strings.ToLower(name)))
			for i := 1; i < len(words); i++ {
				suffix := strings.Join(words[i:], " ")
				if exact[suffix] || categoryWords[suffix] != "" || (len(words)-i == 1 && (ingredientWords[suffix] || utf8.RuneCountInString(suffix) < 2 || (len(suffix) < 4 && !strings.ContainsFunc(suffix, isHangul)))) {
					continue
				}
				add(suffix, p.ID, nil)
			}
		}
	}
	for _, a := range byKey {
		g.aliases = append(g.aliases, *a)
	}
	slices.SortFunc(g.aliases, func(a, b alias) int {
		if a.size() != b.size() {
			return b.size() - a.size()
		}
		return strings.Compare(string(a.runes)+strings.Join(a.words, " "), string(b.runes)+strings.Join(b.words, " "))
	})
	g.byRune = map[rune][]int{}
	for ai, a := range g.aliases {
		switch {
		case a.runes != nil:
			g.byRune[a.runes[0]] = append(g.byRune[a.runes[0]], ai)
		case len(a.raw) > 0 && a.raw[0] != "":
			g.byByte[a.raw[0][0]] = append(g.byByte[a.raw[0][0]], ai)
		}
	}
	return g
}

// candidates returns, in order, the aliases that may match in d: those
// starting with one of its syllables or one of its Latin words' first
// bytes. Every match (matchLatin, the syllable scan) starts so, exact or
// fuzzy.
func (g *gazetteer) candidates(d *doc) []int {
	var out []int
	for i, h := range d.hang {
		seen := false
		for _, p := range d.hang[:i] {
			if p.folded == h.folded {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, g.byRune[h.folded]...)
		}
	}
	var seenByte [256]bool
	for _, t := range d.toks {
		if t.kind == scriptLatin && !seenByte[t.text[0]] {
			seenByte[t.text[0]] = true
			out = append(out, g.byByte[t.text[0]]...)
		}
	}
	slices.Sort(out)
	return out
}

// blockers are words that contain a name without meaning it (성수기 is the
// peak season, not the Seongsu store).
var blockers = []string{"성수기", "비성수기", "중구난방", "목동자"}

// find claims the names in d with kind k for the aliases whose ids pass
// keep, and returns the ids found, in text order, without repeats.
func (g *gazetteer) find(d *doc, k spanKind) []string {
	type hit struct {
		start int
		ids   []string
	}
	var hits []hit
	blocked := func(s, e int) bool {
		for _, b := range blockers {
			for i := 0; ; {
				j := strings.Index(d.text[i:], b)
				if j < 0 {
					break
				}
				bs, be := i+j, i+j+len(b)
				if s >= bs && e <= be {
					return true
				}
				i = be
			}
		}
		return false
	}
	// Exact matches of every alias first, then typo-tolerant ones, so
	// that a typo never shadows an exact name.
	cands := g.candidates(d)
	for pass := 0; pass < 2; pass++ {
		fuzzy := pass == 1
		for _, ai := range cands {
			a := &g.aliases[ai]
			if a.runes != nil {
				n := len(a.runes)
				allowed := 0
				if fuzzy {
					switch {
					case n >= 5:
						allowed = 2
					case n >= 3:
						allowed = 1
					default:
						continue
					}
				}
				for i := 0; i+n <= len(d.hang); i++ {
					// A typo keeps the first syllable and starts a word.
					if d.hang[i].folded != a.runes[0] || (fuzzy && !d.startsWord(d.hang[i].start)) {
						continue
					}
					dist := 0
					for j := 0; j < n && dist <= allowed; j++ {
						dist += jamoDistance(d.hang[i+j].folded, a.runes[j])
					}
					if dist > allowed || (fuzzy && dist == 0) {
						continue
					}
					s, e := d.hang[i].start, d.hang[i+n-1].end
					if !d.free(s, e) || blocked(s, e) {
						continue
					}
					d.claim(s, e, k)
					hits = append(hits, hit{s, a.ids})
				}
				continue
			}
			for i := range d.toks {
				if s, e, ok := a.matchLatin(d, i, fuzzy); ok && d.free(s, e) {
					// Swallow "store", "branch" after a store name.
					if ti := d.tokenAfter(e); ti >= 0 && slices.Contains(a.suffixes, d.toks[ti].text) && d.free(d.toks[ti].start, d.toks[ti].end) {
						e = d.toks[ti].end
					}
					d.claim(s, e, k)
					hits = append(hits, hit{s, a.ids})
				}
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.start - b.start })
	var ids []string
	for _, h := range hits {
		for _, id := range h.ids {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// tokenAfter returns the index of the first token starting at or after
// byte offset e, or -1.
func (d *doc) tokenAfter(e int) int {
	for i, t := range d.toks {
		if t.start >= e {
			return i
		}
	}
	return -1
}

// matchLatin matches a Latin alias at token i: word by word (stems equal,
// or within a small edit distance when fuzzy), or as one token spelling the
// words together ("saltbread"), or as two tokens spelling a one-word alias
// ("cheese cake").
func (a *alias) matchLatin(d *doc, i int, fuzzy bool) (int, int, bool) {
	t := d.toks[i]
	if t.kind != scriptLatin {
		return 0, 0, false
	}
	same := func(k int, stem, raw string) bool {
		tok, ts := d.toks[k], d.stems[k]
		if ts == stem {
			return true
		}
		if !fuzzy {
			return false
		}
		n := len(raw)
		if n < 5 || tok.text[0] != raw[0] {
			return false
		}
		maxD := 1
		if n >= 8 {
			maxD = 2
		}
		if l := len(tok.text); l < n-maxD-1 || l > n+maxD+1 {
			return false
		}
		return editDistance(tok.text, raw, maxD) <= maxD || editDistance(ts, stem, maxD) <= maxD
	}
	if i+len(a.words) <= len(d.toks) {
		ok := true
		for j := range a.words {
			if d.toks[i+j].kind != scriptLatin || !same(i+j, a.words[j], a.raw[j]) {
				ok = false
				break
			}
		}
		// A fuzzy match of several words needs one exact word at least,
		// and every word but the last must be followed by a space only.
		if ok && fuzzy && len(a.words) > 1 {
			exactOne := false
			for j := range a.words {
				if d.stems[i+j] == a.words[j] {
					exactOne = true
				}
			}
			ok = exactOne
		}
		if ok {
			return t.start, d.toks[i+len(a.words)-1].end, true
		}
	}
	if !fuzzy && len(a.words) > 1 && (t.text == a.squash || d.stems[i] == a.squashStem) {
		return t.start, t.end, true
	}
	if !fuzzy && len(a.words) == 1 && i+1 < len(d.toks) && d.toks[i+1].kind == scriptLatin {
		joined := t.text + d.toks[i+1].text
		if joined == a.squash || stemEN(joined) == a.words[0] {
			return t.start, d.toks[i+1].end, true
		}
	}
	return 0, 0, false
}
