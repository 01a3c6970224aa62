package intent

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
)

var explain = flag.String("dev.explain", "", "utterances (separated by |) to explain: units, nearest examples")

func TestExplain(t *testing.T) {
	if *explain == "" {
		t.Skip("no -dev.explain")
	}
	c := newTestClassifier(t)
	for _, text := range strings.Split(*explain, "|") {
		d := newDoc(text)
		slots := c.ext.extract(d, testNow)
		units := d.units()
		var us []string
		for _, u := range units {
			us = append(us, u.text)
		}
		fmt.Printf("\n%q\n  units: %s\n  slots: %+v\n", text, strings.Join(us, " · "), slots)
		s := c.score(units, c.cuesOf(d, units))
		for _, i := range s.order[:4] {
			fmt.Printf("  %-18s %.3f  best %q\n", c.intents[i], s.intentScore[i], c.examples[max(s.bestEx[i], 0)].text)
		}
		idx := make([]int, len(s.sims))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if s.sims[a] > s.sims[b] {
				return -1
			} else if s.sims[a] < s.sims[b] {
				return 1
			}
			return 0
		})
		for _, i := range idx[:5] {
			fmt.Printf("    %.3f %-18s %q\n", s.sims[i], c.intents[c.examples[i].intent], c.examples[i].text)
		}
		r := c.Classify(ctx, text, nil)
		fmt.Printf("  => %s %.3f tool %s oos %v\n", r.Intent, r.Confidence, r.Tool, r.OutOfScope)
	}
}

var slotsDebug = flag.String("dev.slots", "", "utterances (|-separated) whose slots to print")

func TestSlotsDebug(t *testing.T) {
	if *slotsDebug == "" {
		t.Skip()
	}
	c := newTestClassifier(t)
	for _, text := range strings.Split(*slotsDebug, "|") {
		b, _ := json.Marshal(c.Slots(text))
		fmt.Printf("%-40s %s\n", text, b)
	}
}

var unknownDebug = flag.Bool("dev.unknown", false, "print the unknown mass of the dev utterances")

func TestUnknownMass(t *testing.T) {
	if !*unknownDebug {
		t.Skip()
	}
	c := newTestClassifier(t)
	for _, it := range readSet(t, "testdata/dev.tsv") {
		d := newDoc(it.Text)
		c.ext.extract(d, testNow)
		q := c.emb.embed(d.units(), true)
		u := 0.0
		for i, k := range q.keys {
			if _, ok := c.emb.idf[k]; !ok {
				u += float64(q.vals[i]) * float64(q.vals[i])
			}
		}
		s := c.score(d.units(), c.cuesOf(d, d.units()))
		r := c.Classify(ctx, it.Text, nil)
		fmt.Printf("%s\t%.3f\t%.3f\t%v\t%s\t%s\n", it.Intent, u, s.top, fine(r) == it.Intent, fine(r), it.Text)
	}
}

var conversation = flag.String("dev.conversation", "", "turns (|-separated) to classify as one conversation")

func TestConversation(t *testing.T) {
	if *conversation == "" {
		t.Skip()
	}
	c := newTestClassifier(t)
	var prev *Result
	for _, text := range strings.Split(*conversation, "|") {
		r := c.Classify(ctx, text, prev)
		b, _ := json.Marshal(r.Slots)
		fmt.Printf("%-34s → %-16s %.2f %-26s followup=%-5v %s\n", text, r.Intent, r.Confidence, r.Tool, r.Followup, b)
		prev = &r
	}
}
