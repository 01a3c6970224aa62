// Package config loads the host's configuration: built-in defaults, then an
// optional crumb.yaml, then CRUMB_* environment variables. Both sources are
// decoded strictly: an unknown key is an error that names it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the host's configuration. Each field's yaml key is also an
// environment variable: CRUMB_ followed by the key path in upper case joined
// by _ (plugins.dir is CRUMB_PLUGINS_DIR).
type Config struct {
	// DataDir holds the database, models and knowledge base.
	DataDir string `yaml:"data_dir"`
	// DatabaseURL is a SQLite file path (default DataDir/crumb.db).
	DatabaseURL string `yaml:"database_url"`
	// Listen is the HTTP address of `crumb serve`.
	Listen string `yaml:"listen"`
	// TimeZone is the brand's time zone; "today" is local to it.
	TimeZone string    `yaml:"time_zone"`
	Log      Log       `yaml:"log"`
	Plugins  Plugins   `yaml:"plugins"`
	Demo     Demo      `yaml:"demo"`
	Web      Web       `yaml:"web"`
	Slack    Slack     `yaml:"slack"`
	LLM      LLMConfig `yaml:"llm"`
	Schedule Schedule  `yaml:"schedule"`

	// Knowledge configures the knowledge base (knowledge.go).
	Knowledge Knowledge `yaml:"knowledge"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Plugins configures the plugin supervisor.
type Plugins struct {
	Dir             string        `yaml:"dir"`
	CallTimeout     time.Duration `yaml:"call_timeout"`
	StartTimeout    time.Duration `yaml:"start_timeout"`
	HealthInterval  time.Duration `yaml:"health_interval"`
	BreakerFailures int           `yaml:"breaker_failures"`
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"`
}

// Demo configures `crumb demo`.
type Demo struct {
	Seed      uint64 `yaml:"seed"`
	Customers int    `yaml:"customers"`
	Days      int    `yaml:"days"`
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{
		DataDir:  ".crumb",
		Listen:   "localhost:8080",
		TimeZone: "Asia/Seoul",
		Log:      Log{Level: "info", Format: "text"},
		Plugins: Plugins{
			Dir:             filepath.Join(".crumb", "plugins"),
			CallTimeout:     10 * time.Second,
			StartTimeout:    10 * time.Second,
			HealthInterval:  10 * time.Second,
			BreakerFailures: 5,
			BreakerCooldown: 30 * time.Second,
		},
		Demo: Demo{Seed: 42, Customers: 3000, Days: 400},
	}
}

// envPrefix starts every configuration variable.
const envPrefix = "CRUMB_"

// ignoredEnv are CRUMB_ variables that are not configuration (CRUMB_ORT_LIB is
// the ONNX Runtime library the recommend plugin and crumb-edge load).
var ignoredEnv = []string{"CRUMB_PLUGIN_MAGIC_COOKIE", "CRUMB_CONFIG", "CRUMB_ORT_LIB"}

// Load reads the configuration. path is the YAML file; when empty,
// ./crumb.yaml is read if it exists. environ is os.Environ() in production.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	explicit := path != ""
	if !explicit {
		path = "crumb.yaml"
	}
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	case err != nil:
		return cfg, fmt.Errorf("read config: %w", err)
	default:
		if err := decodeYAML(raw, &cfg); err != nil {
			return cfg, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = filepath.Join(cfg.DataDir, "crumb.db")
	}
	return cfg, cfg.Validate()
}

// Validate checks values that can be checked without the network.
func (c *Config) Validate() error {
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("time_zone %q: %w (use an IANA name such as Asia/Seoul)", c.TimeZone, err)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		return fmt.Errorf("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		return fmt.Errorf("log.format %q: want text or json", c.Log.Format)
	}
	if c.Plugins.CallTimeout <= 0 {
		return fmt.Errorf("plugins.call_timeout %s: want a positive duration such as 10s", c.Plugins.CallTimeout)
	}
	if c.Plugins.BreakerFailures <= 0 {
		return fmt.Errorf("plugins.breaker_failures %d: want at least 1", c.Plugins.BreakerFailures)
	}
	return nil
}

// Location returns the brand's time zone.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}

func decodeYAML(raw []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	// yaml.v3 says "line 3: field bogus not found in type config.Plugins";
	// name the key and the keys that exist instead.
	msg := err.Error()
	if i := strings.Index(msg, "field "); i >= 0 && strings.Contains(msg, " not found in type ") {
		return fmt.Errorf("unknown key: %s (known keys: %s)", strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  "), strings.Join(Keys(), ", "))
	}
	return err
}

// Keys lists every configuration key as a dotted path.
func Keys() []string {
	var out []string
	walk(reflect.ValueOf(Default()), "", func(key string, _ reflect.Value) { out = append(out, key) })
	return out
}

// EnvName is the environment variable of a dotted key.
func EnvName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func walk(v reflect.Value, prefix string, fn func(key string, field reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("yaml")
		if name == "" || name == "-" {
			continue
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		f := v.Field(i)
		if f.Kind() == reflect.Struct {
			walk(f, key, fn)
			continue
		}
		fn(key, f)
	}
}

func applyEnv(cfg *Config, environ []string) error {
	fields := map[string]reflect.Value{}
	walk(reflect.ValueOf(cfg).Elem(), "", func(key string, f reflect.Value) { fields[EnvName(key)] = f })
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || slices.Contains(ignoredEnv, name) {
			continue
		}
		f, ok := fields[name]
		if !ok {
			known := make([]string, 0, len(fields))
			for k := range fields {
				known = append(known, k)
			}
			slices.Sort(known)
			return fmt.Errorf("unknown environment variable %s (known: %s)", name, strings.Join(known, ", "))
		}
		if err := setField(f, value); err != nil {
			return fmt.Errorf("environment variable %s=%q: %w", name, value, err)
		}
	}
	return nil
}

func setField(f reflect.Value, s string) error {
	switch {
	case f.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 10s or 500ms")
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer")
		}
		f.SetUint(n)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported field type %s", f.Type())
	}
	return nil
}
