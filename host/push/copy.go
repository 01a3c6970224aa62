package push

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/tools"
)

// Invoker calls plugin tools; *pluginhost.Host is one.
type Invoker interface {
	Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error)
	Tools() []pluginhost.Tool
}

// CopyRequest asks for the copy of one push for one segment. It is the
// input of the campaign plugin's push_copy tool.
type CopyRequest struct {
	StoreID     string  `json:"store_id"`
	ProductID   string  `json:"product_id"`
	ProductName string  `json:"product_name"`
	Segment     string  `json:"segment"`
	Locale      string  `json:"locale"`
	DiscountPct int     `json:"discount_pct"`
	EWR         float64 `json:"ewr"`
}

// Copy is push copy as push_copy returns it.
type Copy struct {
	Headline   string `json:"headline"`
	PushText   string `json:"push_text"`
	ActionLine string `json:"action_line"`
	Outcome    string `json:"outcome"` // llm, repaired or fallback
	Reason     string `json:"reason,omitempty"`
}

// CopyResult is the copy for one request, or why there is none.
type CopyResult struct {
	Copy
	Err error
}

// Copywriter writes push copy. WriteCopy returns one result per request,
// in order; an error means none could be written.
type Copywriter interface {
	WriteCopy(ctx context.Context, reqs []CopyRequest) ([]CopyResult, error)
}

// CopywriterFunc adapts a function to a Copywriter.
type CopywriterFunc func(ctx context.Context, reqs []CopyRequest) ([]CopyResult, error)

// WriteCopy calls f.
func (f CopywriterFunc) WriteCopy(ctx context.Context, reqs []CopyRequest) ([]CopyResult, error) {
	return f(ctx, reqs)
}

// Copy tools of the campaign plugin.
const (
	CopyTool      = "push_copy"
	CopyBatchTool = "push_copy_batch"
)

// ToolCopywriter writes copy through the push_copy tool of a running
// plugin, or through push_copy_batch, a list at a time, when a plugin has
// it. Guards and fallbacks are the tool's: a copy always comes back
// checked, from the model or from the fallback template.
type ToolCopywriter struct {
	Tools   Invoker
	Workers int // concurrent push_copy calls (default 8)
	Batch   int // requests per push_copy_batch call (default 100)
	// Now stamps the calls (the pipeline's clock).
	Clock Clock
}

// ErrNoCopyTool is returned when no running plugin has push_copy.
var ErrNoCopyTool = errors.New("no running plugin has the push_copy tool: build the campaign plugin (make plugins) and check `crumb plugins ls`")

// BatchInput is the input of push_copy_batch.
type BatchInput struct {
	Items []CopyRequest `json:"items"`
}

// BatchOutput is the output of push_copy_batch: one copy per item, in
// order, or a failure reason for an item that has none.
type BatchOutput struct {
	Items []BatchItem `json:"items"`
}

// BatchItem is one result of push_copy_batch.
type BatchItem struct {
	Copy
	Failure string `json:"failure,omitempty"`
}

func (w *ToolCopywriter) find() (single, batch string) {
	var s, b []pluginhost.Tool
	for _, t := range w.Tools.Tools() {
		switch t.Name {
		case CopyTool:
			s = append(s, t)
		case CopyBatchTool:
			b = append(b, t)
		}
	}
	// The campaign plugin wins when several plugins have the tool.
	pick := func(ts []pluginhost.Tool) string {
		if len(ts) == 0 {
			return ""
		}
		if i := slices.IndexFunc(ts, func(t pluginhost.Tool) bool { return t.Plugin == "campaign" }); i >= 0 {
			return ts[i].ID
		}
		return ts[0].ID
	}
	return pick(s), pick(b)
}

