// Package worker runs warm-up jobs concurrently.
package worker

import (
	"context"
	"sync"
)

// Result is one job's outcome.
type Result struct {
	SKU string `json:"sku"`
	Err string `json:"err,omitempty"`
}

// WarmAll runs job for every SKU concurrently and collects the outcomes.
func WarmAll(ctx context.Context, skus []string, job func(context.Context, string) error) []Result {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		out []Result
	)
	for _, sku := range skus {
		// Pitfall (capture-loop-var): before Go 1.22 every goroutine shares one sku.
		// Pitfall (hoist-wg-add): Wait may run before this Add.
		go func() {
			wg.Add(1)
			defer wg.Done()
			r := Result{SKU: sku}
			if err := job(ctx, sku); err != nil {
				r.Err = err.Error()
			}
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// WarmEach is the correct version: Add before go, the SKU passed as an argument.
func WarmEach(ctx context.Context, skus []string, job func(context.Context, string) error) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, sku := range skus {
		wg.Add(1)
		go func(sku string) {
			defer wg.Done()
			if job(ctx, sku) != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}(sku)
	}
	wg.Wait()
	return failed
}
