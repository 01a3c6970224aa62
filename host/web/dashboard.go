package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/render"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// wasteResult is the part of the waste_forecast tool's output the
// dashboard reads (plugins/forecast WasteOutput).
type wasteResult struct {
	Date      string  `json:"date"`
	Time      string  `json:"time"`
	Threshold float64 `json:"threshold"`
	Model     string  `json:"model"`
	Rows      []struct {
		StoreID            string   `json:"store_id"`
		Store              string   `json:"store"`
		StoreEN            string   `json:"store_en"`
		ProductID          string   `json:"product_id"`
		Product            string   `json:"product"`
		ProductEN          string   `json:"product_en"`
		Stock              int      `json:"stock"`
		PredictedRemaining float64  `json:"predicted_remaining"`
		EWR                *float64 `json:"ewr"`
		AtRisk             bool     `json:"at_risk"`
	} `json:"rows"`
}

// Dashboard is the body of GET /v1/dashboard: the store owners' view of
// today.
type Dashboard struct {
	Locale  string              `json:"locale"`
	Waste   DashboardWaste      `json:"waste"`
	Pushes  DashboardPushes     `json:"pushes"`
	Plugins []pluginhost.Status `json:"plugins"`
}

// DashboardWaste is today's waste risk per store and item.
type DashboardWaste struct {
	Error     string       `json:"error,omitempty"` // why there is no forecast
	Date      string       `json:"date,omitempty"`
	Time      string       `json:"time,omitempty"`
	Threshold float64      `json:"threshold,omitempty"`
	Model     string       `json:"model,omitempty"`
	AtRisk    int          `json:"at_risk"`
	Stores    []WasteStore `json:"stores"`
	ChartSVG  string       `json:"chart_svg,omitempty"`
	Tool      string       `json:"tool,omitempty"`
}

// WasteStore is one store's items, riskiest first.
type WasteStore struct {
	StoreID string      `json:"store_id"`
	Name    string      `json:"name"`
	AtRisk  int         `json:"at_risk"`
	MaxEWR  float64     `json:"max_ewr"`
	Items   []WasteItem `json:"items"`
}

// WasteItem is one item of a store.
type WasteItem struct {
	ProductID          string  `json:"product_id"`
	Name               string  `json:"name"`
	Stock              int     `json:"stock"`
	PredictedRemaining float64 `json:"predicted_remaining"`
	EWR                float64 `json:"ewr"`
	AtRisk             bool    `json:"at_risk"`
}

// DashboardPushes is the push queue of the forecast's day.
type DashboardPushes struct {
	Error  string         `json:"error,omitempty"`
	Date   string         `json:"date"`
	Counts map[string]int `json:"counts"`
	Items  []PushView     `json:"items"`
}

// PushView is one queued push.
type PushView struct {
	ID        int64           `json:"id"`
	Store     string          `json:"store"`
	Product   string          `json:"product"`
	Status    string          `json:"status"`
	Segment   string          `json:"segment"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error,omitempty"`
	UpdatedAt time.Time       `json:"updated_at"`
	Payload   json.RawMessage `json:"payload,omitempty"`
}

