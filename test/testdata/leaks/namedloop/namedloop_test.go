package namedloop

import (
	"context"
	"testing"

	"leaks/leakcheck"
)

func TestStoppedTickerDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		ctx, cancel := context.WithCancel(context.Background())
		tk := Start(ctx)
		tk.Next()
		tk.Next()
		cancel()
	})
}
