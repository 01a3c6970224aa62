package prompts

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

func (s *Set) loadBanned(sources []fs.FS) error {
	s.banned = map[string][]string{}
	for _, src := range sources {
		names, err := fs.Glob(src, "banned/*.txt")
		if err != nil {
			return fmt.Errorf("list banned words: %w", err)
		}
		for _, name := range names {
			locale := strings.TrimSuffix(path.Base(name), ".txt")
			f, err := src.Open(name)
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			words, err := ParseBanned(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			s.banned[locale] = words
		}
	}
	return nil
}

// ParseBanned reads a banned-word list: one word or phrase per line, blank
// lines and text after # ignored, duplicates dropped (first kept).
func ParseBanned(r io.Reader) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		out = append(out, line)
	}
	return out, sc.Err()
}

// Banned returns a copy of the banned words and phrases of one locale's
// list (nil for a locale without a list).
func (s *Set) Banned(locale string) []string {
	return slices.Clone(s.banned[locale])
}

// BannedLocales lists the locales that have a banned-word list.
func (s *Set) BannedLocales() []string {
	return slices.Sorted(maps.Keys(s.banned))
}

// BannedFor returns every list's words, the locale's own first and then
// the other locales' in locale order: what a prompt in locale tells the
// model never to write.
func (s *Set) BannedFor(locale string) []string {
	out := slices.Clone(s.banned[locale])
	for _, l := range s.BannedLocales() {
		if l != locale {
			out = append(out, s.banned[l]...)
		}
	}
	return out
}

// WithBanned returns a copy of the set whose list for locale is words
// (a deployment's own list replacing the embedded one). The copy shares the
// parsed templates.
func (s *Set) WithBanned(locale string, words []string) *Set {
	c := *s
	c.banned = maps.Clone(s.banned)
	c.banned[locale] = slices.Clone(words)
	return &c
}
