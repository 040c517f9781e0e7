package connector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/wechat"
	"oawizard/wechat/wechatsim"
)

// pushRaw posts a hand-made push to the connector.
func (st *stack) pushRaw(q url.Values, body string) int {
	st.t.Helper()
	resp, err := http.Post(st.d.URL+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		st.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// sealedPush encrypts inner the way WeChat does for the demo component.
func sealedPush(t *testing.T, inner string, ts time.Time, nonce string, key, appid string) (url.Values, string) {
	comp := wechatsim.DemoComponent()
	mc, err := wechat.NewMsgCrypt(comp.Token, key, appid)
	if err != nil {
		t.Fatal(err)
	}
	tss := strconv.FormatInt(ts.Unix(), 10)
	enc, sig, err := mc.Encrypt([]byte(inner), tss, nonce)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"timestamp": {tss}, "nonce": {nonce}, "msg_signature": {sig}, "encrypt_type": {"aes"}, "signature": {wechat.PlainSignature(comp.Token, tss, nonce)}}
	return q, fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><Encrypt><![CDATA[%s]]></Encrypt></xml>", appid, enc)
}

func ticketXML(appid, ticket string) string {
	return fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[%s]]></ComponentVerifyTicket></xml>", appid, ticket)
}

func TestBadPushesAreRefusedAndStoreNothing(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	ctx := context.Background()
	before, _, _ := st.d.Store.Ticket(ctx, comp.AppID)
	now := time.Now()
	good := func(nonce string) (url.Values, string) {
		return sealedPush(t, ticketXML(comp.AppID, "ticket@@@forged-"+nonce), now, nonce, comp.EncodingAESKey, comp.AppID)
	}
	cases := map[string]func() (url.Values, string){
		"bad signature": func() (url.Values, string) {
			q, b := good("1")
			q.Set("msg_signature", strings.Repeat("0", 40))
			return q, b
		},
		"plain signature only": func() (url.Values, string) { q, b := good("2"); q.Del("msg_signature"); return q, b },
		"tampered body": func() (url.Values, string) {
			q, b := good("3")
			return q, strings.Replace(b, "<Encrypt><![CDATA[", "<Encrypt><![CDATA[AAAA", 1)
		},
		"wrong key": func() (url.Values, string) {
			return sealedPush(t, ticketXML(comp.AppID, "x"), now, "4", strings.Repeat("k", 43), comp.AppID)
		},
		"other component": func() (url.Values, string) {
			return sealedPush(t, ticketXML("wx00112233445566aa", "x"), now, "5", comp.EncodingAESKey, "wx00112233445566aa")
		},
		"stale timestamp": func() (url.Values, string) {
			return sealedPush(t, ticketXML(comp.AppID, "x"), now.Add(-time.Hour), "6", comp.EncodingAESKey, comp.AppID)
		},
		"malformed XML": func() (url.Values, string) { q, _ := good("7"); return q, "<xml><AppId>" },
		"oversized":     func() (url.Values, string) { q, b := good("8"); return q, b + strings.Repeat(" ", maxPushBody) },
	}
	for name, mk := range cases {
		q, body := mk()
		if code := st.pushRaw(q, body); code < 400 || code > 499 {
			t.Errorf("%s: answered %d", name, code)
		}
	}
	if after, _, _ := st.d.Store.Ticket(ctx, comp.AppID); !bytes.Equal(after, before) {
		t.Fatal("a refused push changed the ticket")
	}
	// A genuine push is taken once; the same nonce again is a replay.
	q, body := good("9")
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("genuine push: %d", code)
	}
	if code := st.pushRaw(q, body); code != http.StatusConflict {
		t.Fatalf("replayed push: %d", code)
	}
	logs := st.logs.String()
	if !strings.Contains(logs, "bad msg_signature") || strings.Contains(logs, "forged") {
		t.Fatal("refusals must be logged with a reason and without the body")
	}
}

