package generics

import "golang.org/x/sync/errgroup"

func take[T any](x T) {}

func spawn[T any]() {
	var xs []T
	for k, e := range xs {
		go func() {
			take(k) // want
			take(e) // want
		}()
	}
}

// Only the method of errgroup.Group counts, not any Go method of a type parameter.
func viaParam[G interface{ Go(func() error) }](g G) {
	var xs []int
	for k, e := range xs {
		g.Go(func() error {
			take(k)
			take(e)
			return nil
		})
	}
}

type Box[P any] struct {
	inner P
}

func (b Box[P]) Go(func() error) {}

// b.inner is an errgroup.Group once P is instantiated.
func viaField(b Box[errgroup.Group]) {
	var xs []int
	for k, e := range xs {
		b.inner.Go(func() error {
			take(k) // want
			take(e) // want
			return nil
		})
	}
}
