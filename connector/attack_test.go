package connector

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// These tests play someone holding a project token (or none) who tries to
// reach an account another authorization opened, over real HTTP.

// newSessionAs creates a session with a given project token.
func (st *stack) newSessionAs(token, appid string) api.Session {
	st.t.Helper()
	var v api.Session
	if code := st.call("POST", "/v1/authorizations", token, map[string]string{"appid": appid}, &v); code != 201 {
		st.t.Fatalf("create session: %d", code)
	}
	return v
}

// visit opens a session's landing page in WeChat, as the admin's phone
// would, without confirming: the session then waits for a callback.
func (st *stack) visit(s api.Session) {
	st.t.Helper()
	if _, err := st.d.Phone().Open(s.QRURL); err != nil {
		st.t.Fatal(err)
	}
}

// authorizeCode runs a real authorization and returns its session and the
// code WeChat handed the callback.
func (st *stack) authorizeCode(token, appid string) (api.Session, string) {
	st.t.Helper()
	s := st.newSessionAs(token, appid)
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		st.t.Fatal(err)
	}
	res, err := page.Confirm()
	if err != nil || res.AuthCode == "" {
		st.t.Fatalf("confirm: %v", err)
	}
	st.d.Connector.bg.Wait()
	return s, res.AuthCode
}

