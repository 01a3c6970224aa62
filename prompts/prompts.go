// Package prompts holds the product's words: embedded templates in Korean
// and English for the host's own answers (help, clarification, errors), the
// prompts sent to the language model with their output schemas and fallback
// templates, and the banned-word lists. Text lives here as data so that it
// can be edited without touching code; README.md documents the format.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"text/template"
)

//go:embed answers/*.tmpl llm/*.tmpl llm/*.json banned/*.txt
var files embed.FS

// Set is a parsed set of templates: the host's answers, named
// "<id>.<locale>" (help.ko), the LLM prompts, addressed by ref
// ("chat.answer@v1" or "chat.answer" for the highest version), and the
// banned-word lists. A Set is immutable and safe for concurrent use.
type Set struct {
	t       *template.Template
	prompts map[string]*Prompt // by "id@vN"
	latest  map[string]string  // id → ref of its highest version
	banned  map[string][]string
}

// Option configures Load.
type Option func(*loadOptions)

type loadOptions struct {
	extra []fs.FS
}

// WithFS adds the files of fsys, laid out like the embedded ones
// (llm/*.tmpl, llm/*.json, banned/*.txt), on top of the embedded set: a
// prompt version or banned list it has replaces the embedded one. Tests and
// evaluations use it for prompts of their own.
func WithFS(fsys fs.FS) Option {
	return func(o *loadOptions) { o.extra = append(o.extra, fsys) }
}

// Load parses the embedded templates, prompts and banned-word lists.
func Load(opts ...Option) (*Set, error) {
	var o loadOptions
	for _, opt := range opts {
		opt(&o)
	}
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
	s := &Set{t: t}
	if err := s.loadPrompts(append([]fs.FS{files}, o.extra...)); err != nil {
		return nil, err
	}
	if err := s.loadBanned(append([]fs.FS{files}, o.extra...)); err != nil {
		return nil, err
	}
	return s, nil
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
