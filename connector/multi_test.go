package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/pgtest"
	"oawizard/wechat/wechatsim"
)

// pair is two connector instances on one PostgreSQL database, each on its
// own loopback port, and the simulator pushing to the first.
type pair struct {
	t     testing.TB
	sim   *wechatsim.Server
	srv   [2]*Server
	st    [2]*PGStore
	url   [2]string
	hs    [2]*http.Server
	token string
	hc    *http.Client
}

func startPair(t testing.TB, tweak ...func(*Config)) *pair {
	t.Helper()
	return startPairOn(t, pgtest.Schema(t), tweak...)
}

// startPairOn is startPair on a given database.
func startPairOn(t testing.TB, db string, tweak ...func(*Config)) *pair {
	t.Helper()
	ctx := context.Background()
	p := &pair{t: t, hc: &http.Client{Timeout: 70 * time.Second}}
	var ls [2]net.Listener
	for i := range ls {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls[i], p.url[i] = l, "http://"+l.Addr().String()
	}
	comp := wechatsim.DemoComponent()
	comp.PushURL, comp.AuthDomain = p.url[0]+"/wechat/events", "127.0.0.1"
	sim, err := wechatsim.Prepare(wechatsim.Options{Scenario: "ok", Components: []wechatsim.Component{comp}, Followers: 2500, PublicHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	p.sim = sim
	t.Cleanup(sim.Close)
	key := randomID(24)
	for i := range p.srv {
		st, err := OpenPGStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{PublicURL: p.url[i], APIBase: "http://" + sim.Addr(), OpenBase: sim.URL, MPBase: sim.URL, ComponentAppID: comp.AppID,
			Secrets:        Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: key},
			PermissionSets: []int{2, 3}, Logger: slog.New(slog.DiscardHandler), RateLimit: -1,
			HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
		for _, f := range tweak {
			f(&cfg)
		}
		srv, err := New(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{Handler: srv.Handler()}
		go hs.Serve(ls[i])
		t.Cleanup(func() { hs.Close(); srv.Close(); st.Close() })
		p.srv[i], p.st[i], p.hs[i] = srv, st, hs
	}
	sim.Start()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, _, err := p.st[1].Ticket(ctx, comp.AppID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ticket arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p.token, err = CreateProjectToken(ctx, p.st[0], "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	return p
}

// call makes an authenticated request to instance i.
func (p *pair) call(i int, method, path string, body any) (int, []byte) {
	code, data, err := p.try(i, method, path, body)
	if err != nil {
		p.t.Error(err)
	}
	return code, data
}

// try is call for a request that may fail (an instance going down).
func (p *pair) try(i int, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.url[i]+path, rd)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func (p *pair) session(i int, method, path string, body any) api.Session {
	p.t.Helper()
	var v api.Session
	code, data := p.call(i, method, path, body)
	if code/100 != 2 || json.Unmarshal(data, &v) != nil {
		p.t.Fatalf("%s %s: %d %s", method, path, code, data)
	}
	return v
}

func TestLongPollOnOneInstanceWakesForAChangeOnTheOther(t *testing.T) {
	p := startPair(t)
	oa := p.sim.Scenario().OAAppID
	s := p.session(1, "POST", "/v1/authorizations", map[string]string{"appid": oa})
	type answer struct {
		v  api.Session
		at time.Time
	}
	poll := func(since int64) chan answer {
		c := make(chan answer, 1)
		go func() {
			v := p.session(1, "GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(since), nil)
			c <- answer{v, time.Now()}
		}()
		time.Sleep(200 * time.Millisecond) // let the long-poll start waiting
		return c
	}
	// The phone opens the QR link on instance 0: the session is scanned.
	c := poll(s.Version)
	phone := p.sim.NewPhone(oa)
	opened := time.Now()
	page, err := phone.Open(p.url[0] + "/a/" + s.Code)
	if err != nil {
		t.Fatal(err)
	}
	a := <-c
	if a.v.Status != api.StatusScanned || a.at.Sub(opened) > time.Second {
		t.Fatalf("instance 1 answered %s after %v", a.v.Status, a.at.Sub(opened))
	}
	// The admin confirms: WeChat's push and callback reach instance 0.
	c = poll(a.v.Version)
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	confirmed := time.Now()
	a = <-c
	if a.v.Status != api.StatusAuthorized || a.at.Sub(confirmed) > time.Second {
		t.Fatalf("instance 1 answered %s %v after the confirmation", a.v.Status, a.at.Sub(confirmed))
	}
}

// authorize runs the phone through a session created on instance 0 and
// waits for it on instance 1.
func (p *pair) authorize(oa string) {
	p.t.Helper()
	s := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": oa})
	page, err := p.sim.NewPhone(oa).Open(p.url[0] + "/a/" + s.Code)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		p.t.Fatal(err)
	}
	for v := s; v.Status != api.StatusAuthorized; {
		v = p.session(1, "GET", "/v1/authorizations/"+s.ID+"?wait=5s&since="+itoa(v.Version), nil)
	}
	for _, srv := range p.srv {
		srv.bg.Wait()
	}
}

func TestTokenRefreshIsSingleFlightAcrossInstances(t *testing.T) {
	p := startPair(t)
	oa := p.sim.Scenario().OAAppID
	p.authorize(oa)
	// Both tokens expire at once on both instances.
	ctx := context.Background()
	for _, key := range []string{componentKey(wechatsim.DemoComponent().AppID), authorizerKey(oa)} {
		for _, srv := range p.srv {
			srv.tok.mu.Lock()
			delete(srv.tok.cache, key)
			srv.tok.mu.Unlock()
		}
		sealed, _, err := p.st[0].Token(ctx, key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		p.st[0].SaveToken(ctx, key, sealed, time.Now())
	}
	p.sim.ResetCalls()
	var wg sync.WaitGroup
	codes := make(chan int, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := p.call(i%2, "GET", "/v1/accounts/"+oa+"/wechat/cgi-bin/user/get", nil)
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != 200 {
			t.Fatalf("a caller got %d", code)
		}
	}
	comp, auth := p.sim.Calls("/cgi-bin/component/api_component_token"), p.sim.Calls("/cgi-bin/component/api_authorizer_token")
	if comp != 1 || auth != 1 {
		t.Fatalf("200 callers on two instances made %d component and %d authorizer token calls, want 1 and 1", comp, auth)
	}
}

func TestReplayedPushIsRefusedByEitherInstance(t *testing.T) {
	p := startPair(t)
	comp := wechatsim.DemoComponent()
	push := func(i int, nonce string) int {
		q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@"+nonce), time.Now(), nonce, comp.EncodingAESKey, comp.AppID)
		resp, err := http.Post(p.url[i]+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b := push(0, "901"), push(1, "901"); a != 200 || b != http.StatusConflict {
		t.Fatalf("first on 0, replay on 1: %d %d", a, b)
	}
	if a, b := push(1, "902"), push(0, "902"); a != 200 || b != http.StatusConflict {
		t.Fatalf("first on 1, replay on 0: %d %d", a, b)
	}
	// Both at once: exactly one takes it.
	for n := range 20 {
		nonce := "91" + itoa(int64(n))
		q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@x"), time.Now(), nonce, comp.EncodingAESKey, comp.AppID)
		codes := make(chan int, 2)
		for i := range 2 {
			go func() {
				resp, err := http.Post(p.url[i]+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body))
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		if a, b := <-codes, <-codes; a+b != 200+http.StatusConflict {
			t.Fatalf("the same push at both instances at once: %d %d", a, b)
		}
	}
}

func TestRateLimitIsSharedAcrossInstances(t *testing.T) {
	p := startPair(t, func(c *Config) { c.RateLimit, c.RateBurst, c.HeartbeatEvery = 0.01, 10, 50*time.Millisecond })
	// Both instances have reported themselves: each allows half.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		shared := true
		for _, srv := range p.srv {
			srv.limits.mu.Lock()
			shared = shared && srv.limits.burst == 5
			srv.limits.mu.Unlock()
		}
		if shared {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the instances did not share the limit out")
		}
	}
	allowed := 0
	for i := range 30 {
		if code, _ := p.call(i%2, "GET", "/v1/health", nil); code != http.StatusTooManyRequests {
			allowed++
		}
	}
	// A burst of 10 for the token, whichever instance each request reached.
	if allowed != 10 {
		t.Fatalf("%d of 30 requests were allowed across two instances, want the burst of 10", allowed)
	}
}

func TestAFailedTokenDoesNotDeleteTheOtherInstancesNewerOne(t *testing.T) {
	p := startPair(t)
	ctx, tok := context.Background(), p.srv[0].tok
	key := authorizerKey(p.sim.Scenario().OAAppID)
	exp := time.Now().Add(time.Hour)
	if err := tok.keep(ctx, key, "old-token", exp); err != nil {
		t.Fatal(err)
	}
	// Instance 1 refreshed meanwhile and stored its token.
	p.st[1].SaveToken(ctx, key, tok.seal.seal("new-token", key), exp)
	tok.invalidate(ctx, key, "old-token")
	if _, ok := tok.cached(key); ok {
		t.Fatal("the failed token is still cached")
	}
	if v, ok, err := tok.stored(ctx, key); !ok || err != nil || v != "new-token" {
		t.Fatalf("the other instance's token was deleted: %q", v)
	}
	// The failed token itself is deleted when it is the stored one.
	tok.invalidate(ctx, key, "new-token")
	if _, _, err := p.st[0].Token(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed stored token was kept: %v", err)
	}
}
