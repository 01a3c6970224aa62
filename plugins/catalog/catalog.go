package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/plugins/internal/stock"
	"github.com/crumb-dev/crumb/tools"
)

// Version is the plugin's version, reported in its manifest.
const Version = "1.0.0"

// Plugin returns the catalog plugin's definition.
func Plugin() tools.Plugin {
	return tools.Plugin{
		Name:        "catalog",
		Version:     Version,
		Description: "Product catalogue and stock on hand by store and product.",
		Tools:       []tools.Tool{stockTool(), productTool()},
		Capabilities: tools.Capabilities{
			Datasets: []string{tools.DatasetStores, tools.DatasetProducts, tools.DatasetStock},
		},
	}
}

// seoul is the brand's time zone: "today" and opening hours are local.
var seoul = mustZone("Asia/Seoul")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}

// StockInput selects the stock to report.
type StockInput struct {
	Store   string `json:"store,omitempty" jsonschema:"store id, Korean or English name or district (e.g. S01, 강남점, Hongdae); all stores when empty"`
	Product string `json:"product,omitempty" jsonschema:"product id, Korean or English name (e.g. P001, 크루아상, croissant); all products when empty"`
}

// StockRow is the stock of one product at one store.
type StockRow struct {
	StoreID   string    `json:"store_id"`
	Store     string    `json:"store"`
	StoreEN   string    `json:"store_en"`
	ProductID string    `json:"product_id"`
	Product   string    `json:"product"`
	ProductEN string    `json:"product_en"`
	Quantity  int       `json:"quantity"`
	At        time.Time `json:"at"`
}

// StockOutput is the stock on hand now.
type StockOutput struct {
	Date  string     `json:"date"`
	AsOf  time.Time  `json:"as_of"`
	Rows  []StockRow `json:"rows"`
	Total int        `json:"total"`
	// Store and Product echo the resolved filters, empty when not given.
	Store     string `json:"store,omitempty"`
	StoreEN   string `json:"store_en,omitempty"`
	Product   string `json:"product,omitempty"`
	ProductEN string `json:"product_en,omitempty"`
}

func stockTool() tools.Tool {
	return tools.NewTool("stock_on_hand",
		"Stock on hand now (latest snapshot today) by store and product.",
		stockOnHand,
		tools.WithDescription("ko", "매장별 상품 재고를 보여줍니다."),
		tools.WithSubIntent("stock_lookup", "knowledge_qa",
			"강남점 크루아상 재고 몇 개야?",
			"홍대점 재고 알려줘",
			"지금 잠실점에 남은 빵 뭐 있어?",
			"식빵 재고 얼마나 남았어?",
			"소금빵 몇 개 남았어",
			"매장별 재고 현황 보여줘",
			"여의도점에 치즈케이크 있어?",
			"what is in stock at Hongdae?",
			"how many croissants are left at Gangnam?",
			"stock of baguettes in Jamsil",
			"show me current stock levels",
			"do we still have cheesecake at Yeouido?",
			"how much salt bread is left?",
			"재고 현황 알려줘",
			"지금 남아 있는 수량 보여줘",
			"크루아상 재고 있는 매장 어디야?",
			"건대점 소금빵 남았어?",
			"inventory at Gangnam right now",
			"how many are left on the shelf?",
			"which stores still have croissants?",
			"stock check for Mokdong",
			"크루아상 품절됐어?",
			"바게트 다 팔렸어?",
			"are we out of sourdough at Jamsil?",
			"any bagels left at Hongdae?",
			"몇 개 남았는지 확인해줘 성수점",
			"지금 매장에 케이크 몇 개 있어?",
			"재고 조회",
			"현재고 알려줘",
			"stock count for the cream buns",
			"inventory check pls",
			"남은 수량 조회해줘",
			"재고 있음?",
			"is the cheesecake sold out?",
			"how many loaves are on hand at Mapo?",
			"우리 매장 단팥빵 재고 확인 좀",
		))
}

