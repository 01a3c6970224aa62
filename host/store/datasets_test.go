package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// testData is a small brand whose rows are listed out of read order, with
// timestamps either side of midnight in Seoul.
func testData() *Data {
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	d := &Data{
		Stores: []tools.Store{
			{ID: "S2", Name: "홍대점", NameEN: "Hongdae", District: "마포구", DistrictEN: "Mapo-gu", Area: "university", Lat: 37.55, Lon: 126.92, OpenedOn: "2019-05-01"},
			{ID: "S1", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", Area: "office", Lat: 37.49, Lon: 127.02, OpenedOn: "2018-03-15"},
			{ID: "S3", Name: "역삼점", NameEN: "Yeoksam", District: "강남구", DistrictEN: "Gangnam-gu", Area: "station", Lat: 37.50, Lon: 127.03},
		},
		Products: []tools.Product{
			{ID: "P2", Name: "치즈케이크", NameEN: "Cheesecake", Category: "cake", Tags: []string{"sweet"}, Price: 6500, ShelfLifeHours: 48, Allergens: []string{"milk", "egg"}},
			{ID: "P1", Name: "크루아상", NameEN: "Croissant", Category: "bread", Tags: []string{"butter", "classic"}, Price: 3200, ShelfLifeHours: 24},
			{ID: "P3", Name: "바게트", NameEN: "Baguette", Category: "bread", Tags: []string{}, Price: 4000, ShelfLifeHours: 12},
		},
		Customers: []tools.Customer{
			{ID: "C2", Gender: "M", AgeBand: "40s", JoinedOn: "2022-01-09", HomeStoreID: "S2"},
			{ID: "C1", Gender: "F", AgeBand: "30s", JoinedOn: "2021-06-30", HomeStoreID: "S1"},
			{ID: "C3", Gender: "F", AgeBand: "20s"},
		},
		Stock: []tools.StockSnapshot{
			{StoreID: "S2", ProductID: "P2", At: utc("2024-03-02T03:00:00Z"), Quantity: 4},
			{StoreID: "S1", ProductID: "P1", At: utc("2024-03-01T15:00:00Z"), Quantity: 30}, // 03-02 00:00 KST
			{StoreID: "S1", ProductID: "P1", At: utc("2024-03-01T14:59:59.999999999Z"), Quantity: 2},
			{StoreID: "S1", ProductID: "P1", At: utc("2024-03-01T03:00:00.5Z").In(kst()), Quantity: 10},
			{StoreID: "S1", ProductID: "P1", At: utc("2024-02-29T15:30:00Z"), Quantity: 25}, // 03-01 00:30 KST
		},
		Orders: []tools.Order{
			{ID: "O3", CustomerID: "C1", StoreID: "S2", At: utc("2024-03-02T23:00:00Z"), Total: 9700},  // 03-03 KST
			{ID: "O4", CustomerID: "C3", StoreID: "S1", At: utc("2024-03-01T01:00:00Z"), Total: 3200},  // 03-01
			{ID: "O1", CustomerID: "C1", StoreID: "S1", At: utc("2024-03-01T01:00:00Z"), Total: 6400},  // 03-01
			{ID: "O2", CustomerID: "C2", StoreID: "S2", At: utc("2024-02-29T16:00:00Z"), Total: 10500}, // 03-01 01:00 KST
		},
		OrderItems: []tools.OrderItem{
			{OrderID: "O3", ProductID: "P2", Quantity: 1, Price: 6500},
			{OrderID: "O1", ProductID: "P1", Quantity: 2, Price: 3200},
			{OrderID: "O2", ProductID: "P2", Quantity: 1, Price: 6500},
			{OrderID: "O3", ProductID: "P1", Quantity: 1, Price: 3200},
			{OrderID: "O4", ProductID: "P1", Quantity: 1, Price: 3200},
			{OrderID: "O2", ProductID: "P3", Quantity: 1, Price: 4000},
		},
		Intraday: []tools.IntradayShare{
			{StoreID: "S2", Category: "bread", Hour: 9, Share: 1},
			{StoreID: "S1", Category: "cake", Hour: 8, Share: 1},
			{StoreID: "S1", Category: "bread", Hour: 9, Share: 0.6},
			{StoreID: "S1", Category: "bread", Hour: 8, Share: 0.4},
		},
		Holidays: []tools.Holiday{
			{Date: "2024-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},
			{Date: "2024-02-10", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},
			{Date: "2024-04-10", Name: "제22대 국회의원선거일", NameEN: "22nd National Assembly election"},
		},
	}
	dates := []string{"2024-03-01", "2024-03-02", "2024-03-03"}
	for i, date := range dates { // date-major, as a generator writes
		for _, st := range []string{"S2", "S1"} {
			for _, p := range []string{"P2", "P1"} {
				d.Production = append(d.Production, tools.Production{Date: date, StoreID: st, ProductID: p, Quantity: 20 + i})
				d.Sales = append(d.Sales, tools.Sale{Date: date, StoreID: st, ProductID: p, Quantity: 15 + i, Price: 3000,
					Revenue: (15 + i) * 3000, Promotion: i == 1})
			}
		}
		for j, district := range []string{"종로구", "마포구", "강남구"} {
			d.Weather = append(d.Weather, tools.Weather{Date: date, District: district, TempMax: 8.5 + float64(j),
				TempMin: -1.25, Precipitation: float64(i), Forecast: i == 2})
		}
	}
	return d
}

// rowKey identifies a dataset row in test expectations.
func rowKey(row any) string {
	switch r := row.(type) {
	case tools.Store:
		return r.ID
	case tools.Product:
		return r.ID
	case tools.Customer:
		return r.ID
	case tools.Order:
		return r.ID
	case tools.Production:
		return r.StoreID + "/" + r.ProductID + "/" + r.Date
	case tools.Sale:
		return r.StoreID + "/" + r.ProductID + "/" + r.Date
	case tools.StockSnapshot:
		return r.StoreID + "/" + r.ProductID + "/" + r.At.Format(time.RFC3339Nano)
	case tools.Weather:
		return r.District + "/" + r.Date
	case tools.OrderItem:
		return r.OrderID + "/" + r.ProductID
	case tools.IntradayShare:
		return fmt.Sprintf("%s/%s/%d", r.StoreID, r.Category, r.Hour)
	case tools.Holiday:
		return r.Date
	}
	return fmt.Sprintf("unexpected %T", row)
}

// readKeys reads q and returns the rows' keys in order.
func readKeys(t *testing.T, s *SQLite, q *tools.DatasetQuery) []string {
	t.Helper()
	keys := []string{}
	err := s.ReadDataset(context.Background(), q, func(row any) error {
		keys = append(keys, rowKey(row))
		return nil
	})
	if err != nil {
		t.Fatalf("ReadDataset(%+v): %v", q, err)
	}
	return keys
}

func TestReadDatasetFilters(t *testing.T) {
	s := openTest(t)
	if err := s.Replace(context.Background(), testData(), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    tools.DatasetQuery
		want []string
	}{
		{"stores all", tools.DatasetQuery{Dataset: "stores"}, []string{"S1", "S2", "S3"}},
		{"stores filtered", tools.DatasetQuery{Dataset: "stores", Stores: []string{"S2"}, Products: []string{"P1"}, From: "2030-01-01"}, []string{"S2"}},
		{"products filtered", tools.DatasetQuery{Dataset: "products", Products: []string{"P3", "P1"}}, []string{"P1", "P3"}},
		{"production by store from", tools.DatasetQuery{Dataset: "production", Stores: []string{"S1"}, From: "2024-03-02"},
			[]string{"S1/P1/2024-03-02", "S1/P1/2024-03-03", "S1/P2/2024-03-02", "S1/P2/2024-03-03"}},
		{"sales by product to", tools.DatasetQuery{Dataset: "sales", Products: []string{"P2"}, To: "2024-03-01"},
			[]string{"S1/P2/2024-03-01", "S2/P2/2024-03-01"}},
		{"sales one day", tools.DatasetQuery{Dataset: "sales", From: "2024-03-02", To: "2024-03-02", Stores: []string{"S2", "S1"}},
			[]string{"S1/P1/2024-03-02", "S1/P2/2024-03-02", "S2/P1/2024-03-02", "S2/P2/2024-03-02"}},
		{"sales limit", tools.DatasetQuery{Dataset: "sales", Limit: 2}, []string{"S1/P1/2024-03-01", "S1/P1/2024-03-02"}},
		{"sales empty range", tools.DatasetQuery{Dataset: "sales", From: "2024-03-03", To: "2024-03-01"}, []string{}},
		{"sales unknown store", tools.DatasetQuery{Dataset: "sales", Stores: []string{"S9"}}, []string{}},
		{"stock day of at in Seoul", tools.DatasetQuery{Dataset: "stock", From: "2024-03-01", To: "2024-03-01"},
			[]string{"S1/P1/2024-02-29T15:30:00Z", "S1/P1/2024-03-01T03:00:00.5Z", "S1/P1/2024-03-01T14:59:59.999999999Z"}},
		{"stock from", tools.DatasetQuery{Dataset: "stock", From: "2024-03-02"},
			[]string{"S1/P1/2024-03-01T15:00:00Z", "S2/P2/2024-03-02T03:00:00Z"}},
		{"stock by product", tools.DatasetQuery{Dataset: "stock", Products: []string{"P2"}}, []string{"S2/P2/2024-03-02T03:00:00Z"}},
		{"weather by store district", tools.DatasetQuery{Dataset: "weather", Stores: []string{"S1", "S3"}},
			[]string{"강남구/2024-03-01", "강남구/2024-03-02", "강남구/2024-03-03"}},
		{"weather stores and to", tools.DatasetQuery{Dataset: "weather", Stores: []string{"S1", "S2"}, To: "2024-03-01"},
			[]string{"강남구/2024-03-01", "마포구/2024-03-01"}},
		{"weather all days", tools.DatasetQuery{Dataset: "weather", From: "2024-03-03"},
			[]string{"강남구/2024-03-03", "마포구/2024-03-03", "종로구/2024-03-03"}},
		{"customers by home store", tools.DatasetQuery{Dataset: "customers", Stores: []string{"S1"}}, []string{"C1"}},
		{"customers all", tools.DatasetQuery{Dataset: "customers", From: "2030-01-01"}, []string{"C1", "C2", "C3"}},
		{"orders by time then id", tools.DatasetQuery{Dataset: "orders"}, []string{"O2", "O1", "O4", "O3"}},
		{"orders one Seoul day", tools.DatasetQuery{Dataset: "orders", From: "2024-03-01", To: "2024-03-01"}, []string{"O2", "O1", "O4"}},
		{"orders by store", tools.DatasetQuery{Dataset: "orders", Stores: []string{"S2"}}, []string{"O2", "O3"}},
		{"orders containing product", tools.DatasetQuery{Dataset: "orders", Products: []string{"P3"}}, []string{"O2"}},
		{"order items all", tools.DatasetQuery{Dataset: "order_items"},
			[]string{"O2/P2", "O2/P3", "O1/P1", "O4/P1", "O3/P2", "O3/P1"}},
		{"order items by order date", tools.DatasetQuery{Dataset: "order_items", From: "2024-03-03"}, []string{"O3/P2", "O3/P1"}},
		{"order items by store and product", tools.DatasetQuery{Dataset: "order_items", Stores: []string{"S1"}, Products: []string{"P1"}},
			[]string{"O1/P1", "O4/P1"}},
		{"order items limit", tools.DatasetQuery{Dataset: "order_items", Limit: 3}, []string{"O2/P2", "O2/P3", "O1/P1"}},
		{"intraday all", tools.DatasetQuery{Dataset: "intraday"},
			[]string{"S1/bread/8", "S1/bread/9", "S1/cake/8", "S2/bread/9"}},
		{"intraday by product category", tools.DatasetQuery{Dataset: "intraday", Products: []string{"P2"}}, []string{"S1/cake/8"}},
		{"intraday by store", tools.DatasetQuery{Dataset: "intraday", Stores: []string{"S2"}}, []string{"S2/bread/9"}},
		{"holidays by date", tools.DatasetQuery{Dataset: "holidays"}, []string{"2024-02-10", "2024-03-01", "2024-04-10"}},
		{"holidays from to, stores and products ignored", tools.DatasetQuery{Dataset: "holidays", From: "2024-03-01", To: "2024-04-09",
			Stores: []string{"S9"}, Products: []string{"P9"}}, []string{"2024-03-01"}},
		{"holidays limit", tools.DatasetQuery{Dataset: "holidays", Limit: 2}, []string{"2024-02-10", "2024-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readKeys(t, s, &tt.q)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keys = %q\nwant   %q", got, tt.want)
			}
		})
	}
}

