package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/tools"
)

// catalog holds the stores and products, with their names normalised for
// matching what people type ("강남", "gangnam store", "크로아상"). Its
// failures speak the caller's locale.
type catalog struct {
	locale      string
	stores      map[string]tools.Store
	products    map[string]tools.Product
	storeList   []tools.Store
	productList []tools.Product
}

func loadCatalog(ctx context.Context, call *tools.Call) (*catalog, error) {
	host := call.Host
	stores, err := tools.ReadAll[tools.Store](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetStores})
	if err != nil {
		return nil, err
	}
	products, err := tools.ReadAll[tools.Product](ctx, host, &tools.DatasetQuery{Dataset: tools.DatasetProducts})
	if err != nil {
		return nil, err
	}
	c := &catalog{locale: call.Locale, stores: map[string]tools.Store{}, products: map[string]tools.Product{}, storeList: stores, productList: products}
	for _, s := range stores {
		c.stores[s.ID] = s
	}
	for _, p := range products {
		c.products[p.ID] = p
	}
	return c, nil
}

// store resolves a store id, name or district.
func (c *catalog) store(q string) (tools.Store, error) {
	return names.Store(c.storeList, q, c.locale)
}

// product resolves a product id or name.
func (c *catalog) product(q string) (tools.Product, error) {
	return names.Product(c.productList, q, c.locale)
}

// ProductInput searches the catalogue.
type ProductInput struct {
	Query    string `json:"query,omitempty" jsonschema:"product id, Korean or English name, or a tag (e.g. 크루아상, croissant, chocolate)"`
	Category string `json:"category,omitempty" jsonschema:"only this category: bread, pastry, cake, sandwich, cookie or beverage"`
	Limit    int    `json:"limit,omitempty" jsonschema:"at most this many products (default 10)"`
}

// ProductOutput lists matching products.
type ProductOutput struct {
	Products []tools.Product `json:"products"`
}

func productTool() tools.Tool {
	return tools.NewTool("product_lookup",
		"Find products by name, tag or category: price, shelf life, allergens.",
		lookupProducts,
		tools.WithDescription("ko", "이름, 태그, 분류로 상품을 찾습니다: 가격, 보관 시간, 알레르기 성분."),
		tools.WithSubIntent("product_info", "knowledge_qa",
			"크루아상 가격 얼마야?",
			"소금빵 유통기한은?",
			"치즈케이크에 어떤 알레르기 성분 있어?",
			"케이크 종류 뭐 있어?",
			"초코 들어간 빵 알려줘",
			"how much is a croissant?",
			"what allergens are in the cheesecake?",
			"what is the shelf life of baguette?",
			"list the cakes on the menu",
			"which products contain chocolate?",
			"식빵 가격 알려줘",
			"바게트 얼마예요?",
			"에그타르트 유통기한",
			"알레르기 유발 성분 알려줘",
			"견과류 들어간 제품 있어?",
			"우유 안 들어간 빵 있어?",
			"샌드위치 종류 알려줘",
			"마카롱은 며칠 보관돼?",
			"원재료 알려줘",
			"what's the price of the salt bread?",
			"how much does a cheesecake cost?",
			"price list",
			"which items have nuts?",
			"is there anything gluten free?",
			"what's on the menu?",
			"which sandwiches are on the menu?",
			"which cookies do you sell?",
			"do you have any sandwiches?",
			"케이크 메뉴 뭐 있어?",
			"빵에 설탕 많이 들어가?",
			"what beverages do you serve?",
			"음료는 뭐가 있어?",
			"전체 메뉴판 보여줘",
			"글루텐 프리 제품 있어?",
			"ingredients of the croissant",
			"how long does the bread keep?",
			"do you have vegan bread?",
			"비건 빵 있어요?",
			"크루아상 칼로리",
			"what's in the cream bread?",
			"너트 들어간 거 있어요?",
			"케이크 사이즈 뭐 있어",
			"which breads do you carry?",
			"what pastries are there?",
			"소금빵 원재료가 뭐야",
			"how long does a cake keep in the fridge?",
			"제품 설명 좀 해줘",
			"우유 들어가요?",
			"what does a baguette cost?",
			"디저트 종류 알려줘",
			"is there egg in the scones?",
			"what kinds of bread do you have?",
			"빵 뭐 있어요?",
			"which pastries are nut-free?",
			"list of desserts",
			"케이크 가격표",
			"what do you have for vegans?",
			"sandwich menu please",
			"이 빵 뭐로 만들어?",
			"how big is the whole cake?",
			"휘낭시에 얼마예요",
			"what's inside the chicken sandwich?",
			"what goes into the sourdough?",
		))
}

