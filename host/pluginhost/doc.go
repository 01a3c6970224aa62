// Package pluginhost supervises the host's plugins: it discovers plugin
// binaries in a directory, launches each with hashicorp/go-plugin (gRPC,
// AutoMTLS, binary checksum), reads their manifests, registers their tools
// and intents, and serves each one the HostAPI limited to the capabilities
// it declared.
//
// Calls go through Invoke, which validates arguments and results against the
// tools' JSON schemas, applies a per-call timeout and a per-plugin circuit
// breaker. A plugin that crashes is restarted with exponential backoff;
// while it is down its tools are withdrawn and calls to them fail at once.
package pluginhost