func TestPreviousAESKeyStillOpensPushes(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	rotated := strings.Repeat("N", 43)
	cfg := st.d.Connector.cfg
	cfg.Secrets.PrevEncodingAESKey, cfg.Secrets.EncodingAESKey = cfg.Secrets.EncodingAESKey, rotated
	srv, err := New(cfg, st.d.Store)
	if err != nil {
		t.Fatal(err)
	}
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@old-key"), time.Now(), "42", comp.EncodingAESKey, comp.AppID)
	rec := &respRecorder{h: http.Header{}}
	req, _ := http.NewRequest("POST", "/wechat/events?"+q.Encode(), bytes.NewBufferString(body))
	srv.Handler().ServeHTTP(rec, req)
	if rec.code != 200 || rec.body.String() != "success" {
		t.Fatalf("push under the previous key: %d %s", rec.code, rec.body.String())
	}
}

type respRecorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *respRecorder) Header() http.Header { return r.h }
func (r *respRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.body.Write(b)
}
func (r *respRecorder) WriteHeader(c int) { r.code = c }

func TestNoTicketYetMeansWaitingNotAWeChatCall(t *testing.T) {
	sim := wechatsim.New(wechatsim.Options{PushInterval: -1})
	defer sim.Close()
	store, _ := OpenStore(t.TempDir() + "/c.db")
	defer store.Close()
	comp := wechatsim.DemoComponent()
	srv, err := New(Config{PublicURL: "http://127.0.0.1:1", APIBase: sim.URL, OpenBase: sim.URL, MPBase: sim.URL, ComponentAppID: comp.AppID,
		Secrets: Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: strings.Repeat("s", 32)}}, store)
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.tok.component(context.Background())
	if err != ErrWaitingForTicket {
		t.Fatalf("want waiting for ticket, got %v", err)
	}
	if n := sim.Calls("/cgi-bin/component/api_component_token"); n != 0 {
		t.Fatalf("called WeChat %d times with no ticket", n)
	}
	st := ReadStatus(context.Background(), store, comp.AppID, time.Now(), true)
	if st.Ticket.State != "waiting" || st.OK {
		t.Fatalf("status %+v", st)
	}
}

func TestPushesPausedForHoursKeepTheLastTicket(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	st.d.Sim.PausePushes(true)
	clk.Advance(6 * time.Hour)
	if v := st.authorize(st.d.Scenario.OAAppID); v.Status != api.StatusAuthorized {
		t.Fatalf("after 6 h without pushes: %+v", v)
	}
}

func TestTokensRotatedElsewhereAreRefreshedOnce(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait() // the facts read after authorizing uses tokens too
	st.d.Sim.InvalidateAuthorizerToken(oa)
	st.d.Sim.InvalidateComponentToken(wechatsim.DemoComponent().AppID)
	st.d.Sim.ResetCalls()
	if code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/openapi/quota/get", "POST", map[string]string{"cgi_path": "/cgi-bin/user/get"}); code != 200 || strings.Contains(string(body), "40001") {
		t.Fatalf("relay after rotation: %d %s", code, body)
	}
	// The first authorizer refresh is refused (its component token is stale
	// too); the component token is renewed once and the refresh retried once.
	if a, c := st.d.Sim.Calls("/cgi-bin/component/api_authorizer_token"), st.d.Sim.Calls("/cgi-bin/component/api_component_token"); a != 2 || c != 1 {
		t.Fatalf("refreshes: authorizer %d, component %d; want 2 and 1", a, c)
	}
}

