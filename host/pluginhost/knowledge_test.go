package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// candidateGenerator stands in for the language model: it offers its
// candidates in turn and keeps the first the plugin's validator accepts.
type candidateGenerator struct {
	candidates []string
	rejected   [][]string
}

func (g *candidateGenerator) Generate(_ context.Context, plugin string, req *tools.GenerateRequest, validate tools.Validator) (*tools.Generation, error) {
	for i, c := range g.candidates {
		errs := validate(json.RawMessage(c))
		if len(errs) == 0 {
			outcome := tools.OutcomeLLM
			if i > 0 {
				outcome = tools.OutcomeRepaired
			}
			return &tools.Generation{Output: json.RawMessage(c), Outcome: outcome, Attempts: i + 1}, nil
		}
		g.rejected = append(g.rejected, errs)
	}
	return &tools.Generation{Output: req.Fallback, Outcome: tools.OutcomeFallback, Reason: plugin + ": every candidate failed", Attempts: len(g.candidates)}, nil
}

type memKnowledge struct{ written []tools.KnowledgeWrite }

func (k *memKnowledge) SearchKnowledge(_ context.Context, q *tools.KnowledgeQuery) ([]tools.KnowledgeHit, error) {
	return []tools.KnowledgeHit{{DocID: "voice", Collection: q.Collections[0], Text: q.Text}}, nil
}

func (k *memKnowledge) WriteKnowledge(_ context.Context, _ string, w *tools.KnowledgeWrite) (int, error) {
	k.written = append(k.written, *w)
	return len(w.Docs), nil
}

type evenOut struct {
	N       int    `json:"n"`
	Outcome string `json:"outcome"`
}

func evenPlugin() tools.Plugin {
	return tools.Plugin{
		Name: "gen", Version: "1",
		Tools: []tools.Tool{
			tools.NewTool("even", "", func(ctx context.Context, c *tools.Call, _ struct{}) (evenOut, error) {
				g, err := c.Host.Generate(ctx, &tools.GenerateRequest{
					Prompt: "test.even", Locale: "en", Schema: json.RawMessage(`{"type":"object"}`),
					Fallback: json.RawMessage(`{"n":2}`), Validator: "even",
				})
				if err != nil {
					return evenOut{}, err
				}
				var out evenOut
				if err := json.Unmarshal(g.Output, &out); err != nil {
					return evenOut{}, err
				}
				out.Outcome = g.Outcome
				return out, nil
			}),
			tools.NewTool("search", "", func(ctx context.Context, c *tools.Call, in struct {
				Collection string `json:"collection"`
			}) (evenOut, error) {
				hits, err := c.Host.SearchKnowledge(ctx, &tools.KnowledgeQuery{Collections: []string{in.Collection}, Text: "voice"})
				return evenOut{N: len(hits)}, err
			}),
			tools.NewTool("write", "", func(ctx context.Context, c *tools.Call, in struct {
				Collection string `json:"collection"`
			}) (evenOut, error) {
				n, err := c.Host.WriteKnowledge(ctx, &tools.KnowledgeWrite{Collection: in.Collection, Docs: []tools.KnowledgeDoc{{ID: "a", Text: "x"}}})
				return evenOut{N: n}, err
			}),
		},
		Capabilities: tools.Capabilities{KnowledgeRead: []string{"brand"}, KnowledgeWrite: []string{"segments"}, Generate: true},
		Validators: map[string]tools.Validator{"even": func(out json.RawMessage) []string {
			var v evenOut
			if err := json.Unmarshal(out, &v); err != nil {
				return []string{err.Error()}
			}
			if v.N%2 != 0 {
				return []string{"n must be even"}
			}
			return nil
		}},
	}
}

func connectAPI(t *testing.T, p tools.Plugin, api *pluginAPI) *tools.Client {
	t.Helper()
	m, err := p.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	api.caps.Store(&m.Capabilities)
	c := plugintest.Connect(t, p, api)
	api.conn.Store(c)
	return c
}

// TestGenerateCallsBackValidator checks that the host checks generated
// outputs with the plugin's own validator, over the plugin's connection.
func TestGenerateCallsBackValidator(t *testing.T) {
	gen := &candidateGenerator{candidates: []string{`{"n":3}`, `{"n":8}`}}
	api := &pluginAPI{plugin: "gen", backend: newMemBackend(time.Now()), log: testLogger(t), gen: gen}
	c := connectAPI(t, evenPlugin(), api)
	res, err := c.Invoke(context.Background(), &tools.Invocation{Tool: "even", Args: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != `{"n":8,"outcome":"repaired"}` {
		t.Errorf("output = %s, want the second candidate, repaired", res.Output)
	}
	if len(gen.rejected) != 1 || !slices.Equal(gen.rejected[0], []string{"n must be even"}) {
		t.Errorf("rejections = %v, want the validator's error for the odd candidate", gen.rejected)
	}

	// Every candidate odd: the plugin's fallback.
	gen.candidates, gen.rejected = []string{`{"n":1}`, `{"n":5}`}, nil
	res, err = c.Invoke(context.Background(), &tools.Invocation{Tool: "even", Args: json.RawMessage(`{}`)})
	if err != nil || string(res.Output) != `{"n":2,"outcome":"fallback"}` {
		t.Errorf("all odd: %s, %v; want the fallback", res.Output, err)
	}
}

func TestKnowledgeAndGenerateCapabilities(t *testing.T) {
	kb := &memKnowledge{}
	p := evenPlugin()
	api := &pluginAPI{plugin: "gen", backend: newMemBackend(time.Now()), log: testLogger(t), knowledge: kb}
	c := connectAPI(t, p, api)
	call := func(tool, args string) (*tools.Result, error) {
		return c.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(args)})
	}
	for _, ok := range []struct{ tool, args string }{
		{"search", `{"collection":"brand"}`},
		{"search", `{"collection":"segments"}`}, // writable implies searchable
		{"write", `{"collection":"segments"}`},
	} {
		if res, err := call(ok.tool, ok.args); err != nil || string(res.Output) != `{"n":1,"outcome":""}` {
			t.Errorf("%s %s: %s, %v; want allowed", ok.tool, ok.args, res.Output, err)
		}
	}
	if len(kb.written) != 1 || kb.written[0].Collection != "segments" {
		t.Errorf("written = %+v", kb.written)
	}
	for _, bad := range []struct{ tool, args, want string }{
		{"search", `{"collection":"policies"}`, `may not search knowledge collection "policies"`},
		{"write", `{"collection":"brand"}`, `may not write knowledge collection "brand"`},
	} {
		_, err := call(bad.tool, bad.args)
		if !errors.Is(err, tools.ErrPermission) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s %s: err = %v, want permission error %q", bad.tool, bad.args, err, bad.want)
		}
	}
	// No generator in this host: a clear error, not a hang or a panic.
	if _, err := call("even", `{}`); err == nil || !strings.Contains(err.Error(), "no generator") {
		t.Errorf("generate without a generator: err = %v", err)
	}
	// A plugin that did not declare Generate is refused.
	p.Capabilities.Generate = false
	api2 := &pluginAPI{plugin: "gen", backend: newMemBackend(time.Now()), log: testLogger(t), gen: &candidateGenerator{}}
	c2 := connectAPI(t, p, api2)
	if _, err := c2.Invoke(context.Background(), &tools.Invocation{Tool: "even", Args: json.RawMessage(`{}`)}); !errors.Is(err, tools.ErrPermission) {
		t.Errorf("undeclared generate: err = %v, want permission error", err)
	}
}
