// Package cancelreceive: the caller cancels and then receives (issue 12, shape 2).
// A select on ctx.Done() in the sender would drop the value and hang Get.
package cancelreceive

import "context"

func compute() int { return 42 }

func work(ctx context.Context, res chan<- int) {
	go func() {
		res <- compute()
	}()
}

func Get() int {
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan int)
	work(ctx, res)
	cancel()
	return <-res
}
