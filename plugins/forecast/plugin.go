package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// Version is the plugin's version.
const Version = "1.0.0"

// modelKey is the artifact key of the trained model.
const modelKey = "model"

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()

// forecaster holds the plugin's state: the decoded model of the latest
// artifact, so that answering does not decode it every time.
type forecaster struct {
	cache modelCache
}

// Plugin returns the forecast plugin's definition.
func Plugin() tools.Plugin {
	f := &forecaster{}
	return tools.Plugin{
		Name:        "forecast",
		Version:     Version,
		Description: "Demand forecasting, store clusters and the expected waste rate (EWR).",
		Tools: []tools.Tool{
			tools.NewTool("waste_forecast", "Expected waste rate (EWR) per store and item today, with the items at risk.", f.waste,
				tools.WithDescription("ko", "오늘 매장·상품별 예상 폐기율(EWR)과 마감 할인이 필요한 상품을 알려줍니다."),
				tools.WithIntent("waste_forecast",
					"오늘 폐기될 상품은?", "오늘 폐기 위험 상품 알려줘", "강남점 예상 폐기율", "폐기율 높은 상품 보여줘",
					"오늘 남을 것 같은 빵은?", "마감 전에 남을 상품 있어?", "홍대점 오늘 폐기 예측",
					"which items will be wasted today?", "show me the waste forecast", "expected waste rate at Gangnam",
					"which products are at risk of waste?", "what will be left over tonight?", "waste risk by store",
				)),
			tools.NewTool("demand_forecast", "Daily demand forecast with an 80 % interval for products and stores, up to 14 days ahead.", f.demand,
				tools.WithDescription("ko", "매장·상품별 일별 판매량을 예측합니다."),
				tools.WithIntent("demand_forecast",
					"내일 크루아상 몇 개 팔릴까?", "이번 주 식빵 수요 예측", "다음 주 강남점 판매량 예측해줘", "내일 케이크 수요는?",
					"주말에 소금빵 얼마나 팔릴까?",
					"how many croissants will we sell tomorrow?", "demand forecast for next week", "forecast sales of white bread at Hongdae",
					"how much cake will we sell on Saturday?", "predict tomorrow's sales",
				)),
			tools.NewTool("store_clusters", "Groups the stores by their sales profile (k-means++, k = 5 by default) with the silhouette.", f.clusters,
				tools.WithDescription("ko", "판매 패턴이 비슷한 매장끼리 묶어 보여줍니다."),
				tools.WithSubIntent("store_clusters", "segment_insight",
					"매장 클러스터 보여줘", "비슷한 매장끼리 묶어줘", "매장 유형 분류",
					"show the store clusters", "which stores are similar?", "group stores by sales pattern",
					"매장 군집 분석", "판매 패턴이 비슷한 매장", "강남점과 비슷한 매장 찾아줘",
					"cluster the stores", "stores with similar sales", "which stores are like Gangnam?", "store groups by sales profile",
					"stores with a sales pattern like Jamsil",
				)),
			tools.NewTool("train", "Retrains the demand model on all sales and keeps it as a new artifact version.", f.train),
			tools.NewTool("backtest", "Rolling-origin backtest of the forest against seasonal naive, a 4-week same-weekday mean and exponential smoothing (WAPE, MASE).", f.backtest),
			tools.NewTool("bench", "Fits a forest on a synthetic problem and reports fit time and prediction speed.", f.bench),
		},
		Capabilities: tools.Capabilities{
			Datasets: []string{tools.DatasetStores, tools.DatasetProducts, tools.DatasetProduction, tools.DatasetSales,
				tools.DatasetStock, tools.DatasetWeather, tools.DatasetIntraday, holidaysDataset},
			Artifacts: true,
			Push:      true,
		},
	}
}

// model returns the latest trained model, decoding it only when its
// version changed. Answering never trains: without a model it is a
// failure that says how to train one.
func (f *forecaster) model(ctx context.Context, call *tools.Call) (*Model, int, error) {
	f.cache.mu.Lock()
	defer f.cache.mu.Unlock()
	if f.cache.model != nil && time.Since(f.cache.checked) < time.Minute {
		return f.cache.model, f.cache.version, nil
	}
	a, err := call.Host.GetArtifact(ctx, modelKey, 0)
	if errors.Is(err, tools.ErrNotFound) {
		if call.Locale == "ko" {
			return nil, 0, tools.Failf("아직 학습된 수요 예측 모델이 없어요: `crumb tools call forecast.train` 으로 먼저 학습해 주세요 (crumb demo 는 자동으로 학습합니다).")
		}
		return nil, 0, tools.Failf("no demand model has been trained yet: run `crumb tools call forecast.train` (crumb demo trains it for you)")
	}
	if err != nil {
		return nil, 0, err
	}
	if a.Version != f.cache.version || f.cache.model == nil {
		m := &Model{}
		if err := m.UnmarshalBinary(a.Data); err != nil {
			return nil, 0, err
		}
		if !slices.Equal(m.Features, featureNames) {
			return nil, 0, tools.Failf("the demand model v%d was trained with another feature set (plugin %s needs %d features): retrain it with `crumb tools call forecast.train`", a.Version, Version, len(featureNames))
		}
		f.cache.model, f.cache.version = m, a.Version
	}
	f.cache.checked = time.Now()
	return f.cache.model, f.cache.version, nil
}

// queue hands the items at risk to the host's push queue, once per store,
// item and day.
func (f *forecaster) queue(ctx context.Context, call *tools.Call, out *WasteOutput) (*QueueInfo, error) {
	var cands []tools.PushCandidate
	for _, r := range out.Rows {
		if !r.AtRisk {
			continue
		}
		payload, _ := json.Marshal(map[string]any{
			"ewr": r.EWR, "stock": r.Stock, "production": r.Production, "predicted_remaining": r.PredictedRemaining,
			"product": r.Product, "product_en": r.ProductEN, "store": r.Store, "store_en": r.StoreEN, "threshold": out.Threshold,
		})
		cands = append(cands, tools.PushCandidate{StoreID: r.StoreID, ProductID: r.ProductID, Date: out.Date, Payload: payload})
	}
	if len(cands) == 0 {
		return &QueueInfo{}, nil
	}
	created, existing, err := call.Host.EnqueuePush(ctx, cands)
	if err != nil {
		return nil, fmt.Errorf("queue pushes: %w", err)
	}
	return &QueueInfo{Created: created, Existing: existing}, nil
}
