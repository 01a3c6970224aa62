package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

//go:embed templates/push_copy.json
var pushTemplatesJSON []byte

// segments are the customer segments push copy is written for, as the
// segment plugin names them, plus "all".
var segments = []string{"vip", "loyal", "regular", "new", "at_risk", "dormant", "all"}

// copyText is one push: a headline, the body and a call to action.
type copyText struct {
	Headline   string `json:"headline"`
	PushText   string `json:"push_text"`
	ActionLine string `json:"action_line"`
}

// copyLimits are the longest headline, body and call to action, in
// characters.
type copyLimits struct {
	Headline   int `json:"headline"`
	PushText   int `json:"push_text"`
	ActionLine int `json:"action_line"`
}

// pushTemplates is templates/push_copy.json: fallback copy per locale and
// segment.
type pushTemplates struct {
	Limits map[string]copyLimits `json:"limits"`
	Offer  map[string]struct {
		Discount string `json:"discount"`
		None     string `json:"none"`
	} `json:"offer"`
	Variants map[string]map[string][]copyText `json:"variants"`
	Short    map[string][]copyText            `json:"short"`
}

func loadPushTemplates() (*pushTemplates, error) {
	var t pushTemplates
	if err := json.Unmarshal(pushTemplatesJSON, &t); err != nil {
		return nil, fmt.Errorf("templates/push_copy.json: %w", err)
	}
	for _, loc := range []string{"ko", "en"} {
		if l := t.Limits[loc]; l.Headline <= 0 || l.PushText <= 0 || l.ActionLine <= 0 {
			return nil, fmt.Errorf("templates/push_copy.json: limits.%s: want positive headline, push_text and action_line", loc)
		}
		if o := t.Offer[loc]; !strings.Contains(o.Discount, "{pct}") || o.None == "" {
			return nil, fmt.Errorf("templates/push_copy.json: offer.%s: want discount with {pct} and none", loc)
		}
		if len(t.Short[loc]) == 0 {
			return nil, fmt.Errorf("templates/push_copy.json: short.%s is empty", loc)
		}
		for _, seg := range segments {
			if len(t.Variants[loc][seg]) < 2 {
				return nil, fmt.Errorf("templates/push_copy.json: variants.%s.%s: want at least two variants", loc, seg)
			}
		}
		for seg, vs := range t.Variants[loc] {
			if !slices.Contains(segments, seg) {
				return nil, fmt.Errorf("templates/push_copy.json: variants.%s.%s: unknown segment (known: %s)", loc, seg, strings.Join(segments, ", "))
			}
			for i, v := range append(slices.Clone(vs), t.Short[loc]...) {
				for _, s := range []string{v.Headline, v.PushText, v.ActionLine} {
					if _, err := render(s, "", ""); err != nil || s == "" {
						return nil, fmt.Errorf("templates/push_copy.json: variants.%s.%s[%d]: %q: %v", loc, seg, i, s, err)
					}
					if b := bannedIn(s); len(b) > 0 {
						return nil, fmt.Errorf("templates/push_copy.json: variants.%s.%s[%d] uses banned words %v", loc, seg, i, b)
					}
				}
			}
		}
	}
	return &t, nil
}

// offer is the discount as words: "30% 할인", "30% off", or the
// no-discount wording.
func (t *pushTemplates) offer(locale string, pct int) string {
	o := t.Offer[locale]
	if pct <= 0 {
		return o.None
	}
	return strings.ReplaceAll(o.Discount, "{pct}", strconv.Itoa(pct))
}

