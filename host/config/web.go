package config

import (
	"cmp"
	"fmt"
	"net/url"
	"time"
)

// Web configures the HTTP API's sign-in and per-token rate limits. Zero
// values mean the defaults given on each field.
type Web struct {
	// PublicURL is where people reach the web UI, used in sign-in links
	// and Slack buttons (default http://<listen>).
	PublicURL string `yaml:"public_url"`
	// SessionTTL is how long a web sign-in lasts (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
	// SigninTTL is how long a one-time sign-in link stays usable (default 15m).
	SigninTTL time.Duration `yaml:"signin_ttl"`
	// RateLimit is requests per minute per token, by the token's role.
	RateLimit RateLimit `yaml:"rate_limit"`
}

// RateLimit is requests per minute per token for each role, and the burst
// a token may spend at once.
type RateLimit struct {
	Staff    int `yaml:"staff"`    // default 60
	Marketer int `yaml:"marketer"` // default 120
	Admin    int `yaml:"admin"`    // default 600
	Burst    int `yaml:"burst"`    // default 20
}

// Session is SessionTTL or its default.
func (w *Web) Session() time.Duration { return cmp.Or(w.SessionTTL, 12*time.Hour) }

// Signin is SigninTTL or its default.
func (w *Web) Signin() time.Duration { return cmp.Or(w.SigninTTL, 15*time.Minute) }

// PerMinute returns the rate limit of a role (0 for an unknown role).
func (r *RateLimit) PerMinute(role string) int {
	switch role {
	case "staff":
		return cmp.Or(r.Staff, 60)
	case "marketer":
		return cmp.Or(r.Marketer, 120)
	case "admin":
		return cmp.Or(r.Admin, 600)
	}
	return 0
}

// BurstOrDefault is Burst or its default.
func (r *RateLimit) BurstOrDefault() int { return cmp.Or(r.Burst, 20) }

// BaseURL is PublicURL, or http://listen when it is empty.
func (w *Web) BaseURL(listen string) string {
	return cmp.Or(w.PublicURL, "http://"+listen)
}

// Validate checks the web settings.
func (w *Web) Validate() error {
	if w.PublicURL != "" {
		u, err := url.Parse(w.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("web.public_url %q: want an absolute http(s) URL such as https://crumb.example.com", w.PublicURL)
		}
	}
	for key, d := range map[string]time.Duration{"web.session_ttl": w.SessionTTL, "web.signin_ttl": w.SigninTTL} {
		if d < 0 {
			return fmt.Errorf("%s %s: want a positive duration such as 12h", key, d)
		}
	}
	r := w.RateLimit
	for key, n := range map[string]int{"staff": r.Staff, "marketer": r.Marketer, "admin": r.Admin, "burst": r.Burst} {
		if n < 0 {
			return fmt.Errorf("web.rate_limit.%s %d: want a positive number of requests per minute (0 means the default)", key, n)
		}
	}
	return nil
}
