package forest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The binary format, all integers unsigned varints in their shortest form
// (so that a forest has exactly one encoding) unless noted:
//
//	magic "CRFR", format version (one byte, 1)
//	features, trees
//	importance: features float64s (8 bytes little-endian each)
//	per tree: nodes, then per node:
//	  feature+1 (0 for a leaf)
//	  internal node: left child index minus the node's own index
//	  threshold or leaf value (float64, 8 bytes little-endian)
//	  distinct training rows that reached the node
const (
	magic         = "CRFR"
	formatVersion = 1
	// minNodeBytes is the smallest encoded node, used to reject node
	// counts that cannot fit in the input before allocating for them.
	minNodeBytes = 1 + 8 + 1
)

// MarshalBinary encodes the forest in a compact, versioned binary format
// that UnmarshalBinary restores exactly.
func (f *Forest) MarshalBinary() ([]byte, error) {
	buf := make([]byte, 0, 16+8*f.nf+12*f.NumNodes())
	buf = append(buf, magic...)
	buf = append(buf, formatVersion)
	buf = binary.AppendUvarint(buf, uint64(f.nf))
	buf = binary.AppendUvarint(buf, uint64(len(f.trees)))
	for _, v := range f.importance {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	for i := range f.trees {
		t := &f.trees[i]
		buf = binary.AppendUvarint(buf, uint64(len(t.nodes)))
		for j, nd := range t.nodes {
			buf = binary.AppendUvarint(buf, uint64(nd.feat+1))
			if nd.feat >= 0 {
				buf = binary.AppendUvarint(buf, uint64(int(nd.left)-j))
			}
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(nd.thr))
			buf = binary.AppendUvarint(buf, uint64(t.count[j]))
		}
	}
	return buf, nil
}

// UnmarshalBinary replaces f with the forest encoded in data by
// MarshalBinary. It rejects malformed input, including trees whose children
// do not follow their parents, so a decoded forest always predicts.
func (f *Forest) UnmarshalBinary(data []byte) error {
	r := reader{data: data}
	if len(data) < len(magic)+1 || string(data[:len(magic)]) != magic {
		return errors.New("decode forest: not a forest (bad magic)")
	}
	if v := data[len(magic)]; v != formatVersion {
		return fmt.Errorf("decode forest: format version %d: this build reads version %d", v, formatVersion)
	}
	r.data = data[len(magic)+1:]
	nf := r.uvarint()
	nt := r.uvarint()
	if r.err == nil && (nf == 0 || nf > math.MaxInt32) {
		return fmt.Errorf("decode forest: %d features", nf)
	}
	if r.err == nil && (nt == 0 || nt > uint64(len(r.data))) {
		return fmt.Errorf("decode forest: %d trees in %d bytes", nt, len(r.data))
	}
	if r.err == nil && nf*8 > uint64(len(r.data)) {
		return fmt.Errorf("decode forest: %d features in %d bytes", nf, len(r.data))
	}
	if r.err != nil {
		return fmt.Errorf("decode forest: %w", r.err)
	}
	g := Forest{nf: int(nf), importance: make([]float64, nf), trees: make([]tree, nt)}
	for i := range g.importance {
		g.importance[i] = r.float64()
	}
	for i := range g.trees {
		t, err := decodeTree(&r, int(nf))
		if err != nil {
			return fmt.Errorf("decode forest: tree %d: %w", i, err)
		}
		g.trees[i] = t
	}
	if r.err != nil {
		return fmt.Errorf("decode forest: %w", r.err)
	}
	if len(r.data) != 0 {
		return fmt.Errorf("decode forest: %d bytes after the last tree", len(r.data))
	}
	*f = g
	return nil
}

func decodeTree(r *reader, nf int) (tree, error) {
	n := r.uvarint()
	if r.err != nil {
		return tree{}, r.err
	}
	if n == 0 || n > uint64(len(r.data)/minNodeBytes) || n > math.MaxInt32 {
		return tree{}, fmt.Errorf("%d nodes in %d bytes", n, len(r.data))
	}
	t := tree{nodes: make([]node, n), count: make([]uint32, n)}
	for j := range t.nodes {
		feat := r.uvarint()
		nd := node{feat: -1}
		if feat > 0 {
			if feat > uint64(nf) {
				return tree{}, fmt.Errorf("node %d splits on feature %d of %d", j, feat-1, nf)
			}
			delta := r.uvarint()
			if delta == 0 || delta >= n-uint64(j)-1 {
				return tree{}, fmt.Errorf("node %d has children outside the tree", j)
			}
			nd.feat = int32(feat - 1)
			nd.left = int32(uint64(j) + delta)
		}
		nd.thr = r.float64()
		c := r.uvarint()
		if c > math.MaxUint32 {
			return tree{}, fmt.Errorf("node %d counts %d rows", j, c)
		}
		t.nodes[j] = nd
		t.count[j] = uint32(c)
		if r.err != nil {
			return tree{}, r.err
		}
	}
	return t, nil
}

// reader decodes the format, remembering the first error.
type reader struct {
	data []byte
	err  error
}

var errTruncated = errors.New("truncated input")

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	if n > 1 && r.data[n-1] == 0 {
		// Overlong: only the shortest encoding is accepted, so that a
		// forest has exactly one encoding.
		r.err = errors.New("overlong varint")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *reader) float64() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.data) < 8 {
		r.err = errTruncated
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}
