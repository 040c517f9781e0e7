package connector

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
)

// These tests break the store under a running connector and ask every
// endpoint: each must answer 503 store_unavailable with Retry-After, soon,
// and never "unknown token", "forbidden", "not found" or a WeChat error.

// outageTarget is one connector whose store is about to fail.
type outageTarget struct {
	srv     *Server
	base    string // its address over loopback
	token   string
	appid   string      // an account the project authorized
	session api.Session // a pending session
}

// forget drops what the connector remembers, so every request needs the
// store (as once the few seconds of its caches have passed).
func (o outageTarget) forget() {
	o.srv.access.mu.Lock()
	clear(o.srv.access.tokens)
	clear(o.srv.access.links)
	o.srv.access.mu.Unlock()
	o.srv.tok.mu.Lock()
	clear(o.srv.tok.cache)
	o.srv.tok.mu.Unlock()
}

type outageAnswer struct {
	code  int
	retry string
	body  string
	took  time.Duration
}

func (o outageTarget) ask(t *testing.T, method, path string, body any, token bool) outageAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, o.base+path, rd)
	if token {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 MicroMessenger/8.0")
	start := time.Now()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return outageAnswer{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return outageAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), string(data), time.Since(start)}
}

// assertOutage asks every endpoint that needs the store, all at once, and
// checks that each says the store is unavailable, within limit.
func assertOutage(t *testing.T, o outageTarget, limit time.Duration) {
	t.Helper()
	o.forget()
	type ask struct {
		method, path string
		token        bool
	}
	asks := []ask{
		{"POST", "/v1/authorizations", true},
		{"GET", "/v1/authorizations/" + o.session.ID + "?wait=1s", true},
		{"GET", "/v1/accounts/" + o.appid, true},
		{"POST", "/v1/accounts/" + o.appid + "/refresh", true},
		{"GET", "/v1/accounts/" + o.appid + "/wechat/cgi-bin/user/get", true},
		// The phone's pages say the server is busy, not that the code is bad.
		{"GET", "/a/" + o.session.Code, false},
		{"GET", "/wechat/callback?s=" + o.session.ID + "&auth_code=x", false},
	}
	answers := make([]outageAnswer, len(asks))
	var wg sync.WaitGroup
	for i, e := range asks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body any
			if e.path == "/v1/authorizations" {
				body = map[string]string{"appid": o.appid}
			}
			answers[i] = o.ask(t, e.method, e.path, body, e.token)
		}()
	}
	wg.Wait()
	for i, e := range asks {
		a := answers[i]
		ok := a.code == http.StatusServiceUnavailable && a.retry != "" && a.took <= limit
		if e.token {
			var eb api.Error
			json.Unmarshal([]byte(a.body), &eb)
			ok = ok && eb.Error == ReasonStoreUnavailable
		} else {
			ok = ok && strings.Contains(a.body, "服务器繁忙") && !strings.Contains(a.body, "无效")
		}
		if !ok {
			t.Errorf("%s %s with the store down: %d Retry-After %q after %v, want 503 store_unavailable with Retry-After within %v: %s",
				e.method, e.path, a.code, a.retry, a.took.Round(time.Millisecond), limit, a.body)
		}
	}
}

func TestSQLiteOutageIsStoreUnavailableEverywhere(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	o := outageTarget{srv: st.d.Connector, base: st.d.URL, token: st.d.ProjectToken, appid: oa, session: st.newSession(oa)}
	if err := st.d.Store.Close(); err != nil {
		t.Fatal(err)
	}
	assertOutage(t, o, 2*time.Second)
}

func TestPostgresOutageIsStoreUnavailableEverywhere(t *testing.T) {
	p := startPair(t)
	oa := p.sim.Scenario().OAAppID
	p.authorize(oa)
	srv, proxy := p.viaProxy()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	o := outageTarget{srv: srv, base: hs.URL, token: p.token, appid: oa, session: p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": oa})}
	// Stopped (connections cut and refused), then hung: stalled as by
	// SIGSTOP, its open connections silent, and new ones never answered.
	for _, mode := range []string{"down", "stall"} {
		proxy.set(mode)
		assertOutage(t, o, storeTimeout+2*time.Second)
	}
	proxy.set("up")
	deadline := time.Now().Add(10 * time.Second)
	for {
		o.forget()
		a := o.ask(t, "GET", "/v1/accounts/"+oa, nil, true)
		if a.code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the database came back: %d %s", a.code, a.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A SQLite file another process holds locked (a backup tool, a stuck
// `connector` command) hangs writes for the busy timeout: a request's write
// gives up at storeTimeout with 503, and its reads still answer.
func TestSQLiteLockedByAnotherProcessIsStoreUnavailableInTime(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	s := st.newSession(oa)
	db, err := sql.Open("sqlite", "file:"+st.d.Store.path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	o := outageTarget{srv: st.d.Connector, base: st.d.URL, token: st.d.ProjectToken, appid: oa, session: s}
	a := o.ask(t, "POST", "/v1/authorizations", map[string]string{"appid": oa}, true)
	if a.code != http.StatusServiceUnavailable || a.retry == "" || !strings.Contains(a.body, ReasonStoreUnavailable) || a.took > storeTimeout+time.Second {
		t.Fatalf("a write with the file locked: %d %q after %v: %s", a.code, a.retry, a.took, a.body)
	}
	if a := o.ask(t, "GET", "/v1/authorizations/"+s.ID, nil, true); a.code != http.StatusOK {
		t.Fatalf("a read with the file locked: %d %s", a.code, a.body)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if a := o.ask(t, "POST", "/v1/authorizations", map[string]string{"appid": oa}, true); a.code != http.StatusCreated {
		t.Fatalf("a write once the lock is gone: %d %s", a.code, a.body)
	}
}

// A refresh's cross-instance lock is taken on a database that hangs: the
// flight fails in seconds, as a store call does, instead of holding every
// caller waiting on it for the flight's whole 30 s.
func TestTokenLockOnAHungDatabaseFailsInTime(t *testing.T) {
	p := startPair(t)
	srv, proxy := p.viaProxy()
	proxy.set("stall")
	start := time.Now()
	ran := false
	err := srv.tok.locker.WithTokenLock(context.Background(), authorizerKey(p.sim.Scenario().OAAppID), func(context.Context) error {
		ran = true
		return nil
	})
	var se *StoreError
	if !errors.As(err, &se) || ran || time.Since(start) > storeTimeout+time.Second {
		t.Fatalf("the lock on a hung database: %v (ran %v) after %v", err, ran, time.Since(start))
	}
	proxy.set("up")
}
