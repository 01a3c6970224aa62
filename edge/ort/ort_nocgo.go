//go:build !cgo

package ort

// Init always fails without cgo.
func Init(path string) error { return ErrNoCgo }

// Version is always "" without cgo.
func Version() string { return "" }

// Session is never created without cgo.
type Session struct{}

// NewSession always fails without cgo.
func NewSession(model []byte, inputs, outputs []string, o Options) (*Session, error) {
	return nil, ErrNoCgo
}

// Run always fails without cgo.
func (s *Session) Run(inputs []Input) ([][]float32, [][]int64, error) { return nil, nil, ErrNoCgo }

// Close does nothing without cgo.
func (s *Session) Close() error { return nil }
