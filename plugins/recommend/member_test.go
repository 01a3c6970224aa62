package main

import (
	"context"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// TestTrainKeepsMemberOnGrid checks that the member weights a training keeps lie on their int8
// grid (so the float and int8 graphs score alike): after a full training, and after fine-tuning
// a state from before int8 grids (weights without scales), which the fine-tune epoch moves onto
// one.
func TestTrainKeepsMemberOnGrid(t *testing.T) {
	p, host := trained(t)
	ctx := context.Background()
	onGrid := func(when string) {
		t.Helper()
		a, err := host.GetArtifact(ctx, stateKey, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, m, err := decodeState(a.Data)
		if err != nil {
			t.Fatal(err)
		}
		if m.Grid == nil || m.OffGrid() != 0 {
			t.Errorf("%s: member weights off their int8 grid (grid %v, %d off)", when, m.Grid != nil, m.OffGrid())
		}
	}
	onGrid("full training")

	a, _ := host.GetArtifact(ctx, stateKey, 0)
	h, m, err := decodeState(a.Data)
	if err != nil {
		t.Fatal(err)
	}
	m.Grid = nil
	old, _ := encodeState(h, m)
	if _, err := host.PutArtifact(ctx, &tools.Artifact{Key: stateKey, Data: old}); err != nil {
		t.Fatal(err)
	}
	day := fixtureStart.AddDate(0, 3, 1)
	addBaskets(host, "G", "30002", day, [][]string{{"P01", "P02"}, {"P06", "P07"}})
	c := call(host, "en")
	c.Now = day.Add(12 * time.Hour)
	out, err := p.train(ctx, c, TrainIn{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Mode != "fine-tune" || out.Member.QATEpochs != 1 {
		t.Errorf("fine-tune: mode %s, %+v", out.Mode, out.Member)
	}
	onGrid("fine-tuning")
}
