package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

type sumIn struct {
	Numbers []int  `json:"numbers" jsonschema:"numbers to add"`
	Label   string `json:"label,omitempty"`
}

type sumOut struct {
	Sum   int    `json:"sum"`
	Label string `json:"label,omitempty"`
}

func (o sumOut) Display(locale string) *tools.Display {
	if locale == "ko" {
		return &tools.Display{Text: fmt.Sprintf("합계는 %d입니다.", o.Sum)}
	}
	return &tools.Display{Text: fmt.Sprintf("The sum is %d.", o.Sum)}
}

type countOut struct {
	Rows int `json:"rows"`
}

type artIn struct {
	Size int `json:"size"`
}

type artOut struct {
	Version int  `json:"version"`
	Same    bool `json:"same"`
}

func testPlugin() tools.Plugin {
	sum := tools.NewTool("sum", "Add numbers.", func(_ context.Context, _ *tools.Call, in sumIn) (sumOut, error) {
		if len(in.Numbers) == 0 {
			return sumOut{}, tools.Failf("give at least one number")
		}
		s := 0
		for _, n := range in.Numbers {
			s += n
		}
		return sumOut{Sum: s, Label: in.Label}, nil
	}, tools.WithIntent("arithmetic", "1 더하기 2는?", "add 1 and 2"))
	count := tools.NewTool("count_customers", "Count customers.", func(ctx context.Context, c *tools.Call, _ struct{}) (countOut, error) {
		rows, err := tools.ReadAll[tools.Customer](ctx, c.Host, &tools.DatasetQuery{Dataset: tools.DatasetCustomers})
		return countOut{Rows: len(rows)}, err
	})
	art := tools.NewTool("roundtrip_artifact", "Store and read back an artifact.", func(ctx context.Context, c *tools.Call, in artIn) (artOut, error) {
		data := bytes.Repeat([]byte("crumb"), in.Size/5)
		put, err := c.Host.PutArtifact(ctx, &tools.Artifact{Key: "model", Data: data, Metadata: json.RawMessage(`{"trees":100}`)})
		if err != nil {
			return artOut{}, err
		}
		got, err := c.Host.GetArtifact(ctx, "model", 0)
		if err != nil {
			return artOut{}, err
		}
		return artOut{Version: put.Version, Same: bytes.Equal(got.Data, data) && got.Version == put.Version}, nil
	})
	return tools.Plugin{Name: "testkit", Version: "0.0.1", Tools: []tools.Tool{sum, count, art},
		Capabilities: tools.Capabilities{Datasets: []string{tools.DatasetCustomers}, Artifacts: true}}
}

func invoke(t *testing.T, c *tools.Client, tool, args, locale string) (*tools.Result, error) {
	t.Helper()
	return c.Invoke(context.Background(), &tools.Invocation{Tool: tool, Args: json.RawMessage(args), CallInfo: tools.CallInfo{Locale: locale, RequestID: "r1"}})
}

func TestGRPCInProcess(t *testing.T) {
	host := &plugintest.Host{Datasets: map[string][]any{tools.DatasetCustomers: {tools.Customer{ID: "1"}, tools.Customer{ID: "2"}}}}
	c := plugintest.Connect(t, testPlugin(), host)

	m, err := c.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "testkit" || len(m.Tools) != 3 || m.Tools[0].Intents[0].Name != "arithmetic" {
		t.Fatalf("manifest: %+v", m)
	}
	if err := c.Health(context.Background()); err != nil {
		t.Fatal(err)
	}

	res, err := invoke(t, c, "sum", `{"numbers":[1,2,3]}`, "ko")
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Output) != `{"sum":6}` || res.Display.Text != "합계는 6입니다." {
		t.Fatalf("sum: %s %+v", res.Output, res.Display)
	}
	res, err = invoke(t, c, "sum", `{"numbers":[]}`, "en")
	if err != nil || res.Failure != "give at least one number" {
		t.Fatalf("failure: %+v %v", res, err)
	}
	res, err = invoke(t, c, "count_customers", `{}`, "en")
	if err != nil || string(res.Output) != `{"rows":2}` {
		t.Fatalf("count: %+v %v", res, err)
	}
	// 3 MB crosses several 1 MB chunks each way.
	res, err = invoke(t, c, "roundtrip_artifact", `{"size":3000000}`, "en")
	if err != nil || string(res.Output) != `{"version":1,"same":true}` {
		t.Fatalf("artifact: %+v %v", res, err)
	}
	if _, err := invoke(t, c, "nope", `{}`, "en"); !errors.Is(err, tools.ErrNotFound) {
		t.Fatalf("unknown tool: err = %v, want ErrNotFound", err)
	}
}

