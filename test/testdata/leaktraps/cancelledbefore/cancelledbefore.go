// Package cancelledbefore: the innermost context is cancelled before the goroutine
// starts (issue 12, shape 4). A select on it would race a ready Done and hang next().
package cancelledbefore

import "context"

type loader struct{ out chan int }

func (l *loader) prepare(ctx context.Context) {}

func (l *loader) start(ctx context.Context) {
	gctx, gcancel := context.WithCancel(ctx)
	l.prepare(gctx)
	gcancel()
	go func() {
		for i := 0; i < 3; i++ {
			l.out <- i
		}
	}()
}

func (l *loader) next() int { return <-l.out }

func Sum() int {
	l := &loader{out: make(chan int)}
	l.start(context.Background())
	return l.next() + l.next() + l.next()
}
