package wechatsim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/wechat"
)

func TestH5AuthorizationEndToEnd(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	pre, err := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	if err != nil || pre.ExpiresIn != 600 || !strings.HasPrefix(pre.PreAuthCode, "preauthcode@@@") {
		t.Fatalf("pre_auth_code %+v %v", pre, err)
	}
	var got url.Values
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		io.WriteString(w, "完成，请回到电脑")
	}))
	defer cb.Close()
	phone := e.s.NewPhone(DemoOAAppID)
	page, err := phone.Open(e.bindURL(pre.PreAuthCode, cb.URL+"/wechat/callback?session=abc", url.Values{"biz_appid": {DemoOAAppID}, "category_id_list": {"2|3|24"}}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page.Accounts, []string{DemoOAAppID}) || !slices.Equal(page.Permissions, []int{2, 3, 24}) {
		t.Fatalf("page offers %v %v", page.Accounts, page.Permissions)
	}
	res, err := page.Confirm()
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("session") != "abc" || got.Get("auth_code") != res.AuthCode || got.Get("expires_in") != "600" || res.Body != "完成，请回到电脑" {
		t.Fatalf("callback query %v, result %+v", got, res)
	}
	ev := e.rc.next("authorized")
	if ev.AuthorizerAppID != DemoOAAppID || ev.AuthorizationCode != res.AuthCode || ev.PreAuthCode != pre.PreAuthCode ||
		ev.ExpiredTime != t0.Add(AuthCodeLifetime).Unix() {
		t.Fatalf("authorized push %+v", ev)
	}
	qa, err := e.c.QueryAuth(e.ctx, ctok, e.cmp.AppID, res.AuthCode)
	if err != nil {
		t.Fatal(err)
	}
	info := qa.AuthorizationInfo
	if info.AuthorizerAppID != DemoOAAppID || info.AuthorizerAccessToken == "" || info.AuthorizerRefreshToken == "" ||
		!slices.Equal(wechat.PermissionIDs(info.FuncInfo), []int{2, 3, 24}) {
		t.Fatalf("query auth %+v", info)
	}
	_, err = e.c.QueryAuth(e.ctx, ctok, e.cmp.AppID, res.AuthCode)
	wantCode(t, err, 61010)

	// The pre_auth_code served one account; it cannot serve another.
	_, err = e.s.NewPhone(DemoMPAppID).Open(e.bindURL(pre.PreAuthCode, cb.URL, url.Values{"auth_type": {"3"}}))
	var pe *PageError
	if !errors.As(err, &pe) || !strings.Contains(pe.Text, "已失效") {
		t.Fatalf("reused pre_auth_code: %v", err)
	}
}

func TestAuthCodeAndPreAuthCodeExpire(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	pre, _ := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	e.s.PausePushes(true)
	e.clk.Advance(PreAuthCodeLifetime)
	_, err := e.s.NewPhone(DemoOAAppID).Open(e.bindURL(pre.PreAuthCode, "http://127.0.0.1/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	var pe *PageError
	if !errors.As(err, &pe) || !strings.Contains(pe.Text, "已失效") {
		t.Fatalf("expired pre_auth_code: %v", err)
	}
	ctok = e.componentTokenNow()
	_, res := e.authorizeNoQuery(ctok)
	e.clk.Advance(AuthCodeLifetime)
	_, err = e.c.QueryAuth(e.ctx, e.componentTokenNow(), e.cmp.AppID, res.AuthCode)
	wantCode(t, err, 61010)
}

// componentTokenNow mints a token with a ticket pushed on demand.
func (e *env) componentTokenNow() string {
	e.t.Helper()
	e.s.PushTicket(e.cmp.AppID)
	tk, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: e.s.Ticket(e.cmp.AppID)})
	if err != nil {
		e.t.Fatal(err)
	}
	return tk.ComponentAccessToken
}

