package main

import "testing"

// TestIntentParents checks that every intent the plugin declares is a
// canonical one or names the canonical intent it refines.
func TestIntentParents(t *testing.T) {
	want := map[string]string{"waste_forecast": "", "demand_forecast": "", "store_clusters": "segment_insight"}
	got := map[string]string{}
	for _, tool := range Plugin().Tools {
		for _, in := range tool.Info().Intents {
			got[in.Name] = in.Parent
		}
	}
	if len(got) != len(want) {
		t.Fatalf("intents %v, want %v", got, want)
	}
	for name, parent := range want {
		if p, ok := got[name]; !ok || p != parent {
			t.Errorf("intent %s: parent %q (declared %v), want %q", name, p, ok, parent)
		}
	}
}
