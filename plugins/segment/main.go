// Command segment is the Crumb plugin for customer segments: RFM features,
// a Gaussian mixture chosen by BIC, segment names (VIP, loyal, new, at
// risk, dormant, …), what each segment buys, and re-grading a customer on
// every order. See README.md.
package main

import "github.com/crumb-dev/crumb/tools"

func main() {
	tools.Serve(Plugin())
}
