//go:build cgo

package knowledge

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/edge/onnx"
)

// ortLib finds the ONNX Runtime library: $CRUMB_ORT_LIB, else
// .crumb/ort/libonnxruntime.so in the module root; the test skips without.
func ortLib(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CRUMB_ORT_LIB"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, DefaultORTLib)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Skip("ONNX Runtime library not found: run `make ort` (or set CRUMB_ORT_LIB) to run the onnx embedder tests")
	return ""
}

// tinyEncoder writes a sentence-transformer-shaped model: token and
// token-type embeddings, added, tanh, zeroed where the attention mask is 0:
// last_hidden_state [batch, tokens, dim].
func tinyEncoder(t *testing.T, dir string, vocab, dim int) (tok, typ []float32) {
	t.Helper()
	tok = make([]float32, vocab*dim)
	for i := range tok {
		tok[i] = float32(math.Sin(float64(i)*1.37)) * 0.8
	}
	typ = make([]float32, 2*dim)
	for i := range typ {
		typ[i] = float32(math.Cos(float64(i)*0.91)) * 0.1
	}
	b := onnx.NewBuilder("tiny_encoder")
	g := b.Graph()
	seqDims := []onnx.Dim{{Param: "batch"}, {Param: "tokens"}}
	for _, name := range []string{"input_ids", "attention_mask", "token_type_ids"} {
		g.Inputs = append(g.Inputs, onnx.ValueInfo{Name: name, Type: onnx.Int64, Shape: seqDims})
	}
	E := b.Initializer(onnx.FloatTensor("word_embeddings", []int64{int64(vocab), int64(dim)}, tok))
	T := b.Initializer(onnx.FloatTensor("token_type_embeddings", []int64{2, int64(dim)}, typ))
	h := b.Op("Tanh", []string{b.Op("Add", []string{b.Op("Gather", []string{E, "input_ids"}), b.Op("Gather", []string{T, "token_type_ids"})})})
	m := b.Op("Unsqueeze", []string{b.Op("Cast", []string{"attention_mask"}, onnx.Int("to", 1)), b.Int64s(-1)})
	b.Rename(b.Op("Mul", []string{h, m}), "last_hidden_state")
	g.Outputs = append(g.Outputs, onnx.ValueInfo{Name: "last_hidden_state", Type: onnx.Float,
		Shape: []onnx.Dim{{Param: "batch"}, {Param: "tokens"}, {Value: int64(dim)}}})
	data, err := b.Model("crumb-knowledge-test", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return tok, typ
}

func TestONNXEmbedder(t *testing.T) {
	lib := ortLib(t)
	const dim = 8
	words := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "croissant", "##s", "butter", "##y", "salt", "bread", "milk", "coffee", "egg", "bake", "##d"}
	dir := writeFiles(t, map[string]string{"vocab.txt": strings.Join(words, "\n") + "\n"})
	tok, typ := tinyEncoder(t, dir, len(words), dim)

	e, err := NewEmbedder("onnx", EmbedderConfig{ModelDir: dir, ORTLib: lib, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.(*ONNXEmbedder).Close()
	if e.Name() != "onnx" || e.Dim() != dim {
		t.Errorf("name %s dim %d", e.Name(), e.Dim())
	}
	texts := []string{"The croissants", "buttery salt bread with milk and coffee", "egg", "baked croissant"}
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	// The pure-Go reference: mean of tanh(E[id] + T[0]) over the tokens,
	// [CLS] and [SEP] included, L2 normalised. Padding (texts of different
	// lengths share a batch) must not count.
	wp, _ := LoadWordPiece(dir)
	for i, text := range texts {
		ids := wp.Encode(text, 256)
		want := make([]float32, dim)
		for _, id := range ids {
			for k := range dim {
				want[k] += float32(math.Tanh(float64(tok[int(id)*dim+k] + typ[k])))
			}
		}
		for k := range want {
			want[k] /= float32(len(ids))
		}
		normalize(want)
		for k := range dim {
			if math.Abs(float64(got[i][k]-want[k])) > 1e-5 {
				t.Fatalf("text %q component %d: onnx %v, reference %v", text, k, got[i], want)
			}
		}
	}

	// A knowledge base on it.
	kb, err := Open(context.Background(), Options{Dir: t.TempDir(), Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Ingest(context.Background(), "products", []Document{
		{ID: "p18", Text: "# croissant\nbuttery croissant baked"},
		{ID: "p46", Text: "# milk\nmilk"},
	}); err != nil {
		t.Fatal(err)
	}
	hits, err := kb.Search(context.Background(), Query{Text: "the croissants", Mode: ModeVector})
	if err != nil || len(hits) != 2 || hits[0].DocID != "p18" {
		t.Errorf("search: %v %v", docIDs(hits), err)
	}
}

func TestONNXEmbedderErrors(t *testing.T) {
	lib := ortLib(t)
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"no model":     {map[string]string{"vocab.txt": testVocab}, "has no model.onnx"},
		"no tokenizer": {map[string]string{"model.onnx": "x"}, "neither tokenizer.json nor vocab.txt"},
		"bad model":    {map[string]string{"model.onnx": "not protobuf", "vocab.txt": testVocab}, "model.onnx"},
	} {
		dir := writeFiles(t, tc.files)
		if _, err := NewONNXEmbedder(EmbedderConfig{ModelDir: dir, ORTLib: lib}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if _, err := NewONNXEmbedder(EmbedderConfig{}); err == nil || !strings.Contains(err.Error(), "model_dir") {
		t.Errorf("no directory: %v", err)
	}
}
