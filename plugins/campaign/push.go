package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/plugins/internal/stock"
	"github.com/crumb-dev/crumb/tools"
)

// PushInput is one push to write. It is the contract the push pipeline
// relies on: store_id, product_id, product_name, segment, locale,
// discount_pct and ewr; store and product are the chat's names for the
// same things.
type PushInput struct {
	StoreID     string  `json:"store_id,omitempty" jsonschema:"store id (S01); picks among the copy variants so that stores differ"`
	ProductID   string  `json:"product_id,omitempty" jsonschema:"product id (P018); its name is looked up when product_name is empty"`
	ProductName string  `json:"product_name,omitempty" jsonschema:"the item's name as customers see it (크루아상, Croissant); used as given, nothing is read"`
	Segment     string  `json:"segment,omitempty" jsonschema:"customer segment: vip, loyal, regular, new, at_risk, dormant or all (the default); in chat (no product_name) an empty segment also shows VIP and at-risk previews"`
	Locale      string  `json:"locale,omitempty" jsonschema:"ko or en; the caller's locale when empty"`
	DiscountPct int     `json:"discount_pct,omitempty" jsonschema:"discount in percent (0 to 90); 0 means no number in the copy"`
	EWR         float64 `json:"ewr,omitempty" jsonschema:"the item's expected waste rate in percent; context for the writer, never shown to customers"`
	Store       string  `json:"store,omitempty" jsonschema:"store id or name (chat); same as store_id"`
	Product     string  `json:"product,omitempty" jsonschema:"product id or name (chat); same as product_id; when no product is given the item with the most stock today is used"`
}

// PushOutput is one push, checked by the host: never a banned word, within
// the length limits, the item named. Outcome and Reason say how it was made
// (llm, repaired or fallback). The keys are the push pipeline's contract.
type PushOutput struct {
	Headline   string `json:"headline"`
	PushText   string `json:"push_text"`
	ActionLine string `json:"action_line"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason"`

	// For Display only.
	req      pushRequest
	previews []PushOutput
}

// pushDoc is what the host generates and checks for one push. Item and
// Locale are fixed by the schema (const) so that the validator, which sees
// only the output, knows the hook and the limits.
type pushDoc struct {
	Item       string `json:"item" jsonschema:"the product name, copied exactly"`
	Locale     string `json:"locale" jsonschema:"ko or en, copied exactly"`
	Headline   string `json:"headline" jsonschema:"a short headline"`
	PushText   string `json:"push_text" jsonschema:"the notification body; names the item"`
	ActionLine string `json:"action_line" jsonschema:"the call to action"`
}

// pushRequest is a resolved PushInput.
type pushRequest struct {
	storeID, productID, item, segment, locale string
	pct                                       int
	ewr                                       float64
}

// Segment labels for prompts and display.
var segmentLabels = map[string][2]string{
	"vip": {"VIP", "VIP"}, "loyal": {"단골", "loyal"}, "regular": {"일반", "regular"}, "new": {"신규", "new"},
	"at_risk": {"이탈 위험", "at risk"}, "dormant": {"휴면", "dormant"}, "all": {"전체", "all customers"},
}

func segmentLabel(seg, locale string) string {
	l := segmentLabels[seg]
	if locale == "ko" {
		return l[0]
	}
	return l[1]
}

// segmentAliases maps folded segment names in either language to keys.
var segmentAliases = map[string]string{
	"vip": "vip", "우수": "vip", "우수고객": "vip", "vip고객": "vip",
	"loyal": "loyal", "단골": "loyal", "단골고객": "loyal", "충성": "loyal", "충성고객": "loyal",
	"regular": "regular", "일반": "regular", "일반고객": "regular",
	"new": "new", "신규": "new", "신규고객": "new", "newcustomer": "new", "newcustomers": "new", "newmember": "new", "newmembers": "new",
	"atrisk": "at_risk", "이탈위험": "at_risk", "이탈": "at_risk", "이탈위험고객": "at_risk", "churn": "at_risk", "churnrisk": "at_risk",
	"dormant": "dormant", "휴면": "dormant", "휴면고객": "dormant", "inactive": "dormant",
	"all": "all", "전체": "all", "전체고객": "all", "everyone": "all", "allcustomers": "all",
}

