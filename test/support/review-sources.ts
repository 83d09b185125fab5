// Go sources shared by the review tests (interactive loop, its terminal run, dry-run
// annotations): two independent defer-cancel fixes in a.go; in b.go hoist-wg-add
// (pass 1) enables waitgroup-go (pass 2, Go 1.25) and http-client-timeout adds an import.
export const A_GO = `package a

import (
	"context"
	"time"
)

func One(ctx context.Context) error {
	ctx2, _ := context.WithTimeout(ctx, time.Second)
	return use(ctx2)
}

func Two(ctx context.Context) error {
	ctx2, _ := context.WithTimeout(ctx, 2*time.Second)
	return use(ctx2)
}

func use(ctx context.Context) error { return ctx.Err() }
`;

export const B_GO = `package a

import (
	"net/http"
	"sync"
)

func Run(items []int) {
	var wg sync.WaitGroup
	for _, it := range items {
		go func() {
			wg.Add(1)
			defer wg.Done()
			_ = it
		}()
	}
	wg.Wait()
}

var client = &http.Client{}

func Ping(u string) error {
	resp, err := client.Head(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
`;
