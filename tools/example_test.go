package tools_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crumb-dev/crumb/tools"
)

type greetIn struct {
	Name string `json:"name" jsonschema:"who to greet"`
}

type greetOut struct {
	Greeting string `json:"greeting"`
}

// A typed tool: the input and output schemas come from the structs.
func ExampleNewTool() {
	greet := tools.NewTool("greet", "Greet someone.", func(_ context.Context, c *tools.Call, in greetIn) (greetOut, error) {
		if c.Locale == "ko" {
			return greetOut{Greeting: in.Name + "님, 안녕하세요!"}, nil
		}
		return greetOut{Greeting: "Hello, " + in.Name + "!"}, nil
	}, tools.WithIntent("greeting", "안녕", "hello"))

	fmt.Println(string(greet.Info().InputSchema))
	res, _ := greet.Run(context.Background(), &tools.Call{CallInfo: tools.CallInfo{Locale: "ko"}}, json.RawMessage(`{"name":"지민"}`))
	fmt.Println(string(res.Output))
	// Output:
	// {"type":"object","properties":{"name":{"type":"string","description":"who to greet"}},"required":["name"],"additionalProperties":false}
	// {"greeting":"지민님, 안녕하세요!"}
}
