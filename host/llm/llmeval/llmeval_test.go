package llmeval

import (
	"context"
	"testing"
)

// TestRun runs a small adversarial evaluation: no delivered output may
// fail its schema, the guard or its validator, and every outcome occurs.
func TestRun(t *testing.T) {
	rep, err := Run(context.Background(), Options{Cases: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Table())
	if rep.FailSchema+rep.FailGuard+rep.FailValidator+rep.Errors != 0 {
		t.Errorf("delivered bad outputs: schema %d, guard %d, validator %d, errors %d", rep.FailSchema, rep.FailGuard, rep.FailValidator, rep.Errors)
	}
	for _, o := range []string{"llm", "repaired", "fallback"} {
		if rep.Outcomes[o] == 0 {
			t.Errorf("no %s outcome in %v", o, rep.Outcomes)
		}
	}
	if rep.Cases != 300 || rep.Calls < 300 {
		t.Errorf("cases %d calls %d", rep.Cases, rep.Calls)
	}
}