// TestPermissionCrossesTheWire checks that a host's refusal reaches the
// plugin and comes back to the host as tools.ErrPermission.
func TestPermissionCrossesTheWire(t *testing.T) {
	host := &plugintest.Host{Allowed: []string{tools.DatasetSales}}
	c := plugintest.Connect(t, testPlugin(), host)
	_, err := invoke(t, c, "count_customers", `{}`, "en")
	if !errors.Is(err, tools.ErrPermission) || !strings.Contains(err.Error(), "customers") {
		t.Fatalf("err = %v, want ErrPermission naming the dataset", err)
	}
}

func TestSchemaFromStructs(t *testing.T) {
	info := testPlugin().Tools[0].Info()
	var s struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(info.InputSchema, &s); err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Required, ",") != "numbers" || !strings.Contains(string(s.Properties["numbers"]), "numbers to add") {
		t.Fatalf("input schema: %s", info.InputSchema)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	schema, err := tools.CompileSchema(testPlugin().Tools[0].Info().InputSchema)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ doc, field, problem string }{
		{`{"numbers":[1,"x"]}`, "numbers[]", "wrong type"},
		{`{"numbers":"1"}`, "numbers", "wrong type"},
		{`{}`, "", `missing required ["numbers"]`},
		{`{"numbers":[1],"extra":true}`, "extra", "unknown field"},
		{`{"numbers":[1.5]}`, "numbers[]", "wrong type"},
		{`nope`, "", "not valid JSON"},
	}
	for _, c := range cases {
		err := schema.Validate(json.RawMessage(c.doc))
		var ve *tools.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Problem, c.problem) {
			t.Errorf("%s: err = %v (%+v), want field %q and %q", c.doc, err, ve, c.field, c.problem)
		}
	}
	if err := schema.Validate(json.RawMessage(`{"numbers":[1,2],"label":"x"}`)); err != nil {
		t.Errorf("valid document refused: %v", err)
	}
}

func TestManifestValidate(t *testing.T) {
	p := testPlugin()
	p.Capabilities.Datasets = append(p.Capabilities.Datasets, "secrets")
	if _, err := p.Manifest(); err == nil || !strings.Contains(err.Error(), `"secrets" is unknown`) {
		t.Fatalf("err = %v", err)
	}
	p = testPlugin()
	p.Tools = append(p.Tools, p.Tools[0])
	if _, err := p.Manifest(); err == nil || !strings.Contains(err.Error(), "declared twice") {
		t.Fatalf("err = %v", err)
	}
}

func TestSubIntent(t *testing.T) {
	noop := func(context.Context, *tools.Call, struct{}) (countOut, error) { return countOut{}, nil }
	p := testPlugin()
	p.Tools = append(p.Tools, tools.NewTool("stock", "Stock.", noop, tools.WithSubIntent("stock_lookup", "knowledge_qa", "재고 몇 개?")))
	m, err := p.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(m.Tools[len(m.Tools)-1].Intents)
	if string(raw) != `[{"name":"stock_lookup","parent":"knowledge_qa","examples":["재고 몇 개?"]}]` {
		t.Errorf("intents = %s", raw)
	}
	// An intent without a parent is written as before.
	if raw, _ := json.Marshal(m.Tools[0].Intents); strings.Contains(string(raw), "parent") {
		t.Errorf("intents = %s", raw)
	}
	for _, parent := range []string{"stock_lookup", "Knowledge QA"} {
		p := testPlugin()
		p.Tools = append(p.Tools, tools.NewTool("stock", "Stock.", noop, tools.WithSubIntent("stock_lookup", parent)))
		if _, err := p.Manifest(); err == nil || !strings.Contains(err.Error(), "parent") {
			t.Errorf("parent %q: err = %v", parent, err)
		}
	}
}

func FuzzValidateArgs(f *testing.F) {
	schema, err := tools.CompileSchema(testPlugin().Tools[0].Info().InputSchema)
	if err != nil {
		f.Fatal(err)
	}
	tool := testPlugin().Tools[0]
	for _, s := range []string{`{"numbers":[1,2]}`, `{}`, `[]`, `{"numbers":[1e309]}`, `{"numbers":null}`, `"x"`, `{"label":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if err := schema.Validate(doc); err != nil {
			var ve *tools.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a ValidationError: %v", err)
			}
			return
		}
		// Whatever the schema accepts, the typed tool must decode and run
		// without panicking.
		res, err := tool.Run(context.Background(), &tools.Call{}, doc)
		if err != nil {
			t.Fatalf("valid args %q: %v", doc, err)
		}
		if res.Failure == "" && !json.Valid(res.Output) {
			t.Fatalf("output is not JSON: %q", res.Output)
		}
	})
}