// parseSegment maps a segment as people or the segment plugin write it
// ("VIP", "at risk", "이탈 위험", "vip_2") to its key; empty is "all".
func parseSegment(s string) (string, bool) {
	if strings.TrimSpace(s) == "" {
		return "all", true
	}
	f := strings.TrimRight(fold(s), "0123456789")
	seg, ok := segmentAliases[f]
	return seg, ok
}

// previewSegments are shown beside the "all" push when a chat request names
// no segment ("마감 할인 푸시 문구 만들어줘"): no segment and no product_name,
// which the push pipeline always sends.
var previewSegments = []string{"vip", "at_risk"}

func (c *campaign) pushCopyTool() tools.Tool {
	return tools.NewTool("push_copy",
		"Write one push notification (headline, push_text, action_line) for an item and a customer segment: the item is the hook, never a banned word, within length limits; outcome says whether a model or the template wrote it.",
		c.pushCopy, pushCopyIntent())
}

func (c *campaign) pushCopy(ctx context.Context, call *tools.Call, in PushInput) (*PushOutput, error) {
	req, err := c.resolvePush(ctx, call, in)
	if err != nil {
		return nil, err
	}
	out, err := c.writePush(ctx, call.Host, req)
	if err != nil {
		return nil, err
	}
	if in.Segment == "" && in.ProductName == "" {
		for _, seg := range previewSegments {
			r := req
			r.segment = seg
			p, err := c.writePush(ctx, call.Host, r)
			if err != nil {
				return nil, err
			}
			out.previews = append(out.previews, *p)
		}
	}
	return out, nil
}

// resolvePush checks the input and finds the item's name: product_name as
// given, else the product's name from the (cached) catalogue, else — in
// chat, when no product is named — the item with the most stock today.
func (c *campaign) resolvePush(ctx context.Context, call *tools.Call, in PushInput) (pushRequest, error) {
	locale, err := localeOf(in.Locale, call.Locale)
	if err != nil {
		return pushRequest{}, err
	}
	r := pushRequest{locale: locale, pct: in.DiscountPct, ewr: in.EWR, storeID: cmp.Or(in.StoreID, in.Store), productID: cmp.Or(in.ProductID, in.Product)}
	seg, ok := parseSegment(in.Segment)
	if !ok {
		if locale == "ko" {
			return r, tools.Failf("고객군 %q을(를) 모르겠어요. vip, loyal, regular, new, at_risk, dormant, all 중 하나로 알려 주세요.", in.Segment)
		}
		return r, tools.Failf("segment %q: want one of vip, loyal, regular, new, at_risk, dormant, all", in.Segment)
	}
	r.segment = seg
	if in.DiscountPct < 0 || in.DiscountPct > 90 {
		if locale == "ko" {
			return r, tools.Failf("할인율 %d%%는 쓸 수 없어요: 0~90 사이로 알려 주세요.", in.DiscountPct)
		}
		return r, tools.Failf("discount_pct %d: want 0 to 90", in.DiscountPct)
	}
	if in.EWR < 0 {
		return r, tools.Failf("ewr %g: want a percentage of 0 or more", in.EWR)
	}
	lim := c.templates.Limits[locale]
	if name := strings.TrimSpace(in.ProductName); name != "" {
		if fold(name) == "" {
			return r, tools.Failf("product_name %q has no letters: send the item's name (크루아상, Croissant)", name)
		}
		if n := runes(name); n > lim.Headline {
			return r, tools.Failf("product_name %q has %d characters: at most %d for %s push copy; send the short name customers know", name, n, lim.Headline, locale)
		}
		r.item = name
		return r, nil
	}
	cat, err := c.catalog(ctx, call.Host)
	if err != nil {
		return r, err
	}
	if r.storeID != "" {
		s, err := names.Store(cat.stores, r.storeID, locale)
		if err != nil {
			return r, err
		}
		r.storeID = s.ID
	}
	var p tools.Product
	if r.productID != "" {
		if p, err = names.Product(cat.products, r.productID, locale); err != nil {
			return r, err
		}
	} else if p, err = c.mostStocked(ctx, call, cat, r.storeID, locale); err != nil {
		return r, err
	}
	r.productID, r.item = p.ID, p.Name
	if locale == "en" {
		r.item = cmp.Or(p.NameEN, p.Name)
	}
	return r, nil
}

