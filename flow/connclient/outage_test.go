package connclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"oawizard/wechat/wechatsim"
)

// The connector's database fails under a running connector: every call,
// on the API and on the relay, is "the vendor's server has trouble", and
// the good token is never called revoked.
func TestStoreOutageIsNotARevokedToken(t *testing.T) {
	d := startConnector(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "connector.db"), testToken)
	c, _ := New(d.URL, testToken, nil)
	if err := d.Store.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err := c.CreateAuthorization(ctx, wechatsim.DemoOAAppID)
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != KindStoreUnavailable || ce.RetryAfter <= 0 || errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("creating a session with the store down: %v", err)
	}
	_, err = c.Account(ctx, wechatsim.DemoOAAppID)
	if KindOf(err) != KindStoreUnavailable || errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("reading an account with the store down: %v", err)
	}
	_, err = c.WeChat(wechatsim.DemoOAAppID).DoRaw(ctx, http.MethodGet, "/cgi-bin/user/get", nil, nil)
	var ne net.Error
	if KindOf(err) != KindStoreUnavailable || errors.Is(err, ErrTokenRevoked) || strings.Contains(err.Error(), "wechat") || !errors.As(err, &ne) {
		t.Fatalf("relay call with the store down (the sync engine retries a net.Error): %v", err)
	}
}

// A 401 is believed only when the connector's health check says it is
// healthy: a connector (an older one, or one behind a proxy) answering 401
// while its database is down does not make the wizard drop its token.
func TestUnauthorizedFromAnUnhealthyConnectorIsNotRevoked(t *testing.T) {
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/healthz" && healthy.Load():
			w.Write([]byte(`{"ok":true,"store":"ok"}`))
		case r.URL.Path == "/healthz":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"ok":false,"store":"unavailable"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"unauthorized","message":"unknown or revoked project token"}`))
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL, testToken, nil)
	ctx := context.Background()
	calls := map[string]func() error{
		"api": func() error { _, err := c.Health(ctx); return err },
		"relay": func() error {
			_, err := c.WeChat(wechatsim.DemoOAAppID).DoRaw(ctx, http.MethodGet, "/cgi-bin/user/get", nil, nil)
			return err
		},
	}
	for name, call := range calls {
		healthy.Store(false)
		if err := call(); errors.Is(err, ErrTokenRevoked) || KindOf(err) != KindStoreUnavailable {
			t.Errorf("%s: 401 while /healthz says 503: %v", name, err)
		}
		healthy.Store(true)
		if err := call(); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("%s: 401 from a healthy connector: %v", name, err)
		}
	}
}
