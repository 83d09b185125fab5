package valuefromctx

import "testing"

func TestNoHang(t *testing.T) {
	for i := 0; i < 200; i++ {
		if Stop() == nil {
			t.Fatal("expected the cancellation error")
		}
	}
}
