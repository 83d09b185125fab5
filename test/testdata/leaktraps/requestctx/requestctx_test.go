package requestctx

import "testing"

func TestNoHang(t *testing.T) {
	for i := 0; i < 100; i++ {
		if Notify("/x") != "/x" {
			t.Fatal("wrong notification")
		}
	}
}
