package config

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Slack configures the Slack adapter. It is off while BotToken is empty.
// With AppToken it connects over Socket Mode (no public URL needed); with
// SigningSecret it also answers the Events API at /slack/events,
// /slack/commands and /slack/interactive.
type Slack struct {
	BotToken      string `yaml:"bot_token"`      // xoxb-…; CRUMB_SLACK_BOT_TOKEN
	AppToken      string `yaml:"app_token"`      // xapp-… with connections:write; CRUMB_SLACK_APP_TOKEN
	SigningSecret string `yaml:"signing_secret"` // the app's signing secret; CRUMB_SLACK_SIGNING_SECRET
	// APIURL is the Web API's base URL (default https://slack.com/api/).
	APIURL string `yaml:"api_url"`
	// Users maps Slack user ids to Crumb roles: in YAML a mapping
	// (U012AB3CD: admin), in CRUMB_SLACK_USERS "U012AB3CD=admin,U045EF6GH=marketer".
	Users RoleMap `yaml:"users"`
	// DefaultRole is the role of Slack users not in Users (default staff);
	// "none" refuses them.
	DefaultRole string `yaml:"default_role"`
}

// Enabled reports whether Slack is configured.
func (s *Slack) Enabled() bool { return s.BotToken != "" }

// Role returns the Crumb role of a Slack user, "" when refused.
func (s *Slack) Role(user string) string {
	if r, ok := s.Users.Map()[user]; ok {
		return r
	}
	if r := cmp.Or(s.DefaultRole, "staff"); r != "none" {
		return r
	}
	return ""
}

var roles = []string{"staff", "marketer", "admin"}

// Validate checks the Slack settings without the network.
func (s *Slack) Validate() error {
	if !s.Enabled() {
		if s.AppToken != "" || s.SigningSecret != "" {
			return fmt.Errorf("slack.bot_token is empty but slack.app_token or slack.signing_secret is set: set CRUMB_SLACK_BOT_TOKEN to the app's xoxb- bot token")
		}
		return nil
	}
	if !strings.HasPrefix(s.BotToken, "xoxb-") {
		return fmt.Errorf("slack.bot_token: want the bot user OAuth token (xoxb-…), from the app's OAuth & Permissions page")
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		return fmt.Errorf("slack.app_token: want an app-level token (xapp-…) with connections:write, from the app's Basic Information page")
	}
	if s.AppToken == "" && s.SigningSecret == "" {
		return fmt.Errorf("slack: set slack.app_token (Socket Mode) or slack.signing_secret (Events API over HTTP), or both")
	}
	if s.DefaultRole != "" && s.DefaultRole != "none" && !slices.Contains(roles, s.DefaultRole) {
		return fmt.Errorf("slack.default_role %q: want staff, marketer, admin or none", s.DefaultRole)
	}
	if _, err := parseRoleMap(string(s.Users)); err != nil {
		return fmt.Errorf("slack.users: %w", err)
	}
	return nil
}

// RoleMap maps user ids to roles. It is kept as "id=role,id=role" so that
// an environment variable can hold it; YAML may give it as a mapping.
type RoleMap string

// UnmarshalYAML accepts a mapping or a string.
func (m *RoleMap) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*m = RoleMap(n.Value)
		return nil
	case yaml.MappingNode:
		var kv map[string]string
		if err := n.Decode(&kv); err != nil {
			return err
		}
		keys := make([]string, 0, len(kv))
		for k := range kv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + kv[k]
		}
		*m = RoleMap(strings.Join(parts, ","))
		return nil
	}
	return fmt.Errorf("line %d: want a mapping of Slack user ids to roles (U012AB3CD: admin)", n.Line)
}

// Map returns the mapping; an invalid one (Validate says why) is empty.
func (m RoleMap) Map() map[string]string {
	out, err := parseRoleMap(string(m))
	if err != nil {
		return nil
	}
	return out
}

func parseRoleMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, role, ok := strings.Cut(part, "=")
		id, role = strings.TrimSpace(id), strings.TrimSpace(role)
		if !ok || id == "" {
			return nil, fmt.Errorf("%q: want USERID=role, e.g. U012AB3CD=admin", part)
		}
		if !slices.Contains(roles, role) {
			return nil, fmt.Errorf("%q: role %q: want staff, marketer or admin", part, role)
		}
		out[id] = role
	}
	return out, nil
}
