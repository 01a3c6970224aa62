package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// today is the synthetic brand's today; sales run to yesterday.
var today = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// synthetic builds a small brand whose demand has a strong weekday pattern
// (offices sell on weekdays, residential areas at weekends), a rain effect
// and noise, with today's production, hourly stock and intraday curves.
func synthetic(stores, products, days int, seed uint64) *plugintest.Host {
	r := rand.New(rand.NewPCG(seed, 7))
	var st, pr, sales, prod, stock, weather, intraday []any
	cats := []string{"bread", "pastry", "cake"}
	for i := range stores {
		district := fmt.Sprintf("D%d", i)
		st = append(st, tools.Store{ID: fmt.Sprintf("S%02d", i+1), Name: fmt.Sprintf("매장%d점", i+1), NameEN: fmt.Sprintf("Store %d", i+1), District: district, DistrictEN: district})
	}
	for j := range products {
		pr = append(pr, tools.Product{ID: fmt.Sprintf("P%03d", j+1), Name: fmt.Sprintf("빵%d", j+1), NameEN: fmt.Sprintf("Bread %d", j+1), Category: cats[j%3], Price: 3000 + 500*j})
	}
	first := today.AddDate(0, 0, -days)
	for d := range days + 1 {
		date := first.AddDate(0, 0, d)
		ds := date.Format(tools.DateLayout)
		rain := 0.0
		if r.Float64() < 0.25 {
			rain = 5 + 20*r.Float64()
		}
		for i := range stores {
			weather = append(weather, tools.Weather{Date: ds, District: fmt.Sprintf("D%d", i), TempMax: 15, TempMin: 8, Precipitation: rain, Forecast: !date.Before(today)})
			office := i%2 == 0
			for j := range products {
				base := 20.0 + 10*float64(j)
				wd := date.Weekday()
				weekend := wd == time.Saturday || wd == time.Sunday
				switch {
				case office && weekend:
					base *= 0.4
				case !office && weekend:
					base *= 1.5
				}
				if rain > 0 {
					base *= 0.8
				}
				q := math.Max(0, math.Round(base*(1+0.1*r.NormFloat64())))
				if date.Equal(today) {
					made := int(base * 1.3)
					prod = append(prod, tools.Production{Date: ds, StoreID: fmt.Sprintf("S%02d", i+1), ProductID: fmt.Sprintf("P%03d", j+1), Quantity: made})
					left := made
					for h := 7; h <= 22; h++ {
						stock = append(stock, tools.StockSnapshot{StoreID: fmt.Sprintf("S%02d", i+1), ProductID: fmt.Sprintf("P%03d", j+1),
							At: time.Date(2026, 11, 20, h, 0, 0, 0, seoul), Quantity: left})
						left = max(0, left-int(base/15))
					}
					continue
				}
				sales = append(sales, tools.Sale{Date: ds, StoreID: fmt.Sprintf("S%02d", i+1), ProductID: fmt.Sprintf("P%03d", j+1), Quantity: int(q), Price: 3000 + 500*j})
			}
		}
	}
	for i := range stores {
		for _, c := range cats {
			for h := 7; h < 22; h++ {
				intraday = append(intraday, tools.IntradayShare{StoreID: fmt.Sprintf("S%02d", i+1), Category: c, Hour: h, Share: 1.0 / 15})
			}
		}
	}
	return &plugintest.Host{Datasets: map[string][]any{
		tools.DatasetStores: st, tools.DatasetProducts: pr, tools.DatasetSales: sales, tools.DatasetProduction: prod,
		tools.DatasetStock: stock, tools.DatasetWeather: weather, tools.DatasetIntraday: intraday,
	}}
}

func callAt(host tools.HostAPI, at time.Time, locale string) *tools.Call {
	return &tools.Call{CallInfo: tools.CallInfo{Now: at, Locale: locale}, Host: host}
}

func TestTrainAndAnswer(t *testing.T) {
	host := synthetic(4, 6, 200, 1)
	f := &forecaster{}
	noon := time.Date(2026, 11, 20, 12, 0, 0, 0, seoul)
	t0 := time.Now()
	tr, err := f.train(context.Background(), callAt(host, noon, "en"), TrainInput{Trees: 30, Clusters: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained in %s: %+v", time.Since(t0), tr.Metrics)
	if tr.Version != 1 || tr.Metrics.WAPE <= 0 || tr.Metrics.WAPE >= tr.Metrics.NaiveWAPE {
		t.Fatalf("train: version %d, WAPE %.3f vs naive %.3f", tr.Version, tr.Metrics.WAPE, tr.Metrics.NaiveWAPE)
	}
	if tr.Metrics.TopFeatures[0] == "" {
		t.Fatal("no feature importance")
	}

	// A fresh forecaster loads the artifact.
	f2 := &forecaster{}
	w, err := f2.waste(context.Background(), callAt(host, time.Date(2026, 11, 20, 16, 30, 0, 0, seoul), "ko"), WasteInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Rows) != 24 || w.Rows[0].EWR == nil {
		t.Fatalf("waste rows: %d", len(w.Rows))
	}
	raw, _ := json.MarshalIndent(w.Rows[0], "", " ")
	t.Logf("top row: %s", raw)
	t.Logf("text: %s", w.Display("ko").Text)

	d, err := f2.demand(context.Background(), callAt(host, noon, "en"), DemandInput{Product: "Bread 3", Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Total) != 7 || d.Total[0].Low > d.Total[0].Point || d.Total[0].High < d.Total[0].Point {
		t.Fatalf("demand: %+v", d.Total)
	}
	t.Logf("demand: %s", d.Display("en").Text)
}

func TestBacktestBeatsNaive(t *testing.T) {
	host := synthetic(4, 6, 300, 2)
	f := &forecaster{}
	out, err := f.backtest(context.Background(), callAt(host, time.Now(), "en"), BacktestInput{Trees: 30, Clusters: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Scores {
		t.Logf("%-22s WAPE %.3f MASE %.3f vs naive %+.3f", s.Method, s.WAPE, s.MASE, s.VsNaive)
	}
	if !strings.HasPrefix(out.Scores[0].Method, "random") || out.Scores[0].VsNaive < 0.15 {
		t.Errorf("forest vs naive %+.3f, want ≥ +0.15 on a noisy weekly pattern", out.Scores[0].VsNaive)
	}
}
