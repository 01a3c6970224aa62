package pluginhost

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// ErrUnknownTool is wrapped by errors for tools no plugin provides.
var ErrUnknownTool = errors.New("unknown tool")

// ArgumentError is returned when a call's arguments break the tool's input
// schema. It names the field and what was expected.
type ArgumentError struct {
	Tool string
	Err  *tools.ValidationError
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("invalid arguments for tool %s: %v", e.Tool, e.Err)
}

func (e *ArgumentError) Unwrap() error { return e.Err }

// UnavailableError is returned at once for calls to a plugin that is not
// running: starting, restarting after a crash, failed, or with its circuit
// breaker open.
type UnavailableError struct {
	Plugin string
	Tool   string
	State  State
	Since  time.Time
	Reason string
	// RetryAfter is when the plugin is expected back, if known.
	RetryAfter time.Duration
}

func (e *UnavailableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tool %s is unavailable: plugin %s is %s", e.Tool, e.Plugin, e.State)
	if e.Reason != "" {
		fmt.Fprintf(&b, " (%s)", e.Reason)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry in %s", e.RetryAfter.Round(time.Millisecond))
	}
	return b.String()
}

// CallError is returned when a call reached a plugin but did not complete:
// the plugin crashed, timed out or broke its output schema.
type CallError struct {
	Plugin string
	Tool   string
	Err    error
}

func (e *CallError) Error() string {
	return fmt.Sprintf("call %s on plugin %s: %v", e.Tool, e.Plugin, e.Err)
}

func (e *CallError) Unwrap() error { return e.Err }
