package knowledge

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const testVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncroissant\n##s\nbutter\n##y\nbake\n##d\n,\n!\ncafe\n"

func TestWordPieceVocabTxt(t *testing.T) {
	dir := writeFiles(t, map[string]string{"vocab.txt": testVocab})
	wp, err := LoadWordPiece(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Lower-cased, accents stripped (Café → cafe), punctuation split,
	// ## pieces, unknown words as [UNK].
	got := wp.Encode("The Croissants, buttery! Café xyz", 0)
	want := []int64{2, 5, 6, 7, 12, 8, 9, 13, 14, 1, 3}
	if !slices.Equal(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if got := wp.Encode("the the the the the", 4); !slices.Equal(got, []int64{2, 5, 5, 3}) {
		t.Errorf("truncated Encode = %v", got)
	}
	cased := writeFiles(t, map[string]string{"vocab.txt": testVocab, "tokenizer_config.json": `{"do_lower_case": false}`})
	wp, _ = LoadWordPiece(cased)
	if got := wp.Encode("The the", 0); !slices.Equal(got, []int64{2, 1, 5, 3}) {
		t.Errorf("cased Encode = %v", got)
	}
}

func TestWordPieceTokenizerJSON(t *testing.T) {
	tj := `{"version":"1.0","normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":false},
	"pre_tokenizer":{"type":"BertPreTokenizer"},
	"model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
	"vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"크루":4,"##아상":5,"빵":6,"##은":7,"VIP":8,"中":9}}}`
	dir := writeFiles(t, map[string]string{"tokenizer.json": tj})
	wp, err := LoadWordPiece(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := wp.Encode("크루아상 빵은 VIP 中文", 0); !slices.Equal(got, []int64{2, 4, 5, 6, 7, 8, 9, 1, 3}) {
		t.Errorf("Encode = %v", got)
	}
	bpe := writeFiles(t, map[string]string{"tokenizer.json": `{"model":{"type":"BPE","vocab":{}}}`})
	if _, err := LoadWordPiece(bpe); err == nil || !strings.Contains(err.Error(), "only WordPiece") {
		t.Errorf("BPE tokenizer: %v", err)
	}
	if _, err := LoadWordPiece(t.TempDir()); err == nil || !strings.Contains(err.Error(), "neither tokenizer.json nor vocab.txt") {
		t.Errorf("empty directory: %v", err)
	}
	noCLS := writeFiles(t, map[string]string{"vocab.txt": "[UNK]\n[SEP]\n"})
	if _, err := LoadWordPiece(noCLS); err == nil || !strings.Contains(err.Error(), "[CLS]") {
		t.Errorf("no [CLS]: %v", err)
	}
}
