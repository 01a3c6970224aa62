package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
	"github.com/crumb-dev/crumb/tools"
)

// notifyRecorder stands in for the plugin host: it lists one order_placed
// tool and records its calls.
type notifyRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (n *notifyRecorder) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, inv.Tool+" "+string(inv.Args))
	return &tools.Result{Output: []byte(`{}`)}, nil
}

func (n *notifyRecorder) Tools() []pluginhost.Tool {
	return []pluginhost.Tool{{ID: "segment.order_placed", Plugin: "segment", ToolInfo: tools.ToolInfo{Name: "order_placed"}},
		{ID: "catalog.stock_on_hand", Plugin: "catalog", ToolInfo: tools.ToolInfo{Name: "stock_on_hand"}}}
}

func (n *notifyRecorder) Plugins() []pluginhost.Status { return nil }

func TestOrdersOnce(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Replace(ctx, &store.Data{
		Stores:   []tools.Store{{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", OpenedOn: "2020-01-01"}},
		Products: []tools.Product{{ID: "P1", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Tags: []string{}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &notifyRecorder{}
	h := web.New(web.Options{Plugins: rec, Orders: st, Auth: auth.Static{"crumb_till": {Name: "till-1", Role: auth.Staff, TokenID: "t1"}}}).Handler()
	post := func(body string) (int, string) {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v1/orders", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer crumb_till")
		h.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	order := `{"id":"W1","customer_id":"20001","store_id":"S01","items":[{"product_id":"P1","quantity":2,"price":3500}]}`
	if code, body := post(order); code != http.StatusCreated || !strings.Contains(body, `"notified":["segment.order_placed"]`) || !strings.Contains(body, `"total":7000`) {
		t.Fatalf("first post: %d %s", code, body)
	}
	// A retry (the till lost the answer) is recorded and notified once.
	if code, body := post(order); code != http.StatusOK || !strings.Contains(body, `"created":false`) {
		t.Fatalf("retry: %d %s", code, body)
	}
	if len(rec.calls) != 1 || !strings.Contains(rec.calls[0], `"customer_id":"20001"`) {
		t.Fatalf("notifications: %v", rec.calls)
	}
	for body, want := range map[string]string{
		`{"id":"W2","customer_id":"1","store_id":"S09","items":[{"product_id":"P1","quantity":1,"price":1}]}`: "unknown store S09",
		`{"id":"W3","customer_id":"1","store_id":"S01","items":[]}`:                                           "at least one item",
		`{"id":"W4","customer_id":"1","store_id":"S01","itemz":[]}`:                                           "unknown field",
		`{"customer_id":"1","store_id":"S01","items":[{"product_id":"P1","quantity":1,"price":1}]}`:           "required",
	} {
		if code, got := post(body); code != http.StatusBadRequest || !strings.Contains(got, want) {
			t.Errorf("%s: %d %s, want 400 with %q", body, code, got, want)
		}
	}
}
