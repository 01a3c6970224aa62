// Command forecast is the Crumb plugin for demand forecasting, store
// clusters and the expected waste rate (EWR). See README.md.
package main

import "github.com/crumb-dev/crumb/tools"

func main() {
	tools.Serve(Plugin())
}
