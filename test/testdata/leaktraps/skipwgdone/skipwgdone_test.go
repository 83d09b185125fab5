package skipwgdone

import "testing"

func TestNoHang(t *testing.T) {
	for i := 0; i < 200; i++ {
		if First([]int{1, 2, 3, 4, 5, 6, 7, 8}) != 1 {
			t.Fatal("wrong first value")
		}
	}
}
