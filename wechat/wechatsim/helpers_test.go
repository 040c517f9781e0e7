package wechatsim

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/wechat"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, chinaTime)

// pushEvent is a decrypted push as the receiver saw it.
type pushEvent struct {
	AppID, InfoType, Ticket, AuthorizerAppID, AuthorizationCode, PreAuthCode string
	ExpiredTime                                                              int64
	Query                                                                    url.Values
}

// receiver is a platform's 授权事件接收URL that checks and decrypts pushes
// with the production crypto, independently of how the simulator built them.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	events chan pushEvent
	reply  string
	mu     sync.Mutex
	comps  map[string]Component
}

func newReceiver(t *testing.T, comps ...Component) *receiver {
	rc := &receiver{t: t, events: make(chan pushEvent, 64), reply: "success", comps: map[string]Component{}}
	for _, c := range comps {
		rc.comps[c.AppID] = c
	}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		AppID   string `xml:"AppId"`
		Encrypt string `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		rc.t.Errorf("push body is not XML: %v", err)
		return
	}
	rc.mu.Lock()
	c, ok := rc.comps[env.AppID]
	rc.mu.Unlock()
	if !ok {
		rc.t.Errorf("push for unknown component %q", env.AppID)
		return
	}
	q := r.URL.Query()
	if q.Get("encrypt_type") != "aes" || q.Get("signature") != wechat.PlainSignature(c.Token, q.Get("timestamp"), q.Get("nonce")) {
		rc.t.Errorf("push query %v lacks encrypt_type=aes or a valid signature", q)
	}
	mc, err := wechat.NewMsgCrypt(c.Token, c.EncodingAESKey, c.AppID)
	if err != nil {
		rc.t.Fatal(err)
	}
	plain, err := mc.Decrypt(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
	if err != nil {
		rc.t.Errorf("push does not decrypt: %v", err)
		return
	}
	var ev struct {
		AppID             string `xml:"AppId"`
		InfoType          string `xml:"InfoType"`
		Ticket            string `xml:"ComponentVerifyTicket"`
		AuthorizerAppID   string `xml:"AuthorizerAppid"`
		AuthorizationCode string `xml:"AuthorizationCode"`
		ExpiredTime       int64  `xml:"AuthorizationCodeExpiredTime"`
		PreAuthCode       string `xml:"PreAuthCode"`
	}
	if err := xml.Unmarshal(plain, &ev); err != nil {
		rc.t.Errorf("decrypted push is not XML: %v", err)
		return
	}
	rc.events <- pushEvent{ev.AppID, ev.InfoType, ev.Ticket, ev.AuthorizerAppID, ev.AuthorizationCode, ev.PreAuthCode, ev.ExpiredTime, q}
	io.WriteString(w, rc.reply)
}

// next waits for a push of the given type, skipping others.
func (rc *receiver) next(infoType string) pushEvent {
	rc.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-rc.events:
			if ev.InfoType == infoType {
				return ev
			}
		case <-deadline:
			rc.t.Fatalf("no %s push arrived", infoType)
		}
	}
}

// none asserts no push of the type arrives within a short while.
func (rc *receiver) none(infoType string) {
	rc.t.Helper()
	deadline := time.After(200 * time.Millisecond)
	for {
		select {
		case ev := <-rc.events:
			if ev.InfoType == infoType {
				rc.t.Fatalf("unexpected %s push", infoType)
			}
		case <-deadline:
			return
		}
	}
}

// env is a simulator on a fake clock with a receiver and a client.
type env struct {
	t   *testing.T
	s   *Server
	clk *clock.Fake
	rc  *receiver
	c   *wechat.Client
	cmp Component
	ctx context.Context
}

func newEnv(t *testing.T, scenario string) *env {
	t.Helper()
	clk := clock.NewFake(t0)
	cmp := DemoComponent()
	rc := newReceiver(t, cmp)
	cmp.PushURL = rc.srv.URL + "/wechat/events"
	s := New(Options{Scenario: scenario, Clock: clk, Components: []Component{cmp}, Followers: 25001})
	t.Cleanup(s.Close)
	e := &env{t: t, s: s, clk: clk, rc: rc, c: wechat.NewClient(s.URL, s.Client()), cmp: cmp, ctx: context.Background()}
	return e
}

// componentToken waits for the first ticket and mints a token with it.
func (e *env) componentToken() string {
	e.t.Helper()
	ev := e.rc.next("component_verify_ticket")
	tok, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ev.Ticket})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.ComponentAccessToken
}

// bindURL is the H5 link a platform would draw as a QR code.
func (e *env) bindURL(preAuth, redirect string, extra url.Values) string {
	q := url.Values{"action": {"bindcomponent"}, "no_scan": {"1"}, "component_appid": {e.cmp.AppID},
		"pre_auth_code": {preAuth}, "redirect_uri": {redirect}}
	for k, v := range extra {
		q[k] = v
	}
	return e.s.URL + "/wxaopen/safe/bindcomponent?" + q.Encode() + "#wechat_redirect"
}

// authorize runs the whole H5 flow for the demo OA and returns its tokens.
func (e *env) authorize(ctoken string, opts ...ConfirmOption) (*wechat.QueryAuthResult, *Result) {
	e.t.Helper()
	return e.authorizeApp(ctoken, DemoOAAppID, opts...)
}

// authorizeApp runs the H5 flow for one of the demo accounts.
func (e *env) authorizeApp(ctoken, appid string, opts ...ConfirmOption) (*wechat.QueryAuthResult, *Result) {
	e.t.Helper()
	pre, err := e.c.CreatePreAuthCode(e.ctx, ctoken, e.cmp.AppID)
	if err != nil {
		e.t.Fatal(err)
	}
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "done") }))
	e.t.Cleanup(cb.Close)
	page, err := e.s.NewPhone(DemoOAAppID, DemoMPAppID).Open(e.bindURL(pre.PreAuthCode, cb.URL+"/wechat/callback?s=1", url.Values{"biz_appid": {appid}}))
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := page.Confirm(append([]ConfirmOption{WithAccount(appid)}, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	qa, err := e.c.QueryAuth(e.ctx, ctoken, e.cmp.AppID, res.AuthCode)
	if err != nil {
		e.t.Fatal(err)
	}
	return qa, res
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if got := wechat.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %d), want errcode %d", err, got, code)
	}
}
