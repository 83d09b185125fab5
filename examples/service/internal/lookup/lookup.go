// Package lookup caches backend prices and bounds how long a caller waits.
package lookup

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Backend is what lookup needs from the HTTP client.
type Backend interface {
	Price(ctx context.Context, sku string) (float64, error)
}

// Service answers price queries from a cache or the backend.
type Service struct {
	backend Backend
	mu      sync.Mutex
	cache   map[string]float64
	ready   chan struct{}
}

// New returns a Service in front of b.
func New(b Backend) *Service {
	return &Service{backend: b, cache: make(map[string]float64), ready: make(chan struct{})}
}

// Ready is closed once the cache has been warmed.
func (s *Service) Ready() <-chan struct{} { return s.ready }

// WaitReady waits for ready to be closed, at most grace.
func WaitReady(ctx context.Context, ready <-chan struct{}, grace time.Duration) error {
	// Pitfall (defer-cancel): cancel runs only when ready wins the race.
	ctx, cancel := context.WithTimeout(ctx, grace)
	select {
	case <-ready:
		cancel()
		return nil
	case <-ctx.Done():
		return ErrSlow
	}
}

type result struct {
	price float64
	err   error
}

// ErrSlow is returned when the backend does not answer in time.
var ErrSlow = errors.New("lookup: backend too slow")

// Price returns the cached price or asks the backend, giving up after 800ms.
func (s *Service) Price(ctx context.Context, sku string) (float64, error) {
	s.mu.Lock()
	p, ok := s.cache[sku]
	s.mu.Unlock()
	if ok {
		return p, nil
	}

	// Pitfall (buffer-result-chan): when the timeout fires first, nobody ever
	// receives from ch and the goroutine blocks on its send forever.
	ch := make(chan result)
	go func() {
		price, err := s.backend.Price(ctx, sku)
		ch <- result{price, err}
	}()
	select {
	case r := <-ch:
		if r.err == nil {
			s.mu.Lock()
			s.cache[sku] = r.price
			s.mu.Unlock()
		}
		return r.price, r.err
	case <-time.After(800 * time.Millisecond):
		return 0, ErrSlow
	}
}

// Refresh re-reads every cached price. Correct: a buffered channel, one value per
// sender, so no send can block after Refresh returns early.
func (s *Service) Refresh(ctx context.Context) error {
	s.mu.Lock()
	skus := make([]string, 0, len(s.cache))
	for sku := range s.cache {
		skus = append(skus, sku)
	}
	s.mu.Unlock()

	errc := make(chan error, len(skus))
	for _, sku := range skus {
		go func(sku string) {
			_, err := s.Price(ctx, sku)
			errc <- err
		}(sku)
	}
	for range skus {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Poll asks the backend once per tick until ctx ends and returns the last price.
// Pitfall (defer-cancel, reported without a fix): cancel only runs on the error path,
// and a defer inside the loop would pile up until Poll returns; the right fix
// (cancel at the end of each iteration) is left to a human.
func (s *Service) Poll(ctx context.Context, sku string, every time.Duration) float64 {
	t := time.NewTicker(every)
	defer t.Stop()
	last := 0.0
	for {
		select {
		case <-ctx.Done():
			return last
		case <-t.C:
		}
		callCtx, cancel := context.WithTimeout(ctx, every/2)
		p, err := s.backend.Price(callCtx, sku)
		if err != nil {
			cancel()
			continue
		}
		last = p
	}
}
