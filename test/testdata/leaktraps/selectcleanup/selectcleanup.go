// Package selectcleanup: the sender already has a cleanup exit (net/ipsock_plan9.go's
// dial shape; issue 12, shape 6). Buffering the channel would strand connections in an
// abandoned buffer, never closed.
package selectcleanup

import (
	"context"
	"sync"
	"sync/atomic"
)

var opened, closed int64

type conn struct{}

func dialConn() *conn {
	atomic.AddInt64(&opened, 1)
	return &conn{}
}

func (c *conn) Close() { atomic.AddInt64(&closed, 1) }

func dial(ctx context.Context, wg *sync.WaitGroup) (*conn, error) {
	ch := make(chan *conn)
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := dialConn()
		select {
		case ch <- c:
		case <-ctx.Done():
			c.Close()
		}
	}()
	select {
	case c := <-ch:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Unclosed dials n times with an already cancelled context, closes what it gets, waits
// for every dialer and returns how many connections nobody closed.
func Unclosed(n int) int64 {
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < n; i++ {
		if c, err := dial(ctx, &wg); err == nil {
			c.Close()
		}
	}
	wg.Wait()
	return atomic.LoadInt64(&opened) - atomic.LoadInt64(&closed)
}
