package push

import (
	"time"
	_ "time/tzdata" // job time zones load without the system tz database
)

// Clock tells the time and waits. The real clock is SystemClock; tests use
// a fake one they advance.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
