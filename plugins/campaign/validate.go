package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Length limits of a plan's texts, in characters: the seed's (title 30,
// prize 20) for Korean, twice as many for English, which needs more
// letters for the same words.
var planLimits = map[string][2]int{
	"title":         {30, 60},
	"prize":         {20, 40},
	"participation": {60, 120},
}

// trendLimit is the longest trend text (the seed asks for about 100
// characters each; this leaves room for English).
const trendLimit = 300

// validatePlan is the event_plan business validator the host calls on every
// candidate. It says what is wrong in words a model can act on: exactly the
// six budget × type combinations, each once; costs inside their band of
// totalBudget; whole numbers where the schema wants integers; non-empty
// texts within their limits; no banned word.
func validatePlan(out json.RawMessage) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("the output is not JSON: %v; answer with one JSON object", err)}
	}
	root, ok := v.(map[string]any)
	if !ok {
		return []string{"the output must be a JSON object with totalBudget, trends and recommendations"}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	budget, problem := wholeNumber(root["totalBudget"])
	if problem != "" || budget <= 0 {
		return []string{"totalBudget: copy the total budget in won from the request, as an integer"}
	}
	bands := bandsFor(int(budget))

	trends, ok := root["trends"].(map[string]any)
	if !ok {
		bad("trends: want an object with industry, location and season")
	}
	for _, k := range []string{"industry", "location", "season"} {
		if trends != nil {
			checkText(&errs, "trends."+k, trends[k], trendLimit, trendLimit)
		}
	}

	recs, ok := root["recommendations"].([]any)
	if !ok {
		bad("recommendations: want an array of exactly 6 plans")
		return errs
	}
	if len(recs) != len(slots) {
		bad("recommendations: got %d plans, want exactly 6: one per budget level (low, medium, high) × type (online, offline)", len(recs))
	}
	seen := map[string]int{}
	for i, r := range recs {
		at := fmt.Sprintf("recommendations[%d]", i)
		m, ok := r.(map[string]any)
		if !ok {
			bad("%s: want an object", at)
			continue
		}
		level, _ := m["budget"].(string)
		typ, _ := m["type"].(string)
		band, levelOK := bands.of(level)
		if !levelOK {
			bad("%s.budget: %v, want low, medium or high", at, m["budget"])
		}
		if typ != "online" && typ != "offline" {
			bad("%s.type: %v, want online or offline", at, m["type"])
		}
		if levelOK && (typ == "online" || typ == "offline") {
			seen[level+"-"+typ]++
			at += " (" + level + "-" + typ + ")"
		}
		for _, f := range []string{"title", "prize", "participation"} {
			lim := planLimits[f]
			checkText(&errs, at+"."+f, m[f], lim[0], lim[1])
		}
		if n, p := wholeNumber(m["expectedParticipants"]); p != "" {
			bad("%s.expectedParticipants: %s", at, p)
		} else if n < 1 {
			bad("%s.expectedParticipants: %d, want at least 1", at, n)
		}
		if n, p := wholeNumber(m["cost"]); p != "" {
			bad("%s.cost: %s", at, p)
		} else if levelOK && (n < int64(band.Min) || n > int64(band.Max)) {
			bad("%s.cost: %d won is outside the %s band %d–%d won for a total budget of %d won", at, n, level, band.Min, band.Max, budget)
		}
		if n, p := wholeNumber(m["roi"]); p != "" {
			bad("%s.roi: %s", at, p)
		} else if n < -100 || n > 10_000 {
			bad("%s.roi: %d%% is not a plausible ROI (want -100 to 10000)", at, n)
		}
	}
	for _, s := range slots {
		switch k := s.budget + "-" + s.typ; seen[k] {
		case 0:
			bad("recommendations: the %s plan is missing: each budget × type combination exactly once", k)
		case 1:
		default:
			bad("recommendations: %s appears %d times: each budget × type combination exactly once", k, seen[k])
		}
	}
	return errs
}

// wholeNumber reads an integer written as a JSON integer; problem says
// what is wrong otherwise (a string, a fraction, an exponent).
func wholeNumber(v any) (n int64, problem string) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return 0, fmt.Sprintf("%s: write a whole number without a decimal point or exponent", x)
		}
		i, err := x.Int64()
		if err != nil {
			return 0, fmt.Sprintf("%s is not a whole number", x)
		}
		return i, ""
	case nil:
		return 0, "missing: want an integer"
	case string:
		return 0, fmt.Sprintf("%q is a string: want an integer number without quotes or units", x)
	default:
		return 0, fmt.Sprintf("%v: want an integer", x)
	}
}

// checkText checks a required text: a non-empty string within the Korean
// or English limit, without banned words.
func checkText(errs *[]string, field string, v any, koMax, enMax int) {
	s, ok := v.(string)
	switch {
	case !ok:
		*errs = append(*errs, fmt.Sprintf("%s: want a string", field))
		return
	case strings.TrimSpace(s) == "":
		*errs = append(*errs, fmt.Sprintf("%s is empty: write it", field))
		return
	}
	max := enMax
	if hasHangul(s) {
		max = koMax
	}
	if n := runes(s); n > max {
		*errs = append(*errs, fmt.Sprintf("%s has %d characters: at most %d", field, n, max))
	}
	if b := bannedIn(s); len(b) > 0 {
		*errs = append(*errs, fmt.Sprintf("%s uses banned words %s: never use them", field, strings.Join(quoteAll(b), ", ")))
	}
}