// normalized is d as the store returns it: times in UTC, empty tags as [],
// empty allergens as nil.
func normalized(d *Data) map[string]map[string]any {
	out := map[string]map[string]any{}
	add := func(dataset string, row any) {
		if out[dataset] == nil {
			out[dataset] = map[string]any{}
		}
		out[dataset][rowKey(row)] = row
	}
	for _, r := range d.Stores {
		add(tools.DatasetStores, r)
	}
	for _, r := range d.Products {
		if r.Tags == nil {
			r.Tags = []string{}
		}
		if len(r.Allergens) == 0 {
			r.Allergens = nil
		}
		add(tools.DatasetProducts, r)
	}
	for _, r := range d.Production {
		add(tools.DatasetProduction, r)
	}
	for _, r := range d.Sales {
		add(tools.DatasetSales, r)
	}
	for _, r := range d.Stock {
		r.At = r.At.UTC()
		add(tools.DatasetStock, r)
	}
	for _, r := range d.Weather {
		add(tools.DatasetWeather, r)
	}
	for _, r := range d.Customers {
		add(tools.DatasetCustomers, r)
	}
	for _, r := range d.Orders {
		r.At = r.At.UTC()
		add(tools.DatasetOrders, r)
	}
	for _, r := range d.OrderItems {
		add(tools.DatasetOrderItems, r)
	}
	for _, r := range d.Intraday {
		add(tools.DatasetIntraday, r)
	}
	for _, r := range d.Holidays {
		add(tools.DatasetHolidays, r)
	}
	return out
}

