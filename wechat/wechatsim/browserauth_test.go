package wechatsim

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"oawizard/clock"
	"oawizard/wechat"
)

// A desktop browser: no WeChat user agent, no simulated-phone header, and
// it does not follow redirects, so the test sees each one.
const desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

type browser struct {
	t *testing.T
	b *Browser
}

func newBrowser(t *testing.T) *browser { return &browser{t: t, b: NewBrowser(desktopUA)} }

// do sends one request and does not follow a redirect, so the test sees it.
func (b *browser) do(method, target, referer string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, body, err := b.b.send(method, target, referer, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, body
}

var (
	hiddenRE  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	radioRE   = regexp.MustCompile(`<input type="radio" name="(as|appid)" value="([^"]+)"`)
	checkRE   = regexp.MustCompile(`<input type="checkbox" name="perm" value="(\d+)"`)
	pageKind  = regexp.MustCompile(`data-wechatsim-page="([^"]+)"`)
	actionRE  = regexp.MustCompile(`<form method="get" action="([^"]+)"`)
	linkRE    = regexp.MustCompile(`<a class="btn cancel" href="([^"]+)"`)
	chooserEN = "Who are you?"
)

func kindOf(body string) string {
	if m := pageKind.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func formValues(body string, re *regexp.Regexp) url.Values {
	v := url.Values{}
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		v.Add(html.UnescapeString(m[len(m)-2]), html.UnescapeString(m[len(m)-1]))
	}
	return v
}

type browserEnv struct {
	*env
	cb *httptest.Server
}

func newBrowserEnv(t *testing.T, back func(string) string) *browserEnv {
	clk := clock.NewFake(t0)
	cmp := DemoComponent()
	rc := newReceiver(t, cmp)
	cmp.PushURL = rc.srv.URL + "/wechat/events"
	s := New(Options{Scenario: "ok", Clock: clk, Components: []Component{cmp}, Followers: 100, BrowserAuth: true, BackURL: back})
	t.Cleanup(s.Close)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "done") }))
	t.Cleanup(cb.Close)
	return &browserEnv{&env{t: t, s: s, clk: clk, rc: rc, c: wechat.NewClient(s.URL, s.Client()), cmp: cmp, ctx: context.Background()}, cb}
}

// choose opens the H5 link in a browser and answers "who are you?".
func (e *browserEnv) choose(b *browser, link, referer, as string) (*http.Response, string) {
	e.t.Helper()
	_, body := b.do(http.MethodGet, link, referer, nil)
	if kindOf(body) != "whoami" || !strings.Contains(body, chooserEN) {
		e.t.Fatalf("a browser should first be asked who it is: %s", body)
	}
	roles := formValues(body, radioRE)["as"]
	if !slices.Equal(roles, []string{"oa", "mp", "both", "none"}) {
		e.t.Fatalf("roles offered: %v", roles)
	}
	q := formValues(body, hiddenRE)
	q.Set("as", as)
	action := html.UnescapeString(actionRE.FindStringSubmatch(body)[1])
	return b.do(http.MethodGet, e.s.URL+action+"?"+q.Encode(), e.s.URL+action, nil)
}

func TestBrowserChoosesRoleSetsAndConfirms(t *testing.T) {
	e := newBrowserEnv(t, nil)
	ctok := e.componentToken()
	pre, _ := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	b := newBrowser(t)
	link := e.bindURL(pre.PreAuthCode, e.cb.URL+"/wechat/callback?s=1", url.Values{"auth_type": {"3"}, "category_id_list": {"2|3|24"}})
	_, body := e.choose(b, link, "", "both")
	if kindOf(body) != "bindcomponent" {
		t.Fatalf("after choosing, the authorization page: %s", body)
	}
	accts := formValues(body, radioRE)["appid"]
	perms := checkRE.FindAllStringSubmatch(body, -1)
	if !slices.Equal(accts, []string{DemoOAAppID, DemoMPAppID}) || len(perms) != 3 || !strings.Contains(body, "青禾生活馆") {
		t.Fatalf("offered %v, %d sets: %s", accts, len(perms), body)
	}
	form := url.Values{"page": {pageIDRE.FindStringSubmatch(body)[1]}, "appid": {DemoOAAppID}, "perm": {"2", "3"}, "do": {"confirm"}}
	resp, _ := b.do(http.MethodPost, e.s.URL+"/wxaopen/safe/bindcomponent/confirm", link, form)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("s") != "1" || loc.Query().Get("auth_code") == "" {
		t.Fatalf("confirm answered %d to %v", resp.StatusCode, loc)
	}
	ev := e.rc.next("authorized")
	if ev.AuthorizerAppID != DemoOAAppID || ev.AuthorizationCode != loc.Query().Get("auth_code") {
		t.Fatalf("push %+v", ev)
	}
	qa, err := e.c.QueryAuth(e.ctx, ctok, e.cmp.AppID, ev.AuthorizationCode)
	if err != nil || !slices.Equal(wechat.PermissionIDs(qa.AuthorizationInfo.FuncInfo), []int{2, 3}) {
		t.Fatalf("unticked set 24 must be withheld: %+v %v", qa, err)
	}
}

