package intent

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// Args maps the slots onto the properties a tool's input schema declares,
// by the names the plugins use:
//
//	store, store_id          the first store; stores (array) when several
//	product, product_id      the first product; products (array) when
//	                         several, or cart (array) when the tool takes
//	                         a cart
//	query                    the first product (catalog lookups)
//	category                 the first category
//	date, from               the first date (its first day)
//	days                     the days of a date range, or the span asked
//	segment; a, b            the first segment (its key: at_risk); the
//	                         first two (compare)
//	season                   the first season or occasion
//	budget                   the budget in KRW
//	member_id, customer_id   the first member id
//	discount_pct, threshold  a percentage said as a discount, or as a limit
//
// Properties the schema does not declare are left out, so the result
// validates against schemas that refuse unknown fields.
func (s Slots) Args(inputSchema json.RawMessage) map[string]any {
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(inputSchema, &schema)
	has := func(p string) bool { _, ok := schema.Properties[p]; return ok }
	args := map[string]any{}
	set := func(v any, props ...string) {
		for _, p := range props {
			if has(p) {
				args[p] = v
				return
			}
		}
	}
	switch {
	case len(s.Stores) > 1 && has("stores"):
		args["stores"] = s.Stores
	case len(s.Stores) > 0:
		set(s.Stores[0], "store", "store_id")
	}
	switch {
	case len(s.Products) > 1 && has("cart"):
		args["cart"] = s.Products
	case len(s.Products) > 1 && has("products"):
		args["products"] = s.Products
	case len(s.Products) > 0:
		set(s.Products[0], "product", "product_id", "query")
	}
	if len(s.Categories) > 0 {
		set(s.Categories[0], "category")
	}
	if len(s.Dates) > 0 {
		d := s.Dates[0]
		set(d.From, "date")
		set(d.From, "from")
		if n := d.days(); n > 1 {
			set(n, "days")
		}
	}
	if s.Days > 0 && !has("date") {
		if _, done := args["days"]; !done {
			set(s.Days, "days")
		}
	}
	if len(s.Segments) > 0 {
		set(SegmentKey(s.Segments[0]), "segment")
		if len(s.Segments) > 1 && has("a") && has("b") {
			args["a"], args["b"] = s.Segments[0], s.Segments[1]
		}
	}
	if len(s.Seasons) > 0 {
		set(s.Seasons[0], "season")
	}
	if s.Budget > 0 {
		set(s.Budget, "budget")
	}
	if len(s.MemberIDs) > 0 {
		set(s.MemberIDs[0], "member_id", "customer_id")
	}
	if s.Discount > 0 {
		set(s.Discount, "discount_pct")
	}
	if s.Threshold > 0 {
		set(s.Threshold, "threshold")
	}
	return args
}

// SegmentKey is a segment name as the segment plugin keys it and as the
// knowledge base tags segment material: "at risk" → at_risk, VIP → vip.
func SegmentKey(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "_")
}

// days is the number of days in the range, inclusive.
func (d DateRange) days() int {
	from, err1 := time.Parse(tools.DateLayout, d.From)
	to, err2 := time.Parse(tools.DateLayout, d.To)
	if err1 != nil || err2 != nil || to.Before(from) {
		return 0
	}
	return int(to.Sub(from).Hours()/24) + 1
}
