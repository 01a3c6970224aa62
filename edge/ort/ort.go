//go:build cgo

package ort

import (
	"errors"
	"fmt"
	"sync"

	rt "github.com/yalue/onnxruntime_go"
)

var (
	initMu   sync.Mutex
	initPath string
	initErr  error
	initDone bool
)

// Init loads the ONNX Runtime library at path once per process. Later calls return the first
// outcome; asking for another path after a success is an error.
func Init(path string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if initDone {
		if initErr == nil && path != initPath {
			return fmt.Errorf("onnx runtime: already loaded from %s, cannot load %s too", initPath, path)
		}
		return initErr
	}
	initDone, initPath = true, path
	if path == "" {
		initErr = fmt.Errorf("onnx runtime: no library given: set %s or --ort-lib to libonnxruntime.so (make ort fetches it into .crumb/ort/)", EnvLib)
		return initErr
	}
	rt.SetSharedLibraryPath(path)
	if err := rt.InitializeEnvironment(rt.WithLogLevelError()); err != nil {
		initErr = fmt.Errorf("onnx runtime: load %s: %w (make ort fetches onnxruntime-node@1.24.1's library)", path, err)
		return initErr
	}
	return nil
}

// Version is the loaded runtime's version, "" before a successful Init.
func Version() string {
	initMu.Lock()
	defer initMu.Unlock()
	if !initDone || initErr != nil {
		return ""
	}
	return rt.GetVersion()
}

// Session is a loaded model. Run is safe for concurrent use.
type Session struct {
	s       *rt.DynamicAdvancedSession
	inputs  []string
	outputs []string
}

// NewSession loads an ONNX model held in memory. Init must have succeeded.
func NewSession(model []byte, inputs, outputs []string, o Options) (*Session, error) {
	if !rt.IsInitialized() {
		return nil, errors.New("onnx runtime: not loaded; call ort.Init first")
	}
	opts, err := rt.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: session options: %w", err)
	}
	defer opts.Destroy()
	level := map[Level]rt.GraphOptimizationLevel{
		LevelAll: rt.GraphOptimizationLevelEnableAll, LevelExtended: rt.GraphOptimizationLevelEnableExtended,
		LevelBasic: rt.GraphOptimizationLevelEnableBasic, LevelDisabled: rt.GraphOptimizationLevelDisableAll,
	}[o.Level]
	if err := opts.SetGraphOptimizationLevel(level); err != nil {
		return nil, fmt.Errorf("onnx runtime: optimisation level %s: %w", o.Level, err)
	}
	threads := max(o.Threads, 1)
	if err := opts.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("onnx runtime: threads: %w", err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("onnx runtime: threads: %w", err)
	}
	s, err := rt.NewDynamicAdvancedSessionWithONNXData(model, inputs, outputs, opts)
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: load model: %w", err)
	}
	return &Session{s: s, inputs: inputs, outputs: outputs}, nil
}

// Run feeds the inputs in the session's input order and returns each float32 output's data and
// shape.
func (s *Session) Run(inputs []Input) (data [][]float32, shapes [][]int64, err error) {
	if len(inputs) != len(s.inputs) {
		return nil, nil, fmt.Errorf("onnx runtime: %d inputs given, the model takes %d (%v)", len(inputs), len(s.inputs), s.inputs)
	}
	in := make([]rt.Value, len(inputs))
	defer func() {
		for _, v := range in {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	for i, x := range inputs {
		var v rt.Value
		var err error
		switch {
		case x.Float != nil:
			v, err = rt.NewTensor(rt.NewShape(x.Shape...), x.Float)
		default:
			v, err = rt.NewTensor(rt.NewShape(x.Shape...), x.Int64)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("onnx runtime: input %s: %w", s.inputs[i], err)
		}
		in[i] = v
	}
	out := make([]rt.Value, len(s.outputs))
	if err := s.s.Run(in, out); err != nil {
		return nil, nil, fmt.Errorf("onnx runtime: run: %w", err)
	}
	data = make([][]float32, len(out))
	shapes = make([][]int64, len(out))
	for i, v := range out {
		t, ok := v.(*rt.Tensor[float32])
		if !ok {
			for _, v := range out {
				v.Destroy()
			}
			return nil, nil, fmt.Errorf("onnx runtime: output %s is not a float32 tensor", s.outputs[i])
		}
		data[i] = append([]float32(nil), t.GetData()...)
		shapes[i] = append([]int64(nil), t.GetShape()...)
		v.Destroy()
	}
	return data, shapes, nil
}

// Close frees the session.
func (s *Session) Close() error {
	if s == nil || s.s == nil {
		return nil
	}
	return s.s.Destroy()
}
