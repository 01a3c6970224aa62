package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// now is 14:30 in Seoul on the fixture's day.
var now = time.Date(2026, 11, 21, 14, 30, 0, 0, seoul)

// fixture is a small brand: 3 stores, 4 products, hourly stock snapshots
// from 07:00 to 22:00 falling by one unit an hour.
func fixture() *plugintest.Host {
	stores := []any{
		tools.Store{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu"},
		tools.Store{ID: "S02", Name: "홍대점", NameEN: "Hongdae", District: "마포구", DistrictEN: "Mapo-gu"},
		tools.Store{ID: "S03", Name: "여의도점", NameEN: "Yeouido", District: "영등포구", DistrictEN: "Yeongdeungpo-gu"},
	}
	products := []any{
		tools.Product{ID: "P001", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Price: 3500, ShelfLifeHours: 24, Tags: []string{"butter"}, Allergens: []string{"wheat", "milk"}},
		tools.Product{ID: "P002", Name: "식빵", NameEN: "White Bread", Category: "bread", Price: 4500, ShelfLifeHours: 72},
		tools.Product{ID: "P003", Name: "우유식빵", NameEN: "Milk Bread", Category: "bread", Price: 5000, ShelfLifeHours: 72},
		tools.Product{ID: "P004", Name: "치즈케이크", NameEN: "Cheesecake", Category: "cake", Price: 6500, ShelfLifeHours: 48, Tags: []string{"cream", "cheese"}},
	}
	var stock []any
	for si := range 3 {
		for pi := range 4 {
			for h := 7; h <= 22; h++ {
				at := time.Date(2026, 11, 21, h, 0, 0, 0, seoul)
				stock = append(stock, tools.StockSnapshot{StoreID: fmt.Sprintf("S0%d", si+1), ProductID: fmt.Sprintf("P00%d", pi+1), At: at, Quantity: 30 + 10*si + pi - (h - 7)})
			}
		}
	}
	// Yesterday's snapshot must be ignored.
	stock = append(stock, tools.StockSnapshot{StoreID: "S01", ProductID: "P001", At: now.Add(-24 * time.Hour), Quantity: 999})
	return &plugintest.Host{Datasets: map[string][]any{
		tools.DatasetStores: stores, tools.DatasetProducts: products, tools.DatasetStock: stock,
	}}
}

func call(locale string, at time.Time, host tools.HostAPI) *tools.Call {
	return &tools.Call{CallInfo: tools.CallInfo{Locale: locale, Now: at}, Host: host}
}

func TestStockOnHand(t *testing.T) {
	host := fixture()
	cases := []struct {
		name      string
		in        StockInput
		at        time.Time
		wantRows  int
		wantTotal int
		wantText  string
		locale    string
	}{
		// 14:30 → the 14:00 snapshot: 30 - 7 = 23.
		{"store and product in Korean", StockInput{Store: "강남", Product: "크루아상"}, now, 1, 23, "강남점의 크루아상 재고는 23개입니다 (14:00 기준).", "ko"},
		{"English names, plural, any case", StockInput{Store: "GANGNAM store", Product: "croissants"}, now, 1, 23, "Croissant at Gangnam: 23 in stock (as of 14:00).", "en"},
		{"typo in product", StockInput{Store: "S01", Product: "크로아상"}, now, 1, 23, "", "ko"},
		{"district", StockInput{Store: "마포구"}, now, 4, (40 - 7) + (41 - 7) + (42 - 7) + (43 - 7), "In stock at Hongdae (as of 14:00): 4 items", "en"},
		{"longest product wins", StockInput{Store: "여의도점", Product: "우유식빵"}, now, 1, 52 - 7, "", "ko"},
		{"before opening uses the first snapshot", StockInput{Store: "강남점", Product: "식빵"}, time.Date(2026, 11, 21, 6, 0, 0, 0, seoul), 1, 31, "", "ko"},
		{"all stores", StockInput{}, now, 12, 0, "Stock across all stores", "en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := stockOnHand(context.Background(), call(c.locale, c.at, host), c.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Rows) != c.wantRows {
				t.Fatalf("rows = %d, want %d: %+v", len(out.Rows), c.wantRows, out.Rows)
			}
			if c.wantTotal != 0 && out.Total != c.wantTotal {
				t.Errorf("total = %d, want %d", out.Total, c.wantTotal)
			}
			if txt := out.Display(c.locale).Text; !strings.Contains(txt, c.wantText) {
				t.Errorf("text = %q, want it to contain %q", txt, c.wantText)
			}
		})
	}
}