// callback replays WeChat's redirect with any code and session id.
func (st *stack) callback(code, sessionID string) (int, string) {
	st.t.Helper()
	q := url.Values{}
	if code != "" {
		q.Set("auth_code", code)
	}
	if sessionID != "" {
		q.Set("s", sessionID)
	}
	resp, err := http.Get(st.d.URL + "/wechat/callback?" + q.Encode())
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sessionAs reads a session with a given token (no long-poll).
func (st *stack) sessionAs(token, id string) api.Session {
	st.t.Helper()
	var v api.Session
	if code := st.call("GET", "/v1/authorizations/"+id+"?wait=0s", token, nil, &v); code != 200 {
		st.t.Fatalf("read session: %d", code)
	}
	return v
}

// assertNoAccess checks that a project reaches nothing of an account.
func (st *stack) assertNoAccess(token, appid string) {
	st.t.Helper()
	var acct api.Account
	if code := st.call("GET", "/v1/accounts/"+appid, token, nil, &acct); code != 403 && (code != 200 || acct.Authorized) {
		st.t.Fatalf("the project read the account's facts: %d %+v", code, acct)
	}
	if code, body := st.relay(token, appid, "cgi-bin/user/get", "GET", nil); code != 403 {
		st.t.Fatalf("the project relayed for the account: %d %s", code, body)
	}
}

func TestUsedCodeNeverOpensAnotherProjectsAccount(t *testing.T) {
	for _, pushFirst := range []bool{true, false} {
		st := startStack(t, "ok", nil)
		st.d.Sim.SetPushOrder(pushFirst)
		oa := st.d.Scenario.OAAppID
		a, code := st.authorizeCode(st.d.ProjectToken, oa)
		st.waitStatus(a.ID, api.StatusAuthorized)
		tokB, _ := st.d.Connector.CreateProjectToken("b")
		calls := st.d.Sim.Calls("/cgi-bin/component/api_query_auth")

		// B's session, never visited: no callback completes it.
		b1 := st.newSessionAs(tokB, oa)
		if status, _ := st.callback(code, b1.ID); status != http.StatusBadRequest {
			t.Fatalf("pushFirst=%v: replay on an unvisited session answered %d", pushFirst, status)
		}
		// B's session, visited and waiting: the code is A's, claimed.
		b2 := st.newSessionAs(tokB, oa)
		st.visit(b2)
		if status, _ := st.callback(code, b2.ID); status != http.StatusBadRequest {
			t.Fatalf("pushFirst=%v: cross-project replay answered %d", pushFirst, status)
		}
		for _, id := range []string{b1.ID, b2.ID} {
			if v := st.sessionAs(tokB, id); v.Status == api.StatusAuthorized || v.AppID != "" {
				t.Fatalf("pushFirst=%v: B's session completed by A's code: %+v", pushFirst, v)
			}
		}
		st.assertNoAccess(tokB, oa)
		// The same project replaying its own code on a new session.
		a2 := st.newSessionAs(st.d.ProjectToken, oa)
		st.visit(a2)
		if status, _ := st.callback(code, a2.ID); status != http.StatusBadRequest {
			t.Fatalf("pushFirst=%v: same-project replay answered %d", pushFirst, status)
		}
		if v := st.sessionAs(st.d.ProjectToken, a2.ID); v.Status == api.StatusAuthorized {
			t.Fatalf("pushFirst=%v: a used code completed a second session", pushFirst)
		}
		// The callback for A's own session, after its completion, shows
		// the done page and asks WeChat nothing.
		if status, body := st.callback(code, a.ID); status != 200 || !strings.Contains(body, "授权完成") {
			t.Fatalf("pushFirst=%v: A's own callback again: %d", pushFirst, status)
		}
		if n := st.d.Sim.Calls("/cgi-bin/component/api_query_auth"); n != calls {
			t.Fatalf("pushFirst=%v: replays reached WeChat %d times", pushFirst, n-calls)
		}
		st.d.Sim.SetPushOrder(true)
	}
}

func TestStaleUsedCodeIsRefusedAfterDaysAndPruning(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	oa := st.d.Scenario.OAAppID
	a, code := st.authorizeCode(st.d.ProjectToken, oa)
	st.waitStatus(a.ID, api.StatusAuthorized)
	st.d.Sim.PausePushes(true)
	clk.Advance(48 * time.Hour)
	st.d.Connector.cfg.Retention = time.Hour
	st.d.Connector.maintainOnce(context.Background())
	if _, err := st.d.Store.Session(context.Background(), a.ID); err == nil {
		t.Fatal("retention kept a two-day-old session")
	}
	tokB, _ := st.d.Connector.CreateProjectToken("b")
	b := st.newSessionAs(tokB, oa)
	st.d.Sim.PausePushes(false)
	st.d.Sim.PushTicket(wechatsim.DemoComponent().AppID)
	st.visit(b)
	if status, _ := st.callback(code, b.ID); status != http.StatusBadRequest {
		t.Fatalf("a two-day-old used code answered %d", status)
	}
	if v := st.sessionAs(tokB, b.ID); v.Status == api.StatusAuthorized {
		t.Fatal("a stale code completed a session")
	}
	st.assertNoAccess(tokB, oa)
}

func TestCodeOfAnotherAccountGivesNoAccessToIt(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa, mp := st.d.Scenario.OAAppID, st.d.Scenario.MPAppID
	tokB, _ := st.d.Connector.CreateProjectToken("b")
	// A authorizes the mini-program; B tries A's code on its OA session.
	a, code := st.authorizeCode(st.d.ProjectToken, mp)
	st.waitStatus(a.ID, api.StatusAuthorized)
	b := st.newSessionAs(tokB, oa)
	st.visit(b)
	if status, _ := st.callback(code, b.ID); status != http.StatusBadRequest {
		t.Fatalf("another account's used code answered %d", status)
	}
	st.assertNoAccess(tokB, mp)
	// B's admin authorizes the mini-program on B's OA session (a crafted
	// link): the session says wrong_account and B gets no access to it.
	ctx := context.Background()
	x, _ := st.d.Store.Session(ctx, b.ID)
	pre, err := st.d.Connector.preAuthCode(ctx, x, true)
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.d.Phone().Open(st.d.Connector.authURL(pre, Session{ID: b.ID, ExpectedAppID: mp}, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	st.d.Connector.bg.Wait()
	if v := st.sessionAs(tokB, b.ID); v.Status != api.StatusWrongAccount {
		t.Fatalf("B's session %+v", v)
	}
	st.d.Connector.forgetLinks(mp)
	if code, _ := st.relay(tokB, mp, "cgi-bin/user/get", "GET", nil); code != 403 {
		t.Fatalf("wrong account relayed for B: %d", code)
	}
}

// countRows counts every table's rows, to prove a request wrote nothing.
func countRows(t *testing.T, s *SQLStore) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"sessions", "code_claims", "pre_auth_hashes", "nonces", "authorizers", "project_accounts", "tokens"} {
		var n int
		if err := s.r.QueryRow(`SELECT COUNT(*) FROM ` + tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

func TestJunkCallbacksCostNoWeChatCallAndNoWrite(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	st.d.Connector.public = newLimiter(-1, 0)
	oa := st.d.Scenario.OAAppID
	pending := st.newSession(oa)
	expired := st.newSession(oa)
	st.visit(expired)
	st.d.Sim.PausePushes(true)
	clk.Advance(11 * time.Minute)
	pending2 := st.newSession(oa)
	before := countRows(t, st.d.Store)
	versions := map[string]int64{}
	for _, s := range []api.Session{pending, expired, pending2} {
		versions[s.ID] = st.sessionAs(st.d.ProjectToken, s.ID).Version
	}
	st.d.Sim.ResetCalls()
	for i := 0; i < 50; i++ {
		junk := "queryauthcode@@@made-up-" + randomID(8)
		for _, id := range []string{"", "s_nope" + randomID(4), pending2.ID, expired.ID} {
			if status, _ := st.callback(junk, id); status < 400 {
				t.Fatalf("junk callback for %q answered %d", id, status)
			}
		}
	}
	if n := st.d.Sim.Calls("/cgi-bin/component/api_query_auth"); n != 0 {
		t.Fatalf("junk callbacks made %d WeChat calls", n)
	}
	after := countRows(t, st.d.Store)
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("junk callbacks wrote to %s: %d → %d", k, v, after[k])
		}
	}
	for _, s := range []api.Session{pending2} {
		if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Version != versions[s.ID] {
			t.Fatalf("a junk callback changed session %s", s.ID)
		}
	}
}

func TestLandingVisitsReuseOnePreAuthCode(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.public = newLimiter(-1, 0)
	s := st.newSession(st.d.Scenario.OAAppID)
	st.d.Sim.ResetCalls()
	for i := 0; i < 30; i++ {
		resp, err := http.Get(s.PCURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("visit %d: %d", i, resp.StatusCode)
		}
	}
	if n := st.d.Sim.Calls("/cgi-bin/component/api_create_preauthcode"); n != 1 {
		t.Fatalf("30 visits minted %d pre_auth_codes", n)
	}
	// Once the admin confirmed with it, it is not handed out again.
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	st.waitStatus(s.ID, api.StatusAuthorized)
	if _, ok := st.d.Connector.tok.cached(preAuthKey(s.ID)); ok {
		t.Fatal("a used pre_auth_code is still cached")
	}
}

func TestPublicPagesAreRateLimitedPerClient(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.public = newLimiter(0.01, 5)
	get := func(xff string) int { return st.forwarded("/wechat/callback?auth_code=x&s=y", xff) }
	for i := 0; i < 5; i++ {
		if c := get(""); c == http.StatusTooManyRequests {
			t.Fatalf("limited after %d requests", i)
		}
	}
	if c := get(""); c != http.StatusTooManyRequests {
		t.Fatalf("the 6th request answered %d", c)
	}
	// Without a trusted proxy a made-up X-Forwarded-For changes nothing.
	if c := get("203.0.113.9"); c != http.StatusTooManyRequests {
		t.Fatalf("X-Forwarded-For was trusted from anyone: %d", c)
	}
	// Behind a trusted proxy each forwarded client has its own bucket,
	// and what the client itself put in front is ignored.
	st.d.Connector.cfg.TrustedProxies, _ = ParseTrustedProxies("127.0.0.1")
	if c := get("203.0.113.9"); c == http.StatusTooManyRequests {
		t.Fatal("a forwarded client shared the proxy's bucket")
	}
	for i := 0; i < 6; i++ {
		get("1.2.3.4, 203.0.113.10")
	}
	if c := get("9.9.9.9, 203.0.113.10"); c != http.StatusTooManyRequests {
		t.Fatalf("a client escaped its limit by prepending an address: %d", c)
	}
}
