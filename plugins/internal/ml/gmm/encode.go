package gmm

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The binary format, integers unsigned varints in their shortest form (so
// that a model has exactly one encoding), float64s 8 bytes little-endian:
//
//	magic "CGMM", format version (one byte, 1)
//	dimension d, components k, iterations, converged (one byte, 0 or 1)
//	log-likelihood
//	k weights
//	k means of d values
//	k covariances, lower triangle by rows: d(d+1)/2 values each
const (
	magic         = "CGMM"
	formatVersion = 1
	// maxDecodeDim bounds the dimension accepted from outside input: a
	// mixture over more features than this is not what the package is for.
	maxDecodeDim = 1 << 10
)

// MarshalBinary encodes the model in a compact, versioned binary format
// that UnmarshalBinary restores exactly.
func (m *Model) MarshalBinary() ([]byte, error) {
	k, d := m.p.k, m.p.d
	if k == 0 {
		return nil, errors.New("encode gaussian mixture: empty model")
	}
	buf := make([]byte, 0, 16+8*(1+k*(1+d+d*(d+1)/2)))
	buf = append(buf, magic...)
	buf = append(buf, formatVersion)
	buf = binary.AppendUvarint(buf, uint64(d))
	buf = binary.AppendUvarint(buf, uint64(k))
	buf = binary.AppendUvarint(buf, uint64(m.Iterations))
	conv := byte(0)
	if m.Converged {
		conv = 1
	}
	buf = append(buf, conv)
	put := func(v float64) { buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v)) }
	put(m.LogLikelihood)
	for _, w := range m.Weights {
		put(w)
	}
	for _, mu := range m.Means {
		for _, v := range mu {
			put(v)
		}
	}
	for _, cov := range m.Covariances {
		for i, row := range cov {
			for _, v := range row[:i+1] {
				put(v)
			}
		}
	}
	return buf, nil
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It rejects malformed input, including parameters New
// would reject, so a decoded model always scores points.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < len(magic)+1 || string(data[:len(magic)]) != magic {
		return errors.New("decode gaussian mixture: not a gaussian mixture (bad magic)")
	}
	if v := data[len(magic)]; v != formatVersion {
		return fmt.Errorf("decode gaussian mixture: format version %d: this build reads version %d", v, formatVersion)
	}
	r := reader{data: data[len(magic)+1:]}
	d, k, iter := r.uvarint(), r.uvarint(), r.uvarint()
	conv := r.byte()
	if r.err != nil {
		return fmt.Errorf("decode gaussian mixture: %w", r.err)
	}
	switch {
	case d == 0 || d > maxDecodeDim:
		return fmt.Errorf("decode gaussian mixture: dimension %d", d)
	case k == 0:
		return errors.New("decode gaussian mixture: no components")
	case iter > math.MaxInt32:
		return fmt.Errorf("decode gaussian mixture: %d iterations", iter)
	case conv > 1:
		return fmt.Errorf("decode gaussian mixture: converged byte %d", conv)
	}
	// Check the length before allocating, so a short input cannot ask for
	// a huge model.
	per := 1 + d + d*(d+1)/2
	if k > uint64(len(r.data))/8/per || uint64(len(r.data)) != 8*(1+k*per) {
		return fmt.Errorf("decode gaussian mixture: %d components of dimension %d in %d bytes", k, d, len(r.data))
	}
	nd, nk := int(d), int(k)
	dec := Model{
		LogLikelihood: r.float64(),
		Iterations:    int(iter),
		Converged:     conv == 1,
		Weights:       make([]float64, nk),
		Means:         make([][]float64, nk),
		Covariances:   make([][][]float64, nk),
	}
	for c := range nk {
		dec.Weights[c] = r.float64()
	}
	for c := range nk {
		dec.Means[c] = make([]float64, nd)
		for j := range nd {
			dec.Means[c][j] = r.float64()
		}
	}
	packed := make([]float64, nd*(nd+1)/2)
	for c := range nk {
		for q := range packed {
			packed[q] = r.float64()
		}
		dec.Covariances[c] = unpack(packed, nd)
	}
	if err := dec.prepare(); err != nil {
		return fmt.Errorf("decode gaussian mixture: %w", err)
	}
	*m = dec
	return nil
}

// UnmarshalJSON decodes a model from the JSON of its exported fields (as
// encoding/json writes it) and checks it as New does.
func (m *Model) UnmarshalJSON(data []byte) error {
	type fields Model // without methods, so no recursion
	var dec fields
	if err := json.Unmarshal(data, &dec); err != nil {
		return fmt.Errorf("decode gaussian mixture: %w", err)
	}
	mm := Model(dec)
	if err := mm.prepare(); err != nil {
		return fmt.Errorf("decode gaussian mixture: %w", err)
	}
	*m = mm
	return nil
}

type reader struct {
	data []byte
	err  error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err = errors.New("truncated or overlong varint")
		return 0
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		r.err = errors.New("varint not in its shortest form")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.data) == 0 {
		r.err = errors.New("truncated")
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *reader) float64() float64 {
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}
