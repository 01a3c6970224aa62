// Command catalog is the Crumb plugin for the product catalogue and stock on
// hand. See README.md for its tools.
package main

import "github.com/crumb-dev/crumb/tools"

func main() {
	tools.Serve(Plugin())
}
