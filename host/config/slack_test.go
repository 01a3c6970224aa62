package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSlackUsersFromYAMLAndEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crumb.yaml")
	yml := "slack:\n  bot_token: xoxb-1\n  signing_secret: s\n  users:\n    U02: marketer\n    U01: admin\n  default_role: none\nweb:\n  rate_limit: {staff: 5}\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Slack.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.Users != "U01=admin,U02=marketer" || cfg.Slack.Role("U01") != "admin" || cfg.Slack.Role("U99") != "" {
		t.Errorf("users %q, roles %q %q; want U01 admin and unlisted refused", cfg.Slack.Users, cfg.Slack.Role("U01"), cfg.Slack.Role("U99"))
	}
	if cfg.Web.RateLimit.PerMinute("staff") != 5 || cfg.Web.RateLimit.PerMinute("admin") != 600 {
		t.Errorf("rate limits %d %d, want 5 and the default 600", cfg.Web.RateLimit.PerMinute("staff"), cfg.Web.RateLimit.PerMinute("admin"))
	}

	cfg, err = Load(path, []string{"CRUMB_SLACK_USERS=U07=staff", "CRUMB_SLACK_DEFAULT_ROLE=marketer"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.Role("U07") != "staff" || cfg.Slack.Role("U99") != "marketer" {
		t.Errorf("env roles: %q %q", cfg.Slack.Role("U07"), cfg.Slack.Role("U99"))
	}

	for _, tc := range []struct {
		s    Slack
		want string
	}{
		{Slack{BotToken: "xoxp-1", SigningSecret: "s"}, "xoxb-"},
		{Slack{BotToken: "xoxb-1"}, "app_token"},
		{Slack{BotToken: "xoxb-1", AppToken: "xoxb-2"}, "xapp-"},
		{Slack{BotToken: "xoxb-1", AppToken: "xapp-2", Users: "U1=owner"}, "want staff, marketer or admin"},
		{Slack{SigningSecret: "s"}, "CRUMB_SLACK_BOT_TOKEN"},
	} {
		if err := tc.s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want an error mentioning %q", tc.s, err, tc.want)
		}
	}
	w := Web{PublicURL: "crumb.example.com"}
	if err := w.Validate(); err == nil || !strings.Contains(err.Error(), "https://") {
		t.Errorf("web.public_url without scheme: %v", err)
	}
}
