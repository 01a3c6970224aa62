//go:build !linux

package server

import (
	"runtime"
	"time"
)

func lockPacerThread() (release func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}

func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}
