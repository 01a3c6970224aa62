package importer

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

const orFixtureHeader = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

// orFixture exercises every cleaning rule; the comment says what becomes of
// each line.
var orFixture = orFixtureHeader + strings.Join([]string{
	`536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom`,  // kept
	`536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom`,                  // kept
	`536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER ,4,2010-12-01 08:27:00,2.45,17850,United Kingdom`, // merged into the first
	`536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom`,                              // non-product
	`C536379,71053,WHITE METAL LANTERN,-1,2010-12-01 09:41:00,3.39,17850,United Kingdom`,                // cancellation
	`536380,71053,WHITE METAL LANTERN,-3,2010-12-01 09:41:00,3.39,17850,United Kingdom`,                 // negative quantity
	`536381,22139,"RETROSPOT TEA SET, CERAMIC",2,2010-12-01 09:45:00,4.95,,United Kingdom`,              // no customer
	`536382,22139,"RETROSPOT TEA SET, CERAMIC",2,2010-12-01 09:45:00,0,12347,Iceland`,                   // free
	`536383,gift_0001_40,Dotcomgiftshop Gift Voucher £40.00,1,2010-12-01 09:46:00,34.04,12347,Iceland`,  // non-product
	`536384,DCGSSBOY,BOYS PARTY BAG,1,2010-12-01 09:47:00,3.29,12347,Iceland`,                           // non-product: no digit
	`536385,C2,CARRIAGE,1,2010-12-01 09:48:00,50.00,12347,Iceland`,                                      // non-product
	`A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom`,                          // non-product
	`537626,22139,"RETROSPOT TEA SET, CERAMIC",2,2011-07-07 14:57:00,4.95,12347,Iceland`,                // kept, BST
	`537626,85123A,CREAM HANGING HEART T-LIGHT HOLDER,1,2011-07-07 14:57:00,2.95,12347,Iceland`,         // kept
	`537627,85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,2011-07-08 10:00:00,2.95,12347,United Kingdom`,  // kept
	`537628,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2011-07-09 10:00:00,2.65,12347,Iceland`,         // kept
}, "\n") + "\n"

