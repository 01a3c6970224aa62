package importer

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// groceriesFixture has a BOM, CRLF line endings, no final newline, an item bought twice in one
// basket and two baskets of one member.
const groceriesFixture = "\ufeffMember_number,Date,itemDescription\r\n" +
	"1808,21-07-2015,tropical fruit\r\n" +
	"2552,05-01-2015,whole milk\r\n" +
	"1808,21-07-2015,UHT-milk\r\n" +
	"1808,21-07-2015,tropical fruit\r\n" +
	"1808,01-01-2014,canned beer\r\n" +
	"2552,05-01-2015,rolls/buns"

func TestGroceriesFixture(t *testing.T) {
	dir := writeFiles(t, map[string]string{groceriesFile: groceriesFixture})
	if got, err := Detect(dir); err != nil || got != "groceries" {
		t.Fatalf("Detect = %q, %v; want groceries", got, err)
	}
	d, err := Groceries{}.Import(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProducts := []tools.Product{
		{ID: "I001", Name: "UHT-milk", NameEN: "UHT-milk", Category: "dairy", Tags: []string{"uht", "milk", "dairy"}},
		{ID: "I002", Name: "canned beer", NameEN: "canned beer", Category: "alcohol", Tags: []string{"canned", "beer", "alcohol"}},
		{ID: "I003", Name: "rolls/buns", NameEN: "rolls/buns", Category: "bakery", Tags: []string{"rolls", "buns", "bakery"}},
		{ID: "I004", Name: "tropical fruit", NameEN: "tropical fruit", Category: "produce", Tags: []string{"tropical", "fruit", "produce"}},
		{ID: "I005", Name: "whole milk", NameEN: "whole milk", Category: "dairy", Tags: []string{"whole", "milk", "dairy"}},
	}
	if !reflect.DeepEqual(d.Products, wantProducts) {
		t.Errorf("products:\n got %+v\nwant %+v", d.Products, wantProducts)
	}
	wantCustomers := []tools.Customer{
		{ID: "1808", JoinedOn: "2014-01-01", HomeStoreID: "G1"},
		{ID: "2552", JoinedOn: "2015-01-05", HomeStoreID: "G1"},
	}
	if !reflect.DeepEqual(d.Customers, wantCustomers) {
		t.Errorf("customers = %+v", d.Customers)
	}
	wantOrders := []tools.Order{
		{ID: "1808-20140101", CustomerID: "1808", StoreID: "G1", At: time.Date(2014, 1, 1, 12, 0, 0, 0, time.UTC)},
		{ID: "2552-20150105", CustomerID: "2552", StoreID: "G1", At: time.Date(2015, 1, 5, 12, 0, 0, 0, time.UTC)},
		{ID: "1808-20150721", CustomerID: "1808", StoreID: "G1", At: time.Date(2015, 7, 21, 12, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(d.Orders, wantOrders) {
		t.Errorf("orders = %+v", d.Orders)
	}
	wantItems := []tools.OrderItem{
		{OrderID: "1808-20140101", ProductID: "I002", Quantity: 1},
		{OrderID: "2552-20150105", ProductID: "I003", Quantity: 1},
		{OrderID: "2552-20150105", ProductID: "I005", Quantity: 1},
		{OrderID: "1808-20150721", ProductID: "I001", Quantity: 1},
		{OrderID: "1808-20150721", ProductID: "I004", Quantity: 2},
	}
	if !reflect.DeepEqual(d.OrderItems, wantItems) {
		t.Errorf("order items = %+v", d.OrderItems)
	}
	if s, ok := findSale(d, "2015-07-21", "G1", "I004"); !ok || s.Quantity != 2 {
		t.Errorf("sale of tropical fruit on 2015-07-21 = %+v, %v; want 2", s, ok)
	}
	if len(d.Sales) != 5 {
		t.Errorf("%d sales rows, want 5", len(d.Sales))
	}
}

func TestGroceriesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"header", "member,date,item\n1,01-01-2014,milk\n", "header"},
		{"member", "Member_number,Date,itemDescription\nabc,01-01-2014,milk\n", "column 1 (Member_number)"},
		{"zero member", "Member_number,Date,itemDescription\n0,01-01-2014,milk\n", "member number"},
		{"date", "Member_number,Date,itemDescription\n1,2014-01-01,milk\n", "DD-MM-YYYY"},
		{"empty item", "Member_number,Date,itemDescription\n1,01-01-2014, \n", "column 3 (itemDescription)"},
		{"columns", "Member_number,Date,itemDescription\n1,01-01-2014,milk,extra\n", "4 columns"},
		{"no rows", "Member_number,Date,itemDescription\n", "no baskets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{groceriesFile: tc.body})
			_, err := Groceries{}.Import(context.Background(), dir, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			var pe *ParseError
			if tc.name != "no rows" && !errors.As(err, &pe) {
				t.Errorf("err is %T, want a *ParseError", err)
			}
		})
	}
}

func TestGroceriesCategoriesCoverEveryItemOnce(t *testing.T) {
	seen := map[string]string{}
	for cat, items := range groceriesCategories {
		for _, it := range items {
			if prev, dup := seen[it]; dup {
				t.Errorf("%q is in %s and %s", it, prev, cat)
			}
			seen[it] = cat
		}
	}
	if len(seen) != 167 {
		t.Errorf("the table sorts %d items, want the data set's 167", len(seen))
	}
}

func TestRealGroceries(t *testing.T) {
	d := importReal(t, Groceries{}, "groceries")
	// SOURCES.md: 38,765 lines, 3,898 members, 167 items, 728 days, 14,963 member-day baskets.
	if len(d.Customers) != 3898 || len(d.Products) != 167 || len(d.Orders) != 14963 {
		t.Errorf("%d members, %d items, %d baskets; want 3898, 167, 14963", len(d.Customers), len(d.Products), len(d.Orders))
	}
	lines, days := 0, map[string]bool{}
	for _, s := range d.Sales {
		lines += s.Quantity
		days[s.Date] = true
	}
	if lines != 38765 || len(days) != 728 {
		t.Errorf("%d lines on %d days, want 38765 on 728", lines, len(days))
	}
	checkSpan(t, d, tools.DatasetSales, len(d.Sales), "2014-01-01", "2015-12-30")
	for _, p := range d.Products {
		if p.Category == "other" {
			t.Errorf("item %q has no category", p.Name)
		}
	}
}

func FuzzGroceriesLine(f *testing.F) {
	f.Add("1808", "21-07-2015", "tropical fruit")
	f.Add("0", "31-02-2015", "")
	f.Fuzz(func(t *testing.T, member, date, item string) {
		m, d, it, _, err := parseGroceriesLine([]string{member, date, item})
		if err != nil {
			return
		}
		if _, err := time.Parse(tools.DateLayout, d); err != nil || m != member || it == "" {
			t.Fatalf("accepted %q %q %q as %q %q %q", member, date, item, m, d, it)
		}
	})
}