func TestBrowserNotAdminIsRefusedAndMayChooseAgain(t *testing.T) {
	e := newBrowserEnv(t, nil)
	pre, _ := e.c.CreatePreAuthCode(e.ctx, e.componentToken(), e.cmp.AppID)
	b := newBrowser(t)
	link := e.bindURL(pre.PreAuthCode, e.cb.URL+"/wechat/callback?s=1", url.Values{"biz_appid": {DemoOAAppID}})
	for _, as := range []string{"none", "mp"} {
		_, body := e.choose(b, link, "", as)
		if kindOf(body) != "error" || !strings.Contains(body, textNotAdmin) || !strings.Contains(body, "not an admin") {
			t.Fatalf("%s: %s", as, body)
		}
		again := html.UnescapeString(linkRE.FindStringSubmatch(body)[1])
		if _, body := b.do(http.MethodGet, e.s.URL+again, "", nil); kindOf(body) != "whoami" {
			t.Fatalf("choose another role: %s", body)
		}
	}
	// The refusal spent nothing: the OA's admin can still authorize.
	if _, body := e.choose(b, link, "", "oa"); kindOf(body) != "bindcomponent" {
		t.Fatalf("the OA's admin: %s", body)
	}
}

func TestBrowserCancelGoesBack(t *testing.T) {
	landing := "http://127.0.0.1/a/ABCD"
	var asked string
	e := newBrowserEnv(t, func(redirect string) string { asked = redirect; return landing })
	pre, _ := e.c.CreatePreAuthCode(e.ctx, e.componentToken(), e.cmp.AppID)
	b := newBrowser(t)
	redirect := e.cb.URL + "/wechat/callback?s=7"
	link := e.bindURL(pre.PreAuthCode, redirect, url.Values{"biz_appid": {DemoOAAppID}})
	_, body := e.choose(b, link, "http://127.0.0.1/", "oa")
	form := url.Values{"page": {pageIDRE.FindStringSubmatch(body)[1]}, "appid": {DemoOAAppID}, "perm": {"2"}, "do": {"cancel"}}
	resp, _ := b.do(http.MethodPost, e.s.URL+"/wxaopen/safe/bindcomponent/confirm", link, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != landing || asked != redirect {
		t.Fatalf("cancel answered %d to %q (asked with %q)", resp.StatusCode, resp.Header.Get("Location"), asked)
	}
	e.rc.none("authorized")
	// The pre_auth_code was not spent: confirming on a fresh page works.
	_, body = e.choose(b, link, "", "oa")
	form.Set("page", pageIDRE.FindStringSubmatch(body)[1])
	form.Set("do", "confirm")
	if resp, _ := b.do(http.MethodPost, e.s.URL+"/wxaopen/safe/bindcomponent/confirm", link, form); resp.StatusCode != http.StatusFound {
		t.Fatalf("confirm after cancel: %d", resp.StatusCode)
	}
}

func TestBrowserCancelWithoutBackURLUsesTheFullReferer(t *testing.T) {
	e := newBrowserEnv(t, nil)
	pre, _ := e.c.CreatePreAuthCode(e.ctx, e.componentToken(), e.cmp.AppID)
	b := newBrowser(t)
	link := e.bindURL(pre.PreAuthCode, e.cb.URL+"/wechat/callback?s=1", url.Values{"biz_appid": {DemoOAAppID}})
	for referer, want := range map[string]string{"http://127.0.0.1/a/XYZ": "http://127.0.0.1/a/XYZ", "http://127.0.0.1/": ""} {
		_, body := e.choose(b, link, referer, "oa")
		form := url.Values{"page": {pageIDRE.FindStringSubmatch(body)[1]}, "do": {"cancel"}}
		resp, body := b.do(http.MethodPost, e.s.URL+"/wxaopen/safe/bindcomponent/confirm", link, form)
		if want != "" && resp.Header.Get("Location") != want {
			t.Fatalf("referer %s: back to %q", referer, resp.Header.Get("Location"))
		}
		if want == "" && (resp.StatusCode != http.StatusOK || kindOf(body) != "cancelled") {
			t.Fatalf("an origin-only Referer names no page to go back to: %d %s", resp.StatusCode, body)
		}
	}
}

func TestWithoutBrowserAuthABrowserIsTurnedAway(t *testing.T) {
	e := newEnv(t, "ok")
	pre, _ := e.c.CreatePreAuthCode(e.ctx, e.componentToken(), e.cmp.AppID)
	_, body := newBrowser(t).do(http.MethodGet, e.bindURL(pre.PreAuthCode, "http://127.0.0.1/cb", url.Values{"biz_appid": {DemoOAAppID}}), "", nil)
	if !strings.Contains(body, textNotInWeChat) {
		t.Fatalf("%s", body)
	}
}
