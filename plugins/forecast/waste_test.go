package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestEWR(t *testing.T) {
	cases := []struct {
		name              string
		stock, production int
		remaining, want   float64
	}{
		{"seed formula", 30, 100, 18, 12},
		{"sells out: negative", 5, 50, 20, -30},
		{"nothing sold yet", 40, 40, 10, 75},
		{"everything left, no sales expected", 10, 10, 0, 100},
	}
	for _, c := range cases {
		if got := EWR(c.stock, c.remaining, c.production); got != c.want {
			t.Errorf("%s: EWR(%d, %g, %d) = %g, want %g", c.name, c.stock, c.remaining, c.production, got, c.want)
		}
	}
}

func TestRemainingShare(t *testing.T) {
	var flat [24]float64
	for h := 8; h < 18; h++ {
		flat[h] = 0.1
	}
	c := curves{{"S01", "bread"}: flat}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, seoul) }
	for _, tc := range []struct {
		h, m int
		want float64
	}{{6, 0, 1}, {8, 0, 1}, {12, 30, 0.55}, {17, 0, 0.1}, {18, 0, 0}, {23, 0, 0}} {
		if got := c.remaining("S01", "bread", at(tc.h, tc.m)); abs(got-tc.want) > 1e-9 {
			t.Errorf("remaining at %02d:%02d = %g, want %g", tc.h, tc.m, got, tc.want)
		}
	}
	// Without a curve: even over 07:00–22:00.
	if got := c.remaining("S09", "bread", at(14, 30)); abs(got-7.5/15) > 1e-9 {
		t.Errorf("default curve at 14:30 = %g", got)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// trained returns a synthetic brand with a trained model.
func trained(t *testing.T) (*forecaster, *plugintest.Host) {
	t.Helper()
	host := synthetic(4, 6, 200, 1)
	f := &forecaster{}
	if _, err := f.train(context.Background(), callAt(host, time.Date(2026, 11, 20, 9, 0, 0, 0, seoul), "en"), TrainInput{Trees: 20, Clusters: 2}); err != nil {
		t.Fatal(err)
	}
	return f, host
}

func TestWasteEdgeCases(t *testing.T) {
	f, host := trained(t)
	// One item not produced today.
	prod := host.Datasets[tools.DatasetProduction]
	p0 := prod[0].(tools.Production)
	p0.Quantity = 0
	prod[0] = p0
	at := time.Date(2026, 11, 20, 16, 30, 0, 0, seoul)
	out, err := f.waste(context.Background(), callAt(host, at, "en"), WasteInput{Store: p0.StoreID})
	if err != nil {
		t.Fatal(err)
	}
	last := out.Rows[len(out.Rows)-1]
	if last.Status != "not_produced" || last.EWR != nil || last.ProductID != p0.ProductID {
		t.Fatalf("zero production: last row %+v, want %s not_produced without EWR", last, p0.ProductID)
	}
	for _, r := range out.Rows[:len(out.Rows)-1] {
		if r.EWR == nil || r.AtRisk != (*r.EWR > out.Threshold) {
			t.Fatalf("row %+v: at_risk must be EWR > threshold", r)
		}
	}
	// Sorted by risk.
	for i := 1; i < len(out.Rows)-1; i++ {
		if *out.Rows[i].EWR > *out.Rows[i-1].EWR {
			t.Fatal("rows not sorted by EWR")
		}
	}
	// A higher threshold flags fewer items; the threshold is configurable.
	hi := 60.0
	out2, err := f.waste(context.Background(), callAt(host, at, "en"), WasteInput{Store: p0.StoreID, Threshold: &hi})
	if err != nil || out2.AtRisk > out.AtRisk {
		t.Fatalf("threshold 60: %d at risk vs %d at 12 (%v)", out2.AtRisk, out.AtRisk, err)
	}
	// Narrowed to one category or one product ("그 중에 케이크만").
	var products []tools.Product
	for _, p := range host.Datasets[tools.DatasetProducts] {
		products = append(products, p.(tools.Product))
	}
	cat := products[0].Category
	byCat, err := f.waste(context.Background(), callAt(host, at, "ko"), WasteInput{Store: p0.StoreID, Category: strings.ToUpper(cat)})
	if err != nil || len(byCat.Rows) == 0 || len(byCat.Rows) >= len(out.Rows) {
		t.Fatalf("category %s: %d of %d rows, %v", cat, len(byCat.Rows), len(out.Rows), err)
	}
	for _, r := range byCat.Rows {
		if i := slices.IndexFunc(products, func(p tools.Product) bool { return p.ID == r.ProductID }); products[i].Category != cat {
			t.Errorf("category %s: row of %s (%s)", cat, r.ProductID, products[i].Category)
		}
	}
	one, err := f.waste(context.Background(), callAt(host, at, "en"), WasteInput{Store: p0.StoreID, Product: products[1].ID})
	if err != nil || len(one.Rows) != 1 || one.Rows[0].ProductID != products[1].ID || !strings.Contains(one.Display("en").Text, products[1].NameEN) {
		t.Fatalf("product %s: %+v, %v", products[1].ID, one, err)
	}
	// Bad input is a failure that says what to do.
	for _, in := range []WasteInput{{Date: "21/11/2026"}, {Time: "4pm"}, {Store: "부산"}, {Threshold: ptr(150)}, {Category: "sushi"}} {
		if _, err := f.waste(context.Background(), callAt(host, at, "en"), in); err == nil {
			t.Errorf("%+v accepted", in)
		} else if _, ok := err.(*tools.Failure); !ok {
			t.Errorf("%+v: %v is not a Failure", in, err)
		}
	}
	// No production that day.
	if _, err := f.waste(context.Background(), callAt(host, at, "en"), WasteInput{Date: "2026-11-25"}); err == nil {
		t.Error("a day without production accepted")
	}
	// Without a trained model, answering does not train.
	if _, err := (&forecaster{}).waste(context.Background(), callAt(synthetic(2, 2, 60, 3), at, "ko"), WasteInput{}); err == nil {
		t.Error("answered without a model")
	}
}

func ptr(f float64) *float64 { return &f }

// TestWasteGolden pins the rendered answer — text, table and chart — of a
// fixed synthetic brand and model, in both languages.
func TestWasteGolden(t *testing.T) {
	f, host := trained(t)
	at := time.Date(2026, 11, 20, 16, 30, 0, 0, seoul)
	out, err := f.waste(context.Background(), callAt(host, at, "ko"), WasteInput{Store: "S02", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"ko", "en"} {
		got, _ := json.MarshalIndent(out.Display(loc), "", "  ")
		path := filepath.Join("testdata", "waste_"+loc+".golden.json")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(path, append(got, '\n'), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./plugins/forecast -run TestWasteGolden -update)", err)
		}
		if string(append(got, '\n')) != string(want) {
			t.Errorf("%s answer changed:\n%s", loc, got)
		}
	}
}

// TestSubprocessQueueOnce runs the real plugin binary: train, then ask for
// the waste forecast with queueing twice; pushes are created once.
func TestSubprocessQueueOnce(t *testing.T) {
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/forecast")
	host := synthetic(3, 4, 120, 5)
	c, _ := plugintest.Start(t, bin, host)
	call := func(tool, args string) *tools.Result {
		t.Helper()
		res, err := c.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(args),
			CallInfo: tools.CallInfo{Locale: "ko", Now: time.Date(2026, 11, 20, 17, 0, 0, 0, seoul)}})
		if err != nil || res.Failure != "" {
			t.Fatalf("%s: %v %s", tool, err, res.Failure)
		}
		return res
	}
	call("train", `{"trees":10,"clusters":2}`)
	var first, second WasteOutput
	json.Unmarshal(call("waste_forecast", `{"queue":true}`).Output, &first)
	json.Unmarshal(call("waste_forecast", `{"queue":true}`).Output, &second)
	if first.AtRisk == 0 || first.Queued.Created != first.AtRisk || second.Queued.Created != 0 || second.Queued.Existing != first.AtRisk {
		t.Fatalf("queued %+v then %+v for %d items at risk", first.Queued, second.Queued, first.AtRisk)
	}
	if got := len(host.Pushes()); got != first.AtRisk {
		t.Fatalf("%d pushes kept, want %d", got, first.AtRisk)
	}
}
