package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/crumb-dev/crumb/host/store"
)

// The recommend plugin's published bundle: plugin and artifact key.
const (
	modelPlugin = "recommend"
	modelKey    = "bundle"
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// latestModel serves GET /v1/models/recommend/latest: the newest model bundle the recommend
// plugin published (a gzip tar; see edge/bundle), with a strong ETag (the bundle's sha256), so
// that crumb-edge devices polling with If-None-Match get 304 until a new bundle appears.
func (s *Server) latestModel(w http.ResponseWriter, r *http.Request) {
	arts, ok := s.o.Orders.(store.Artifacts)
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "this server has no artifact store, so it has no model bundles", nil)
		return
	}
	a, err := arts.GetArtifact(r.Context(), modelPlugin, modelKey, 0)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no recommendation bundle has been published yet: run `crumb recommend train`", nil)
		return
	}
	if err != nil {
		s.o.Logger.ErrorContext(r.Context(), "read model bundle", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "could not read the model bundle; see the host log for this request id", nil)
		return
	}
	var meta struct {
		SHA256 string `json:"sha256"`
	}
	if len(a.Metadata) > 0 {
		_ = json.Unmarshal(a.Metadata, &meta)
	}
	sum := meta.SHA256
	if !sha256Hex.MatchString(sum) {
		h := sha256.Sum256(a.Data)
		sum = hex.EncodeToString(h[:])
	}
	etag := `"` + sum + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Crumb-Bundle-Version", strconv.Itoa(a.Version))
	h.Set("Last-Modified", a.CreatedAt.UTC().Format(http.TimeFormat))
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/gzip")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="recommend-bundle-v%d.tar.gz"`, a.Version))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.Data)
	}
}

// etagMatch reports whether an If-None-Match header names etag (weak comparison, as RFC 9110
// asks for If-None-Match; "*" matches anything).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