func TestOnlineRetailFixture(t *testing.T) {
	dir := writeFiles(t, map[string]string{onlineRetailFile: orFixture})
	if got, err := Detect(dir); err != nil || got != "onlineretail" {
		t.Errorf("Detect = %q, %v", got, err)
	}
	calls := 0
	d, err := OnlineRetail{}.Import(context.Background(), dir, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
	wantStores := []tools.Store{
		{ID: "C01", Name: "United Kingdom", NameEN: "United Kingdom", District: "United Kingdom", DistrictEN: "United Kingdom"},
		{ID: "C02", Name: "Iceland", NameEN: "Iceland", District: "Iceland", DistrictEN: "Iceland"},
	}
	if !reflect.DeepEqual(d.Stores, wantStores) {
		t.Errorf("stores = %+v", d.Stores)
	}
	wantProducts := []tools.Product{
		{ID: "22139", Name: "RETROSPOT TEA SET, CERAMIC", NameEN: "RETROSPOT TEA SET, CERAMIC", Category: "other", Tags: []string{}, Price: 495},
		{ID: "71053", Name: "WHITE METAL LANTERN", NameEN: "WHITE METAL LANTERN", Category: "candle", Tags: []string{}, Price: 339},
		// Prices 245, 255, 265, 295, 295: median 265.
		{ID: "85123A", Name: "WHITE HANGING HEART T-LIGHT HOLDER", NameEN: "WHITE HANGING HEART T-LIGHT HOLDER", Category: "candle", Tags: []string{}, Price: 265},
	}
	if !reflect.DeepEqual(d.Products, wantProducts) {
		t.Errorf("products = %+v", d.Products)
	}
	wantCustomers := []tools.Customer{
		{ID: "17850", JoinedOn: "2010-12-01", HomeStoreID: "C01"},
		{ID: "12347", JoinedOn: "2011-07-07", HomeStoreID: "C02"},
	}
	if !reflect.DeepEqual(d.Customers, wantCustomers) {
		t.Errorf("customers = %+v", d.Customers)
	}
	gmt := time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC)
	bst := time.Date(2011, 7, 7, 13, 57, 0, 0, time.UTC) // 14:57 BST
	if len(d.Orders) != 4 {
		t.Fatalf("orders = %+v", d.Orders)
	}
	o := d.Orders[0]
	if o.ID != "536365" || o.CustomerID != "17850" || o.StoreID != "C01" || !o.At.Equal(gmt) || o.Total != 6*255+6*339+4*245 {
		t.Errorf("order 0 = %+v", o)
	}
	o = d.Orders[1]
	if o.ID != "537626" || o.CustomerID != "12347" || o.StoreID != "C02" || !o.At.Equal(bst) || o.Total != 2*495+295 {
		t.Errorf("order 1 = %+v", o)
	}
	if d.Orders[2].StoreID != "C01" || d.Orders[3].StoreID != "C02" {
		t.Errorf("orders 2, 3 = %+v", d.Orders[2:])
	}
	wantItems := []tools.OrderItem{
		{OrderID: "536365", ProductID: "85123A", Quantity: 10, Price: 251}, // (6×255 + 4×245) / 10
		{OrderID: "536365", ProductID: "71053", Quantity: 6, Price: 339},
		{OrderID: "537626", ProductID: "22139", Quantity: 2, Price: 495},
		{OrderID: "537626", ProductID: "85123A", Quantity: 1, Price: 295},
		{OrderID: "537627", ProductID: "85123A", Quantity: 1, Price: 295},
		{OrderID: "537628", ProductID: "85123A", Quantity: 2, Price: 265},
	}
	if !reflect.DeepEqual(d.OrderItems, wantItems) {
		t.Errorf("order items = %+v", d.OrderItems)
	}
	wantSales := []tools.Sale{
		{Date: "2010-12-01", StoreID: "C01", ProductID: "71053", Quantity: 6, Price: 339, Revenue: 6 * 339},
		{Date: "2010-12-01", StoreID: "C01", ProductID: "85123A", Quantity: 10, Price: 251, Revenue: 6*255 + 4*245},
		{Date: "2011-07-07", StoreID: "C02", ProductID: "22139", Quantity: 2, Price: 495, Revenue: 990},
		{Date: "2011-07-07", StoreID: "C02", ProductID: "85123A", Quantity: 1, Price: 295, Revenue: 295},
		{Date: "2011-07-08", StoreID: "C01", ProductID: "85123A", Quantity: 1, Price: 295, Revenue: 295},
		{Date: "2011-07-09", StoreID: "C02", ProductID: "85123A", Quantity: 2, Price: 265, Revenue: 530},
	}
	if !reflect.DeepEqual(d.Sales, wantSales) {
		t.Errorf("sales = %+v", d.Sales)
	}
	if len(d.Holidays) != 0 || len(d.Weather) != 0 {
		t.Errorf("holidays %d, weather %d", len(d.Holidays), len(d.Weather))
	}
}

