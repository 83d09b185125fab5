// Package valuefromctx: the error exists because ctx is done (issue 12, shape 3).
// A select on ctx.Done() at the send would drop it and hang Stop.
package valuefromctx

import (
	"context"
	"time"
)

type sub struct{}

func (s *sub) recv(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func watch(ctx context.Context, s *sub, errc chan<- error) {
	go func() {
		for {
			_, err := s.recv(ctx)
			if err != nil {
				errc <- err
				return
			}
		}
	}()
}

func Stop() error {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	watch(ctx, &sub{}, errc)
	cancel()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Hour):
		return nil
	}
}
