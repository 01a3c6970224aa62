package tools

import "github.com/hashicorp/go-plugin"

// ProtocolVersion is the version of the host–plugin protocol. It is bumped
// only on breaking changes; a host refuses plugins built for another one.
const ProtocolVersion = 1

// The magic cookie tells a plugin binary it was started by a Crumb host.
// Never change these: doing so breaks every plugin ever built.
const (
	MagicCookieKey   = "CRUMB_PLUGIN_MAGIC_COOKIE"
	MagicCookieValue = "5d1b8a3e-crumb-tools-b2f6f0c9"
)

// pluginKey is the name of the one plugin kind every binary serves.
const pluginKey = "tools"

// Handshake returns the go-plugin handshake shared by the host and plugins.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}
