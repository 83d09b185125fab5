// Package fetch talks to the price backend over HTTP.
package fetch

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client fetches prices from one backend host.
type Client struct {
	base string
	http *http.Client
}

// NewClient builds the backend client.
func NewClient(base string) *Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	return &Client{
		base: base,
		// Pitfall (http-client-timeout): no Timeout, and Health sends a request without a
		// deadline whose response is read in full: a stuck backend holds the caller forever.
		http: &http.Client{Transport: tr},
	}
}

// NewAdminClient is the correct version: a cloned default transport and a timeout.
func NewAdminClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// Price asks the backend for one SKU's price.
func (c *Client) Price(ctx context.Context, sku string) (float64, error) {
	// Pitfall (defer-cancel): cancel is only called on the error path.
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/price/"+sku, nil)
	if err != nil {
		cancel()
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("backend: %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(string(body)), 64)
}

// Feed streams price updates: its client must not get a Timeout.
type Feed struct {
	base string
	feed *http.Client
}

// NewFeed builds the feed client.
func NewFeed(base string) *Feed {
	// Pitfall (tune-http-transport): nothing bounds the TLS handshake of this streaming
	// client (no Timeout may be set, and Watch's request has no deadline).
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	return &Feed{base: base, feed: &http.Client{Transport: tr}}
}

// Watch returns the open stream of updates; the caller reads and closes it.
func (f *Feed) Watch() (*http.Response, error) {
	return f.feed.Get(f.base + "/v1/prices/stream")
}

// Health checks the backend.
func (c *Client) Health() error {
	resp, err := c.http.Get(c.base + "/healthz")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// WithBudget hands the cancel func to the caller on purpose: no defer must be added
// here (the context would be cancelled under its new owner).
func WithBudget(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, d)
	return ctx, cancel
}
