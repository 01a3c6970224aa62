//go:build cgo

package ort

import (
	"errors"
	"fmt"
	"slices"
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

	mu     sync.Mutex // guards free and closed
	free   []*tensors
	closed bool
}

// maxFree bounds the idle tensor sets a session keeps: more than the runs that are ever in
// flight at once on an edge device, few enough that a burst does not pin memory.
const maxFree = 64

// tensors are one run's input and output tensors, kept between runs. Building five input
// tensors and an output for every call, and destroying them after, was a third of a batch-1
// run; a kept set is refilled in place (its data is Go memory ONNX Runtime reads and writes).
type tensors struct {
	in      []rt.Value
	inShape [][]int64
	out     []rt.Value // nil until a run has shown the output shapes
}

func (t *tensors) destroy() {
	for _, v := range t.in {
		if v != nil {
			v.Destroy()
		}
	}
	t.destroyOut()
}

func (t *tensors) destroyOut() {
	for i, v := range t.out {
		if v != nil {
			v.Destroy()
		}
		t.out[i] = nil
	}
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
// shape (copies: the caller owns them).
func (s *Session) Run(inputs []Input) (data [][]float32, shapes [][]int64, err error) {
	if len(inputs) != len(s.inputs) {
		return nil, nil, fmt.Errorf("onnx runtime: %d inputs given, the model takes %d (%v)", len(inputs), len(s.inputs), s.inputs)
	}
	t := s.get()
	defer func() {
		if err != nil {
			t.destroy() // a set that failed is not trusted again
			return
		}
		s.put(t)
	}()
	reshaped := false
	for i, x := range inputs {
		ok, err := fill(&t.in[i], &t.inShape[i], x)
		if err != nil {
			return nil, nil, fmt.Errorf("onnx runtime: input %s: %w", s.inputs[i], err)
		}
		reshaped = reshaped || !ok
	}
	if reshaped {
		t.destroyOut() // other input shapes may give other output shapes
	}
	if err := s.s.Run(t.in, t.out); err != nil {
		if t.out[0] == nil {
			return nil, nil, fmt.Errorf("onnx runtime: run: %w", err)
		}
		// The kept outputs may not fit this run's output shapes: let the runtime allocate them.
		t.destroyOut()
		if err := s.s.Run(t.in, t.out); err != nil {
			return nil, nil, fmt.Errorf("onnx runtime: run: %w", err)
		}
	}
	data = make([][]float32, len(t.out))
	shapes = make([][]int64, len(t.out))
	for i, v := range t.out {
		o, ok := v.(*rt.Tensor[float32])
		if !ok {
			return nil, nil, fmt.Errorf("onnx runtime: output %s is not a float32 tensor", s.outputs[i])
		}
		data[i] = append([]float32(nil), o.GetData()...)
		shapes[i] = o.GetShape()
	}
	return data, shapes, nil
}

// fill copies x into *v, whose shape is *shape, replacing *v by a new tensor when its type or
// shape differs; ok is false when it did.
func fill(v *rt.Value, shape *[]int64, x Input) (ok bool, err error) {
	if x.Float != nil {
		return fillTensor(v, shape, x.Shape, x.Float)
	}
	return fillTensor(v, shape, x.Shape, x.Int64)
}

func fillTensor[T rt.TensorData](v *rt.Value, have *[]int64, shape []int64, data []T) (bool, error) {
	if t, ok := (*v).(*rt.Tensor[T]); ok && slices.Equal(*have, shape) {
		if len(data) < len(t.GetData()) {
			return false, fmt.Errorf("shape %v needs %d values, %d given", shape, len(t.GetData()), len(data))
		}
		copy(t.GetData(), data)
		return true, nil
	}
	if *v != nil {
		(*v).Destroy()
		*v, *have = nil, nil
	}
	if err := rt.NewShape(shape...).Validate(); err != nil {
		return false, err
	}
	n := rt.NewShape(shape...).FlattenedSize()
	if int64(len(data)) < n {
		return false, fmt.Errorf("shape %v needs %d values, %d given", shape, n, len(data))
	}
	t, err := rt.NewTensor(rt.NewShape(shape...), slices.Clone(data[:n]))
	if err != nil {
		return false, err
	}
	*v, *have = t, slices.Clone(shape)
	return false, nil
}

// get takes an idle tensor set, or a new empty one.
func (s *Session) get() *tensors {
	s.mu.Lock()
	if n := len(s.free); n > 0 {
		t := s.free[n-1]
		s.free = s.free[:n-1]
		s.mu.Unlock()
		return t
	}
	s.mu.Unlock()
	return &tensors{in: make([]rt.Value, len(s.inputs)), inShape: make([][]int64, len(s.inputs)), out: make([]rt.Value, len(s.outputs))}
}

// put keeps t for the next run, or frees it when the session is closed or keeps enough.
func (s *Session) put(t *tensors) {
	s.mu.Lock()
	if !s.closed && len(s.free) < maxFree {
		s.free = append(s.free, t)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	t.destroy()
}

// Close frees the session. No Run may be in flight or start after it.
func (s *Session) Close() error {
	if s == nil || s.s == nil {
		return nil
	}
	s.mu.Lock()
	free := s.free
	s.free, s.closed = nil, true
	s.mu.Unlock()
	for _, t := range free {
		t.destroy()
	}
	return s.s.Destroy()
}
