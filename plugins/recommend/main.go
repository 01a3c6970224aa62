// Command recommend is the Crumb plugin for product recommendations: a guest model
// (co-purchase neighbours with TF-IDF tag neighbours as the fallback) and a two-tower member
// model trained in Go, exported to ONNX (float32 and int8) in a versioned bundle that the host
// publishes for crumb-edge. See README.md.
package main

import "github.com/crumb-dev/crumb/tools"

func main() {
	tools.Serve(Plugin())
}