func stockOnHand(ctx context.Context, call *tools.Call, in StockInput) (*StockOutput, error) {
	cat, err := loadCatalog(ctx, call)
	if err != nil {
		return nil, err
	}
	q := &tools.DatasetQuery{Dataset: tools.DatasetStock}
	out := &StockOutput{}
	if in.Store != "" {
		s, err := cat.store(in.Store)
		if err != nil {
			return nil, err
		}
		q.Stores = []string{s.ID}
		out.Store, out.StoreEN = s.Name, s.NameEN
	}
	if in.Product != "" {
		p, err := cat.product(in.Product)
		if err != nil {
			return nil, err
		}
		q.Products = []string{p.ID}
		out.Product, out.ProductEN = p.Name, p.NameEN
	}
	now := call.Now.In(seoul)
	out.Date = now.Format(tools.DateLayout)
	q.From, q.To = out.Date, out.Date
	snaps, err := tools.ReadAll[tools.StockSnapshot](ctx, call.Host, q)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		if call.Locale == "ko" {
			return nil, tools.Failf("%s 재고 스냅샷이 없어요 (%s). 오늘 재고를 먼저 불러와 주세요 (예: `crumb demo`).", out.Date, describe(in))
		}
		return nil, tools.Failf("no stock snapshot for %s (%s): load today's stock first, e.g. with `crumb demo`", out.Date, describe(in))
	}
	latest := stock.Latest(snaps, now)
	for _, s := range latest {
		st, pr := cat.stores[s.StoreID], cat.products[s.ProductID]
		out.Rows = append(out.Rows, StockRow{
			StoreID: s.StoreID, Store: st.Name, StoreEN: st.NameEN,
			ProductID: s.ProductID, Product: pr.Name, ProductEN: pr.NameEN,
			Quantity: s.Quantity, At: s.At,
		})
		out.Total += s.Quantity
		if s.At.After(out.AsOf) {
			out.AsOf = s.At
		}
	}
	slices.SortStableFunc(out.Rows, func(a, b StockRow) int {
		return cmp.Or(cmp.Compare(a.StoreID, b.StoreID), cmp.Compare(b.Quantity, a.Quantity), cmp.Compare(a.ProductID, b.ProductID))
	})
	return out, nil
}

func describe(in StockInput) string {
	parts := []string{}
	if in.Store != "" {
		parts = append(parts, "store "+in.Store)
	}
	if in.Product != "" {
		parts = append(parts, "product "+in.Product)
	}
	if len(parts) == 0 {
		return "all stores"
	}
	return strings.Join(parts, ", ")
}

// Display shows the stock as a short answer and a table.
func (o *StockOutput) Display(locale string) *tools.Display {
	d := &tools.Display{}
	at := o.AsOf.In(seoul).Format("15:04")
	ko := locale == "ko"
	store, product := o.StoreEN, o.ProductEN
	if ko {
		store, product = o.Store, o.Product
	}
	switch {
	case store != "" && product != "" && len(o.Rows) == 1:
		if ko {
			d.Text = fmt.Sprintf("%s의 %s 재고는 %d개입니다 (%s 기준).", store, product, o.Total, at)
		} else {
			d.Text = fmt.Sprintf("%s at %s: %d in stock (as of %s).", product, store, o.Total, at)
		}
	case store != "":
		if ko {
			d.Text = fmt.Sprintf("%s 재고: %d개 품목, 총 %d개 (%s 기준).%s", store, countInStock(o.Rows), o.Total, at, topItems(o.Rows, true))
		} else {
			d.Text = fmt.Sprintf("In stock at %s (as of %s): %d items, %d units in all.%s", store, at, countInStock(o.Rows), o.Total, topItems(o.Rows, false))
		}
	case product != "":
		if ko {
			d.Text = fmt.Sprintf("%s 재고: %d개 매장에 총 %d개 (%s 기준).", product, countInStock(o.Rows), o.Total, at)
		} else {
			d.Text = fmt.Sprintf("%s in stock (as of %s): %d units across %d stores.", product, at, o.Total, countInStock(o.Rows))
		}
	default:
		if ko {
			d.Text = fmt.Sprintf("전체 매장 재고: 총 %d개 (%s 기준).", o.Total, at)
		} else {
			d.Text = fmt.Sprintf("Stock across all stores (as of %s): %d units.", at, o.Total)
		}
	}
	t := tools.Table{Columns: []string{"Store", "Product", "Stock", "As of"}}
	if ko {
		t.Columns = []string{"매장", "상품", "재고", "기준 시각"}
		t.Title = "현재 재고"
	} else {
		t.Title = "Stock on hand"
	}
	for _, r := range o.Rows {
		s, p := r.StoreEN, r.ProductEN
		if ko {
			s, p = r.Store, r.Product
		}
		t.Rows = append(t.Rows, []any{s, p, r.Quantity, r.At.In(seoul).Format("15:04")})
	}
	d.Tables = []tools.Table{t}
	return d
}

func countInStock(rows []StockRow) int {
	n := 0
	for _, r := range rows {
		if r.Quantity > 0 {
			n++
		}
	}
	return n
}

// topItems names the three products with most stock.
func topItems(rows []StockRow, ko bool) string {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b StockRow) int { return cmp.Compare(b.Quantity, a.Quantity) })
	var names []string
	for _, r := range sorted[:min(3, len(sorted))] {
		if r.Quantity == 0 {
			break
		}
		if ko {
			names = append(names, fmt.Sprintf("%s %d개", r.Product, r.Quantity))
		} else {
			names = append(names, fmt.Sprintf("%s %d", r.ProductEN, r.Quantity))
		}
	}
	if len(names) == 0 {
		return ""
	}
	if ko {
		return " 가장 많은 품목: " + strings.Join(names, ", ") + "."
	}
	return " Most stocked: " + strings.Join(names, ", ") + "."
}
