// Package namedloop: a method started as a goroutine (`go t.loop(ctx)`) (select-ctx-done).
package namedloop

import "context"

type Ticker struct {
	out chan int
}

func Start(ctx context.Context) *Ticker {
	t := &Ticker{out: make(chan int)}
	go t.loop(ctx)
	return t
}

func (t *Ticker) loop(ctx context.Context) {
	for i := 0; ; i++ {
		t.out <- i
	}
}

func (t *Ticker) Next() int { return <-t.out }
