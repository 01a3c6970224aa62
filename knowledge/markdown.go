package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// splitFrontMatter separates a leading YAML front matter block (between
// two "---" lines) from the Markdown body. A document without one has no
// metadata.
func splitFrontMatter(src string) (meta map[string]string, body string, err error) {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	if !strings.HasPrefix(src, "---\n") {
		return map[string]string{}, src, nil
	}
	rest := src[4:]
	end := -1
	for off := 0; off <= len(rest); {
		line, _, _ := strings.Cut(rest[off:], "\n")
		if strings.TrimRight(line, " \t") == "---" {
			end = off
			break
		}
		next := strings.IndexByte(rest[off:], '\n')
		if next < 0 {
			break
		}
		off += next + 1
	}
	if end < 0 {
		return nil, "", errors.New("front matter opened with --- is never closed by a --- line")
	}
	block := rest[:end]
	body = rest[end:]
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		body = ""
	}
	meta, err = parseFrontMatter(block)
	return meta, body, err
}

// parseFrontMatter decodes a YAML mapping of scalars (and lists of
// scalars) into string metadata.
func parseFrontMatter(block string) (map[string]string, error) {
	var node yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader([]byte(block))).Decode(&node); err != nil {
		if strings.TrimSpace(block) == "" {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = *node.Content[0]
	}
	if node.Kind != yaml.MappingNode {
		return nil, errors.New("front matter must be a mapping of key: value lines")
	}
	meta := map[string]string{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		key := k.Value
		if _, dup := meta[key]; dup {
			return nil, fmt.Errorf("front matter line %d: key %q given twice", k.Line, key)
		}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				continue
			}
			meta[key] = strings.TrimSpace(v.Value)
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("front matter line %d: %s: a list may hold only plain values", it.Line, key)
				}
				items = append(items, strings.TrimSpace(it.Value))
			}
			meta[key] = strings.Join(items, ",")
		default:
			return nil, fmt.Errorf("front matter line %d: %s: want a plain value or a list, not a nested mapping", v.Line, key)
		}
	}
	return meta, nil
}

// Chunk is a piece of a document: one section under its heading path, or
// part of a long section.
type Chunk struct {
	// Heading is the path of headings above the text, joined by " > "
	// (the document's title heading left out).
	Heading string
	Text    string
}

// ChunkOptions bounds chunk sizes, in characters.
type ChunkOptions struct {
	// Max is the longest chunk; a longer section is cut at paragraph
	// (then line, then sentence) boundaries. Default 900.
	Max int
	// Min is the shortest section kept on its own: a shorter one is joined
	// to the next section under the same parent. Default 0 (none).
	Min int
}

var atxHeading = regexp.MustCompile(`^(#{1,6})[ \t]+(.*?)[ \t#]*$`)

type section struct {
	path  []string
	level int
	body  []string
}

// ChunkMarkdown cuts a Markdown body into chunks, one per section under its
// heading path. title, when the body's first heading repeats it, is left
// out of the paths. Headings inside fenced code blocks are text.
func ChunkMarkdown(title, body string, opt ChunkOptions) []Chunk {
	if opt.Max <= 0 {
		opt.Max = 900
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var (
		secs  []*section
		stack []string // heading text by level-1
		cur   = &section{}
		fence string
	)
	secs = append(secs, cur)
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			cur.body = append(cur.body, line)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			cur.body = append(cur.body, line)
			continue
		}
		m := atxHeading.FindStringSubmatch(line)
		if m == nil {
			cur.body = append(cur.body, line)
			continue
		}
		level := len(m[1])
		text := strings.TrimSpace(m[2])
		for len(stack) < level {
			stack = append(stack, "")
		}
		stack = stack[:level]
		stack[level-1] = text
		var path []string
		for i, h := range stack {
			if h == "" || (i == 0 && strings.EqualFold(h, strings.TrimSpace(title))) {
				continue
			}
			path = append(path, h)
		}
		cur = &section{path: path, level: level}
		secs = append(secs, cur)
	}

	var out []Chunk
	// pending is a short section waiting to be joined to the next; text
	// is its body alone, labeled its body under its heading's last part.
	type pendingChunk struct{ heading, text, labeled string }
	var pending *pendingChunk
	label := func(part, text string) string {
		if part == "" {
			return text
		}
		return part + "\n" + text
	}
	for _, s := range secs {
		text := strings.TrimSpace(strings.Join(s.body, "\n"))
		if text == "" {
			continue
		}
		heading := strings.Join(s.path, " > ")
		if pending != nil {
			if sameParent(pending.heading, heading) && runeLen(pending.labeled)+runeLen(text) <= opt.Max {
				pending = &pendingChunk{heading: commonPath(pending.heading, heading),
					labeled: pending.labeled + "\n\n" + label(lastPart(heading), text)}
				pending.text = pending.labeled
				if opt.Min > 0 && runeLen(pending.labeled) < opt.Min {
					continue
				}
				out = append(out, Chunk{Heading: pending.heading, Text: pending.text})
				pending = nil
				continue
			}
			out = append(out, Chunk{Heading: pending.heading, Text: pending.text})
			pending = nil
		}
		if opt.Min > 0 && runeLen(text) < opt.Min {
			pending = &pendingChunk{heading: heading, text: text, labeled: label(lastPart(heading), text)}
			continue
		}
		for _, part := range splitLong(text, opt.Max) {
			out = append(out, Chunk{Heading: heading, Text: part})
		}
	}
	if pending != nil {
		out = append(out, Chunk{Heading: pending.heading, Text: pending.text})
	}
	return out
}

// lastPart is the last heading of a path.
func lastPart(h string) string {
	if i := strings.LastIndex(h, " > "); i >= 0 {
		return h[i+3:]
	}
	return h
}

func parentOf(h string) string {
	if p := strings.LastIndex(h, " > "); p >= 0 {
		return h[:p]
	}
	return ""
}

func sameParent(a, b string) bool { return parentOf(a) == parentOf(b) || parentOf(b) == a }

// commonPath is the heading path of two joined sections: the first when
// the second is under it, else their parent.
func commonPath(a, b string) string {
	if parentOf(b) == a {
		return a
	}
	return parentOf(a)
}

// splitLong cuts text into pieces of at most max characters at the
// largest boundary that fits: blank lines, then lines, then sentence ends,
// then spaces, then anywhere.
func splitLong(text string, max int) []string {
	if runeLen(text) <= max {
		return []string{text}
	}
	for _, sep := range []string{"\n\n", "\n", ". ", "다. ", " "} {
		parts := strings.SplitAfter(text, sep)
		if len(parts) < 2 {
			continue
		}
		var out []string
		var b strings.Builder
		for _, p := range parts {
			if b.Len() > 0 && runeLen(b.String())+runeLen(p) > max {
				out = append(out, strings.TrimSpace(b.String()))
				b.Reset()
			}
			b.WriteString(p)
		}
		if b.Len() > 0 {
			out = append(out, strings.TrimSpace(b.String()))
		}
		var fine []string
		for _, o := range out {
			if o == "" {
				continue
			}
			fine = append(fine, splitLong(o, max)...)
		}
		return fine
	}
	rs := []rune(text)
	var out []string
	for i := 0; i < len(rs); i += max {
		out = append(out, string(rs[i:min(i+max, len(rs))]))
	}
	return out
}

// firstHeading is the text of the body's first level-1 heading.
func firstHeading(body string) string {
	for _, line := range strings.Split(body, "\n") {
		if m := atxHeading.FindStringSubmatch(line); m != nil && len(m[1]) == 1 {
			return strings.TrimSpace(m[2])
		}
	}
	return ""
}