func TestManyCallersAtExpiryMakeOneRefresh(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	st.d.Sim.PausePushes(true)
	clk.Advance(2 * time.Hour)
	st.d.Sim.ResetCalls()
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/openapi/quota/get", "POST", map[string]string{"cgi_path": "/cgi-bin/user/get"})
			if code != 200 || strings.Contains(string(body), "errcode\":4") {
				errs <- fmt.Sprintf("%d %s", code, body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if a, c := st.d.Sim.Calls("/cgi-bin/component/api_authorizer_token"), st.d.Sim.Calls("/cgi-bin/component/api_component_token"); a != 1 || c != 1 {
		t.Fatalf("200 callers made %d authorizer and %d component refreshes", a, c)
	}
}

func TestRevokedAuthorizationAnswersNeedsReauthorization(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	if err := st.d.Sim.Unauthorize(wechatsim.DemoComponent().AppID, oa); err != nil {
		t.Fatal(err)
	}
	code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil)
	if code != http.StatusConflict || !strings.Contains(string(body), "needs_reauthorization") {
		t.Fatalf("relay after unauthorized: %d %s", code, body)
	}
	var acct api.Account
	st.call("POST", "/v1/accounts/"+oa+"/refresh", st.d.ProjectToken, nil, &acct)
	if acct.Authorized || !acct.NeedsReauthorization {
		t.Fatalf("facts after revocation %+v", acct)
	}
	// Authorizing again brings it back.
	st.authorize(oa)
	if code, _ := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 200 {
		t.Fatalf("after re-authorization: %d", code)
	}
}

func TestLostRefreshTokenIsRecoveredFromTheList(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	// The facts read after the authorization fetches a token too; once
	// it is done, the relay below is the only one to need the list.
	st.d.Connector.bg.Wait()
	ctx := context.Background()
	a, _ := st.d.Store.Authorizer(ctx, oa)
	a.RefreshSealed = nil
	st.d.Store.SaveAuthorizer(ctx, a)
	st.d.Connector.tok.dropAuthorizer(ctx, oa)
	if code, _ := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 200 {
		t.Fatalf("relay with a lost refresh token: %d", code)
	}
	if n := st.d.Sim.Calls("/cgi-bin/component/api_get_authorizer_list"); n != 1 {
		t.Fatalf("authorizer list read %d times", n)
	}
}

func TestUnauthorizedMidRelayWithoutThePush(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	// The push is lost: only WeChat's answers tell.
	st.d.Sim.SetPushURL(wechatsim.DemoComponent().AppID, "")
	st.d.Sim.Unauthorize(wechatsim.DemoComponent().AppID, oa)
	code, _ := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil)
	if code != http.StatusConflict {
		t.Fatalf("relay: %d", code)
	}
}

func TestRestartKeepsTicketTokensAndSessions(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	v := st.authorize(oa)
	cfg := st.d.Connector.cfg
	// A second process on the same database: nothing is fetched again.
	srv, err := New(cfg, st.d.Store)
	if err != nil {
		t.Fatal(err)
	}
	st.d.Sim.ResetCalls()
	tok, err := srv.tok.authorizer(context.Background(), oa)
	if err != nil || tok == "" {
		t.Fatal(err)
	}
	if n := st.d.Sim.Calls("/cgi-bin/component/api_authorizer_token") + st.d.Sim.Calls("/cgi-bin/component/api_component_token"); n != 0 {
		t.Fatalf("restart refetched %d tokens", n)
	}
	x, err := srv.loadSession(context.Background(), v.ID)
	if err != nil || x.Status != api.StatusAuthorized {
		t.Fatalf("session after restart: %+v %v", x, err)
	}
	// A different store key cannot open the sealed tokens.
	cfg.Secrets.StoreKey = strings.Repeat("z", 32)
	other, _ := New(cfg, st.d.Store)
	if _, err := other.tok.seal.open(mustToken(t, st.d.Store, authorizerKey(oa)), authorizerKey(oa)); err == nil {
		t.Fatal("sealed token opened with another key")
	}
}

func mustToken(t *testing.T, s Store, key string) []byte {
	b, _, err := s.Token(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMessagesAreAcknowledgedOnlyWhenGenuine(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	q, body := sealedPush(t, "<xml><MsgType>text</MsgType></xml>", time.Now(), "77", comp.EncodingAESKey, comp.AppID)
	resp, err := http.Post(st.d.URL+"/wechat/messages/wx5a3c9e1f7b2d4806?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(reply) != "success" {
		t.Fatalf("genuine message: %d %q", resp.StatusCode, reply)
	}
	q.Set("msg_signature", strings.Repeat("1", 40))
	resp, _ = http.Post(st.d.URL+"/wechat/messages/wx5a3c9e1f7b2d4806?"+q.Encode(), "text/xml", strings.NewReader(body))
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged message: %d", resp.StatusCode)
	}
}
