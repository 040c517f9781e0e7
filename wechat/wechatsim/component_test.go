package wechatsim

import (
	"strings"
	"testing"
	"time"

	"oawizard/wechat"
)

func TestTicketIsPushedEncryptedAndPeriodically(t *testing.T) {
	e := newEnv(t, "ok")
	first := e.rc.next("component_verify_ticket")
	if first.AppID != e.cmp.AppID || !strings.HasPrefix(first.Ticket, "ticket@@@") {
		t.Fatalf("first push %+v", first)
	}
	for e.clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	e.clk.Advance(10 * time.Minute)
	second := e.rc.next("component_verify_ticket")
	if second.Ticket == first.Ticket || e.s.Ticket(e.cmp.AppID) != second.Ticket {
		t.Fatal("the periodic push did not bring a new ticket")
	}
}

func TestPausedPushesSendNothingAndStartPushTicketResumes(t *testing.T) {
	e := newEnv(t, "ok")
	e.rc.next("component_verify_ticket")
	e.s.PausePushes(true)
	for e.clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	e.clk.Advance(10 * time.Minute)
	e.rc.none("component_verify_ticket")
	if err := e.c.StartPushTicket(e.ctx, e.cmp.AppID, "wrong"); wechat.ErrorCode(err) != 40125 {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := e.c.StartPushTicket(e.ctx, e.cmp.AppID, e.cmp.Secret); err != nil {
		t.Fatal(err)
	}
	e.rc.next("component_verify_ticket")
}

func TestSecondComponentOnSameURLGetsItsOwnTickets(t *testing.T) {
	e := newEnv(t, "ok")
	e.rc.next("component_verify_ticket")
	other := Component{AppID: "wx00112233445566aa", Secret: "s2", Token: "tok2", EncodingAESKey: randomAESKey(), AuthDomain: "127.0.0.1"}
	e.rc.mu.Lock()
	e.rc.comps[other.AppID] = other
	e.rc.mu.Unlock()
	other.PushURL = e.cmp.PushURL
	e.s.AddComponent(other)
	ev := e.rc.next("component_verify_ticket")
	if ev.AppID != other.AppID || ev.Ticket != e.s.Ticket(other.AppID) {
		t.Fatalf("second component's push %+v", ev)
	}
	// A ticket belongs to its component only.
	_, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ev.Ticket})
	wantCode(t, err, 61006)
}

func TestComponentTokenErrors(t *testing.T) {
	e := newEnv(t, "ok")
	ticket := e.rc.next("component_verify_ticket").Ticket
	req := func(appid, secret, ticket string) error {
		_, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: appid, ComponentAppSecret: secret, ComponentVerifyTicket: ticket})
		return err
	}
	wantCode(t, req("", e.cmp.Secret, ticket), 41018)
	wantCode(t, req("wx0000000000000000", e.cmp.Secret, ticket), 61011)
	wantCode(t, req(e.cmp.AppID, "", ticket), 41004)
	wantCode(t, req(e.cmp.AppID, "nope", ticket), 40125)
	wantCode(t, req(e.cmp.AppID, e.cmp.Secret, ""), 61006)
	wantCode(t, req(e.cmp.AppID, e.cmp.Secret, "ticket@@@made-up"), 61006)
	if err := req(e.cmp.AppID, e.cmp.Secret, ticket); err != nil {
		t.Fatal(err)
	}
	e.s.PausePushes(true)
	e.clk.Advance(TicketLifetime)
	wantCode(t, req(e.cmp.AppID, e.cmp.Secret, ticket), 61005)
}