// readAll reads every dataset of s into the shape normalized returns.
func readAll(t testing.TB, s *SQLite) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, ds := range tools.Datasets {
		err := s.ReadDataset(context.Background(), &tools.DatasetQuery{Dataset: ds}, func(row any) error {
			if out[ds] == nil {
				out[ds] = map[string]any{}
			}
			out[ds][rowKey(row)] = row
			return nil
		})
		if err != nil {
			t.Fatalf("ReadDataset(%s): %v", ds, err)
		}
	}
	return out
}

func TestReplaceRoundTrip(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := testData()
	if err := s.Replace(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	got, want := readAll(t, s), normalized(d)
	for _, ds := range tools.Datasets {
		t.Run(ds, func(t *testing.T) {
			if len(got[ds]) != len(want[ds]) {
				t.Errorf("%d rows, want %d", len(got[ds]), len(want[ds]))
			}
			for k, w := range want[ds] {
				if g := got[ds][k]; !reflect.DeepEqual(g, w) {
					t.Errorf("row %s = %+v\nwant %+v", k, g, w)
				}
			}
		})
	}
	checkForeignKeys(t, s)
	stores, err := s.ListStores(ctx)
	if err != nil || len(stores) != 3 || stores[0].ID != "S1" || stores[1].Name != "홍대점" {
		t.Errorf("ListStores = %+v, %v", stores, err)
	}
	products, err := s.ListProducts(ctx)
	if err != nil || len(products) != 3 || products[1].Allergens[0] != "milk" || products[0].Tags[1] != "classic" {
		t.Errorf("ListProducts = %+v, %v", products, err)
	}

	// A second Replace swaps everything.
	small := &Data{Stores: d.Stores[:1], Products: d.Products[:1]}
	if err := s.Replace(ctx, small, nil); err != nil {
		t.Fatal(err)
	}
	got = readAll(t, s)
	if len(got) != 2 || len(got[tools.DatasetStores]) != 1 || len(got[tools.DatasetProducts]) != 1 {
		t.Errorf("after replacing with one store and product, datasets = %v", got)
	}
}

func TestReplaceAtomic(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.Replace(ctx, testData(), nil); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, s)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		edit    func(d *Data)
		wantErr string
	}{
		{"duplicate sale", ctx, func(d *Data) { d.Sales = append(d.Sales, d.Sales[3]) }, "UNIQUE constraint failed: sales"},
		{"duplicate store", ctx, func(d *Data) { d.Stores = append(d.Stores, d.Stores[0]) }, "UNIQUE constraint failed: stores.id"},
		{"duplicate late in a big batch", ctx, func(d *Data) {
			for i := range 5000 {
				d.Weather = append(d.Weather, tools.Weather{District: fmt.Sprint(i), Date: "2024-01-01"})
			}
			d.Intraday = append(d.Intraday, d.Intraday[0])
		}, "UNIQUE constraint failed: intraday_shares"},
		{"unknown product", ctx, func(d *Data) { d.Sales[5].ProductID = "P9" }, `sales[5]: unknown product "P9"`},
		{"unknown order", ctx, func(d *Data) { d.OrderItems[2].OrderID = "O9" }, `order_items[2]: unknown order "O9"`},
		{"unknown customer", ctx, func(d *Data) { d.Orders[1].CustomerID = "C9" }, `orders[1]: unknown customer "C9"`},
		{"bad date", ctx, func(d *Data) { d.Production[0].Date = "2024/03/01" }, `production[0]: date "2024/03/01"`},
		{"bad holiday date", ctx, func(d *Data) { d.Holidays[2].Date = "2024-13-01" }, `holidays[2]: date "2024-13-01"`},
		{"duplicate holiday", ctx, func(d *Data) { d.Holidays = append(d.Holidays, d.Holidays[1]) }, "UNIQUE constraint failed: holidays.date"},
		{"canceled", canceled, func(d *Data) {}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testData()
			d.Stores = append(d.Stores, tools.Store{ID: "S4", OpenedOn: "2024-01-01"})
			tt.edit(d)
			err := s.Replace(tt.ctx, d, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Replace error = %v, want containing %q", err, tt.wantErr)
			}
			if got := readAll(t, s); !reflect.DeepEqual(got, want) {
				t.Errorf("data changed by a failed Replace")
			}
			checkForeignKeys(t, s)
		})
	}
}

