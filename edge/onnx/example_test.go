package onnx_test

import (
	"fmt"

	"github.com/crumb-dev/crumb/edge/onnx"
)

// A graph that scores items against a user vector, written as an ONNX model from Go.
func ExampleBuilder() {
	b := onnx.NewBuilder("score")
	user := b.Input("user_vec", onnx.Float, -1, 2)
	items := b.Initializer(onnx.FloatTensor("items_t", []int64{2, 3}, []float32{1, 0, 1, 0, 1, 1}))
	b.Rename(b.Op("MatMul", []string{user, items}), "scores")
	b.Output("scores", onnx.Float, -1, 3)
	data, err := b.Model("example", "1").Marshal()
	if err != nil {
		panic(err)
	}
	m, _ := onnx.Unmarshal(data)
	fmt.Println(m.IRVersion, m.Opsets[0].Version, len(m.Graph.Nodes), m.Graph.Outputs[0].Name)
	// Output: 8 17 2 scores
}