// WriteCopy implements Copywriter.
func (w *ToolCopywriter) WriteCopy(ctx context.Context, reqs []CopyRequest) ([]CopyResult, error) {
	single, batch := w.find()
	if single == "" && batch == "" {
		return nil, ErrNoCopyTool
	}
	out := make([]CopyResult, len(reqs))
	if batch != "" {
		size := cmp.Or(w.Batch, 100)
		for start := 0; start < len(reqs); start += size {
			end := min(start+size, len(reqs))
			if err := w.callBatch(ctx, batch, reqs[start:end], out[start:end]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	workers := cmp.Or(w.Workers, 8)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, len(reqs)) {
		wg.Go(func() {
			for i := range next {
				out[i] = w.callOne(ctx, single, &reqs[i])
			}
		})
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

func (w *ToolCopywriter) invoke(ctx context.Context, tool string, args []byte) (*tools.Result, error) {
	clock := w.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	id := tools.RequestIDFrom(ctx)
	return w.Tools.Invoke(ctx, &tools.Invocation{Tool: tool, Args: args,
		CallInfo: tools.CallInfo{RequestID: id, User: "scheduler", Role: "admin", Locale: "ko", Now: clock.Now()}})
}

func (w *ToolCopywriter) callOne(ctx context.Context, tool string, req *CopyRequest) CopyResult {
	args, err := json.Marshal(req)
	if err != nil {
		return CopyResult{Err: fmt.Errorf("encode %s arguments: %w", tool, err)}
	}
	res, err := w.invoke(ctx, tool, args)
	if err != nil {
		return CopyResult{Err: fmt.Errorf("%s for %s/%s: %w", tool, req.StoreID, req.ProductID, err)}
	}
	if res.Failure != "" {
		return CopyResult{Err: fmt.Errorf("%s for %s/%s: %s", tool, req.StoreID, req.ProductID, res.Failure)}
	}
	var c Copy
	if err := json.Unmarshal(res.Output, &c); err != nil {
		return CopyResult{Err: fmt.Errorf("%s for %s/%s: decode result: %w", tool, req.StoreID, req.ProductID, err)}
	}
	return CopyResult{Copy: c, Err: checkCopy(&c)}
}

func (w *ToolCopywriter) callBatch(ctx context.Context, tool string, reqs []CopyRequest, out []CopyResult) error {
	args, err := json.Marshal(BatchInput{Items: reqs})
	if err != nil {
		return fmt.Errorf("encode %s arguments: %w", tool, err)
	}
	res, err := w.invoke(ctx, tool, args)
	if err != nil {
		return fmt.Errorf("%s (%d items): %w", tool, len(reqs), err)
	}
	if res.Failure != "" {
		for i := range out {
			out[i] = CopyResult{Err: fmt.Errorf("%s: %s", tool, res.Failure)}
		}
		return nil
	}
	var bo BatchOutput
	if err := json.Unmarshal(res.Output, &bo); err != nil {
		return fmt.Errorf("%s: decode result: %w", tool, err)
	}
	if len(bo.Items) != len(reqs) {
		return fmt.Errorf("%s: %d results for %d items", tool, len(bo.Items), len(reqs))
	}
	for i, it := range bo.Items {
		if it.Failure != "" {
			out[i] = CopyResult{Err: fmt.Errorf("%s for %s/%s: %s", tool, reqs[i].StoreID, reqs[i].ProductID, it.Failure)}
			continue
		}
		out[i] = CopyResult{Copy: it.Copy, Err: checkCopy(&it.Copy)}
	}
	return nil
}

// checkCopy refuses copy a customer must not see half of.
func checkCopy(c *Copy) error {
	if c.Headline == "" || c.PushText == "" || c.ActionLine == "" {
		return fmt.Errorf("push copy is incomplete (headline %q, push_text %q, action_line %q)", c.Headline, c.PushText, c.ActionLine)
	}
	switch c.Outcome {
	case "llm", "repaired", "fallback":
	default:
		return fmt.Errorf("push copy outcome %q: want llm, repaired or fallback", c.Outcome)
	}
	return nil
}
