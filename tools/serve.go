package tools

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// Plugin is a plugin binary's definition, given to Serve.
type Plugin struct {
	Name         string
	Version      string
	Description  string
	Tools        []Tool
	Capabilities Capabilities
	// Health, when set, reports whether the plugin can serve; nil means healthy.
	Health func(ctx context.Context) error
	// Validators are the business validators the host may call back on
	// outputs generated for this plugin (GenerateRequest.Validator).
	Validators map[string]Validator
}

// Manifest returns the plugin's manifest, validated.
func (p *Plugin) Manifest() (*Manifest, error) {
	m := &Manifest{
		Name:         p.Name,
		Version:      p.Version,
		Description:  p.Description,
		Capabilities: p.Capabilities,
	}
	for _, t := range p.Tools {
		m.Tools = append(m.Tools, t.Info())
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Serve runs the plugin until the host closes it. It is the whole of a
// plugin's main. Run by hand rather than by a host, it explains and exits.
func Serve(p Plugin) {
	if _, err := p.Manifest(); err != nil {
		fmt.Fprintf(os.Stderr, "crumb plugin: invalid definition: %v\n", err)
		os.Exit(1)
	}
	if os.Getenv(MagicCookieKey) != MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s %s is a Crumb plugin: the crumb host starts it (copy it to the plugin directory, e.g. .crumb/plugins).\n", p.Name, p.Version)
		os.Exit(1)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake(),
		Plugins:         NewPluginSet(&p, nil),
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       p.Name,
			Level:      hclog.Info,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
}
