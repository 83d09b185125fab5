// Package generator: an endless producer whose consumer stops early (select-ctx-done).
package generator

import "context"

// Numbers sends 0, 1, 2, ... until ctx is done: but its send has no way out.
func Numbers(ctx context.Context) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; ; i++ {
			out <- i
		}
	}()
	return out
}

// FirstThree reads three numbers and cancels the producer.
func FirstThree(parent context.Context) []int {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	ch := Numbers(ctx)
	return []int{<-ch, <-ch, <-ch}
}
