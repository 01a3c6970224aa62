// Command campaign is the Crumb plugin for marketing campaigns: event plans
// grounded in the brand's past events (event_plan) and push copy for items
// customers should hear about tonight (push_copy, push_copy_batch). Every
// text it returns comes from the host's structured generation; in template
// mode (no language model) the plugin's own grounded fallback is the answer.
// See README.md for its tools.
package main

import "github.com/crumb-dev/crumb/tools"

func main() {
	tools.Serve(Plugin())
}
