package cancelledbefore

import "testing"

func TestNoHang(t *testing.T) {
	for i := 0; i < 200; i++ {
		if Sum() != 3 {
			t.Fatal("wrong sum")
		}
	}
}
