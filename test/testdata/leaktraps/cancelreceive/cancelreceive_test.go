package cancelreceive

import "testing"

func TestNoHang(t *testing.T) {
	for i := 0; i < 200; i++ {
		if Get() != 42 {
			t.Fatal("wrong value")
		}
	}
}
