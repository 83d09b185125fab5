package donechan

import (
	"testing"

	"leaks/leakcheck"
)

func TestStoppedProducerDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		out, stop := Start()
		<-out
		stop()
	})
}
