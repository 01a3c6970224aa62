//go:build cgo

package knowledge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ONNX Runtime keeps one environment per process (onnxruntime_go holds it
// in a package variable), so whoever initialises it first chooses the
// library; ortMu serialises that.
var ortMu sync.Mutex

// InitORT initialises the ONNX Runtime environment with the library at
// lib (see ORTLibPath) unless it already is.
func InitORT(lib string) error {
	ortMu.Lock()
	defer ortMu.Unlock()
	if ort.IsInitialized() {
		return nil
	}
	lib = ORTLibPath(lib)
	if _, err := os.Stat(lib); err != nil {
		return missingORT(lib)
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("initialise ONNX Runtime from %s: %w", lib, err)
	}
	return nil
}

// ONNXEmbedder runs a local sentence-transformer (a BERT-style encoder
// exported to ONNX) with ONNX Runtime: WordPiece tokens in, the token
// states mean-pooled over the attention mask and L2 normalised out.
type ONNXEmbedder struct {
	mu        sync.Mutex
	tok       *WordPiece
	session   *ort.DynamicAdvancedSession
	inputs    []string // in the session's order
	pooled    bool     // the output is already one vector per text
	dim       int
	maxTokens int
	batch     int
}

// NewONNXEmbedder loads cfg.ModelDir: model.onnx (inputs input_ids,
// attention_mask and optionally token_type_ids, int64 [batch, tokens];
// output token states [batch, tokens, dim] or pooled [batch, dim]) and
// vocab.txt or tokenizer.json.
func NewONNXEmbedder(cfg EmbedderConfig) (*ONNXEmbedder, error) {
	if cfg.ModelDir == "" {
		return nil, errors.New("no model directory: set knowledge.model_dir (CRUMB_KNOWLEDGE_MODEL_DIR) to a directory holding model.onnx and vocab.txt or tokenizer.json")
	}
	model := filepath.Join(cfg.ModelDir, "model.onnx")
	if _, err := os.Stat(model); err != nil {
		return nil, fmt.Errorf("model directory %s has no model.onnx: %w", cfg.ModelDir, err)
	}
	tok, err := LoadWordPiece(cfg.ModelDir)
	if err != nil {
		return nil, err
	}
	if err := InitORT(cfg.ORTLib); err != nil {
		return nil, err
	}
	ins, outs, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", model, err)
	}
	e := &ONNXEmbedder{tok: tok, maxTokens: cmp.Or(cfg.MaxTokens, 256), batch: cmp.Or(cfg.BatchSize, 16)}
	for _, in := range ins {
		switch in.Name {
		case "input_ids", "attention_mask", "token_type_ids":
			if in.DataType != ort.TensorElementDataTypeInt64 {
				return nil, fmt.Errorf("%s: input %s is %s, want int64", model, in.Name, in.DataType)
			}
			e.inputs = append(e.inputs, in.Name)
		default:
			return nil, fmt.Errorf("%s: unexpected input %q (a sentence transformer takes input_ids, attention_mask and token_type_ids)", model, in.Name)
		}
	}
	if !slices.Contains(e.inputs, "input_ids") {
		return nil, fmt.Errorf("%s: no input_ids input (inputs: %v)", model, e.inputs)
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("%s: the model has no output", model)
	}
	out := outs[0]
	for _, o := range outs {
		if o.Name == "last_hidden_state" || o.Name == "token_embeddings" {
			out = o
			break
		}
	}
	switch len(out.Dimensions) {
	case 3:
	case 2:
		e.pooled = true
	default:
		return nil, fmt.Errorf("%s: output %s has shape %v, want [batch, tokens, dim] or [batch, dim]", model, out.Name, out.Dimensions)
	}
	if d := out.Dimensions[len(out.Dimensions)-1]; d > 0 {
		e.dim = int(d)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime session options: %w", err)
	}
	defer opts.Destroy()
	_ = opts.SetIntraOpNumThreads(min(runtime.NumCPU(), 4))
	_ = opts.SetInterOpNumThreads(1)
	e.session, err = ort.NewDynamicAdvancedSession(model, e.inputs, []string{out.Name}, opts)
	if err != nil {
		return nil, fmt.Errorf("load %s into ONNX Runtime: %w", model, err)
	}
	return e, nil
}

// Name is "onnx".
func (e *ONNXEmbedder) Name() string { return "onnx" }

// Dim is the model's output dimension.
func (e *ONNXEmbedder) Dim() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dim
}

// Close releases the ONNX Runtime session.
func (e *ONNXEmbedder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session == nil {
		return nil
	}
	err := e.session.Destroy()
	e.session = nil
	return err
}

// Embed embeds texts in batches.
func (e *ONNXEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vs, err := e.run(texts[start:min(start+e.batch, len(texts))])
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (e *ONNXEmbedder) run(texts []string) ([][]float32, error) {
	ids := make([][]int64, len(texts))
	width := 0
	for i, t := range texts {
		ids[i] = e.tok.Encode(t, e.maxTokens)
		width = max(width, len(ids[i]))
	}
	n := len(texts)
	inputIDs := make([]int64, n*width)
	mask := make([]int64, n*width)
	types := make([]int64, n*width)
	for i, row := range ids {
		for j := range width {
			if j < len(row) {
				inputIDs[i*width+j] = row[j]
				mask[i*width+j] = 1
			} else {
				inputIDs[i*width+j] = e.tok.pad
			}
		}
	}
	shape := ort.NewShape(int64(n), int64(width))
	var values []ort.Value
	defer func() {
		for _, v := range values {
			v.Destroy()
		}
	}()
	for _, name := range e.inputs {
		data := inputIDs
		switch name {
		case "attention_mask":
			data = mask
		case "token_type_ids":
			data = types
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("onnx embedder: tensor %s: %w", name, err)
		}
		values = append(values, t)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session == nil {
		return nil, errors.New("onnx embedder is closed")
	}
	outputs := []ort.Value{nil}
	if err := e.session.Run(values, outputs); err != nil {
		return nil, fmt.Errorf("onnx embedder: run the model: %w", err)
	}
	defer outputs[0].Destroy()
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("onnx embedder: the model's output is %T, want a float32 tensor", outputs[0])
	}
	sh := t.GetShape()
	data := t.GetData()
	vecs, err := pool(data, []int64(sh), mask, n, width, e.pooled)
	if err != nil {
		return nil, err
	}
	if e.dim == 0 && len(vecs) > 0 {
		e.dim = len(vecs[0])
	}
	return vecs, nil
}
