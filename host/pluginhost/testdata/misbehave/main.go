// Command misbehave is a test plugin whose tools misbehave on purpose: they
// sleep past the host's timeout, panic, or break their output schema.
package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

type sleepIn struct {
	Millis int `json:"millis"`
}

type sleepOut struct {
	Slept int `json:"slept"`
}

// liar declares an integer output but returns a string.
type liar struct{}

func (liar) Info() tools.ToolInfo {
	return tools.ToolInfo{
		Name: "liar", Description: "Breaks its own output schema.",
		InputSchema:  json.RawMessage(`{"type":"object"}`),
		OutputSchema: json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`),
	}
}

func (liar) Run(context.Context, *tools.Call, json.RawMessage) (*tools.Result, error) {
	return &tools.Result{Output: json.RawMessage(`{"n":"many"}`)}, nil
}

func main() {
	tools.Serve(tools.Plugin{
		Name: "misbehave", Version: "0.0.1",
		Tools: []tools.Tool{
			tools.NewTool("sleep", "Sleep.", func(ctx context.Context, _ *tools.Call, in sleepIn) (sleepOut, error) {
				select {
				case <-time.After(time.Duration(in.Millis) * time.Millisecond):
					return sleepOut{Slept: in.Millis}, nil
				case <-ctx.Done():
					return sleepOut{}, ctx.Err()
				}
			}),
			tools.NewTool("panic", "Panic.", func(context.Context, *tools.Call, struct{}) (sleepOut, error) {
				panic("on purpose")
			}),
			liar{},
		},
	})
}
