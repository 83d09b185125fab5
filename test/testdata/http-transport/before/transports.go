// Package transports holds http.Transport literals of every shape that decides how
// net/http negotiates: tune-http-transport rewrites a copy into ../after, and
// ../negotiate_test.go proves both copies negotiate the same protocol, route through
// the same proxy function, and differ only in the bounds the rule adds.
package transports

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Bare: net/http attempts HTTP/2 (no TLS config, no dialer) and uses no proxy.
func Bare() *http.Transport {
	return &http.Transport{}
}

// A custom TLS config: net/http stays on HTTP/1.1.
func WithTLS() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
}

// A custom dialer: HTTP/1.1 as well.
func WithDialer() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{DialContext: d.DialContext}
}

// Its own TLS dialer: HTTP/1.1, and the dialer does the handshake.
func WithTLSDialer() *http.Transport {
	return &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d tls.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// An empty TLSNextProto: the documented way to turn HTTP/2 off.
func HTTP1Only() *http.Transport {
	return &http.Transport{TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}
}

// A TLS config with HTTP/2 forced on.
func Forced() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{}, ForceAttemptHTTP2: true}
}

// A proxy of its own, and a pool of one on purpose.
var Proxied = &http.Transport{
	Proxy:        http.ProxyURL(&url.URL{Scheme: "http", Host: "127.0.0.1:9"}),
	MaxIdleConns: 1,
}

// Keep-alives off.
var OneShot = &http.Transport{DisableKeepAlives: true}

// One *tls.Config shared by two transports: neither may change it.
var SharedTLS = &tls.Config{MinVersion: tls.VersionTLS12}

func SharedA() *http.Transport {
	return &http.Transport{TLSClientConfig: SharedTLS}
}

func SharedB() *http.Transport {
	return &http.Transport{TLSClientConfig: SharedTLS, DisableCompression: true}
}
