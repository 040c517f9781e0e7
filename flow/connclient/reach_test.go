package connclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/wechat/wechatsim"
)

const testToken = "oaw_outage-test-token-0123456789"

// startConnector runs the real connector (with the simulator) on addr,
// keeping its database and project token across restarts.
func startConnector(t *testing.T, addr, db, token string) *loopback.Demo {
	t.Helper()
	d, err := loopback.Start(context.Background(), loopback.Options{Scenario: "ok", Followers: 10, Listen: addr,
		StorePath: db, ProjectToken: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

type stateLog struct {
	mu     sync.Mutex
	states []bool
}

func (l *stateLog) add(s ConnState) {
	l.mu.Lock()
	l.states = append(l.states, s.Reconnecting)
	l.mu.Unlock()
}
func (l *stateLog) get() []bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bool(nil), l.states...)
}

// The connector stops mid-run and comes back on the same address: calls
// meanwhile fail as the connector's (never WeChat's) with the last time it
// answered; Retry carries on by itself once it is back, and the
// reconnecting state ends with the first answer.
func TestConnectorOutageAndReturn(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "connector.db")
	d := startConnector(t, "127.0.0.1:0", db, testToken)
	addr := strings.TrimPrefix(d.LocalURL, "http://")
	c, _ := New(d.URL, testToken, nil)
	var log stateLog
	defer c.Watch(log.add)()
	if _, err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	lastOK := c.State().LastOK
	if lastOK.IsZero() || c.State().Reconnecting {
		t.Fatalf("after an answer: %+v", c.State())
	}
	d.Close()

	_, err := c.Health(ctx)
	var ce *Error
	if !errors.Is(err, ErrConnectorUnreachable) || !errors.As(err, &ce) || !ce.LastOK.Equal(lastOK) {
		t.Fatalf("with the connector stopped: %v", err)
	}
	_, rerr := c.WeChat(wechatsim.DemoOAAppID).DoRaw(ctx, http.MethodGet, "/cgi-bin/user/get", nil, nil)
	if !errors.Is(rerr, ErrConnectorUnreachable) {
		t.Fatalf("relay call with the connector stopped: %v", rerr)
	}
	for _, e := range []error{err, rerr} {
		if strings.Contains(strings.ToLower(e.Error()), "wechat") {
			t.Fatalf("the vendor's server is called WeChat: %v", e)
		}
	}
	if st := c.State(); !st.Reconnecting || st.Since.IsZero() || !st.LastOK.Equal(lastOK) {
		t.Fatalf("state while down: %+v", st)
	}

	done := make(chan error, 1)
	tries := 0
	go func() {
		done <- c.Retry(ctx, Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Within: time.Minute},
			func(ctx context.Context) error { tries++; _, err := c.Health(ctx); return err })
	}()
	time.Sleep(300 * time.Millisecond)
	startConnector(t, addr, db, testToken)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("retry after the connector came back: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("retry did not notice the connector was back")
	}
	if tries < 2 {
		t.Fatalf("%d tries: the outage was not retried", tries)
	}
	if st := c.State(); st.Reconnecting || !st.LastOK.After(lastOK) {
		t.Fatalf("state once back: %+v", st)
	}
	if got := log.get(); len(got) != 2 || !got[0] || got[1] {
		t.Fatalf("state changes %v, want reconnecting then connected once each", got)
	}
}

// Retry gives up after Within and returns the unreachable error; a failure
// that is not about reaching the connector is returned at once.
func TestRetryGivesUpAndDoesNotRetryOtherFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	c, _ := New(base, testToken, nil)
	start := time.Now()
	err := c.Retry(context.Background(), Backoff{Initial: 10 * time.Millisecond, Within: 200 * time.Millisecond},
		func(ctx context.Context) error { _, err := c.Health(ctx); return err })
	if !errors.Is(err, ErrConnectorUnreachable) || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	calls := 0
	err = c.Retry(context.Background(), Backoff{}, func(context.Context) error { calls++; return &Error{Kind: KindForbidden} })
	if calls != 1 || KindOf(err) != KindForbidden {
		t.Fatalf("%d calls, %v", calls, err)
	}
}

