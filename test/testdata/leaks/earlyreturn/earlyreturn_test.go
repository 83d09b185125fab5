package earlyreturn

import (
	"testing"

	"leaks/leakcheck"
)

func TestEarlyReturnDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		if err := Prepare(false); err == nil {
			t.Fatal("expected an error")
		}
	})
}
