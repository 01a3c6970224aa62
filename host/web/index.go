package web

import (
	_ "embed"
	"net/http"
)

//go:embed index.html
var indexHTML []byte

// index serves a minimal chat page; the full chat UI and dashboard are
// their own piece of work.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'")
	_, _ = w.Write(indexHTML)
}
