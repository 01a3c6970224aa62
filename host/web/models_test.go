package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
)

func TestLatestModelBundle(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := web.New(web.Options{Plugins: &notifyRecorder{}, Orders: st,
		Auth: auth.Static{"crumb_edge": {Name: "edge-1", Role: auth.Staff, TokenID: "e1"}}}).Handler()
	get := func(token, inm string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/v1/models/recommend/latest", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		h.ServeHTTP(w, req)
		return w
	}
	if w := get("", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401 (bundles hold members' purchases)", w.Code)
	}
	if w := get("crumb_edge", ""); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "crumb recommend train") {
		t.Errorf("before any bundle: %d %s", w.Code, w.Body)
	}

	// The plugin's metadata carries the sha256; without it the handler computes it.
	v1 := []byte("bundle one")
	sum1 := sha256.Sum256(v1)
	if _, err := st.PutArtifact(ctx, &store.Artifact{Plugin: "recommend", Key: "bundle", Data: v1}); err != nil {
		t.Fatal(err)
	}
	w := get("crumb_edge", "")
	etag1 := `"` + hex.EncodeToString(sum1[:]) + `"`
	if w.Code != http.StatusOK || w.Body.String() != "bundle one" || w.Header().Get("ETag") != etag1 || w.Header().Get("X-Crumb-Bundle-Version") != "1" {
		t.Fatalf("first bundle: %d %q ETag %s version %s", w.Code, w.Body, w.Header().Get("ETag"), w.Header().Get("X-Crumb-Bundle-Version"))
	}
	for _, inm := range []string{etag1, "W/" + etag1, `"other", ` + etag1, "*"} {
		if w := get("crumb_edge", inm); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and no body", inm, w.Code, w.Body.Len())
		}
	}
	meta := `{"version":2,"sha256":"` + strings.Repeat("ab", 32) + `"}`
	if _, err := st.PutArtifact(ctx, &store.Artifact{Plugin: "recommend", Key: "bundle", Data: []byte("bundle two"), Metadata: []byte(meta)}); err != nil {
		t.Fatal(err)
	}
	w = get("crumb_edge", etag1)
	if w.Code != http.StatusOK || w.Body.String() != "bundle two" || w.Header().Get("ETag") != `"`+strings.Repeat("ab", 32)+`"` {
		t.Errorf("after a new bundle, polling with the old ETag: %d %q ETag %s", w.Code, w.Body, w.Header().Get("ETag"))
	}
	// Another plugin's artifact of the same key is not a bundle.
	if _, err := st.PutArtifact(ctx, &store.Artifact{Plugin: "segment", Key: "bundle", Data: []byte("nope")}); err != nil {
		t.Fatal(err)
	}
	if w := get("crumb_edge", ""); w.Body.String() != "bundle two" {
		t.Errorf("served %q, want the recommend plugin's latest bundle", w.Body)
	}
}
