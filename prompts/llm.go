package prompts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// ErrNoPrompt is wrapped by errors about a prompt ref the set does not have.
var ErrNoPrompt = errors.New("no such prompt")

// ErrNoFallback is returned by RenderFallback for a prompt without a
// fallback block.
var ErrNoFallback = errors.New("prompt has no fallback template")

// Prompt is one version of an LLM prompt, in every locale it was written in.
type Prompt struct {
	// ID is the dotted name (campaign.push_copy).
	ID string
	// Version is N of @vN.
	Version int
	// Schema is the output's JSON schema from <id>@vN.schema.json; nil when
	// the prompt has none and callers pass their own.
	Schema json.RawMessage

	locales map[string]*template.Template
}

// Ref is id@vN.
func (p *Prompt) Ref() string { return p.ID + "@v" + strconv.Itoa(p.Version) }

// Locales lists the locales the prompt is written in.
func (p *Prompt) Locales() []string {
	out := make([]string, 0, len(p.locales))
	for l := range p.locales {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// HasFallback says whether the prompt defines a fallback block in locale.
func (p *Prompt) HasFallback(locale string) bool {
	t := p.template(locale)
	return t != nil && t.Lookup("fallback") != nil
}

func (p *Prompt) template(locale string) *template.Template {
	if t, ok := p.locales[locale]; ok {
		return t
	}
	return p.locales["en"]
}

// Input is what a prompt is rendered with.
type Input struct {
	// Locale is ko or en; a prompt without the locale renders in English.
	Locale string
	// Vars are the caller's facts: a map, a struct, or JSON
	// (json.RawMessage or []byte, decoded with numbers kept as written).
	Vars any
	// Schema overrides the prompt's own output schema.
	Schema json.RawMessage
	// Errors are what was wrong with the previous answer (repair only).
	Errors []string
}

// Data is what every block of a prompt template is executed with.
type Data struct {
	Vars   any
	Locale string
	// Banned holds the banned words, the locale's list first.
	Banned []string
	// Schema is the output schema, indented.
	Schema string
	// Errors is set in the repair block.
	Errors []string
}

// Rendered is a prompt ready to send.
type Rendered struct {
	Ref     string // id@vN actually used
	ID      string
	Version int
	Locale  string // the locale actually rendered
	System  string
	User    string
	// Schema is the output schema in force: Input.Schema or the prompt's.
	Schema json.RawMessage
}

// Prompt returns the prompt named by ref (id@vN, or id for its highest
// version).
func (s *Set) Prompt(ref string) (*Prompt, error) {
	key := ref
	if !strings.Contains(ref, "@") {
		latest, ok := s.latest[ref]
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrNoPrompt, ref, strings.Join(s.Prompts(), ", "))
		}
		key = latest
	}
	p, ok := s.prompts[key]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrNoPrompt, ref, strings.Join(s.Prompts(), ", "))
	}
	return p, nil
}