func TestReplaceProgress(t *testing.T) {
	s := openTest(t)
	d := benchData(5, 10, 40, 500) // 2000 sales + 2000 production + ~1700 items + …
	var calls [][2]int
	err := s.Replace(context.Background(), d, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	checkForeignKeys(t, s)
	if len(calls) < 3 {
		t.Fatalf("progress called %d times, want several", len(calls))
	}
	prev := -1
	for _, c := range calls {
		if c[1] != d.Rows() || c[0] < prev || c[0] > c[1] {
			t.Fatalf("progress calls %v: want done rising to total %d", calls, d.Rows())
		}
		prev = c[0]
	}
	if last := calls[len(calls)-1]; last[0] != d.Rows() {
		t.Errorf("last progress = %v, want done = total = %d", last, d.Rows())
	}
}

func TestReplaceCanceledMidway(t *testing.T) {
	s := openTest(t)
	if err := s.Replace(context.Background(), testData(), nil); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := s.Replace(ctx, benchData(4, 10, 60, 300), func(done, total int) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Replace error = %v, want context.Canceled", err)
	}
	if got := readAll(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("data changed by a canceled Replace")
	}
	checkForeignKeys(t, s)
	// The writer is usable again.
	if err := s.Replace(context.Background(), testData(), nil); err != nil {
		t.Fatalf("Replace after a canceled one: %v", err)
	}
}

// checkForeignKeys fails t unless the writer enforces foreign keys again and
// the data satisfies every declared one (Replace loads with enforcement off).
func checkForeignKeys(t *testing.T, s *SQLite) {
	t.Helper()
	ctx := context.Background()
	var on int
	if err := s.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
		t.Errorf("writer foreign_keys = %d, %v; want 1", on, err)
	}
	rows, err := s.r.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid, fk any
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("foreign key violation: %s row %v → %s", table, rowid, parent)
	}
}

