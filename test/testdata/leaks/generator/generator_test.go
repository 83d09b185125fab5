package generator

import (
	"context"
	"testing"

	"leaks/leakcheck"
)

func TestCancelledProducerDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		if got := FirstThree(context.Background()); len(got) != 3 || got[2] != 2 {
			t.Fatalf("got %v", got)
		}
	})
}