// mostStocked is the product with the most units on hand today (at one
// store, or summed over stores), for a push asked for without an item.
func (c *campaign) mostStocked(ctx context.Context, call *tools.Call, cat *catalog, storeID, locale string) (tools.Product, error) {
	now := call.Now
	if now.IsZero() {
		now = c.clock()
	}
	day := now.In(seoul).Format(tools.DateLayout)
	q := &tools.DatasetQuery{Dataset: tools.DatasetStock, From: day, To: day}
	if storeID != "" {
		q.Stores = []string{storeID}
	}
	snaps, err := tools.ReadAll[tools.StockSnapshot](ctx, call.Host, q)
	if err != nil {
		return tools.Product{}, fmt.Errorf("read stock: %w", err)
	}
	units := map[string]int{}
	for _, s := range stock.Latest(snaps, now) {
		units[s.ProductID] += s.Quantity
	}
	best, bestN := "", 0
	for id, n := range units {
		if _, known := cat.product[id]; known && (n > bestN || (n == bestN && id < best)) {
			best, bestN = id, n
		}
	}
	if best == "" {
		if locale == "ko" {
			return tools.Product{}, tools.Failf("어떤 상품의 푸시 문구를 쓸까요? 오늘 재고 기록이 없어 상품을 골라 드릴 수 없어요. 상품을 알려 주세요 (예: 크루아상 푸시 문구 써줘).")
		}
		return tools.Product{}, tools.Failf("which item is the push about? There is no stock count today to pick one from: name the product, e.g. \"write push copy for croissant\"")
	}
	return cat.product[best], nil
}

// writePush asks the host for one push, with the template copy as the
// fallback.
func (c *campaign) writePush(ctx context.Context, host tools.HostAPI, r pushRequest) (*PushOutput, error) {
	fb, ok := c.templates.pick(r.locale, r.segment, r.item, r.pct, r.storeID+"|"+cmp.Or(r.productID, r.item)+"|"+r.segment)
	if !ok {
		return nil, tools.Failf("no push template fits the item %q within the %s length limits: send a shorter product_name", r.item, r.locale)
	}
	fallback, err := json.Marshal(pushDoc{Item: r.item, Locale: r.locale, Headline: fb.Headline, PushText: fb.PushText, ActionLine: fb.ActionLine})
	if err != nil {
		return nil, err
	}
	schema, err := c.pushSchema(r.locale, r.item)
	if err != nil {
		return nil, err
	}
	lim := c.templates.Limits[r.locale]
	vars, err := json.Marshal(map[string]any{
		"item": r.item, "product_id": r.productID, "store_id": r.storeID,
		"segment": r.segment, "segment_label": segmentLabel(r.segment, r.locale),
		"discount_pct": r.pct, "offer": c.templates.offer(r.locale, r.pct), "ewr": r.ewr, "locale": r.locale,
		"limits":  map[string]int{"headline": lim.Headline, "push_text": lim.PushText, "action_line": lim.ActionLine},
		"example": fb,
	})
	if err != nil {
		return nil, err
	}
	g, err := generate(ctx, host, &tools.GenerateRequest{
		Prompt: promptPushCopy, Locale: r.locale, Vars: vars, Schema: schema, Fallback: fallback, Validator: validatorPushCopy,
	}, c.validatePush)
	if err != nil {
		return nil, err
	}
	var doc pushDoc
	if err := json.Unmarshal(g.Output, &doc); err != nil {
		return nil, fmt.Errorf("decode generated push: %w", err)
	}
	return &PushOutput{Headline: doc.Headline, PushText: doc.PushText, ActionLine: doc.ActionLine, Outcome: g.Outcome, Reason: g.Reason, req: r}, nil
}

// pushSchema is the JSON schema of one generated push for a locale and
// item: the item and locale fixed, the parts non-empty and within the
// limits. Schemas are derived from pushDoc and kept per locale and item.
func (c *campaign) pushSchema(locale, item string) ([]byte, error) {
	key := locale + "\x00" + item
	c.schemaMu.Lock()
	defer c.schemaMu.Unlock()
	if s, ok := c.schemas[key]; ok {
		return s, nil
	}
	s, err := jsonschema.For[pushDoc](nil)
	if err != nil {
		return nil, fmt.Errorf("push schema: %w", err)
	}
	lim := c.templates.Limits[locale]
	one := 1
	set := func(name string, max int) {
		p := s.Properties[name]
		p.MinLength, p.MaxLength = &one, &max
	}
	set("headline", lim.Headline)
	set("push_text", lim.PushText)
	set("action_line", lim.ActionLine)
	var it, lo any = item, locale
	s.Properties["item"].Const = &it
	s.Properties["locale"].Const = &lo
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("push schema: %w", err)
	}
	if len(c.schemas) > 10_000 { // free-text product names: keep the cache bounded
		clear(c.schemas)
	}
	c.schemas[key] = raw
	return raw, nil
}

