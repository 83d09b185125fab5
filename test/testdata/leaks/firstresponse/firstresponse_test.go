package firstresponse

import (
	"testing"

	"leaks/leakcheck"
)

func TestLoserDoesNotLeak(t *testing.T) {
	leakcheck.NoLeak(t, func() {
		if got := Fastest(); got == "" {
			t.Fatal("no answer")
		}
	})
}
