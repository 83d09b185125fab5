package respbody

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const calls = 20

// server counts the TCP connections its clients hold open.
func server(t *testing.T) (*httptest.Server, *int64) {
	var conns int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// A JSON value followed by padding: a decoder stops reading before the end.
		w.Write([]byte(`{"name":"x"}` + strings.Repeat(" ", 64<<10)))
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			atomic.AddInt64(&conns, 1)
		case http.StateClosed, http.StateHijacked:
			atomic.AddInt64(&conns, -1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func goroutines() int {
	time.Sleep(50 * time.Millisecond)
	return runtime.NumGoroutine()
}

// check fails when connections stay open after the calls: every leaked body keeps
// its connection (and the transport's read and write goroutines) alive, while a
// closed body either returns it to the pool (reused) or closes it.
func check(t *testing.T, conns *int64, before int) {
	t.Helper()
	grown := goroutines() - before
	open := atomic.LoadInt64(conns)
	t.Logf("%d calls: %d connections open, goroutines +%d", calls, open, grown)
	if open > 2 || grown > 8 {
		t.Errorf("%d calls left %d connections open and %d more goroutines: response bodies leak", calls, open, grown)
	}
}

func TestStatus(t *testing.T) {
	srv, conns := server(t)
	before := goroutines()
	for i := 0; i < calls; i++ {
		if _, err := Status(srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	check(t, conns, before)
}

func TestDecode(t *testing.T) {
	srv, conns := server(t)
	c := &Client{http: &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}}
	before := goroutines()
	for i := 0; i < calls; i++ {
		var v struct{ Name string }
		if err := c.Decode(srv.URL, &v); err != nil {
			t.Fatal(err)
		}
	}
	check(t, conns, before)
}
