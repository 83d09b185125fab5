// Package newticker waits for a signal or a tick; its ticker is never stopped.
package newticker

import "time"

// WaitOrTick returns false when done is closed, true on a tick.
func WaitOrTick(done <-chan struct{}) bool {
	t := time.NewTicker(time.Hour)
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}
