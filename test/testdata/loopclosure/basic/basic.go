package basic

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

var Counter int

func show(args ...interface{}) {}

func ranges() {
	var items []int
	for k, e := range items {
		go func() {
			show(k) // want
			show(e) // want
		}()
	}
	for k, e := range items {
		defer func() {
			show(k) // want
			show(e) // want
		}()
	}
	for k := range items {
		go func() {
			show(k) // want
		}()
	}
	for _, e := range items {
		go func() {
			show(e) // want
		}()
	}
	// A statement after the go statement: vet stops looking (this rule does not).
	for k, e := range items {
		go func() {
			show(k, e)
		}()
		show("after")
	}
	for k, e := range items {
		go func(k, e int) {
			show(k, e)
		}(k, e)
	}
	for k, e := range items {
		k, e := k, e
		go func() {
			show(k, e)
		}()
	}

	// Declared outside the loop: a package-level variable of this file...
	for Counter = range items {
		go func() {
			show(Counter) // want
		}()
	}
	// ...of another file of the package...
	for Total = range items {
		go func() {
			show(Total) // want
		}()
	}
	// ...and a local, next to a key that is not an identifier.
	var arr [3]int
	var last int
	for arr[1], last = range items {
		go func() {
			_ = last // want
		}()
	}
	type pair struct {
		e int
	}
	for _, e := range items {
		go func() {
			_ = pair{e: 2}
			_ = map[int]bool{e: true} // want
		}()
	}
}

func clauses() {
	for n := 0; n < 5; n++ {
		go func() {
			show(n) // want
		}()
	}
	for a, b := 1, 1; a < 50; a, b = b, a+b {
		go func() {
			show(b) // want
		}()
	}
	type link struct {
		val  int
		next *link
	}
	var first *link
	for l := first; l != nil; l = l.next {
		go func() {
			show(l.val) // want
		}()
	}
}

func nested() {
	for o := range "abc" {
		for in := range "de" {
			if in == 0 {
				defer func() {
					show(o) // want
				}()
			} else if in == 1 {
				go func() {
					show(o) // want
				}()
			} else {
				go func() {
					show(o)
				}()
				show("after")
			}
		}
	}

	for o := 0; o < 4; o++ {
		for in := 0; in < 4; in++ {
			if in == 0 {
				switch in {
				case 0:
					defer func() {
						show(o) // want
					}()
				default:
					go func() {
						show(o) // want
					}()
				}
			} else if in == 1 {
				var any interface{} = in
				switch any.(type) {
				case int:
					defer func() {
						show(o) // want
					}()
				default:
					go func() {
						show(o) // want
					}()
				}
			} else {
				c := make(chan bool)
				select {
				case <-c:
					defer func() {
						show(o) // want
					}()
				default:
					go func() {
						show(o) // want
					}()
				}
			}
		}
	}
}

// Pool has a Go method but is not errgroup.Group.
type Pool struct{}

func (p *Pool) Go(func() error) {}

func groups() {
	var items []int
	eg := new(errgroup.Group)
	for k, e := range items {
		eg.Go(func() error {
			show(k) // want
			show(e) // want
			return nil
		})
	}
	for k, e := range items {
		if k%2 == 0 {
			eg.Go(func() error {
				show(k) // want
				return nil
			})
		} else {
			eg.Go(func() error {
				show(e) // want
				return nil
			})
		}
	}
	pool := new(Pool)
	for k, e := range items {
		pool.Go(func() error {
			show(k)
			show(e)
			return nil
		})
	}
}

func mixedGroups() {
	var jobs []interface{}
	urgent := new(errgroup.Group)
	rest := sync.WaitGroup{}
	isUrgent := func(job interface{}) bool { return true }
	do := func(job interface{}) error { return nil }
	for _, job := range jobs {
		if isUrgent(job) {
			urgent.Go(func() error {
				return do(job) // want
			})
		} else {
			rest.Add(1)
			go func() {
				_ = do(job) // want
				rest.Done()
			}()
		}
	}
}
