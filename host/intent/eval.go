package intent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Labelled is one line of an evaluation file.
type Labelled struct {
	Line   int    `json:"line"`
	Intent string `json:"intent"`
	Text   string `json:"utterance"`
}

// TSVHeader is the first line of an evaluation file.
const TSVHeader = "intent\tutterance"

// ReadTSV reads an evaluation file: the header line "intent<TAB>utterance",
// then one labelled utterance a line. Blank lines are skipped.
func ReadTSV(r io.Reader) ([]Labelled, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var out []Labelled
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			if text != TSVHeader {
				return nil, fmt.Errorf("line 1: header is %q, want %q (a tab between the columns)", text, TSVHeader)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		intent, utt, ok := strings.Cut(text, "\t")
		intent, utt = strings.TrimSpace(intent), strings.TrimSpace(utt)
		if !ok || intent == "" || utt == "" || strings.Contains(utt, "\t") {
			return nil, fmt.Errorf("line %d: want intent<TAB>utterance, got %q", line, text)
		}
		out = append(out, Labelled{Line: line, Intent: intent, Text: utt})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("empty file: want the header %q and labelled lines", TSVHeader)
	}
	return out, nil
}

// Report is the evaluation of a classifier on labelled utterances.
type Report struct {
	N        int     `json:"n"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// Granularity is how predictions were compared with the labels:
	// "canonical" (Result.Intent) when every label is a canonical intent,
	// "fine" (Result.Sub when set) when a label is a plugin's finer
	// intent (stock_lookup), so that a file scores at its own labels'
	// granularity.
	Granularity string `json:"granularity"`
	// Intents has one row per intent seen as a label or a prediction.
	Intents []IntentStats `json:"intents"`
	// Labels orders the rows (gold) and columns (predicted) of Confusion.
	Labels    []string `json:"labels"`
	Confusion [][]int  `json:"confusion"`
	// Unknown lists gold intents the classifier does not know (no
	// plugin declares them).
	Unknown     []string    `json:"unknown,omitempty"`
	Latency     Latency     `json:"latency"`
	Calibration Calibration `json:"calibration"`
	Fallbacks   int         `json:"fallbacks"`
	Errors      []Miss      `json:"errors"`
}

// IntentStats are one intent's precision and recall.
type IntentStats struct {
	Intent    string  `json:"intent"`
	Support   int     `json:"support"`   // gold labels
	Predicted int     `json:"predicted"` // predictions
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Latency is the time Classify took per utterance, in microseconds.
type Latency struct {
	Runs int     `json:"runs"`
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	Max  float64 `json:"max_us"`
	Mean float64 `json:"mean_us"`
	// MedianP50 and MedianP99 are taken over the utterances' median
	// times: what an utterance costs, without the stalls of a busy
	// machine.
	MedianP50 float64 `json:"median_p50_us"`
	MedianP99 float64 `json:"median_p99_us"`
}

// Calibration compares confidence with accuracy: the expected calibration
// error over ten equal-width bins and the Brier score.
type Calibration struct {
	ECE   float64 `json:"ece"`
	Brier float64 `json:"brier"`
	Bins  []Bin   `json:"bins"`
}

// Bin is one confidence bin.
type Bin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	N          int     `json:"n"`
	Confidence float64 `json:"confidence"`
	Accuracy   float64 `json:"accuracy"`
}

// Miss is one wrong prediction.
type Miss struct {
	Line       int     `json:"line"`
	Utterance  string  `json:"utterance"`
	Gold       string  `json:"gold"`
	Predicted  string  `json:"predicted"`
	Confidence float64 `json:"confidence"`
	Example    string  `json:"example,omitempty"`
}

// Granularities of a Report.
const (
	GranularityCanonical = "canonical"
	GranularityFine      = "fine"
)

// Evaluate classifies every item (without context) and measures the
// predictions at the labels' granularity (Report.Granularity); each
// utterance is timed repeat times (at least once) after one untimed pass.
func Evaluate(ctx context.Context, c *Classifier, items []Labelled, repeat int) *Report {
	r := &Report{N: len(items)}
	known := map[string]bool{}
	for _, d := range c.defs {
		known[d.Name] = true
	}
	r.Granularity = GranularityCanonical
	for _, it := range items {
		if c.parent[it.Intent] != "" {
			r.Granularity = GranularityFine
		}
	}
	preds := make([]Result, len(items))
	for i, it := range items {
		preds[i] = c.Classify(ctx, it.Text, nil)
		if r.Granularity == GranularityFine && preds[i].Sub != "" {
			preds[i].Intent = preds[i].Sub
		}
	}
	var lat []float64
	per := make([][]float64, len(items))
	for range max(repeat, 1) {
		for i, it := range items {
			t0 := time.Now()
			c.Classify(ctx, it.Text, nil)
			us := float64(time.Since(t0).Nanoseconds()) / 1e3
			lat = append(lat, us)
			per[i] = append(per[i], us)
		}
	}
	r.Latency = latency(lat)
	// Each utterance's median over its runs is its cost without the
	// scheduler's stalls on a busy machine.
	medians := make([]float64, len(per))
	for i, xs := range per {
		slices.Sort(xs)
		medians[i] = xs[len(xs)/2]
	}
	m := latency(medians)
	r.Latency.MedianP50, r.Latency.MedianP99 = m.P50, m.P99

	labels := map[string]bool{}
	for i, it := range items {
		labels[it.Intent] = true
		labels[preds[i].Intent] = true
		if !known[it.Intent] && !slices.Contains(r.Unknown, it.Intent) {
			r.Unknown = append(r.Unknown, it.Intent)
		}
	}
	r.Labels = sortedKeys(labels)
	idx := map[string]int{}
	for i, l := range r.Labels {
		idx[l] = i
	}
	r.Confusion = make([][]int, len(r.Labels))
	for i := range r.Confusion {
		r.Confusion[i] = make([]int, len(r.Labels))
	}
	stats := make([]IntentStats, len(r.Labels))
	for i, l := range r.Labels {
		stats[i].Intent = l
	}
	confs := make([]float64, len(items))
	right := make([]bool, len(items))
	r.Errors = []Miss{}
	for i, it := range items {
		p := preds[i]
		g, q := idx[it.Intent], idx[p.Intent]
		r.Confusion[g][q]++
		stats[g].Support++
		stats[q].Predicted++
		confs[i] = p.Confidence
		if p.Source == SourceFallback {
			r.Fallbacks++
		}
		if g == q {
			r.Correct++
			stats[g].Correct++
			right[i] = true
		} else {
			r.Errors = append(r.Errors, Miss{Line: it.Line, Utterance: it.Text, Gold: it.Intent, Predicted: p.Intent, Confidence: p.Confidence, Example: p.Example})
		}
	}
	for i := range stats {
		s := &stats[i]
		if s.Predicted > 0 {
			s.Precision = float64(s.Correct) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.Correct) / float64(s.Support)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
	}
	r.Intents = stats
	if r.N > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.N)
	}
	r.Calibration = calibrationOf(confs, right)
	return r
}

func latency(us []float64) Latency {
	if len(us) == 0 {
		return Latency{}
	}
	s := slices.Clone(us)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return round1(s[max(0, min(i, len(s)-1))])
	}
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return Latency{Runs: len(s), P50: q(0.5), P90: q(0.9), P99: q(0.99), Max: round1(s[len(s)-1]), Mean: round1(sum / float64(len(s)))}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func calibrationOf(conf []float64, right []bool) Calibration {
	var c Calibration
	if len(conf) == 0 {
		return c
	}
	const nb = 10
	bins := make([]Bin, nb)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/nb, float64(i+1)/nb
	}
	for i, p := range conf {
		b := min(int(p*nb), nb-1)
		bins[b].N++
		bins[b].Confidence += p
		y := 0.0
		if right[i] {
			y = 1
			bins[b].Accuracy++
		}
		c.Brier += (p - y) * (p - y)
	}
	c.Brier = round3(c.Brier / float64(len(conf)))
	for i := range bins {
		b := &bins[i]
		if b.N == 0 {
			continue
		}
		c.ECE += math.Abs(b.Confidence-b.Accuracy) / float64(len(conf))
		b.Confidence = round3(b.Confidence / float64(b.N))
		b.Accuracy = round3(b.Accuracy / float64(b.N))
		c.Bins = append(c.Bins, *b)
	}
	c.ECE = round3(c.ECE)
	return c
}

// WriteText prints the report as tables.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "accuracy %.1f%% (%d/%d), %s intents\n", 100*r.Accuracy, r.Correct, r.N, r.Granularity)
	fmt.Fprintf(w, "latency per utterance: p50 %.0f µs, p90 %.0f µs, p99 %.0f µs, max %.0f µs (%d runs); per-utterance medians: p50 %.0f µs, p99 %.0f µs\n",
		r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, r.Latency.Runs, r.Latency.MedianP50, r.Latency.MedianP99)
	fmt.Fprintf(w, "calibration: ECE %.3f, Brier %.3f", r.Calibration.ECE, r.Calibration.Brier)
	if r.Fallbacks > 0 {
		fmt.Fprintf(w, "; %d answered by the fallback", r.Fallbacks)
	}
	fmt.Fprintln(w)
	if len(r.Unknown) > 0 {
		fmt.Fprintf(w, "labels no manifest or host example declares (build and start the plugin that serves them): %s\n", strings.Join(r.Unknown, ", "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "INTENT\tSUPPORT\tPREDICTED\tPRECISION\tRECALL\tF1\t")
	for _, s := range r.Intents {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", s.Intent, s.Support, s.Predicted, s.Precision, s.Recall, s.F1)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nconfusion (rows: gold, columns: predicted)")
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', tabwriter.AlignRight)
	header := []string{""}
	for i := range r.Labels {
		header = append(header, fmt.Sprintf("%d", i+1))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for i, l := range r.Labels {
		row := []string{fmt.Sprintf("%d %s", i+1, l)}
		for _, n := range r.Confusion[i] {
			if n == 0 {
				row = append(row, ".")
			} else {
				row = append(row, fmt.Sprint(n))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nconfidence bins")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "BIN\tN\tCONFIDENCE\tACCURACY\t")
	for _, b := range r.Calibration.Bins {
		fmt.Fprintf(tw, "%.1f–%.1f\t%d\t%.3f\t%.3f\t\n", b.Lo, b.Hi, b.N, b.Confidence, b.Accuracy)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "\nerrors (%d)\n", len(r.Errors))
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  line %d: %q  gold %s, got %s (%.2f)\n", e.Line, e.Utterance, e.Gold, e.Predicted, e.Confidence)
		}
	}
	return nil
}
