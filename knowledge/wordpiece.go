package knowledge

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// WordPiece is a BERT tokenizer: basic splitting (white space, punctuation,
// CJK ideographs, optional lower-casing and accent stripping) then greedy
// longest-match-first word pieces, as Hugging Face's BertTokenizer does.
type WordPiece struct {
	vocab        map[string]int64
	unk          string
	prefix       string
	maxWordChars int
	lower        bool
	stripAccents bool
	cls, sep     int64
	pad          int64
}

// LoadWordPiece reads the tokenizer of a sentence-transformer directory:
// tokenizer.json (a WordPiece model) when present, else vocab.txt with
// tokenizer_config.json's do_lower_case (default true).
func LoadWordPiece(dir string) (*WordPiece, error) {
	if raw, err := os.ReadFile(filepath.Join(dir, "tokenizer.json")); err == nil {
		return parseTokenizerJSON(raw)
	}
	f, err := os.Open(filepath.Join(dir, "vocab.txt"))
	if err != nil {
		return nil, fmt.Errorf("model directory %s has neither tokenizer.json nor vocab.txt: export the tokenizer with the model", dir)
	}
	defer f.Close()
	vocab := map[string]int64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := int64(0); sc.Scan(); line++ {
		// The id of a token is its line number; a repeated line keeps the
		// first.
		tok := strings.TrimRight(sc.Text(), "\r")
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = line
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read vocab.txt: %w", err)
	}
	lower := true
	if raw, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json")); err == nil {
		var tc struct {
			DoLowerCase  *bool `json:"do_lower_case"`
			StripAccents *bool `json:"strip_accents"`
		}
		if json.Unmarshal(raw, &tc) == nil && tc.DoLowerCase != nil {
			lower = *tc.DoLowerCase
		}
	}
	return newWordPiece(vocab, "[UNK]", "##", 100, lower, lower)
}

func newWordPiece(vocab map[string]int64, unk, prefix string, maxChars int, lower, strip bool) (*WordPiece, error) {
	w := &WordPiece{vocab: vocab, unk: unk, prefix: prefix, maxWordChars: maxChars, lower: lower, stripAccents: strip}
	var ok bool
	if w.cls, ok = vocab["[CLS]"]; !ok {
		return nil, errors.New("tokenizer vocabulary has no [CLS] token: only BERT-style WordPiece models are supported")
	}
	if w.sep, ok = vocab["[SEP]"]; !ok {
		return nil, errors.New("tokenizer vocabulary has no [SEP] token: only BERT-style WordPiece models are supported")
	}
	if _, ok = vocab[unk]; !ok {
		return nil, fmt.Errorf("tokenizer vocabulary has no unknown token %q", unk)
	}
	w.pad = vocab["[PAD]"]
	return w, nil
}

func parseTokenizerJSON(raw []byte) (*WordPiece, error) {
	var tj struct {
		Normalizer *struct {
			Type         string            `json:"type"`
			Lowercase    *bool             `json:"lowercase"`
			StripAccents *bool             `json:"strip_accents"`
			Normalizers  []json.RawMessage `json:"normalizers"`
		} `json:"normalizer"`
		Model struct {
			Type                    string           `json:"type"`
			UnkToken                string           `json:"unk_token"`
			ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
			MaxInputCharsPerWord    int              `json:"max_input_chars_per_word"`
			Vocab                   map[string]int64 `json:"vocab"`
		} `json:"model"`
	}
	if err := json.Unmarshal(raw, &tj); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	if tj.Model.Type != "WordPiece" {
		return nil, fmt.Errorf("tokenizer.json: model type %q is not supported: only WordPiece (BERT-style sentence transformers such as all-MiniLM-L6-v2 or paraphrase-multilingual-MiniLM) is", tj.Model.Type)
	}
	lower, strip := true, true
	var stripSet bool
	if n := tj.Normalizer; n != nil {
		switch n.Type {
		case "BertNormalizer":
			if n.Lowercase != nil {
				lower = *n.Lowercase
			}
			if n.StripAccents != nil {
				strip, stripSet = *n.StripAccents, true
			}
		case "Sequence":
			lower = false
			for _, sub := range n.Normalizers {
				var s struct {
					Type string `json:"type"`
				}
				_ = json.Unmarshal(sub, &s)
				switch s.Type {
				case "Lowercase":
					lower = true
				case "StripAccents":
					strip, stripSet = true, true
				}
			}
		}
	}
	if !stripSet {
		strip = lower
	}
	prefix := "##"
	if tj.Model.ContinuingSubwordPrefix != nil {
		prefix = *tj.Model.ContinuingSubwordPrefix
	}
	return newWordPiece(tj.Model.Vocab, cmpOr(tj.Model.UnkToken, "[UNK]"), prefix, cmpOrInt(tj.Model.MaxInputCharsPerWord, 100), lower, strip)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// Encode returns the token ids of text between [CLS] and [SEP], at most
// maxLen of them in all.
func (w *WordPiece) Encode(text string, maxLen int) []int64 {
	ids := []int64{w.cls}
	for _, word := range w.basic(text) {
		for _, id := range w.pieces(word) {
			if maxLen > 0 && len(ids) >= maxLen-1 {
				return append(ids, w.sep)
			}
			ids = append(ids, id)
		}
	}
	return append(ids, w.sep)
}

// basic splits text into words as BERT's BasicTokenizer does.
func (w *WordPiece) basic(text string) []string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == 0 || r == 0xFFFD || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'):
			continue
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case isCJKIdeograph(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	var out []string
	for _, tok := range strings.Fields(b.String()) {
		if w.lower {
			tok = strings.ToLower(tok)
		}
		if w.stripAccents {
			tok = stripAccents(tok)
		}
		start := 0
		rs := []rune(tok)
		for i, r := range rs {
			if isBertPunct(r) {
				if i > start {
					out = append(out, string(rs[start:i]))
				}
				out = append(out, string(r))
				start = i + 1
			}
		}
		if start < len(rs) {
			out = append(out, string(rs[start:]))
		}
	}
	return out
}

func (w *WordPiece) pieces(word string) []int64 {
	rs := []rune(word)
	if len(rs) > w.maxWordChars {
		return []int64{w.vocab[w.unk]}
	}
	var out []int64
	for start := 0; start < len(rs); {
		end := len(rs)
		found := int64(-1)
		for end > start {
			sub := string(rs[start:end])
			if start > 0 {
				sub = w.prefix + sub
			}
			if id, ok := w.vocab[sub]; ok {
				found = id
				break
			}
			end--
		}
		if found < 0 {
			return []int64{w.vocab[w.unk]}
		}
		out = append(out, found)
		start = end
	}
	return out
}

func stripAccents(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isBertPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

func isCJKIdeograph(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}
