package connector

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// dbProxy stands between a store and PostgreSQL on loopback, so a test can
// make the database hang or vanish and come back, as a restart would.
type dbProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	mode   string // "up", "hang" (accept, never answer), "stall" (hang, open connections too) or "down" (cut everything)
	conns  []net.Conn
	moved  *sync.Cond // signalled when the mode changes, for pipes waiting out a stall
}

func startDBProxy(t *testing.T, target string) *dbProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{l: l, target: target, mode: "up"}
	p.moved = sync.NewCond(&p.mu)
	t.Cleanup(func() { l.Close(); p.set("down") })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *dbProxy) serve(c net.Conn) {
	p.mu.Lock()
	mode := p.mode
	p.conns = append(p.conns, c)
	p.mu.Unlock()
	if mode != "up" {
		if mode == "down" {
			c.Close()
		}
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { p.pipe(up, c); up.Close() }()
	p.pipe(c, up)
	c.Close()
}

// pipe copies src to dst, holding the bytes while the proxy is stalled, as
// a database stopped by SIGSTOP holds them: its connections stay open and
// nothing answers.
func (p *dbProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.mode == "stall" {
			p.moved.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// set switches mode and cuts every open connection, as a restart does.
func (p *dbProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	p.moved.Broadcast()
	if mode == "stall" {
		return
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestHealthzAnswers503WhileTheDatabaseIsGoneAndRecovers(t *testing.T) {
	p := startPair(t)
	srv, proxy := p.viaProxy()
	healthz := func() (int, string, time.Duration) {
		req, _ := http.NewRequest("GET", "/healthz", nil)
		w := &recorder{h: http.Header{}}
		start := time.Now()
		srv.Handler().ServeHTTP(w, req)
		var body struct{ Store string }
		json.Unmarshal(w.body, &body)
		return w.code, body.Store, time.Since(start)
	}
	for _, mode := range []string{"hang", "down"} {
		proxy.set(mode)
		if code, store, took := healthz(); code != http.StatusServiceUnavailable || store != "unavailable" || took > 4*time.Second {
			t.Fatalf("database %s: %d %q after %v", mode, code, store, took)
		}
	}
	proxy.set("up")
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, _ := healthz()
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance did not reconnect: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Its long-polls hear the others' changes again: the listener
	// reconnected too (a change it missed meanwhile is found by the look
	// every reconnection triggers). Without either, the long-poll would
	// answer only after feedRecheck.
	s := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": p.sim.Scenario().OAAppID})
	answered := make(chan *recorder, 1)
	go func() {
		req, _ := http.NewRequest("GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(s.Version), nil)
		req.Header.Set("Authorization", "Bearer "+p.token)
		w := &recorder{h: http.Header{}}
		srv.Handler().ServeHTTP(w, req)
		answered <- w
	}()
	time.Sleep(200 * time.Millisecond)
	if _, err := p.srv[0].updateSession(context.Background(), s.ID, func(x *Session) bool { x.Visits++; return true }); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-answered:
		var v api.Session
		if json.Unmarshal(w.body, &v); v.Version != s.Version+1 {
			t.Fatalf("long-poll answered %d %s", w.code, w.body)
		}
	case <-time.After(feedRecheck / 2):
		t.Fatal("a change on another instance did not reach the reconnected one")
	}
}

// viaProxy starts a third instance on the pair's database, reached through
// a proxy the test can make hang, stall or vanish.
func (p *pair) viaProxy() (*Server, *dbProxy) {
	t := p.t.(*testing.T)
	u, _ := url.Parse(p.st[0].pool.Config().ConnString())
	proxy := startDBProxy(t, u.Host)
	via := *u
	via.Host = proxy.l.Addr().String()
	q := via.Query()
	q.Set("search_path", p.st[0].pool.Config().ConnConfig.RuntimeParams["search_path"])
	via.RawQuery = q.Encode()
	st, err := OpenPGStore(context.Background(), via.String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(p.srv[0].cfg, st)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); st.Close() })
	return srv, proxy
}

// recorder is a minimal http.ResponseWriter for calling a handler directly.
type recorder struct {
	h    http.Header
	code int
	body []byte
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	r.body = append(r.body, b...)
	return len(b), nil
}
func (r *recorder) WriteHeader(c int) { r.code = c }

func TestMaintenanceStopsWhenThePostgresStoreIsClosed(t *testing.T) {
	p := startPair(t)
	p.st[0].Close()
	if p.srv[0].maintainOnce(context.Background()) {
		t.Fatal("maintenance would go on, logging a warning a minute, on a closed store")
	}
	if !p.srv[1].maintainOnce(context.Background()) {
		t.Fatal("maintenance stopped on an open store")
	}
}

// TestKilledInstanceLosesNothing stops one instance abruptly under load (its
// connections, to clients and to the database, cut at once, as kill -9
// would): whatever it acknowledged is in the database, the other instance
// serves all of it, and a wizard whose long-poll died polls the other.
func TestKilledInstanceLosesNothing(t *testing.T) {
	p := startPair(t)
	comp := p.srv[0].cfg.ComponentAppID
	key := p.sim.Scenario().OAAppID
	var mu sync.Mutex
	var sessions, nonces []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (w + n) % 2
				if code, data, _ := p.try(i, "POST", "/v1/authorizations", map[string]string{"appid": key}); code == http.StatusCreated {
					var v api.Session
					json.Unmarshal(data, &v)
					mu.Lock()
					sessions = append(sessions, v.ID)
					mu.Unlock()
				}
				nonce := "k" + itoa(int64(w*100000+n))
				q, body := sealedPush(t, ticketXML(comp, "ticket@@@"+nonce), time.Now(), nonce, wechatsim.DemoComponent().EncodingAESKey, comp)
				if resp, err := http.Post(p.url[i]+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body)); err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						mu.Lock()
						nonces = append(nonces, nonce+":"+q.Get("timestamp")) // as the push handler keys it
						mu.Unlock()
					}
				}
			}
		}()
	}
	// A wizard long-polls a session on the instance about to die.
	s := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": key})
	polled := make(chan int, 1)
	go func() {
		code, _, _ := p.try(0, "GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(s.Version), nil)
		polled <- code
	}()
	time.Sleep(300 * time.Millisecond)
	p.hs[0].Close()
	p.st[0].Close()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if code := <-polled; code == 200 {
		t.Fatal("the long-poll on the killed instance answered")
	}
	// The wizard polls again, through the other instance.
	if v := p.session(1, "GET", "/v1/authorizations/"+s.ID+"?wait=0s", nil); v.ID != s.ID {
		t.Fatalf("session after failover: %+v", v)
	}
	t.Logf("%d sessions and %d pushes acknowledged around the kill", len(sessions), len(nonces))
	if len(sessions) == 0 || len(nonces) == 0 {
		t.Fatalf("no load: %d sessions %d pushes", len(sessions), len(nonces))
	}
	for _, id := range sessions {
		if v := p.session(1, "GET", "/v1/authorizations/"+id+"?wait=0s", nil); v.ID != id {
			t.Fatalf("acknowledged session %s lost", id)
		}
	}
	for _, n := range nonces {
		if fresh, err := p.st[1].ApplyPush(context.Background(), n, time.Now(), PushEffect{}); err != nil || fresh {
			t.Fatalf("acknowledged push %s lost (%v)", n, err)
		}
	}
}