// validatePush is the push_copy business validator the host calls on
// every candidate: lengths for the locale, the item named, no banned word.
func (c *campaign) validatePush(out json.RawMessage) []string {
	var doc pushDoc
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&doc); err != nil {
		return []string{fmt.Sprintf("the output is not a JSON object with headline, push_text and action_line: %v", err)}
	}
	lim, ok := c.templates.Limits[doc.Locale]
	if !ok {
		return []string{fmt.Sprintf("locale %q: copy it from the request (ko or en)", doc.Locale)}
	}
	if fold(doc.Item) == "" {
		return []string{"item is empty: copy the product name from the request"}
	}
	return checkCopy(copyText{Headline: doc.Headline, PushText: doc.PushText, ActionLine: doc.ActionLine}, doc.Item, lim)
}

// PushBatchInput is many pushes at once, for the push pipeline.
type PushBatchInput struct {
	Items []PushInput `json:"items" jsonschema:"the pushes to write, at most 1000"`
}

// PushBatchResult is one push of a batch: the ids it was asked for, the
// copy, or Failure when that one push could not be written.
type PushBatchResult struct {
	StoreID    string `json:"store_id,omitempty"`
	ProductID  string `json:"product_id,omitempty"`
	Segment    string `json:"segment"`
	Headline   string `json:"headline"`
	PushText   string `json:"push_text"`
	ActionLine string `json:"action_line"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason"`
	Failure    string `json:"failure,omitempty"`
}

// PushBatchOutput holds one result per input item, in order (the shape
// host/push's ToolCopywriter reads).
type PushBatchOutput struct {
	Items   []PushBatchResult `json:"items"`
	Written int               `json:"written"`
	Failed  int               `json:"failed"`
}

// maxBatch bounds a batch; batchWorkers is how many pushes of a batch are
// generated at once.
const (
	maxBatch     = 1000
	batchWorkers = 4
)

func (c *campaign) pushCopyBatchTool() tools.Tool {
	return tools.NewTool("push_copy_batch",
		"Write up to 1000 pushes in one call (each as push_copy; items in input order, a failed one carries failure).",
		c.pushCopyBatch)
}

func (c *campaign) pushCopyBatch(ctx context.Context, call *tools.Call, in PushBatchInput) (*PushBatchOutput, error) {
	if len(in.Items) > maxBatch {
		return nil, tools.Failf("items: %d pushes, at most %d per call: split the batch", len(in.Items), maxBatch)
	}
	out := &PushBatchOutput{Items: make([]PushBatchResult, len(in.Items))}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(batchWorkers, len(in.Items)) {
		wg.Go(func() {
			for i := range jobs {
				out.Items[i] = c.batchOne(ctx, call, in.Items[i])
			}
		})
	}
	for i := range in.Items {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range out.Items {
		if r.Failure != "" {
			out.Failed++
		} else {
			out.Written++
		}
	}
	return out, nil
}

func (c *campaign) batchOne(ctx context.Context, call *tools.Call, in PushInput) PushBatchResult {
	res := PushBatchResult{StoreID: cmp.Or(in.StoreID, in.Store), ProductID: cmp.Or(in.ProductID, in.Product), Segment: in.Segment}
	if in.Segment == "" {
		in.Segment = "all" // no previews in a batch
	}
	req, err := c.resolvePush(ctx, call, in)
	if err == nil {
		var p *PushOutput
		if p, err = c.writePush(ctx, call.Host, req); err == nil {
			res.Segment, res.ProductID = req.segment, cmp.Or(res.ProductID, req.productID)
			res.Headline, res.PushText, res.ActionLine, res.Outcome, res.Reason = p.Headline, p.PushText, p.ActionLine, p.Outcome, p.Reason
			return res
		}
	}
	if f, ok := errors.AsType[*tools.Failure](err); ok {
		res.Failure = f.Reason
	} else {
		res.Failure = err.Error()
	}
	return res
}

// seoul is the brand's time zone: "today" is local.
var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()
