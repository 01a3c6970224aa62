package server

import (
	"context"
	"time"
)

// pace sends start + j/rate on due for j = 0, 1, … at those times, until ctx ends, and returns
// how late each was sent. Go's timers wake up to a millisecond late here (the runtime's poller
// sleeps in milliseconds), which at a few thousand requests a second would be most of what an
// open loop measures; so the pacer sleeps on its own OS thread with the kernel's
// high-resolution sleep (sleepUntil).
func pace(ctx context.Context, start time.Time, rate float64, due chan<- time.Time) []time.Duration {
	release := lockPacerThread()
	defer release()
	late := make([]time.Duration, 0, 1<<16)
	every := float64(time.Second) / rate
	for j := 0; ; j++ {
		t := start.Add(time.Duration(float64(j) * every))
		sleepUntil(t)
		if ctx.Err() != nil {
			return late
		}
		late = append(late, time.Since(t))
		select {
		case due <- t:
		case <-ctx.Done():
			return late
		}
	}
}