func TestStockFailures(t *testing.T) {
	host := fixture()
	for _, c := range []struct {
		in   StockInput
		at   time.Time
		want string
	}{
		{StockInput{Store: "부산"}, now, `unknown store "부산"; known stores: 강남점 (Gangnam)`},
		{StockInput{Product: "pizza"}, now, `unknown product "pizza"`},
		{StockInput{Store: "강남"}, now.Add(48 * time.Hour), "no stock snapshot for 2026-11-23"},
	} {
		_, err := stockOnHand(context.Background(), call("en", c.at, host), c.in)
		if f, ok := err.(*tools.Failure); !ok || !strings.Contains(f.Reason, c.want) {
			t.Errorf("%+v: err = %v, want a failure containing %q", c.in, err, c.want)
		}
	}
}

func TestProductLookup(t *testing.T) {
	host := fixture()
	out, err := lookupProducts(context.Background(), call("en", now, host), ProductInput{Query: "cheese"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Products) != 1 || out.Products[0].ID != "P004" {
		t.Fatalf("cheese: %+v", out.Products)
	}
	out, err = lookupProducts(context.Background(), call("ko", now, host), ProductInput{Category: "bread"})
	if err != nil || len(out.Products) != 2 {
		t.Fatalf("bread: %+v %v", out, err)
	}
	if d := out.Display("ko"); d.Text != "상품 2개를 찾았습니다." || d.Tables[0].Columns[1] != "상품" {
		t.Errorf("display: %+v", d)
	}
	if _, err := lookupProducts(context.Background(), call("en", now, host), ProductInput{Limit: 1000}); err == nil {
		t.Error("limit 1000 accepted")
	}
	// An id, as the host's slot filler sends it, is that product alone,
	// not everything whose id looks like it.
	out, err = lookupProducts(context.Background(), call("en", now, host), ProductInput{Query: "p004"})
	if err != nil || len(out.Products) != 1 || out.Products[0].ID != "P004" {
		t.Errorf("id query: %+v %v", out, err)
	}
}

// TestThroughGRPC runs the plugin over real gRPC in process, with the host
// API served back over the broker.
func TestThroughGRPC(t *testing.T) {
	c := plugintest.Connect(t, Plugin(), fixture())
	m, err := c.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var intents []string
	for _, tool := range m.Tools {
		for _, in := range tool.Intents {
			intents = append(intents, in.Name+" < "+in.Parent)
		}
	}
	sort.Strings(intents)
	// Both are facts looked up, answered as the canonical knowledge_qa.
	if m.Name != "catalog" || !slices.Equal(intents, []string{"product_info < knowledge_qa", "stock_lookup < knowledge_qa"}) {
		t.Fatalf("manifest: %s %v", m.Name, intents)
	}
	res, err := c.Invoke(context.Background(), &tools.Invocation{Tool: "stock_on_hand", Args: json.RawMessage(`{"store":"홍대"}`),
		CallInfo: tools.CallInfo{Locale: "ko", Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	var out StockOutput
	if err := json.Unmarshal(res.Output, &out); err != nil || len(out.Rows) != 4 || out.Store != "홍대점" {
		t.Fatalf("output: %s (%v)", res.Output, err)
	}
	if len(res.Display.Tables) != 1 || len(res.Display.Tables[0].Rows) != 4 {
		t.Fatalf("display: %+v", res.Display)
	}
}

// TestSubprocess runs the real plugin binary as the host does.
func TestSubprocess(t *testing.T) {
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/plugins/catalog")
	c, _ := plugintest.Start(t, bin, fixture())
	res, err := c.Invoke(context.Background(), &tools.Invocation{Tool: "stock_on_hand", Args: json.RawMessage(`{"store":"Yeouido","product":"cheesecake"}`),
		CallInfo: tools.CallInfo{Locale: "en", Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Cheesecake at Yeouido: 46 in stock (as of 14:00)."; res.Display.Text != want {
		t.Fatalf("text = %q, want %q", res.Display.Text, want)
	}
}

func TestFailuresSpeakKorean(t *testing.T) {
	_, err := stockOnHand(context.Background(), call("ko", now, fixture()), StockInput{Store: "부산"})
	if f, ok := err.(*tools.Failure); !ok || !strings.HasPrefix(f.Reason, `"부산" 매장을 찾을 수 없어요. 매장 목록: 강남점 (Gangnam)`) {
		t.Fatalf("err = %v", err)
	}
}