// Prompts lists the refs of every prompt version, sorted.
func (s *Set) Prompts() []string {
	out := make([]string, 0, len(s.prompts))
	for k := range s.prompts {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RenderPrompt renders the system and user messages of the prompt ref.
func (s *Set) RenderPrompt(ref string, in Input) (*Rendered, error) {
	p, data, err := s.prepare(ref, in, true)
	if err != nil {
		return nil, err
	}
	t := p.template(in.Locale)
	r := &Rendered{Ref: p.Ref(), ID: p.ID, Version: p.Version, Locale: data.Locale, Schema: p.Schema}
	if len(in.Schema) > 0 {
		r.Schema = in.Schema
	}
	if r.System, err = execute(t, "system", data); err != nil {
		return nil, fmt.Errorf("render prompt %s.%s: %w", r.Ref, r.Locale, err)
	}
	if r.User, err = execute(t, "user", data); err != nil {
		return nil, fmt.Errorf("render prompt %s.%s: %w", r.Ref, r.Locale, err)
	}
	return r, nil
}

// RenderFallback renders the prompt's fallback block: JSON built from the
// variables. It is ErrNoFallback (wrapped) when the prompt has none, and an
// error naming the template when the block does not render valid JSON.
func (s *Set) RenderFallback(ref string, in Input) (json.RawMessage, error) {
	// The schema text is for the model; a fallback has no use for it.
	p, data, err := s.prepare(ref, in, false)
	if err != nil {
		return nil, err
	}
	t := p.template(in.Locale)
	if t.Lookup("fallback") == nil {
		return nil, fmt.Errorf("%s.%s: %w", p.Ref(), data.Locale, ErrNoFallback)
	}
	out, err := execute(t, "fallback", data)
	if err != nil {
		return nil, fmt.Errorf("render fallback %s.%s: %w", p.Ref(), data.Locale, err)
	}
	if !json.Valid([]byte(out)) {
		return nil, fmt.Errorf("render fallback %s.%s: not valid JSON (wrap every string in the json function): %.200s", p.Ref(), data.Locale, out)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(out)); err != nil {
		return nil, fmt.Errorf("render fallback %s.%s: %w", p.Ref(), data.Locale, err)
	}
	return b.Bytes(), nil
}

// RenderRepair renders the message that re-asks after a bad answer, listing
// in.Errors.
func (s *Set) RenderRepair(ref string, in Input) (string, error) {
	p, data, err := s.prepare(ref, in, true)
	if err != nil {
		return "", err
	}
	data.Errors = in.Errors
	out, err := execute(p.template(in.Locale), "repair", data)
	if err != nil {
		return "", fmt.Errorf("render repair %s.%s: %w", p.Ref(), data.Locale, err)
	}
	return out, nil
}

func (s *Set) prepare(ref string, in Input, withSchema bool) (*Prompt, *Data, error) {
	p, err := s.Prompt(ref)
	if err != nil {
		return nil, nil, err
	}
	vars, err := decodeVars(in.Vars)
	if err != nil {
		return nil, nil, fmt.Errorf("prompt %s: %w", p.Ref(), err)
	}
	locale := in.Locale
	if _, ok := p.locales[locale]; !ok {
		locale = "en"
	}
	schema := p.Schema
	if len(in.Schema) > 0 {
		schema = in.Schema
	}
	banned := s.BannedFor(locale)
	for i, w := range banned {
		// A prefix entry (expir*) reads better to a model as "expir…".
		if stem, ok := strings.CutSuffix(w, "*"); ok {
			banned[i] = stem + "…"
		}
	}
	d := &Data{Vars: vars, Locale: locale, Banned: banned}
	if withSchema && len(schema) > 0 {
		var b bytes.Buffer
		if err := json.Indent(&b, schema, "", "  "); err != nil {
			return nil, nil, fmt.Errorf("prompt %s: output schema is not valid JSON: %w", p.Ref(), err)
		}
		d.Schema = b.String()
	}
	return p, d, nil
}

// decodeVars turns JSON variables into maps and slices (numbers kept as
// json.Number, so that 1500000 renders as written and not as 1.5e+06);
// other values pass through. nil becomes an empty map.
func decodeVars(v any) (any, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return map[string]any{}, nil
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	default:
		return v, nil
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("vars are not valid JSON: %w", err)
	}
	return out, nil
}

func execute(t *template.Template, block string, data *Data) (string, error) {
	if t.Lookup(block) == nil {
		return "", fmt.Errorf("no %q block", block)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, block, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// funcs are the functions prompt templates may call.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	},
	// join takes []string, or the []any that JSON variables decode into.
	"join": func(v any, sep string) (string, error) {
		switch xs := v.(type) {
		case []string:
			return strings.Join(xs, sep), nil
		case []any:
			parts := make([]string, len(xs))
			for i, x := range xs {
				parts[i] = fmt.Sprint(x)
			}
			return strings.Join(parts, sep), nil
		case nil:
			return "", nil
		}
		return "", fmt.Errorf("join: want a list, got %T", v)
	},
	"default": func(def, v any) any {
		if v == nil || v == "" {
			return def
		}
		return v
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"trim":  strings.TrimSpace,
}

var promptFile = regexp.MustCompile(`^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)@v([1-9][0-9]*)\.(?:([a-z]{2})\.tmpl|(schema)\.json)$`)

func (s *Set) loadPrompts(sources []fs.FS) error {
	s.prompts = map[string]*Prompt{}
	s.latest = map[string]string{}
	type file struct {
		src  fs.FS
		path string
	}
	// Later sources replace earlier ones file by file.
	byName := map[string]file{}
	shared := map[string]file{}
	for _, src := range sources {
		names, err := fs.Glob(src, "llm/*")
		if err != nil {
			return fmt.Errorf("list prompts: %w", err)
		}
		for _, name := range names {
			base := path.Base(name)
			if loc, ok := strings.CutPrefix(base, "_shared."); ok {
				shared[strings.TrimSuffix(loc, ".tmpl")] = file{src, name}
				continue
			}
			if !promptFile.MatchString(base) {
				return fmt.Errorf("prompt file %s: name must be <id>@v<N>.<locale>.tmpl or <id>@v<N>.schema.json, id dotted lower case (campaign.push_copy@v1.ko.tmpl)", name)
			}
			byName[base] = file{src, name}
		}
	}
	sharedT := map[string]*template.Template{}
	for loc, f := range shared {
		raw, err := fs.ReadFile(f.src, f.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		t, err := template.New("_shared." + loc).Option("missingkey=error").Funcs(funcs).Parse(string(raw))
		if err != nil {
			return fmt.Errorf("parse %s: %w", f.path, err)
		}
		sharedT[loc] = t
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, base := range names {
		f := byName[base]
		m := promptFile.FindStringSubmatch(base)
		id, locale, isSchema := m[1], m[3], m[4] != ""
		version, _ := strconv.Atoi(m[2])
		ref := id + "@v" + m[2]
		p := s.prompts[ref]
		if p == nil {
			p = &Prompt{ID: id, Version: version, locales: map[string]*template.Template{}}
			s.prompts[ref] = p
		}
		raw, err := fs.ReadFile(f.src, f.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		if isSchema {
			if !json.Valid(raw) {
				return fmt.Errorf("prompt schema %s: not valid JSON", f.path)
			}
			var b bytes.Buffer
			_ = json.Compact(&b, raw)
			p.Schema = b.Bytes()
			continue
		}
		sh := sharedT[locale]
		if sh == nil {
			sh = sharedT["en"]
		}
		var t *template.Template
		if sh != nil {
			if t, err = sh.Clone(); err != nil {
				return fmt.Errorf("prompt %s: %w", f.path, err)
			}
		} else {
			t = template.New("").Option("missingkey=error").Funcs(funcs)
		}
		if t, err = t.New(base).Parse(string(raw)); err != nil {
			return fmt.Errorf("parse prompt %s: %w", f.path, err)
		}
		for _, block := range []string{"system", "user"} {
			if t.Lookup(block) == nil {
				return fmt.Errorf("prompt %s: no {{define %q}} block (every prompt needs system and user)", f.path, block)
			}
		}
		p.locales[locale] = t
	}
	for ref, p := range s.prompts {
		if len(p.locales) == 0 {
			return fmt.Errorf("prompt %s: a schema but no template (add llm/%s.ko.tmpl and llm/%s.en.tmpl)", ref, ref, ref)
		}
		if cur, ok := s.latest[p.ID]; !ok || s.prompts[cur].Version < p.Version {
			s.latest[p.ID] = ref
		}
	}
	return nil
}
