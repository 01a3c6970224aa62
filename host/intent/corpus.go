package intent

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// corpusTSV is the host's corpus for the canonical intents (intent<TAB>utterance), about 380
// utterances each, written for Crumb by three authors who saw the intents' descriptions but neither
// the examples nor any held-out set: Slack shorthand and typos, polite office Korean, marketing
// English, mixed Korean and English, one- to four-word queries, indirect and spoken phrasings,
// people without the jargon, executives, boundary pairs (a policy question beside the analysis), and look-alikes of the business that
// are out of scope. It teaches the classifier how people actually ask, where the manifests'
// examples show what a tool does.
//
//go:embed corpus.tsv
var corpusTSV string

// corpus is corpusTSV by intent.
var corpus = parseCorpus(corpusTSV)

// parseCorpus reads the embedded corpus; a malformed line is a programming error, caught by the
// package's tests.
func parseCorpus(s string) map[string][]string {
	out := map[string][]string{}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, line := range lines[1:] {
		name, text, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t")
		text = strings.TrimSpace(text)
		if !ok || !slices.Contains(Canonical, name) || text == "" {
			panic(fmt.Sprintf("intent: corpus.tsv line %d: want a canonical intent, a tab and an utterance, got %q", i+2, line))
		}
		out[name] = append(out[name], text)
	}
	return out
}
