package flow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow/connclient"
)

// When the vendor's server answers again, the QR screen says so with its
// first answer, not when a long-poll that started meanwhile ends.
func TestAuthorizeShowsTheReconnectionAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := loopback.Start(ctx, loopback.Options{Followers: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A gateway in front of the connector that can be taken down, as a
	// reverse proxy answers 502 while its upstream is gone.
	up, _ := url.Parse(d.URL)
	var down atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(up)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer gw.Close()
	conn, err := connclient.New(gw.URL, d.ProjectToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan AuthEvent, 64)
	go Authorize(ctx, conn, d.Scenario.OAAppID, AuthorizeOptions{Wait: 20 * time.Second, MaxBackoff: 50 * time.Millisecond},
		func(ev AuthEvent) { events <- ev })
	next := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case ev := <-events:
				if ev.State == want {
					return
				}
			case <-deadline:
				t.Fatalf("no %s event within %v", want, within)
			}
		}
	}
	next(AuthWaiting, 10*time.Second)
	down.Store(true)
	// The long-poll under way ends when its wait is over; the next one meets
	// the gateway's 502.
	next(AuthConnectionLost, 30*time.Second)
	down.Store(false)
	// Well inside the 20 s a fresh long-poll would hold the line.
	next(AuthWaiting, 5*time.Second)
}
