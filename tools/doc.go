// Package tools is the contract between the Crumb host and its plugins.
//
// A plugin is a separate binary whose main is a few lines:
//
//	func main() {
//		tools.Serve(tools.Plugin{
//			Name:    "catalog",
//			Version: "1.0.0",
//			Tools:   []tools.Tool{lookup, stock},
//			Capabilities: tools.Capabilities{Datasets: []string{tools.DatasetStock}},
//		})
//	}
//
// Tools are typed: NewTool derives the input and output JSON schemas from Go
// structs, so schema and code cannot drift. A tool reads the brand's data and
// keeps its artifacts only through the HostAPI in its Call, and only what its
// plugin declared in Capabilities.
//
// The wire protocol (protobuf over gRPC, through hashicorp/go-plugin) is
// internal; the host uses Client and PluginSet, tests use package plugintest.
package tools
