package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "crumb.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name    string
		yaml    string
		env     []string
		check   func(*testing.T, Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Listen != "localhost:8080" || c.DatabaseURL != filepath.Join(".crumb", "crumb.db") || c.Plugins.CallTimeout != 10*time.Second {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "yaml and env", yaml: "listen: ':9090'\nplugins:\n  call_timeout: 3s\n", env: []string{"CRUMB_PLUGINS_DIR=/p", "HOME=/root"},
			check: func(t *testing.T, c Config) {
				if c.Listen != ":9090" || c.Plugins.CallTimeout != 3*time.Second || c.Plugins.Dir != "/p" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "env beats yaml", yaml: "listen: ':9090'\n", env: []string{"CRUMB_LISTEN=:7070"},
			check: func(t *testing.T, c Config) {
				if c.Listen != ":7070" {
					t.Errorf("listen = %s", c.Listen)
				}
			}},
		{name: "unknown yaml key", yaml: "plugins:\n  dirr: x\n", wantErr: "dirr"},
		{name: "unknown env", env: []string{"CRUMB_LISTN=:1"}, wantErr: "unknown environment variable CRUMB_LISTN"},
		{name: "bad duration", env: []string{"CRUMB_PLUGINS_CALL_TIMEOUT=ten"}, wantErr: "want a duration"},
		{name: "bad zone", yaml: "time_zone: Mars/Olympus\n", wantErr: "time_zone"},
		{name: "magic cookie is not config", env: []string{"CRUMB_PLUGIN_MAGIC_COOKIE=x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := ""
			if c.yaml != "" {
				path = write(c.yaml)
			}
			cfg, err := Load(path, c.env)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}