func (e *env) authorizeNoQuery(ctok string) (*AuthPage, *Result) {
	e.t.Helper()
	pre, err := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	if err != nil {
		e.t.Fatal(err)
	}
	page, err := e.s.NewPhone(DemoOAAppID).Open(e.bindURL(pre.PreAuthCode, "http://127.0.0.1:1/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	if err != nil {
		e.t.Fatal(err)
	}
	res, _ := page.Confirm() // the callback host does not answer; the code is what matters
	if res == nil || res.AuthCode == "" {
		e.t.Fatal("no auth code")
	}
	return page, res
}

func TestBindPageRules(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	mint := func() string {
		p, err := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
		if err != nil {
			t.Fatal(err)
		}
		return p.PreAuthCode
	}
	open := func(p *Phone, u string) string {
		_, err := p.Open(u)
		var pe *PageError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: want an error page, got %v", u, err)
		}
		return pe.Text
	}
	admin := e.s.NewPhone(DemoOAAppID)
	if txt := open(e.s.NewPhone(DemoMPAppID), e.bindURL(mint(), "http://127.0.0.1/cb", url.Values{"biz_appid": {DemoOAAppID}})); !strings.Contains(txt, "管理员") {
		t.Fatalf("non-admin: %s", txt)
	}
	if txt := open(admin, e.bindURL(mint(), "http://evil.example/cb", url.Values{"biz_appid": {DemoOAAppID}})); !strings.Contains(txt, "回调地址") {
		t.Fatalf("foreign redirect_uri: %s", txt)
	}
	// Outside WeChat the page refuses.
	resp, err := http.Get(e.bindURL(mint(), "http://127.0.0.1/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), textNotInWeChat) {
		t.Fatal("a desktop browser reached the H5 page")
	}
	// auth_type=3 offers both accounts; WithAccount picks the MP; the
	// older host path works too.
	page, err := e.s.NewPhone(DemoOAAppID, DemoMPAppID).Open(strings.Replace(e.bindURL(mint(), "http://127.0.0.1:1/cb", url.Values{"auth_type": {"3"}}), "/wxaopen/safe/", "/safe/", 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Accounts) != 2 {
		t.Fatalf("auth_type=3 offers %v", page.Accounts)
	}
	res, _ := page.Confirm(WithAccount(DemoMPAppID))
	if res == nil || res.AuthorizerAppID != DemoMPAppID {
		t.Fatalf("picked account: %+v", res)
	}
	if ev := e.rc.next("authorized"); ev.AuthorizerAppID != DemoMPAppID {
		t.Fatalf("push for %s", ev.AuthorizerAppID)
	}
	// With biz_appid no other account can be chosen.
	page, err = admin.Open(e.bindURL(mint(), "http://127.0.0.1:1/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(WithAccount(DemoMPAppID)); err == nil {
		t.Fatal("biz_appid did not restrict the account")
	}
}

func TestUntickedSetsAreWithheld(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok, Untick(24, 3))
	ids := wechat.PermissionIDs(qa.AuthorizationInfo.FuncInfo)
	if slices.Contains(ids, 24) || slices.Contains(ids, 3) || !slices.Contains(ids, 2) {
		t.Fatalf("granted %v", ids)
	}
	tok := qa.AuthorizationInfo.AuthorizerAccessToken
	_, err := e.c.OpenGet(e.ctx, tok, "")
	wantCode(t, err, 61007)
	_, err = e.c.AccountBasicInfo(e.ctx, tok)
	wantCode(t, err, 61007)
	if _, err := e.c.UserGet(e.ctx, tok, ""); err != nil {
		t.Fatal(err)
	}
}

func TestExclusiveSetHeldElsewhereIsNotGranted(t *testing.T) {
	e := newEnv(t, "ok")
	e.s.UpdateAccount(DemoOAAppID, func(a *Account) { a.HeldElsewhere = []int{24} })
	qa, _ := e.authorize(e.componentToken())
	if slices.Contains(wechat.PermissionIDs(qa.AuthorizationInfo.FuncInfo), 24) {
		t.Fatal("set 24 granted although another platform holds it")
	}
}

func TestPCPageChecksReferer(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	pre, _ := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	q := url.Values{"component_appid": {e.cmp.AppID}, "pre_auth_code": {pre.PreAuthCode}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "auth_type": {"1"}}
	pc := e.s.URL + "/cgi-bin/componentloginpage?" + q.Encode()
	get := func(referer string) string {
		req, _ := http.NewRequest("GET", pc, nil)
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := get(""); !strings.Contains(body, "授权入口页所在域名：空") {
		t.Fatalf("no Referer: %s", body)
	}
	if body := get("https://other.example/start"); !strings.Contains(body, "授权入口页所在域名：other.example") {
		t.Fatalf("foreign Referer: %s", body)
	}
	body := get("http://127.0.0.1:8080/start")
	scan, ok := ScanURL(body)
	if !ok {
		t.Fatalf("PC page from the right domain shows no QR: %s", body)
	}
	page, err := e.s.NewPhone(DemoOAAppID).Open(scan)
	if err != nil || page.Accounts[0] != DemoOAAppID {
		t.Fatalf("scanning the PC QR: %v", err)
	}
}

// A landing page on the platform's domain that forwards by meta refresh,
// as the connector's does, and counts visits.
func TestPhoneFollowsMetaRefreshAndCancelGoesBack(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	var mu sync.Mutex
	var visits []string
	landing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		visits = append(visits, r.URL.Path+" ref="+r.Referer())
		mu.Unlock()
		switch r.URL.Path {
		case "/a/K7Q2":
			http.Redirect(w, r, "/landing", http.StatusFound)
		case "/landing":
			pre, _ := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
			target := e.bindURL(pre.PreAuthCode, "http://127.0.0.1:1/cb", url.Values{"biz_appid": {DemoOAAppID}})
			fmt.Fprintf(w, `<html><head><meta http-equiv="refresh" content="0;url=%s"></head><body>K7Q2</body></html>`, strings.ReplaceAll(target, "&", "&amp;"))
		}
	}))
	defer landing.Close()
	page, err := e.s.NewPhone(DemoOAAppID).Open(landing.URL + "/a/K7Q2")
	if err != nil {
		t.Fatal(err)
	}
	if err := page.Cancel(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/a/K7Q2 ref=", "/landing ref=", "/landing ref="}
	if !slices.Equal(visits, want) {
		t.Fatalf("visits %q, want %q", visits, want)
	}
	e.rc.none("authorized")
}

func TestPushAfterRedirectOrder(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	e.s.SetPushOrder(false)
	var order []string
	var mu sync.Mutex
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, "callback")
		mu.Unlock()
	}))
	defer cb.Close()
	pre, _ := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	page, err := e.s.NewPhone(DemoOAAppID).Open(e.bindURL(pre.PreAuthCode, cb.URL+"/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	e.rc.next("authorized")
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 1 {
		t.Fatal("the callback did not come before the push")
	}
}

func TestUnauthorizeAndReauthorize(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok)
	e.rc.next("authorized")
	info := qa.AuthorizationInfo
	if err := e.s.Unauthorize(e.cmp.AppID, DemoOAAppID); err != nil {
		t.Fatal(err)
	}
	if ev := e.rc.next("unauthorized"); ev.AuthorizerAppID != DemoOAAppID || ev.AuthorizationCode != "" {
		t.Fatalf("unauthorized push %+v", ev)
	}
	_, err := e.c.UserGet(e.ctx, info.AuthorizerAccessToken, "")
	wantCode(t, err, 40001)
	_, err = e.c.AuthorizerToken(e.ctx, ctok, e.cmp.AppID, DemoOAAppID, info.AuthorizerRefreshToken)
	wantCode(t, err, 61023)
	_, err = e.c.AuthorizerInfo(e.ctx, ctok, e.cmp.AppID, DemoOAAppID)
	wantCode(t, err, 61003)

	qa2, _ := e.authorize(ctok)
	if qa2.AuthorizationInfo.AuthorizerRefreshToken == info.AuthorizerRefreshToken {
		t.Fatal("re-authorization kept the old refresh token")
	}
	e.rc.next("authorized")
	// Re-authorizing with changed sets pushes updateauthorized and ends the
	// previous authorizer token.
	e.authorize(ctok, Untick(1))
	if ev := e.rc.next("updateauthorized"); ev.AuthorizationCode == "" {
		t.Fatal("updateauthorized without a code")
	}
	_, err = e.c.UserGet(e.ctx, qa2.AuthorizationInfo.AuthorizerAccessToken, "")
	wantCode(t, err, 40001)
	if err := e.s.UpdateAuthorization(e.cmp.AppID, DemoOAAppID, []int{2, 3}); err != nil {
		t.Fatal(err)
	}
	e.rc.next("updateauthorized")
	if ids, _ := e.s.Authorization(e.cmp.AppID, DemoOAAppID); !slices.Equal(ids, []int{2, 3}) {
		t.Fatalf("sets now %v", ids)
	}
	if err := e.s.UpdateAuthorization(e.cmp.AppID, DemoOAAppID, []int{3, 2}); err != nil {
		t.Fatal(err)
	}
	e.rc.none("updateauthorized")
}

func TestDelayedPushArrivesLate(t *testing.T) {
	e := newEnv(t, "ok")
	e.rc.next("component_verify_ticket")
	e.s.DelayPushes(time.Minute)
	done := make(chan error, 1)
	go func() { done <- e.s.PushTicket(e.cmp.AppID) }()
	e.rc.none("component_verify_ticket")
	for e.clk.Waiters() < 2 {
		time.Sleep(time.Millisecond)
	}
	e.clk.Advance(time.Minute)
	e.rc.next("component_verify_ticket")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
