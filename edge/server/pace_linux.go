package server

import (
	"runtime"
	"syscall"
	"time"
)

// lockPacerThread keeps the pacer on one OS thread with a timer slack of 1 ns (the default
// 50 µs would let the kernel wake it that much later).
func lockPacerThread() (release func()) {
	runtime.LockOSThread()
	const prSetTimerSlack = 29
	syscall.Syscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
	// The thread's slack is changed, so it must not go back to the runtime's pool: returning
	// without UnlockOSThread makes the runtime end the thread with the goroutine.
	return func() {}
}

// sleepUntil sleeps in the kernel until t.
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(d.Nanoseconds())
		syscall.Nanosleep(&ts, nil)
	}
}