func TestReadDatasetErrors(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Replace(ctx, testData(), nil); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	tests := []struct {
		name    string
		q       *tools.DatasetQuery
		fn      func(any) error
		wantErr string
		wantIs  error
	}{
		{name: "unknown dataset", q: &tools.DatasetQuery{Dataset: "salez"}, wantErr: "known datasets are stores, products, production, sales"},
		{name: "nil query", q: nil, wantErr: "nil query"},
		{name: "bad from", q: &tools.DatasetQuery{Dataset: "sales", From: "March 1"}, wantErr: `from "March 1"`},
		{name: "bad to", q: &tools.DatasetQuery{Dataset: "orders", To: "2024-3-1"}, wantErr: `to "2024-3-1"`},
		{name: "negative limit", q: &tools.DatasetQuery{Dataset: "sales", Limit: -1}, wantErr: "limit -1"},
		{name: "fn error is returned as is", q: &tools.DatasetQuery{Dataset: "sales"}, fn: func(any) error { return stop }, wantIs: stop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := tt.fn
			if fn == nil {
				fn = func(any) error { return nil }
			}
			err := s.ReadDataset(ctx, tt.q, fn)
			if tt.wantIs != nil {
				if err != tt.wantIs {
					t.Fatalf("error = %v, want exactly %v", err, tt.wantIs)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestReadDuringReplace shows that WAL readers neither block behind nor see
// into an open Replace: from inside the Replace transaction (its progress
// callback) a read returns at once with the old data.
func TestReadDuringReplace(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	old := testData()
	if err := s.Replace(ctx, old, nil); err != nil {
		t.Fatal(err)
	}
	next := benchData(4, 10, 60, 300)
	countSales := func(ctx context.Context) (int, error) {
		n := 0
		err := s.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetSales}, func(any) error { n++; return nil })
		return n, err
	}

	// Readers in the background, to give the race detector something to see.
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []int
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := countSales(ctx)
				if err != nil || (n != len(old.Sales) && n != len(next.Sales)) {
					mu.Lock()
					bad = append(bad, n)
					mu.Unlock()
				}
			}
		})
	}

	checked := 0
	err := s.Replace(ctx, next, func(done, total int) {
		if done == 0 || done == total {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		n, err := countSales(rctx)
		if err != nil {
			t.Errorf("read during Replace: %v", err)
		} else if n != len(old.Sales) {
			t.Errorf("read during Replace saw %d sales, want the old %d", n, len(old.Sales))
		}
		checked++
	})
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no progress callback inside the transaction")
	}
	if len(bad) > 0 {
		t.Errorf("background readers saw partial data or errors: %v", bad)
	}
	if n, err := countSales(ctx); err != nil || n != len(next.Sales) {
		t.Errorf("after Replace: %d sales, %v; want %d", n, err, len(next.Sales))
	}
}

