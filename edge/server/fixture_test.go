package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/onnx"
	"github.com/crumb-dev/crumb/edge/reco"
)

// fixture items: a croissant goes with latte and jam; member 12345 likes cakes.
var fixtureItems = []reco.Item{
	{ID: "P01", Name: "크루아상", NameEN: "Croissant"}, {ID: "P02", Name: "라떼", NameEN: "Latte"},
	{ID: "P03", Name: "잼", NameEN: "Jam"}, {ID: "P04", Name: "치즈케이크", NameEN: "Cheesecake"},
	{ID: "P05", Name: "티라미수", NameEN: "Tiramisu"}, {ID: "P06", Name: "바게트", NameEN: "Baguette"},
	{ID: "P07", Name: "버터", NameEN: "Butter"}, {ID: "P08", Name: "우유", NameEN: "Milk"},
}

// userScores is the fake member model: a fixed score per (user index, item), user 0 unknown.
func userScores(version int) [][]float32 {
	v := float32(version) / 100
	return [][]float32{
		{0, 0, 0, 0, 0, 0, 0, 0},
		{0.1, 0.2, 0.3, 3 + v, 2.5, 0.4, 0.5, 2}, // 12345: cheesecake, tiramisu, milk
		{2, 1, 0.5, 0.1, 0.2, 3, 2.5, 0.3},       // 777: croissant, baguette, butter
	}
}

// fakeGraph is a member graph with the real inputs and output whose scores are
// Gather(table, user): enough to test serving, swapping and the probe check.
func fakeGraph(t testing.TB, table [][]float32, int8 bool) []byte {
	t.Helper()
	b := onnx.NewBuilder("fake_member")
	user := b.Input("user", onnx.Int64, -1)
	b.Input("gender", onnx.Int64, -1)
	b.Input("age_band", onnx.Int64, -1)
	b.Input("context", onnx.Int64, -1, 10)
	b.Input("context_kind", onnx.Int64, -1, 10)
	var flat []float32
	for _, row := range table {
		flat = append(flat, row...)
	}
	rows, cols := len(table), len(table[0])
	var tab string
	if int8 {
		tab = b.DequantizedInitializer("scores_table", flat, rows, cols, 0)
	} else {
		tab = b.Initializer(onnx.FloatTensor("scores_table", []int64{int64(rows), int64(cols)}, flat))
	}
	b.OpNamed("Gather", []string{"scores"}, []string{tab, user}, onnx.Int("axis", 0))
	b.Output("scores", onnx.Float, -1, int64(cols))
	data, err := b.Model("test", "1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type bundleOpts struct {
	badProbes bool // probes that no runtime reproduces
	repeat    bool // member 777 bought P08 before, with a weight that puts it first
}

// makeBundle writes a complete bundle of the fake models.
func makeBundle(t testing.TB, version int, o bundleOpts) []byte {
	t.Helper()
	g := &reco.Guest{
		Items:     fixtureItems,
		Co:        [][]reco.Neighbor{{nb(1, 0.6), nb(2, 0.4)}, {nb(0, 0.5)}, {nb(0, 0.7)}, {nb(4, 0.5)}, {nb(3, 0.5)}, {nb(6, 0.8)}, {nb(5, 0.6)}, {nb(0, 0.2)}},
		Similar:   [][]reco.Neighbor{{nb(5, 0.3)}, {}, {}, {nb(4, 0.9)}, {nb(3, 0.9)}, {nb(0, 0.3)}, {}, {}},
		Popular:   []int32{7, 0, 1, 5, 3, 2, 4, 6},
		TagWeight: 0.2,
	}
	ids := make([]string, len(fixtureItems))
	for i, it := range fixtureItems {
		ids[i] = it.ID
	}
	spec := &reco.MemberSpec{Items: ids, ContextLen: 10, KindWeights: []float32{0, 0.5, 0.8, 1}, AgeBands: []int{10, 20, 30, 40, 50, 60}, Dim: 8,
		Users: []reco.User{{ID: "12345", Index: 1, Gender: 2, AgeBand: 3, Recent: []int32{3}}, {ID: "777", Index: 2}}}
	if o.repeat {
		spec.RepeatWeight = 100
		spec.Users[1].RepeatItems, spec.Users[1].RepeatScores = []int32{7}, []float32{1}
	}
	table := userScores(version)
	q, s := onnx.Quantize(flatten(table), len(table), len(table[0]), 0)
	deq := onnx.Dequantize(q, s, len(table), len(table[0]), 0)
	var probes []reco.Probe
	for u := 1; u < len(table); u++ {
		query, _ := spec.Query(reco.Request{UserID: spec.Users[u-1].ID})
		p := reco.Probe{Query: query}
		for j := range table[u] {
			p.Items = append(p.Items, j)
			p.Float = append(p.Float, table[u][j])
			p.Int8 = append(p.Int8, deq[u*len(table[0])+j])
			if o.badProbes {
				p.Float[j] += 1
				p.Int8[j] += 1
			}
		}
		probes = append(probes, p)
	}
	js := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	data, err := bundle.Write(bundle.Manifest{Version: version, CreatedAt: time.Date(2025, 3, version, 4, 0, 0, 0, time.UTC)}, map[string][]byte{
		reco.FileGuest: js(g), reco.FileMember: js(spec), reco.FileProbes: js(probes),
		reco.FileFloat: fakeGraph(t, table, false), reco.FileInt8: fakeGraph(t, table, true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func flatten(t [][]float32) []float32 {
	var out []float32
	for _, r := range t {
		out = append(out, r...)
	}
	return out
}

func nb(item int32, score float32) reco.Neighbor { return reco.Neighbor{Item: item, Score: score} }
