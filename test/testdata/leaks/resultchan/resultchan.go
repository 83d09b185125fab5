// Package resultchan: start a worker, wait with a timeout (buffer-result-chan).
package resultchan

import (
	"errors"
	"time"
)

func slowQuery() int {
	time.Sleep(30 * time.Millisecond)
	return 42
}

// Query gives up after timeout; the worker's send then has no receiver.
func Query(timeout time.Duration) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- slowQuery()
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-time.After(timeout):
		return 0, errors.New("timeout")
	}
}
