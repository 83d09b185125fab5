package resultchan

import (
	"testing"
	"time"

	"leaks/leakcheck"
)

func TestQueryTimeoutDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		if _, err := Query(time.Millisecond); err == nil {
			t.Fatal("expected a timeout")
		}
	})
}
