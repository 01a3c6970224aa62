// Command copyplugin is a stand-in for the campaign plugin's push copy in
// tests of the push pipeline: push_copy and push_copy_batch with the
// campaign plugin's contract, in template mode (no LLM). COPYPLUGIN_SLOW,
// a duration, makes every call that slow.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// In is push_copy's input.
type In struct {
	StoreID     string  `json:"store_id"`
	ProductID   string  `json:"product_id"`
	ProductName string  `json:"product_name"`
	Segment     string  `json:"segment"`
	Locale      string  `json:"locale"`
	DiscountPct int     `json:"discount_pct"`
	EWR         float64 `json:"ewr"`
}

// Out is push_copy's output.
type Out struct {
	Headline   string `json:"headline"`
	PushText   string `json:"push_text"`
	ActionLine string `json:"action_line"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason"`
}

// BatchIn is push_copy_batch's input.
type BatchIn struct {
	Items []In `json:"items"`
}

// BatchOut is push_copy_batch's output.
type BatchOut struct {
	Items []Out `json:"items"`
}

func write(in In) Out {
	if in.Locale == "en" {
		return Out{Headline: "Fresh " + in.ProductName + " tonight", PushText: fmt.Sprintf("%s is %d%% off until closing.", in.ProductName, in.DiscountPct),
			ActionLine: "See you at the store", Outcome: "fallback", Reason: "template mode"}
	}
	return Out{Headline: "오늘 저녁 " + in.ProductName, PushText: fmt.Sprintf("%s %d%% 할인, 마감 전까지 만나보세요.", in.ProductName, in.DiscountPct),
		ActionLine: "가까운 매장에서 만나요", Outcome: "fallback", Reason: "template mode"}
}

func slow() {
	if d, err := time.ParseDuration(os.Getenv("COPYPLUGIN_SLOW")); err == nil {
		time.Sleep(d)
	}
}

func main() {
	single := tools.NewTool("push_copy", "Push copy for an item at risk and a segment (template mode).",
		func(_ context.Context, _ *tools.Call, in In) (Out, error) {
			slow()
			return write(in), nil
		})
	batch := tools.NewTool("push_copy_batch", "Push copy for a list of items (template mode).",
		func(_ context.Context, _ *tools.Call, in BatchIn) (BatchOut, error) {
			slow()
			out := BatchOut{Items: make([]Out, len(in.Items))}
			for i, it := range in.Items {
				out.Items[i] = write(it)
			}
			return out, nil
		})
	tools.Serve(tools.Plugin{Name: "copytest", Version: "0.0.1", Tools: []tools.Tool{single, batch}})
}
