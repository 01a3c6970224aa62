// Package prompts holds the product's words: embedded templates in Korean
// and English for the host's own answers (help, clarification, errors) and,
// later, the LLM prompts, banned-word lists and fallback templates. Text
// lives here as data so that it can be edited without touching code.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"text/template"
)

//go:embed answers/*.tmpl
var files embed.FS

// Set is a parsed set of templates, named "<id>.<locale>" (help.ko).
type Set struct {
	t *template.Template
}

// Load parses the embedded templates.
func Load() (*Set, error) {
	t := template.New("").Option("missingkey=error").Funcs(template.FuncMap{
		"join": strings.Join,
	})
	err := fs.WalkDir(files, "answers", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(path, "answers/"), ".tmpl")
		if _, err := t.New(name).Parse(string(raw)); err != nil {
			return fmt.Errorf("parse template %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Set{t: t}, nil
}

// Render renders template id in locale ("ko" or "en"), falling back to
// English when the locale has no version.
func (s *Set) Render(id, locale string, data any) (string, error) {
	name := id + "." + locale
	if s.t.Lookup(name) == nil {
		name = id + ".en"
	}
	if s.t.Lookup(name) == nil {
		return "", fmt.Errorf("no template %s", id)
	}
	var b bytes.Buffer
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}
