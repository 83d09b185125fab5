package selectcleanup

import "testing"

func TestEveryConnectionClosed(t *testing.T) {
	if n := Unclosed(500); n != 0 {
		t.Fatalf("%d connections were never closed", n)
	}
}
