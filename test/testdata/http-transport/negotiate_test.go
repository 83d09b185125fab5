package httptransport

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	after "httptransport/after"
	before "httptransport/before"
)

var server *httptest.Server

// TestMain starts an HTTP/2-capable TLS server and makes its certificate a system
// root (SSL_CERT_FILE, read once at the first verification), so transports without a
// TLS config verify it as they would a real server.
func TestMain(m *testing.M) {
	server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	server.EnableHTTP2 = true
	server.StartTLS()
	dir, err := os.MkdirTemp("", "certs")
	if err != nil {
		panic(err)
	}
	pemFile := filepath.Join(dir, "cert.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	if err := os.WriteFile(pemFile, data, 0o600); err != nil {
		panic(err)
	}
	os.Setenv("SSL_CERT_FILE", pemFile)
	os.Unsetenv("SSL_CERT_DIR")
	code := m.Run()
	server.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The fields tune-http-transport may add by default.
var added = map[string]bool{"MaxIdleConnsPerHost": true, "IdleConnTimeout": true, "TLSHandshakeTimeout": true}

func proto(t *testing.T, tr *http.Transport) string {
	t.Helper()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := c.Get(server.URL)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != resp.Proto {
		t.Errorf("server saw %s, client %s", b, resp.Proto)
	}
	return resp.Proto
}

// sameExcept reports every exported field that differs, other than the added ones.
func sameExcept(a, b *http.Transport) []string {
	var diffs []string
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < va.NumField(); i++ {
		f := va.Type().Field(i)
		if !f.IsExported() || added[f.Name] {
			continue
		}
		x, y := va.Field(i), vb.Field(i)
		switch f.Type.Kind() {
		case reflect.Func:
			// Set or not; the proxy's answer is compared by the caller.
			if x.IsNil() != y.IsNil() {
				diffs = append(diffs, f.Name)
			}
		case reflect.Map, reflect.Ptr:
			if x.IsNil() != y.IsNil() || (f.Type.Kind() == reflect.Map && x.Len() != y.Len()) {
				diffs = append(diffs, f.Name)
			}
		default:
			if !reflect.DeepEqual(x.Interface(), y.Interface()) {
				diffs = append(diffs, f.Name)
			}
		}
	}
	return diffs
}

func TestSameNegotiationAndProxy(t *testing.T) {
	cases := []struct {
		name          string
		before, after func() *http.Transport
	}{
		{"Bare", before.Bare, after.Bare},
		{"WithTLS", before.WithTLS, after.WithTLS},
		{"WithDialer", before.WithDialer, after.WithDialer},
		{"WithTLSDialer", before.WithTLSDialer, after.WithTLSDialer},
		{"HTTP1Only", before.HTTP1Only, after.HTTP1Only},
		{"Forced", before.Forced, after.Forced},
		{"Proxied", func() *http.Transport { return before.Proxied }, func() *http.Transport { return after.Proxied }},
		{"OneShot", func() *http.Transport { return before.OneShot }, func() *http.Transport { return after.OneShot }},
		{"SharedA", before.SharedA, after.SharedA},
		{"SharedB", before.SharedB, after.SharedB},
	}
	for _, c := range cases {
		b, a := c.before(), c.after()
		if d := sameExcept(b, a); len(d) > 0 {
			t.Errorf("%s: fields changed beyond the added bounds: %v", c.name, d)
		}
		// Proxy: the same function (or none) and the same answer for a request.
		req, _ := http.NewRequest("GET", server.URL, nil)
		var pb, pa string
		if b.Proxy != nil {
			u, err := b.Proxy(req)
			pb = fmt.Sprint(u, err)
		}
		if a.Proxy != nil {
			u, err := a.Proxy(req)
			pa = fmt.Sprint(u, err)
		}
		if pb != pa {
			t.Errorf("%s: proxy %q before, %q after", c.name, pb, pa)
		}
		protoB, protoA := "(proxied)", "(proxied)"
		if b.Proxy == nil {
			protoB, protoA = proto(t, b), proto(t, a)
		}
		if protoB != protoA {
			t.Errorf("%s: negotiated %s before, %s after", c.name, protoB, protoA)
		}
		fmt.Printf("RESULT %s proto=%s|%s perhost=%d|%d idle=%s|%s tls=%s|%s\n", c.name, protoB, protoA,
			b.MaxIdleConnsPerHost, a.MaxIdleConnsPerHost, b.IdleConnTimeout, a.IdleConnTimeout, b.TLSHandshakeTimeout, a.TLSHandshakeTimeout)
		b.CloseIdleConnections()
		a.CloseIdleConnections()
	}
	if len(before.SharedTLS.NextProtos) != 0 || len(after.SharedTLS.NextProtos) != 0 {
		t.Errorf("a shared *tls.Config was changed: NextProtos %v / %v", before.SharedTLS.NextProtos, after.SharedTLS.NextProtos)
	}
}