// benchData is a deterministic brand of the given size: sales and
// production for every store, product and day, and orders of 1–6 items
// (3.5 on average).
func benchData(nStores, nProducts, nDays, nOrders int) *Data {
	d := &Data{}
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, kst())
	for i := range nStores {
		d.Stores = append(d.Stores, tools.Store{ID: fmt.Sprintf("S%03d", i), Name: fmt.Sprintf("매장%d", i), District: fmt.Sprintf("구%d", i%25), OpenedOn: "2020-01-01"})
	}
	for i := range nProducts {
		d.Products = append(d.Products, tools.Product{ID: fmt.Sprintf("P%03d", i), Name: fmt.Sprintf("빵%d", i),
			Category: []string{"bread", "cake", "pastry"}[i%3], Tags: []string{"a", "b"}, Price: 1000 + 100*i, ShelfLifeHours: 24})
	}
	for day := range nDays {
		date := day0.AddDate(0, 0, day).Format(tools.DateLayout)
		for _, st := range d.Stores {
			for j, p := range d.Products {
				q := (day*7 + j*3) % 40
				d.Production = append(d.Production, tools.Production{Date: date, StoreID: st.ID, ProductID: p.ID, Quantity: q + 5})
				d.Sales = append(d.Sales, tools.Sale{Date: date, StoreID: st.ID, ProductID: p.ID, Quantity: q, Price: p.Price,
					Revenue: q * p.Price, Promotion: (day+j)%9 == 0})
			}
		}
		for k := range 25 {
			d.Weather = append(d.Weather, tools.Weather{Date: date, District: fmt.Sprintf("구%d", k), TempMax: 10, TempMin: 1})
		}
	}
	nCustomers := max(1, nOrders/12)
	for i := range nCustomers {
		d.Customers = append(d.Customers, tools.Customer{ID: fmt.Sprintf("C%06d", i), Gender: "F", AgeBand: "30s",
			JoinedOn: "2023-01-01", HomeStoreID: d.Stores[i%nStores].ID})
	}
	span := time.Duration(nDays) * 24 * time.Hour
	for i := range nOrders {
		id := fmt.Sprintf("O%07d", i)
		d.Orders = append(d.Orders, tools.Order{ID: id, CustomerID: d.Customers[(i*7)%nCustomers].ID, StoreID: d.Stores[i%nStores].ID,
			At: day0.Add(time.Duration(i) * span / time.Duration(nOrders)), Total: 10000})
		for k := range 1 + (i*5)%6 {
			d.OrderItems = append(d.OrderItems, tools.OrderItem{OrderID: id, ProductID: d.Products[(i+k*11)%nProducts].ID, Quantity: 1, Price: 3000})
		}
	}
	for _, st := range d.Stores {
		for _, c := range []string{"bread", "cake", "pastry"} {
			for h := 7; h < 22; h++ {
				d.Intraday = append(d.Intraday, tools.IntradayShare{StoreID: st.ID, Category: c, Hour: h, Share: 1.0 / 15})
			}
		}
	}
	for day := 0; day < nDays; day += 17 {
		d.Holidays = append(d.Holidays, tools.Holiday{Date: day0.AddDate(0, 0, day).Format(tools.DateLayout), Name: "휴일", NameEN: "Holiday"})
	}
	return d
}

// BenchmarkReplace loads about 500k rows: 150k sales, 150k production,
// 57k orders with 200k items, and the small datasets.
func BenchmarkReplace(b *testing.B) {
	d := benchData(30, 40, 125, 57000)
	s := openTest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Replace(ctx, d, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Rows()), "rows/op")
	b.ReportMetric(float64(d.Rows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadSales streams all 150k sales rows.
func BenchmarkReadSales(b *testing.B) {
	d := benchData(30, 40, 125, 1000)
	s := openTest(b)
	ctx := context.Background()
	if err := s.Replace(ctx, d, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := s.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetSales}, func(row any) error {
			n++
			return nil
		})
		if err != nil || n != len(d.Sales) {
			b.Fatalf("read %d sales, %v; want %d", n, err, len(d.Sales))
		}
	}
	b.ReportMetric(float64(len(d.Sales))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
