// Package requestctx: a handler hands a notification to a long-lived loop from a
// goroutine (nsqadmin's notify shape; issue 12, shape 4). The request's context is
// cancelled when the handler returns: a select on it would drop the notification.
package requestctx

import (
	"context"
	"net/http"
	"net/http/httptest"
)

type admin struct {
	notifications chan string
	exit          chan struct{}
}

func (a *admin) handle(w http.ResponseWriter, req *http.Request) {
	go func() { a.notifications <- req.URL.Path }()
	w.WriteHeader(http.StatusOK)
}

func (a *admin) loop(got chan<- string) {
	for {
		select {
		case n := <-a.notifications:
			got <- n
		case <-a.exit:
			return
		}
	}
}

// Notify serves one request, cancels its context as net/http does when the handler
// returns, then starts the loop and waits for the notification.
func Notify(path string) string {
	a := &admin{notifications: make(chan string), exit: make(chan struct{})}
	defer close(a.exit)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
	a.handle(httptest.NewRecorder(), req)
	cancel()
	got := make(chan string, 1)
	go a.loop(got)
	return <-got
}