// A proxy in front of the connector answers 502/503/504 with its own page
// while the connector is down: that is unreachability too. The connector's
// own JSON errors keep their meaning.
func TestProxyGatewayErrorsAreUnreachable(t *testing.T) {
	status := http.StatusBadGateway
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("json") == "1" || strings.Contains(r.URL.Path, "json") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"waiting_for_ticket","message":"waiting"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>")
	}))
	defer proxy.Close()
	c, _ := New(proxy.URL, testToken, nil)
	for _, status = range []int{502, 503, 504} {
		_, err := c.Health(context.Background())
		var ce *Error
		if !errors.As(err, &ce) || ce.Kind != KindUnreachable || ce.Status != status {
			t.Fatalf("%d: %v", status, err)
		}
		_, err = c.WeChat(wechatsim.DemoOAAppID).DoRaw(context.Background(), http.MethodGet, "/cgi-bin/user/get", nil, nil)
		if !errors.Is(err, ErrConnectorUnreachable) || strings.Contains(err.Error(), "wechat") {
			t.Fatalf("relay %d: %v", status, err)
		}
	}
	j, _ := New(proxy.URL+"/json", testToken, nil)
	if _, err := j.Health(context.Background()); KindOf(err) != KindWaitingTicket {
		t.Fatalf("the connector's own 503: %v", err)
	}
	if j.State().Reconnecting {
		t.Fatal("the connector's own answer counted as an outage")
	}
}

// A connector that accepts the connection but never answers is as
// unreachable as one that refuses it.
func TestTimeoutIsUnreachable(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	c, _ := New(hang.URL, testToken, &http.Client{Timeout: 200 * time.Millisecond})
	if _, err := c.Health(context.Background()); !errors.Is(err, ErrConnectorUnreachable) {
		t.Fatalf("%v", err)
	}
}

// A revoked project token is its own error, on API calls and relay calls
// alike, and is not mistaken for an outage.
func TestRevokedTokenIsDistinct(t *testing.T) {
	db := filepath.Join(t.TempDir(), "connector.db")
	first := startConnector(t, "127.0.0.1:0", db, "")
	old := first.ProjectToken
	first.Close()
	d := startConnector(t, "127.0.0.1:0", db, "") // revokes the first start's token
	c, _ := New(d.URL, old, nil)
	_, err := c.Health(context.Background())
	if !errors.Is(err, ErrTokenRevoked) || errors.Is(err, ErrConnectorUnreachable) {
		t.Fatalf("revoked token: %v", err)
	}
	_, err = c.WeChat(wechatsim.DemoOAAppID).DoRaw(context.Background(), http.MethodGet, "/cgi-bin/user/get", nil, nil)
	if !errors.Is(err, ErrTokenRevoked) || strings.Contains(err.Error(), "wechat") {
		t.Fatalf("revoked token on the relay: %v", err)
	}
	if c.State().Reconnecting {
		t.Fatal("a refused token counted as an outage")
	}
}

// Callers that retry network trouble by net.Error (the sync engine) keep
// retrying a proxy's gateway error.
func TestGatewayErrorIsATemporaryNetError(t *testing.T) {
	var ne net.Error
	err := error(&Error{Kind: KindUnreachable, Err: gatewayError(502)})
	if !errors.As(err, &ne) || ne.Timeout() {
		t.Fatalf("%v", err)
	}
}

// Within bounds one outage, not the whole call: a long call that meets
// several short outages, with answers in between, keeps going.
func TestRetryWithinCountsEachOutageAfresh(t *testing.T) {
	c, _ := New("http://127.0.0.1:1", testToken, nil)
	start := time.Now()
	outage := start
	err := c.Retry(context.Background(), Backoff{Initial: 5 * time.Millisecond, Max: 10 * time.Millisecond, Within: 150 * time.Millisecond},
		func(context.Context) error {
			switch {
			case time.Since(start) > 400*time.Millisecond:
				return nil
			case time.Since(outage) > 100*time.Millisecond:
				c.answered() // the call got through for a while
				outage = time.Now()
			}
			return c.unreachable(0, errors.New("connection refused"))
		})
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
}

// A connection reset mid-answer (a connector process dying, a proxy
// dropping the connection) is unreachability too, on the API and the relay.
func TestConnectionResetIsUnreachable(t *testing.T) {
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST, not FIN
		}
		conn.Close()
	}))
	defer reset.Close()
	c, _ := New(reset.URL, testToken, nil)
	if _, err := c.Health(context.Background()); !errors.Is(err, ErrConnectorUnreachable) {
		t.Fatalf("API: %v", err)
	}
	_, err := c.WeChat(wechatsim.DemoOAAppID).DoRaw(context.Background(), http.MethodPost, "/cgi-bin/user/info/batchget", nil, map[string]any{})
	if !errors.Is(err, ErrConnectorUnreachable) || strings.Contains(err.Error(), "wechat") {
		t.Fatalf("relay: %v", err)
	}
}
