// Package respbody holds HTTP client code that forgets to close response bodies
// (the runtime proof for close-resp-body): test/close-resp-body.runtime.test.ts runs
// its tests before and after `gopitfix --write --rules close-resp-body`.
package respbody

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Status returns the status code of a GET; the body is never closed.
func Status(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

type Client struct {
	http *http.Client
}

// Decode reads a JSON body; the body is read but never closed, and the error path
// for a bad status leaves it unread too.
func (c *Client) Decode(url string, v interface{}) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
