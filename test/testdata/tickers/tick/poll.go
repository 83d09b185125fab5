// Package tick is newticker written with time.Tick.
package tick

import "time"

// WaitOrTick returns false when done is closed, true on a tick.
func WaitOrTick(done <-chan struct{}) bool {
	tick := time.Tick(time.Hour)
	select {
	case <-done:
		return false
	case <-tick:
		return true
	}
}
