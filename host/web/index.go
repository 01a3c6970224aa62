package web

import (
	"embed"
	"mime"
	"net/http"
	"path"
)

// ui holds the web UI: one page (chat and dashboard), its script and its
// style sheet, written without a framework and embedded in the binary, so
// nothing is fetched from elsewhere at run time.
//
//go:embed ui/index.html ui/app.js ui/app.css
var ui embed.FS

// csp allows only this origin's scripts and styles; charts are SVG images
// in data: URLs (an <img> never runs an SVG's scripts).
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// index serves the page for / and /dashboard; the script shows the view.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	page, err := ui.ReadFile("ui/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}

// asset serves the UI's script and style sheet.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "index.html" {
		http.NotFound(w, r)
		return
	}
	b, err := ui.ReadFile("ui/" + path.Base(name))
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "no such asset", nil)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}
