package twotower

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// magic starts an encoded model; magicV1 one written before int8 grids (read as a model without
// one).
const (
	magic   = "crumb-twotower/2\n"
	magicV1 = "crumb-twotower/1\n"
)

type header struct {
	Config
	Users, Items, Genders, Ages int
	// Grid says the int8 scales follow the weights.
	Grid bool `json:"grid,omitempty"`
}

// MarshalBinary encodes the weights (not the Adagrad state or latent weights): a magic line, a
// JSON header, the tables as little-endian float32, then the int8 grid's scales if the model has
// one.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(magic)
	h, err := json.Marshal(header{Config: m.Config, Users: m.Users, Items: m.Items, Genders: m.Genders, Ages: m.Ages, Grid: m.Grid != nil})
	if err != nil {
		return nil, err
	}
	binary.Write(&b, binary.LittleEndian, uint32(len(h)))
	b.Write(h)
	tabs := m.tables()
	if m.Grid != nil {
		g := m.Grid
		tabs = append(tabs, &g.U, &g.G, &g.A, &g.C, &g.W1, &g.W2, &g.V)
	}
	for _, t := range tabs {
		for _, v := range *t {
			binary.Write(&b, binary.LittleEndian, math.Float32bits(v))
		}
	}
	return b.Bytes(), nil
}

func (m *Model) tables() []*[]float32 {
	return []*[]float32{&m.U, &m.G, &m.A, &m.C, &m.W1, &m.B1, &m.W2, &m.B2, &m.V, &m.BV}
}

// UnmarshalBinary decodes MarshalBinary's output, checking every size.
func (m *Model) UnmarshalBinary(data []byte) error {
	v1 := bytes.HasPrefix(data, []byte(magicV1))
	if !v1 && !bytes.HasPrefix(data, []byte(magic)) {
		return errors.New("twotower: not an encoded model (bad magic)")
	}
	data = data[len(magic):]
	if len(data) < 4 {
		return errors.New("twotower: truncated header")
	}
	n := binary.LittleEndian.Uint32(data)
	data = data[4:]
	if uint64(n) > uint64(len(data)) {
		return errors.New("twotower: truncated header")
	}
	var h header
	if err := json.Unmarshal(data[:n], &h); err != nil {
		return fmt.Errorf("twotower: header: %w", err)
	}
	data = data[n:]
	const limit = 1 << 28
	if h.Dim < 1 || h.Hidden < 1 || h.GenderDim < 0 || h.AgeDim < 0 || h.ContextLen < 1 || h.Users < 1 || h.Items < 1 || h.Genders < 1 || h.Ages < 1 ||
		h.Dim > 4096 || h.Hidden > 4096 || h.GenderDim > 4096 || h.AgeDim > 4096 || h.Users > limit || h.Items > limit || h.Genders > 16 || h.Ages > 256 {
		return fmt.Errorf("twotower: header sizes out of range: %+v", h)
	}
	if v1 && h.Grid {
		return errors.New("twotower: a version 1 model with an int8 grid")
	}
	nm := &Model{Config: h.Config, Users: h.Users, Items: h.Items, Genders: h.Genders, Ages: h.Ages}
	sizes := []int{nm.Users * nm.Dim, nm.Genders * nm.GenderDim, nm.Ages * nm.AgeDim, nm.Items * nm.Dim,
		nm.In() * nm.Hidden, nm.Hidden, nm.Hidden * nm.Dim, nm.Dim, nm.Items * nm.Dim, nm.Items}
	tabs := nm.tables()
	if h.Grid {
		g := &Grid{}
		nm.Grid = g
		tabs = append(tabs, &g.U, &g.G, &g.A, &g.C, &g.W1, &g.W2, &g.V)
		sizes = append(sizes, nm.Users, nm.Genders, nm.Ages, nm.Items, nm.Hidden, nm.Dim, nm.Items)
	}
	total := 0
	for _, s := range sizes {
		total += s
	}
	if len(data) != 4*total {
		return fmt.Errorf("twotower: %d bytes of weights, the header needs %d", len(data), 4*total)
	}
	for i, t := range tabs {
		*t = make([]float32, sizes[i])
		for k := range *t {
			(*t)[k] = math.Float32frombits(binary.LittleEndian.Uint32(data))
			data = data[4:]
		}
	}
	if nm.Grid != nil {
		if off := nm.OffGrid(); off > 0 {
			return fmt.Errorf("twotower: %d weights off the model's int8 grid", off)
		}
	}
	*m = *nm
	return nil
}