// pick renders the first variant for the segment that fits the locale's
// limits, starting from one chosen by seed so that pushes for different
// stores and products differ; the short forms come last. ok is false only
// when not even a short form fits (an item name longer than the limits).
func (t *pushTemplates) pick(locale, segment, item string, pct int, seed string) (copyText, bool) {
	vs := t.Variants[locale][segment]
	h := fnv.New32a()
	h.Write([]byte(seed))
	start := int(h.Sum32() % uint32(len(vs)))
	order := append(slices.Clone(vs[start:]), vs[:start]...)
	order = append(order, t.Short[locale]...)
	offer := t.offer(locale, pct)
	for _, v := range order {
		c, err := renderCopy(v, item, offer)
		if err != nil {
			continue
		}
		if len(checkCopy(c, item, t.Limits[locale])) == 0 {
			return c, true
		}
	}
	return copyText{}, false
}

func renderCopy(v copyText, item, offer string) (copyText, error) {
	var c copyText
	var err error
	if c.Headline, err = render(v.Headline, item, offer); err != nil {
		return c, err
	}
	if c.PushText, err = render(v.PushText, item, offer); err != nil {
		return c, err
	}
	c.ActionLine, err = render(v.ActionLine, item, offer)
	return c, err
}

// checkCopy lists what is wrong with a push: empty or too long parts,
// banned words, and an item that appears in neither the headline nor the
// body.
func checkCopy(c copyText, item string, lim copyLimits) []string {
	var errs []string
	for _, f := range []struct {
		name, text string
		max        int
	}{{"headline", c.Headline, lim.Headline}, {"push_text", c.PushText, lim.PushText}, {"action_line", c.ActionLine, lim.ActionLine}} {
		switch n := runes(f.text); {
		case strings.TrimSpace(f.text) == "":
			errs = append(errs, fmt.Sprintf("%s is empty: write it", f.name))
		case n > f.max:
			errs = append(errs, fmt.Sprintf("%s has %d characters: at most %d", f.name, n, f.max))
		}
		if b := bannedIn(f.text); len(b) > 0 {
			errs = append(errs, fmt.Sprintf("%s uses banned words %s: never mention them, speak of the item and the offer", f.name, strings.Join(quoteAll(b), ", ")))
		}
	}
	if fi := fold(item); fi != "" && !strings.Contains(fold(c.Headline), fi) && !strings.Contains(fold(c.PushText), fi) {
		errs = append(errs, fmt.Sprintf("the item %q is the hook: name it in the headline or the push_text", item))
	}
	return errs
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// particles are the Korean particles that change with the word before
// them: the form after a final consonant, then the form after a vowel.
var particles = map[string][2]string{
	"을를":  {"을", "를"},
	"이가":  {"이", "가"},
	"은는":  {"은", "는"},
	"과와":  {"과", "와"},
	"으로로": {"으로", "로"},
}

// render fills a template's {item} and {offer} placeholders, with the
// Korean particle that fits when one is named ({item|을를}).
func render(tmpl, item, offer string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed { in %q", tmpl)
		}
		b.WriteString(tmpl[:i])
		name, particle, _ := strings.Cut(tmpl[i+1:i+j], "|")
		var word string
		switch name {
		case "item":
			word = item
		case "offer":
			word = offer
		default:
			return "", fmt.Errorf("unknown placeholder {%s}: want {item} or {offer}", name)
		}
		b.WriteString(word)
		if particle != "" {
			forms, ok := particles[particle]
			if !ok {
				return "", fmt.Errorf("unknown particle %q in {%s|%s}", particle, name, particle)
			}
			b.WriteString(josa(word, forms, particle == "으로로"))
		}
		tmpl = tmpl[i+j+1:]
	}
}

// josa picks the particle form after word: forms[0] after a final
// consonant, forms[1] after a vowel (and, for 으로/로, after ㄹ).
func josa(word string, forms [2]string, ro bool) string {
	rs := []rune(strings.TrimRightFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
	if len(rs) == 0 {
		return forms[1]
	}
	last := rs[len(rs)-1]
	if last < 0xAC00 || last > 0xD7A3 {
		return forms[1]
	}
	final := (last - 0xAC00) % 28
	if final == 0 || (ro && final == 8) {
		return forms[1]
	}
	return forms[0]
}
