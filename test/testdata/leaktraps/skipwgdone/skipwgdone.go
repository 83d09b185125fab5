// Package skipwgdone: the producer's wg.Done() is not deferred (issue 12, shape 1).
// A `return` at the send would skip it and hang First's wg.Wait().
package skipwgdone

import (
	"context"
	"sync"
)

func produce(ctx context.Context, xs []int, out chan<- int, wg *sync.WaitGroup) {
	go func() {
		for _, x := range xs {
			out <- x
		}
		wg.Done()
	}()
}

// First returns the first value, drains the rest and waits for the producer.
func First(xs []int) int {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	produce(ctx, xs, out, &wg)
	var v int
	select {
	case v = <-out:
	case <-ctx.Done():
		return -1
	}
	cancel()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-out:
			case <-done:
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	return v
}
