// Package leakcheck counts goroutines around a call: the runtime proof that the
// gopitfix rewrites for docs/pitfalls.md#send-leak remove the leak, not just change the text.
package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

// NoLeak runs f (the parent, which returns early), then fails t if goroutines
// started by f are still alive after a short settle period.
func NoLeak(t *testing.T, f func()) {
	t.Helper()
	before := runtime.NumGoroutine()
	f()
	n := runtime.NumGoroutine()
	for i := 0; i < 50 && n > before; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > before {
		t.Fatalf("goroutine leak: %d goroutine(s) still running after the parent returned", n-before)
	}
}
