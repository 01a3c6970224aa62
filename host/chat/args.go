package chat

import (
	"encoding/json"
	"strings"

	"github.com/crumb-dev/crumb/host/intent"
	"github.com/crumb-dev/crumb/tools"
)

// buildArgs maps the slots onto the tool's input properties by name, so
// that a plugin author gets a slot by naming a property after it: store,
// stores, store_id; product, products, product_id, query, cart; date,
// from, days; segment (a and b to compare two); season; budget;
// member_id; category, categories.
func buildArgs(info tools.ToolInfo, s intent.Slots) map[string]any {
	var schema struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(info.InputSchema, &schema)
	args := map[string]any{}
	has := func(p string) bool { _, ok := schema.Properties[p]; return ok }
	set := func(value any, props ...string) {
		for _, p := range props {
			if has(p) {
				args[p] = value
				return
			}
		}
	}
	if len(s.Stores) > 1 && has("stores") {
		args["stores"] = s.Stores
	} else if st := s.Store(); st != "" {
		set(st, "store", "store_id", "stores")
		if _, ok := args["stores"]; ok {
			args["stores"] = []string{st}
		}
	}
	switch {
	case len(s.Products) == 0:
	case has("cart"):
		args["cart"] = s.Products
	case len(s.Products) > 1 && has("products"):
		args["products"] = s.Products
	default:
		set(s.Product(), "product", "product_id", "query")
		if _, ok := args["product"]; !ok && has("products") {
			args["products"] = s.Products[:1]
		}
	}
	if d := s.Date(); d.From != "" {
		set(d.From, "date", "from")
		if d.To != d.From && has("days") && s.Days == 0 {
			if n := daysBetween(d.From, d.To); n > 0 {
				args["days"] = n
			}
		}
	}
	if s.Days > 0 {
		set(s.Days, "days")
	}
	if segs := s.Segments; len(segs) > 0 {
		if has("a") && has("b") {
			args["a"] = segs[0]
			if len(segs) > 1 {
				args["b"] = segs[1]
			}
		} else {
			set(segmentKey(segs[0]), "segment")
		}
	}
	if v := s.Season(); v != "" {
		set(v, "season")
	}
	if s.Budget > 0 {
		set(s.Budget, "budget")
	}
	if m := s.MemberID(); m != "" {
		set(m, "member_id", "user_id")
	}
	if len(s.Categories) > 0 {
		if has("categories") {
			args["categories"] = s.Categories
		} else {
			set(s.Categories[0], "category")
		}
	}
	return args
}

// segmentKey is a segment name as the segment plugin keys it: "at risk"
// → at_risk.
func segmentKey(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "_")
}

func daysBetween(from, to string) int {
	a, err1 := parseDay(from)
	b, err2 := parseDay(to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours()/24) + 1
}
