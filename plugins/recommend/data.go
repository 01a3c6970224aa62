package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/crumb-dev/crumb/tools"
)

// basket is one order's distinct items, by item index.
type basket struct {
	id     string
	member string
	at     time.Time
	items  []int32
}

// history is everything the models learn from: the catalogue and members' baskets.
type history struct {
	products  []tools.Product // by item index
	index     map[string]int  // product id → item index
	customers map[string]tools.Customer
	baskets   []basket         // by time, then order id
	byMember  map[string][]int // member → indices into baskets, in time order
}

// loadHistory reads products, customers, orders and order items up to now. order keeps the item
// order of a previous model (new products are appended, sorted by id), so that fine-tuned
// weights stay aligned.
func loadHistory(ctx context.Context, host tools.DatasetReader, now time.Time, order []string) (*history, error) {
	products, err := tools.ReadAll[tools.Product](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetProducts})
	if err != nil {
		return nil, err
	}
	customers, err := tools.ReadAll[tools.Customer](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetCustomers})
	if err != nil {
		return nil, err
	}
	orders, err := tools.ReadAll[tools.Order](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetOrders})
	if err != nil {
		return nil, err
	}
	h := &history{index: map[string]int{}, customers: map[string]tools.Customer{}, byMember: map[string][]int{}}
	byID := map[string]tools.Product{}
	for _, p := range products {
		byID[p.ID] = p
	}
	for _, id := range order {
		p, ok := byID[id]
		if !ok {
			p = tools.Product{ID: id, Name: id, NameEN: id}
		}
		h.add(p)
	}
	slices.SortFunc(products, func(a, b tools.Product) int { return strings.Compare(a.ID, b.ID) })
	for _, p := range products {
		h.add(p)
	}
	for _, c := range customers {
		h.customers[c.ID] = c
	}
	kept := map[string]int{}
	for _, o := range orders {
		if o.CustomerID == "" || (!now.IsZero() && o.At.After(now)) {
			continue
		}
		kept[o.ID] = len(h.baskets)
		h.baskets = append(h.baskets, basket{id: o.ID, member: o.CustomerID, at: o.At})
	}
	err = host.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetOrderItems}, func(row json.RawMessage) error {
		var it tools.OrderItem
		if err := json.Unmarshal(row, &it); err != nil {
			return fmt.Errorf("decode order item: %w", err)
		}
		b, ok := kept[it.OrderID]
		if !ok {
			return nil
		}
		idx, ok := h.index[it.ProductID]
		if !ok {
			idx = h.add(tools.Product{ID: it.ProductID, Name: it.ProductID, NameEN: it.ProductID})
		}
		h.baskets[b].items = append(h.baskets[b].items, int32(idx))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read order items: %w", err)
	}
	h.baskets = slices.DeleteFunc(h.baskets, func(b basket) bool { return len(b.items) == 0 })
	for i := range h.baskets {
		slices.Sort(h.baskets[i].items)
		h.baskets[i].items = slices.Compact(h.baskets[i].items)
	}
	slices.SortStableFunc(h.baskets, func(a, b basket) int { return cmp.Or(a.at.Compare(b.at), strings.Compare(a.id, b.id)) })
	for i, b := range h.baskets {
		h.byMember[b.member] = append(h.byMember[b.member], i)
	}
	return h, nil
}

func (h *history) add(p tools.Product) int {
	if i, ok := h.index[p.ID]; ok {
		return i
	}
	h.index[p.ID] = len(h.products)
	h.products = append(h.products, p)
	return len(h.products) - 1
}

// members returns the member ids with baskets, ordered by keep (a previous model's order) and
// then by id.
func (h *history) members(keep []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range keep {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	rest := slices.Sorted(maps.Keys(h.byMember))
	for _, m := range rest {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// tokens are a product's words for TF-IDF: its tags, its category and the words of its English
// and Korean names (lower case, letters and digits, one letter words and stop words dropped).
func tokens(p tools.Product) []string {
	var out []string
	add := func(w string) {
		w = strings.ToLower(strings.TrimSpace(w))
		if len([]rune(w)) > 1 && !stopWords[w] {
			out = append(out, w)
		}
	}
	for _, t := range p.Tags {
		add(t)
	}
	if p.Category != "" && p.Category != "other" {
		add("cat:" + p.Category)
	}
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	for _, w := range split(p.NameEN) {
		add(w)
	}
	if p.Name != p.NameEN {
		for _, w := range split(p.Name) {
			add(w)
		}
	}
	return out
}

var stopWords = map[string]bool{"of": true, "and": true, "the": true, "with": true, "in": true, "for": true, "set": true}
