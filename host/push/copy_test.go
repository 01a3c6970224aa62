package push

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/pluginhost"
	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// startCopyPlugin builds the stand-in copy plugin and runs it under a real
// plugin host, as a subprocess over gRPC.
func startCopyPlugin(t *testing.T) *pluginhost.Host {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts a plugin subprocess")
	}
	bin := plugintest.Build(t, "github.com/crumb-dev/crumb/host/push/testdata/copyplugin")
	h := pluginhost.New(pluginhost.Config{Dir: filepath.Dir(bin), CallTimeout: 20 * time.Second}, openStore(t))
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// withoutBatch hides push_copy_batch, as an older campaign plugin would.
type withoutBatch struct{ *pluginhost.Host }

func (w withoutBatch) Tools() []pluginhost.Tool {
	var out []pluginhost.Tool
	for _, t := range w.Host.Tools() {
		if t.Name != CopyBatchTool {
			out = append(out, t)
		}
	}
	return out
}

func TestToolCopywriterThroughAPluginSubprocess(t *testing.T) {
	h := startCopyPlugin(t)
	reqs := make([]CopyRequest, 250)
	for i := range reqs {
		reqs[i] = CopyRequest{StoreID: "S01", ProductID: fmt.Sprintf("P%03d", i), ProductName: "소금빵", Segment: "vip", Locale: "ko", DiscountPct: 20, EWR: 23.4}
	}
	reqs[7].Locale = "en"
	reqs[7].ProductName = "Salt bread"
	for name, inv := range map[string]Invoker{"batch": h, "one by one": withoutBatch{h}} {
		t.Run(name, func(t *testing.T) {
			w := &ToolCopywriter{Tools: inv, Batch: 100, Workers: 4}
			out, err := w.WriteCopy(context.Background(), reqs)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(reqs) {
				t.Fatalf("%d results", len(out))
			}
			for i, r := range out {
				if r.Err != nil {
					t.Fatalf("result %d: %v", i, r.Err)
				}
			}
			if out[0].Headline != "오늘 저녁 소금빵" || out[0].Outcome != "fallback" || !strings.Contains(out[0].PushText, "20%") {
				t.Fatalf("copy: %+v", out[0])
			}
			if out[7].Headline != "Fresh Salt bread tonight" {
				t.Fatalf("english copy: %+v", out[7])
			}
		})
	}
}

// fakeTools is an Invoker with canned answers.
type fakeTools struct {
	tools  []pluginhost.Tool
	invoke func(inv *tools.Invocation) (*tools.Result, error)
}

func (f *fakeTools) Tools() []pluginhost.Tool { return f.tools }
func (f *fakeTools) Invoke(_ context.Context, inv *tools.Invocation) (*tools.Result, error) {
	return f.invoke(inv)
}

func TestToolCopywriterFailures(t *testing.T) {
	ctx := context.Background()
	if _, err := (&ToolCopywriter{Tools: &fakeTools{}}).WriteCopy(ctx, []CopyRequest{{}}); !errors.Is(err, ErrNoCopyTool) || !strings.Contains(err.Error(), "make plugins") {
		t.Fatalf("no tool: %v", err)
	}
	ft := &fakeTools{
		tools: []pluginhost.Tool{{ID: "other.push_copy", Plugin: "other", ToolInfo: tools.ToolInfo{Name: CopyTool}}, {ID: "campaign.push_copy", Plugin: "campaign", ToolInfo: tools.ToolInfo{Name: CopyTool}}},
		invoke: func(inv *tools.Invocation) (*tools.Result, error) {
			if inv.Tool != "campaign.push_copy" {
				return nil, fmt.Errorf("called %s, want the campaign plugin's", inv.Tool)
			}
			switch {
			case strings.Contains(string(inv.Args), "P1"):
				return &tools.Result{Failure: "product P1 is unknown"}, nil
			case strings.Contains(string(inv.Args), "P2"):
				return &tools.Result{Output: []byte(`{"headline":"","push_text":"x","action_line":"y","outcome":"fallback"}`)}, nil
			case strings.Contains(string(inv.Args), "P3"):
				return nil, &pluginhost.UnavailableError{Plugin: "campaign", Tool: CopyTool, State: "restarting"}
			}
			return &tools.Result{Output: []byte(`{"headline":"h","push_text":"t","action_line":"a","outcome":"llm"}`)}, nil
		},
	}
	out, err := (&ToolCopywriter{Tools: ft}).WriteCopy(ctx, []CopyRequest{{ProductID: "P0"}, {ProductID: "P1"}, {ProductID: "P2"}, {ProductID: "P3"}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err != nil || out[0].Outcome != "llm" {
		t.Fatalf("good copy: %+v", out[0])
	}
	for i, want := range []string{"", "product P1 is unknown", "incomplete", "restarting"} {
		if i == 0 {
			continue
		}
		if out[i].Err == nil || !strings.Contains(out[i].Err.Error(), want) {
			t.Fatalf("result %d: %v, want %q", i, out[i].Err, want)
		}
	}
}
