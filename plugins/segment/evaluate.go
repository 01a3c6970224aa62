package main

import (
	"context"
	"fmt"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/ml/gmm"
	"github.com/crumb-dev/crumb/plugins/internal/ml/kmeans"
	"github.com/crumb-dev/crumb/tools"
)

// EvaluateInput takes no arguments.
type EvaluateInput struct{}

// EvaluateOutput is the evaluation of the segmentation on the brand's data.
type EvaluateOutput struct {
	Customers int            `json:"customers"`
	BIC       []KBIC         `json:"bic"`
	K         int            `json:"k"`
	Segments  []SegmentRow   `json:"segments"`
	Stability Stability      `json:"stability"`
	VIP       *ProfileOutput `json:"vip,omitempty"`
	KMeans    KMeansCompare  `json:"kmeans"`
	Timings   Timings        `json:"timings"`
}

// Stability is the adjusted Rand index of the assignments of fits with
// seeds 2..5 against seed 1, at the chosen k.
type Stability struct {
	ARI  []float64 `json:"ari"`
	Mean float64   `json:"mean"`
	Min  float64   `json:"min"`
	Goal float64   `json:"goal"`
	Met  bool      `json:"met"`
}

// KMeansCompare sets K-Means (k = 5) on the same features beside the
// mixture.
type KMeansCompare struct {
	K                int     `json:"k"`
	SilhouetteGMM    float64 `json:"silhouette_gmm"`
	SilhouetteKMeans float64 `json:"silhouette_kmeans"`
	// Changed is how many customers fall in a different segment when each
	// K-Means cluster is matched to the GMM segment it overlaps most.
	Changed      int     `json:"changed"`
	ChangedShare float64 `json:"changed_share"`
}

// Timings are fit times in milliseconds.
type Timings struct {
	FitK5    float64 `json:"fit_k5_ms"` // k = 5, 3 restarts
	SelectK  float64 `json:"selectk_ms"`
	KMeansK5 float64 `json:"kmeans_k5_ms"`
}

// Display shows the evaluation.
func (o *EvaluateOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	d := &tools.Display{Tables: []tools.Table{segmentTable(o.Segments, ko)}}
	bic := tools.Chart{Kind: "line", Title: "BIC by k"}
	se := tools.Series{Name: "BIC"}
	for _, b := range o.BIC {
		bic.Labels = append(bic.Labels, fmt.Sprint(b.K))
		se.Values = append(se.Values, b.BIC)
	}
	bic.Series = []tools.Series{se}
	d.Charts = []tools.Chart{bic}
	d.Text = fmt.Sprintf("%d customers, k = %d by BIC. Stability (ARI vs seed 1): mean %.3f, min %.3f (goal ≥ %.1f). Silhouette GMM %.3f vs K-Means(5) %.3f; %d customers (%.1f%%) change segment. Fit k=5: %.1f ms, SelectK 2..8: %.1f ms.",
		o.Customers, o.K, o.Stability.Mean, o.Stability.Min, o.Stability.Goal, o.KMeans.SilhouetteGMM, o.KMeans.SilhouetteKMeans, o.KMeans.Changed, 100*o.KMeans.ChangedShare, o.Timings.FitK5, o.Timings.SelectK)
	if o.VIP != nil {
		d.Text += "\n" + o.VIP.Display(locale).Text
	}
	return d
}

func (s *segmenter) evaluate(ctx context.Context, call *tools.Call, _ EvaluateInput) (*EvaluateOutput, error) {
	b, err := loadBrand(ctx, call.Host, call.Now)
	if err != nil {
		return nil, err
	}
	f, err := fitBrand(b, call.Now, 1)
	if err != nil {
		return nil, err
	}
	out := &EvaluateOutput{Customers: len(f.cs), K: f.model.K()}
	out.Timings.SelectK = ms(f.took)
	for i, v := range f.bics {
		out.BIC = append(out.BIC, KBIC{K: kMin + i, BIC: v})
	}
	st := &state{art: &Artifact{Scaler: *f.scaler, Names: f.names, model: f.model}, b: b}
	st.gradeAll(call.Now)
	out.Segments = segmentRows(st, call.Now)
	for i, n := range f.names {
		if n.Key == "vip" {
			out.VIP = profileOf(st, i, call.Now)
		}
	}
	labels := func(m *gmm.Model) []int {
		l := make([]int, len(f.Z))
		for i, z := range f.Z {
			l[i] = m.Predict(z)
		}
		return l
	}
	base := labels(f.model)
	ref, err := gmm.Fit(f.Z, f.model.K(), gmm.Options{Seed: 1, Restarts: restarts})
	if err != nil {
		return nil, fmt.Errorf("evaluate stability: %w", err)
	}
	refLabels := labels(ref)
	out.Stability = Stability{Goal: 0.8, Min: 1}
	for seed := uint64(2); seed <= 5; seed++ {
		m, err := gmm.Fit(f.Z, f.model.K(), gmm.Options{Seed: seed, Restarts: restarts})
		if err != nil {
			return nil, fmt.Errorf("evaluate stability: %w", err)
		}
		a := round3(kmeans.AdjustedRand(refLabels, labels(m)))
		out.Stability.ARI = append(out.Stability.ARI, a)
		out.Stability.Mean += a / 4
		out.Stability.Min = min(out.Stability.Min, a)
	}
	out.Stability.Mean = round3(out.Stability.Mean)
	out.Stability.Met = out.Stability.Min >= out.Stability.Goal

	t0 := time.Now()
	if _, err := gmm.Fit(f.Z, 5, gmm.Options{Seed: 1, Restarts: restarts}); err != nil {
		return nil, fmt.Errorf("evaluate fit k=5: %w", err)
	}
	out.Timings.FitK5 = ms(time.Since(t0))
	t0 = time.Now()
	km, err := kmeans.Fit(f.Z, 5, kmeans.Options{Seed: 1})
	if err != nil {
		return nil, fmt.Errorf("evaluate k-means: %w", err)
	}
	out.Timings.KMeansK5 = ms(time.Since(t0))
	out.KMeans = KMeansCompare{K: 5, SilhouetteGMM: round3(kmeans.Silhouette(f.Z, base)), SilhouetteKMeans: round3(kmeans.Silhouette(f.Z, km.Labels))}
	out.KMeans.Changed = changed(base, km.Labels)
	out.KMeans.ChangedShare = round3(float64(out.KMeans.Changed) / float64(len(base)))
	return out, nil
}

// changed matches each cluster of b to the cluster of a it overlaps most
// and counts the points whose a-cluster differs from their match.
func changed(a, b []int) int {
	overlap := map[[2]int]int{}
	for i := range a {
		overlap[[2]int{b[i], a[i]}]++
	}
	match := map[int]int{}
	best := map[int]int{}
	for key, n := range overlap {
		if n > best[key[0]] || (n == best[key[0]] && key[1] < match[key[0]]) {
			best[key[0]], match[key[0]] = n, key[1]
		}
	}
	c := 0
	for i := range a {
		if match[b[i]] != a[i] {
			c++
		}
	}
	return c
}
