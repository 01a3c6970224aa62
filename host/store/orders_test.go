package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

func TestAppendOrderOnce(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Replace(ctx, &Data{
		Stores:   []tools.Store{{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", OpenedOn: "2020-01-01"}},
		Products: []tools.Product{{ID: "P1", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Tags: []string{}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	o := &tools.Order{ID: "W1", CustomerID: "20001", StoreID: "S01", At: at, Total: 7000}
	items := []tools.OrderItem{{ProductID: "P1", Quantity: 2, Price: 3500}}
	for run, want := range []bool{true, false} {
		created, err := s.AppendOrder(ctx, o, items)
		if err != nil || created != want {
			t.Fatalf("run %d: created %v, %v; want %v", run, created, err, want)
		}
	}
	n := 0
	err = s.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetOrderItems}, func(any) error { n++; return nil })
	if err != nil || n != 1 {
		t.Fatalf("order items: %d, %v", n, err)
	}
	var custs []tools.Customer
	s.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetCustomers}, func(r any) error { custs = append(custs, r.(tools.Customer)); return nil })
	if len(custs) != 1 || custs[0].JoinedOn != "2026-11-21" || custs[0].HomeStoreID != "S01" {
		t.Fatalf("new customer: %+v", custs)
	}
	for _, c := range []struct {
		o    *tools.Order
		it   []tools.OrderItem
		want string
	}{
		{&tools.Order{ID: "W2", CustomerID: "1", StoreID: "S09", At: at}, items, "unknown store S09"},
		{&tools.Order{ID: "W3", CustomerID: "1", StoreID: "S01", At: at}, []tools.OrderItem{{ProductID: "P9", Quantity: 1}}, "unknown product P9"},
		{&tools.Order{ID: "W4", CustomerID: "1", StoreID: "S01", At: at}, nil, "at least one item"},
		{&tools.Order{ID: "W5", CustomerID: "1", StoreID: "S01", At: at}, []tools.OrderItem{{ProductID: "P1", Quantity: 0}}, "must be positive"},
	} {
		if _, err := s.AppendOrder(ctx, c.o, c.it); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.o.ID, err, c.want)
		}
	}
	// A failed order leaves nothing behind.
	n = 0
	s.ReadDataset(ctx, &tools.DatasetQuery{Dataset: tools.DatasetOrders}, func(any) error { n++; return nil })
	if n != 1 {
		t.Fatalf("orders after failures: %d, want 1", n)
	}
}