func TestComponentTokenLifetimeAndRotation(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.componentToken()
	if _, err := e.c.CreatePreAuthCode(e.ctx, tok, e.cmp.AppID); err != nil {
		t.Fatal(err)
	}
	e.s.PausePushes(true)
	e.clk.Advance(TokenLifetime)
	_, err := e.c.CreatePreAuthCode(e.ctx, tok, e.cmp.AppID)
	wantCode(t, err, 42001)

	fresh := func() string {
		tk, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: e.s.Ticket(e.cmp.AppID)})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ComponentAccessToken
	}
	e.s.PushTicket(e.cmp.AppID)
	a := fresh()
	b := fresh()
	if a == b {
		t.Fatal("a re-fetch returned the same token")
	}
	if _, err := e.c.CreatePreAuthCode(e.ctx, a, e.cmp.AppID); err != nil {
		t.Fatalf("old token within the overlap: %v", err)
	}
	e.clk.Advance(tokenOverlap)
	_, err = e.c.CreatePreAuthCode(e.ctx, a, e.cmp.AppID)
	wantCode(t, err, 42001)
	e.s.InvalidateComponentToken(e.cmp.AppID)
	_, err = e.c.CreatePreAuthCode(e.ctx, b, e.cmp.AppID)
	wantCode(t, err, 40001)
	_, err = e.c.CreatePreAuthCode(e.ctx, "", e.cmp.AppID)
	wantCode(t, err, 41001)
	_, err = e.c.CreatePreAuthCode(e.ctx, "bad token!", e.cmp.AppID)
	wantCode(t, err, 40014)
}

func TestComponentWhitelistEchoesCallerIP(t *testing.T) {
	e := newEnv(t, "ip-not-whitelisted")
	ticket := e.rc.next("component_verify_ticket").Ticket
	_, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ticket})
	wantCode(t, err, 61004)
	if !strings.Contains(err.Error(), "requestIP: 127.0.0.1") {
		t.Fatalf("61004 should name the caller: %v", err)
	}
	e.s.SetComponentWhitelist([]string{"127.0.0.0/8"})
	if _, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ticket}); err != nil {
		t.Fatal(err)
	}
}

func TestTokenKindsAreNotInterchangeable(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok)
	atok := qa.AuthorizationInfo.AuthorizerAccessToken
	_, err := e.c.CreatePreAuthCode(e.ctx, atok, e.cmp.AppID)
	wantCode(t, err, 61014)
	_, err = e.c.UserGet(e.ctx, ctok, "")
	wantCode(t, err, 48001)
}

func TestWrongMethodAndMalformedBody(t *testing.T) {
	e := newEnv(t, "ok")
	err := e.c.Do(e.ctx, "GET", "/cgi-bin/component/api_component_token", nil, nil, nil)
	wantCode(t, err, 43002)
	raw, err := e.c.DoRaw(e.ctx, "POST", "/cgi-bin/component/api_component_token", nil, "not an object")
	if err != nil || !strings.Contains(string(raw), "47001") {
		t.Fatalf("malformed JSON: %s %v", raw, err)
	}
	err = e.c.Do(e.ctx, "POST", "/cgi-bin/component/api_component_token", nil, nil, nil)
	wantCode(t, err, 44002)
	if e.s.Calls("/cgi-bin/component/api_component_token") != 3 {
		t.Fatalf("calls counted: %d", e.s.Calls("/cgi-bin/component/api_component_token"))
	}
}

func TestAuthorizerListAndRefreshToken(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok)
	list, err := e.c.AuthorizerList(e.ctx, ctok, e.cmp.AppID, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	if list.TotalCount != 1 || list.List[0].AuthorizerAppID != DemoOAAppID || list.List[0].RefreshToken != qa.AuthorizationInfo.AuthorizerRefreshToken {
		t.Fatalf("authorizer list %+v", list)
	}
	_, err = e.c.AuthorizerList(e.ctx, ctok, e.cmp.AppID, 0, 501)
	wantCode(t, err, 40170)
	at, err := e.c.AuthorizerToken(e.ctx, ctok, e.cmp.AppID, DemoOAAppID, list.List[0].RefreshToken)
	if err != nil || at.AuthorizerRefreshToken == "" || at.AuthorizerAccessToken == qa.AuthorizationInfo.AuthorizerAccessToken {
		t.Fatalf("refresh: %+v %v", at, err)
	}
	_, err = e.c.AuthorizerToken(e.ctx, ctok, e.cmp.AppID, DemoOAAppID, "")
	wantCode(t, err, 61023)
}