func lookupProducts(ctx context.Context, call *tools.Call, in ProductInput) (*ProductOutput, error) {
	c, err := loadCatalog(ctx, call)
	if err != nil {
		return nil, err
	}
	limit := cmp.Or(in.Limit, 10)
	if limit < 1 || limit > 100 {
		return nil, tools.Failf("limit %d is out of range: use 1 to 100", in.Limit)
	}
	type scored struct {
		p     tools.Product
		score int
	}
	// An exact id (the host's slot filler sends ids) is that product alone.
	for _, p := range c.productList {
		if strings.EqualFold(p.ID, strings.TrimSpace(in.Query)) {
			return &ProductOutput{Products: []tools.Product{p}}, nil
		}
	}
	nq := names.Normalize(in.Query)
	var hits []scored
	for _, p := range c.productList {
		if in.Category != "" && !strings.EqualFold(p.Category, in.Category) {
			continue
		}
		score := 1
		if nq != "" {
			score = 0
			for _, n := range append([]string{p.ID, p.Name, p.NameEN}, p.Tags...) {
				score = max(score, names.Score(nq, names.Normalize(n)))
			}
		}
		if score > 0 {
			hits = append(hits, scored{p, score})
		}
	}
	if len(hits) == 0 {
		if c.locale == "ko" {
			return nil, tools.Failf("%q에 해당하는 상품이 없어요%s.", in.Query, categoryNote(in.Category))
		}
		return nil, tools.Failf("no product matches %q%s", in.Query, categoryNote(in.Category))
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	out := &ProductOutput{}
	for _, h := range hits[:min(limit, len(hits))] {
		out.Products = append(out.Products, h.p)
	}
	return out, nil
}

func categoryNote(c string) string {
	if c == "" {
		return ""
	}
	return " in category " + c
}

// Display shows products as a table, with a sentence for a single match.
func (o *ProductOutput) Display(locale string) *tools.Display {
	ko := locale == "ko"
	d := &tools.Display{}
	t := tools.Table{Title: "Products", Columns: []string{"ID", "Product", "Category", "Price (KRW)", "Shelf life (h)", "Allergens"}}
	if ko {
		t = tools.Table{Title: "상품", Columns: []string{"ID", "상품", "분류", "가격(원)", "유통 시간(h)", "알레르기"}}
	}
	for _, p := range o.Products {
		name := p.NameEN
		if ko {
			name = p.Name
		}
		t.Rows = append(t.Rows, []any{p.ID, name, p.Category, p.Price, p.ShelfLifeHours, strings.Join(p.Allergens, ", ")})
	}
	d.Tables = []tools.Table{t}
	if len(o.Products) == 1 {
		p := o.Products[0]
		if ko {
			d.Text = fmt.Sprintf("%s: %d원, 유통 시간 %d시간, 알레르기 %s.", p.Name, p.Price, p.ShelfLifeHours, orNone(p.Allergens, "없음"))
		} else {
			d.Text = fmt.Sprintf("%s: %d KRW, keeps %d hours, allergens %s.", p.NameEN, p.Price, p.ShelfLifeHours, orNone(p.Allergens, "none"))
		}
	} else if ko {
		d.Text = fmt.Sprintf("상품 %d개를 찾았습니다.", len(o.Products))
	} else {
		d.Text = fmt.Sprintf("Found %d products.", len(o.Products))
	}
	return d
}

func orNone(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	return strings.Join(xs, ", ")
}