// dashboard calls the waste_forecast tool (as the caller, so the policy and
// the audit log apply), reads the push queue and the plugins' health.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	locale := r.URL.Query().Get("locale")
	if locale != "en" {
		locale = "ko"
	}
	d := Dashboard{Locale: locale, Plugins: s.o.Plugins.Plugins(), Waste: DashboardWaste{Stores: []WasteStore{}}}
	storeNames, productNames := map[string]string{}, map[string]string{}
	t, ok := s.findTool("waste_forecast")
	switch {
	case !ok:
		d.Waste.Error = "no running plugin serves waste_forecast (the forecast plugin): run `make plugins` and restart, or see GET /v1/plugins"
	case !s.o.Policy.Allows(p.Role, t.ToolInfo):
		d.Waste.Error = s.o.Policy.Denial(p.Role, t.ToolInfo, locale)
	default:
		d.Waste.Tool = t.ID
		args := json.RawMessage(`{"limit":12}`)
		res, err := s.o.Plugins.Invoke(r.Context(), &tools.Invocation{Tool: t.ID, Args: args, CallInfo: tools.CallInfo{
			RequestID: tools.RequestIDFrom(r.Context()), User: p.Name, Role: p.Role, Locale: locale, Now: s.o.Now(),
		}})
		outcome := "ok"
		switch {
		case err != nil:
			outcome, d.Waste.Error = err.Error(), err.Error()
		case res.Failure != "":
			outcome, d.Waste.Error = "failure: "+res.Failure, res.Failure
		default:
			if err := s.fillWaste(&d.Waste, res.Output, locale, storeNames, productNames); err != nil {
				outcome, d.Waste.Error = err.Error(), err.Error()
			}
		}
		s.recordAudit(r, "tool:"+t.Name, args, outcome)
	}
	day := cmp.Or(d.Waste.Date, s.o.Now().In(seoul).Format(tools.DateLayout))
	d.Pushes = DashboardPushes{Date: day, Counts: map[string]int{}, Items: []PushView{}}
	if s.o.Pushes == nil {
		d.Pushes.Error = "this server has no push queue"
	} else if items, err := s.o.Pushes.Pushes(r.Context(), day); err != nil {
		d.Pushes.Error = err.Error()
	} else {
		for _, it := range items {
			d.Pushes.Counts[it.Status]++
		}
		slices.SortStableFunc(items, func(a, b store.PushItem) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
		for _, it := range items[:min(len(items), 50)] {
			d.Pushes.Items = append(d.Pushes.Items, PushView{
				ID: it.ID, Store: cmp.Or(storeNames[it.StoreID], it.StoreID), Product: cmp.Or(productNames[it.ProductID], it.ProductID),
				Status: it.Status, Segment: it.Segment, Attempts: it.Attempts, LastError: it.LastError, UpdatedAt: it.UpdatedAt, Payload: it.Payload,
			})
		}
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) fillWaste(dw *DashboardWaste, output json.RawMessage, locale string, storeNames, productNames map[string]string) error {
	var wr wasteResult
	if err := json.Unmarshal(output, &wr); err != nil {
		return errors.New("the waste_forecast result is not in the expected shape: " + err.Error())
	}
	ko := locale == "ko"
	dw.Date, dw.Time, dw.Threshold, dw.Model = wr.Date, wr.Time, wr.Threshold, wr.Model
	byStore := map[string]*WasteStore{}
	var order []string
	for _, row := range wr.Rows {
		sname, pname := row.StoreEN, row.ProductEN
		if ko {
			sname, pname = row.Store, row.Product
		}
		storeNames[row.StoreID], productNames[row.ProductID] = sname, pname
		st, ok := byStore[row.StoreID]
		if !ok {
			st = &WasteStore{StoreID: row.StoreID, Name: sname, Items: []WasteItem{}}
			byStore[row.StoreID] = st
			order = append(order, row.StoreID)
		}
		if row.EWR == nil {
			continue // nothing produced today
		}
		st.Items = append(st.Items, WasteItem{ProductID: row.ProductID, Name: pname, Stock: row.Stock,
			PredictedRemaining: row.PredictedRemaining, EWR: *row.EWR, AtRisk: row.AtRisk})
		if row.AtRisk {
			st.AtRisk++
			dw.AtRisk++
		}
		st.MaxEWR = max(st.MaxEWR, *row.EWR)
	}
	for _, id := range order {
		st := byStore[id]
		slices.SortStableFunc(st.Items, func(a, b WasteItem) int { return cmp.Compare(b.EWR, a.EWR) })
		dw.Stores = append(dw.Stores, *st)
	}
	slices.SortStableFunc(dw.Stores, func(a, b WasteStore) int {
		return cmp.Or(cmp.Compare(b.AtRisk, a.AtRisk), cmp.Compare(b.MaxEWR, a.MaxEWR))
	})
	if len(dw.Stores) == 0 {
		return nil
	}
	chart := tools.Chart{Kind: "bar", Unit: "%", Threshold: &dw.Threshold, Title: "Highest expected waste rate by store"}
	series := tools.Series{Name: "EWR"}
	if ko {
		chart.Title, series.Name = "매장별 최고 예상 폐기율", "예상 폐기율"
	}
	for _, st := range dw.Stores {
		chart.Labels = append(chart.Labels, st.Name)
		series.Values = append(series.Values, st.MaxEWR)
	}
	chart.Series = []tools.Series{series}
	svg, err := render.SVG(chart, render.Options{Locale: locale})
	if err != nil {
		s.o.Logger.Error("render dashboard chart", "err", err)
		return nil
	}
	dw.ChartSVG = string(svg)
	return nil
}

// seoul is the brand's default time zone (UTC+9, no daylight saving).
var seoul = time.FixedZone("KST", 9*3600)