func TestOnlineRetailDropReasons(t *testing.T) {
	var got []string
	err := readOnlineRetail(context.Background(), strings.NewReader(orFixture), "online_retail.csv", func(l *orLine) error {
		got = append(got, l.drop)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "", orDropNonProduct, orDropCancellation, orDropCancellation, orDropNoCustomer, orDropNoPrice,
		orDropNonProduct, orDropNonProduct, orDropNonProduct, orDropNonProduct, "", "", "", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drop reasons\n got %q\nwant %q", got, want)
	}
}

func TestOnlineRetailNonProduct(t *testing.T) {
	for code, want := range map[string]bool{
		"POST": true, "D": true, "M": true, "m": true, "C2": true, "DOT": true, "BANK CHARGES": true, "AMAZONFEE": true,
		"CRUK": true, "PADS": true, "B": true, "S": true, "gift_0001_40": true, "DCGSSGIRL": true,
		"85123A": false, "85123a": false, "15056BL": false, "C3": false, "79323W": false,
	} {
		if got := orNonProduct(code); got != want {
			t.Errorf("orNonProduct(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestOnlineRetailCategory(t *testing.T) {
	for desc, want := range map[string]string{
		"WHITE HANGING HEART T-LIGHT HOLDER": "candle",
		"JUMBO BAG RED RETROSPOT":            "bag",
		"CHRISTMAS HANGING HEART DECORATION": "christmas",
		"SET 3 RETROSPOT TEA/COFFEE/SUGAR":   "other",
		"PAPER CHAIN KIT 50'S CHRISTMAS ":    "christmas",
		"CUPID DESIGN SCENTED CANDLES":       "candle",
		"SPACEBOY MUG":                       "mug_cup",
		"CUPCAKE LACE PAPER SET 6":           "other",
		"HEART OF WICKER SMALL":              "decoration",
		"":                                   "other",
	} {
		if got := orCategory(desc); got != want {
			t.Errorf("orCategory(%q) = %q, want %q", desc, got, want)
		}
	}
}

func TestOnlineRetailLondonFallback(t *testing.T) {
	// The fallback rule agrees with the zone data across both 2011 changes.
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no zone data for Europe/London")
	}
	for _, s := range []string{"2011-03-27 00:59:59", "2011-03-27 02:00:00", "2011-10-30 00:59:59", "2011-10-30 02:00:00", "2010-12-01 08:26:00", "2011-07-07 14:57:00"} {
		w, _ := time.Parse(orDateLayout, s)
		got := london()(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second())
		want := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
		if !got.Equal(want) {
			t.Errorf("%s: %v, want %v", s, got, want)
		}
	}
}

func TestOnlineRetailErrors(t *testing.T) {
	const ok = `536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom`
	for _, tc := range []struct {
		name, text string
		line, col  int
		msg        string
	}{
		{"empty", "", 1, 0, "empty file"},
		{"header", "InvoiceNo,StockCode\n", 1, 0, "header"},
		{"fields", orFixtureHeader + ok + "\n536365,85123A\n", 3, 0, "2 fields"},
		{"quote", orFixtureHeader + ok + "\n536365,85123A,\"HE\"ART,6,2010-12-01 08:26:00,2.55,17850,UK\n", 3, 0, "RFC-4180"},
		{"invoice", orFixtureHeader + `53636X,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,UK`, 2, 1, "want digits"},
		{"code", orFixtureHeader + `536365, 85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,UK`, 2, 2, "surrounding blanks"},
		{"quantity", orFixtureHeader + `536365,85123A,HEART,6.5,2010-12-01 08:26:00,2.55,17850,UK`, 2, 4, "whole number"},
		{"date", orFixtureHeader + `536365,85123A,HEART,6,01/12/2010 08:26,2.55,17850,UK`, 2, 5, "YYYY-MM-DD"},
		{"price", orFixtureHeader + `536365,85123A,HEART,6,2010-12-01 08:26:00,£2.55,17850,UK`, 2, 6, "price in pounds"},
		{"customer", orFixtureHeader + `536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,UK`, 2, 7, "positive whole number"},
		{"country", orFixtureHeader + `536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,`, 2, 8, "country name"},
		{"two customers", orFixtureHeader + ok + "\n" + strings.Replace(ok, "17850", "12347", 1), 3, 7, "one customer"},
		{"two countries", orFixtureHeader + ok + "\n" + strings.Replace(ok, "United Kingdom", "France", 1), 3, 8, "one country"},
		{"nothing kept", orFixtureHeader + strings.Replace(ok, "17850", "", 1), 0, 0, "no lines left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{onlineRetailFile: tc.text})
			_, err := OnlineRetail{}.Import(context.Background(), dir, nil)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
			if tc.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "online_retail.csv.gz" || pe.Line != tc.line || pe.Column != tc.col {
				t.Fatalf("error %v, want a ParseError at line %d column %d", err, tc.line, tc.col)
			}
		})
	}
}

func TestRealOnlineRetail(t *testing.T) {
	dir := realData(t, "online_retail")
	// The drop reasons, counted on the raw file.
	srcs, err := findSources(dir, onlineRetailFile)
	if err != nil {
		t.Fatal(err)
	}
	drops := map[string]int{}
	err = withFile(srcs[0], newReporter(nil, srcs), func(r io.Reader, file string) error {
		return readOnlineRetail(context.Background(), r, file, func(l *orLine) error { drops[l.drop]++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lines by drop reason: %v", drops)
	start := time.Now()
	if _, err := (OnlineRetail{}).Import(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("import alone: %v", time.Since(start))
	start = time.Now()
	d := importReal(t, OnlineRetail{}, "online_retail")
	t.Logf("import and store.Replace into SQLite: %v", time.Since(start))
	between := func(what string, n, lo, hi int) {
		t.Helper()
		if n < lo || n > hi {
			t.Errorf("%d %s, want %d–%d", n, what, lo, hi)
		}
	}
	between("stores", len(d.Stores), 35, 38)
	between("products", len(d.Products), 3600, 3700)
	between("customers", len(d.Customers), 4300, 4340)
	between("orders", len(d.Orders), 18300, 18600)
	between("order items", len(d.OrderItems), 380000, 395000)
	between("kept lines", drops[orDropKeep], 390000, 400000)
	if d.Stores[0].Name != "United Kingdom" {
		t.Errorf("store C01 is %q", d.Stores[0].Name)
	}
	var orders12347 int
	var total int
	for _, o := range d.Orders {
		if o.CustomerID == "12347" {
			orders12347++
		}
		total += o.Total
	}
	// 12347 (Iceland) has 7 invoices, none cancelled, all with products.
	if orders12347 != 7 {
		t.Errorf("customer 12347 has %d orders, want 7", orders12347)
	}
	var revenue, itemSum int
	for _, s := range d.Sales {
		revenue += s.Revenue
	}
	if revenue != total {
		t.Errorf("sales revenue %d ≠ order totals %d", revenue, total)
	}
	for _, it := range d.OrderItems {
		itemSum += it.Quantity
	}
	t.Logf("revenue £%d.%02d, %d units", total/100, total%100, itemSum)
	for _, c := range d.Customers {
		if c.ID == "12347" && c.JoinedOn != "2010-12-07" {
			t.Errorf("12347 joined on %s", c.JoinedOn)
		}
	}
}

func FuzzOnlineRetailLine(f *testing.F) {
	f.Add(`536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom`)
	f.Add(`C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom`)
	f.Add(`536381,22139,"RETROSPOT TEA SET, ""CERAMIC""",2,2010-12-01 09:45:00,4.95,,EIRE`)
	f.Add(`536382,gift_0001_40,x,1,2011-02-29 09:45:00,0.001,1,Iceland`)
	f.Add(`536383,85123A,"a` + "\n" + `b",1e6,2010-12-01 08:26:00,-1e7,0,"`)
	f.Fuzz(func(t *testing.T, line string) {
		text := orFixtureHeader + line + "\n"
		err := readOnlineRetail(context.Background(), strings.NewReader(text), "online_retail.csv", func(l *orLine) error {
			if !orInvoiceNo(l.invoice) || l.stockCode == "" || l.country == "" || !validDate(l.date) || l.at.IsZero() {
				t.Fatalf("accepted %+v", l)
			}
			if l.drop == orDropKeep && (l.quantity <= 0 || l.price <= 0 || l.customer == "" || orNonProduct(l.stockCode) || l.invoice[0] == 'C') {
				t.Fatalf("kept %+v", l)
			}
			if l.quantity > 1e6 || l.quantity < -1e6 || l.price > 1e8 || l.price < -1e8 {
				t.Fatalf("out of range %+v", l)
			}
			return nil
		})
		checkParseErr(t, err, "online_retail.csv")
	})
}
