package connector

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

func TestAuthorizeFactsAndRelayEndToEnd(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	s := st.newSession(oa)
	if s.Status != api.StatusPending || !strings.HasPrefix(s.QRURL, st.d.URL+"/a/") || s.PCURL != s.QRURL+"?pc=1" {
		t.Fatalf("new session %+v", s)
	}
	if v := st.poll(s.ID, 0, "0s"); v.Version != 1 || v.Status != api.StatusPending {
		t.Fatalf("first poll %+v", v)
	}
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	if page.BizAppID != oa || !slices.Equal(page.Permissions, []int{2, 3, 24}) {
		t.Fatalf("WeChat's page: biz %s sets %v", page.BizAppID, page.Permissions)
	}
	if v := st.poll(s.ID, 1, "2s"); v.Status != api.StatusScanned {
		t.Fatalf("after the scan: %s", v.Status)
	}
	res, err := page.Confirm()
	if err != nil || !strings.Contains(res.Body, "授权完成") || !strings.Contains(res.Body, s.Code) {
		t.Fatalf("callback: %v %+v", err, res)
	}
	v := st.waitStatus(s.ID, api.StatusAuthorized)
	if v.AppID != oa || v.NickName == "" || len(v.Missing) != 0 || !slices.Equal(v.Granted, []int{2, 3, 24}) {
		t.Fatalf("authorized session %+v", v)
	}

	var acct api.Account
	if code := st.call("POST", "/v1/accounts/"+oa+"/refresh", st.d.ProjectToken, nil, &acct); code != 200 {
		t.Fatalf("facts: %d", code)
	}
	if !acct.Authorized || acct.Facts["verify_type"].Value != float64(0) || acct.Facts["open_appid"].Value != wechatsim.DemoOpenAppID ||
		acct.Facts["credential"].Value == nil || acct.Facts["principal_type"].Value != float64(1) || acct.Facts["has_open"].Value != true {
		t.Fatalf("facts %+v", acct)
	}
	var mp api.Account
	st.call("GET", "/v1/accounts/"+st.d.Scenario.MPAppID, st.d.ProjectToken, nil, &mp)
	if mp.Authorized || mp.Facts["verify_type"].Unknown == nil || mp.Facts["verify_type"].Unknown.Reason != "not_authorized" {
		t.Fatalf("unauthorized MP facts %+v", mp)
	}

	code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil)
	var page1 struct {
		Total int `json:"total"`
		Data  struct {
			OpenID []string `json:"openid"`
		} `json:"data"`
	}
	if code != 200 || json.Unmarshal(body, &page1) != nil || page1.Total != 2500 {
		t.Fatalf("relayed user/get: %d %s", code, body)
	}
	code, body = st.relay(st.d.ProjectToken, oa, "cgi-bin/user/info/batchget", "POST", map[string]any{"user_list": []map[string]string{{"openid": page1.Data.OpenID[0]}}})
	if code != 200 || !strings.Contains(string(body), "user_info_list") {
		t.Fatalf("relayed batchget: %d %s", code, body)
	}
	// WeChat's errors pass through in-band.
	code, body = st.relay(st.d.ProjectToken, oa, "cgi-bin/user/info/batchget", "POST", map[string]any{"user_list": []map[string]string{}})
	if code != 200 || !strings.Contains(string(body), `"errcode":40032`) {
		t.Fatalf("relayed error: %d %s", code, body)
	}
	if code, _ := st.relay(st.d.ProjectToken, oa, "cgi-bin/menu/create", "POST", map[string]any{}); code != 403 {
		t.Fatalf("non-allow-listed path: %d", code)
	}

	other, _ := st.d.Connector.CreateProjectToken("other")
	if code, _ := st.relay(other, oa, "cgi-bin/user/get", "GET", nil); code != 403 {
		t.Fatalf("another project relayed: %d", code)
	}
	if code := st.call("GET", "/v1/accounts/"+oa, other, nil, &api.Account{}); code != 403 {
		t.Fatalf("another project read facts: %d", code)
	}
	if code := st.call("GET", "/v1/authorizations/"+s.ID, other, nil, &api.Error{}); code != 404 {
		t.Fatalf("another project read the session: %d", code)
	}
	if code := st.call("GET", "/v1/health", "oaw_nope", nil, &api.Error{}); code != 401 {
		t.Fatalf("unknown token: %d", code)
	}

	// Nothing secret reached the logs.
	logs := st.logs.String()
	comp := wechatsim.DemoComponent()
	for name, secret := range map[string]string{"appsecret": comp.Secret, "token": comp.Token, "aes key": comp.EncodingAESKey,
		"project token": st.d.ProjectToken, "refresh token": st.d.Sim.RefreshToken(comp.AppID, oa), "auth code": res.AuthCode} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the logs", name)
		}
	}
	if !strings.Contains(logs, `"request_id"`) {
		t.Error("log lines carry no request id")
	}
}

func TestPushAndCallbackInEitherOrderCompleteOnce(t *testing.T) {
	for _, pushFirst := range []bool{true, false} {
		st := startStack(t, "ok", nil)
		st.d.Sim.SetPushOrder(pushFirst)
		v := st.authorize(st.d.Scenario.OAAppID)
		if v.Status != api.StatusAuthorized {
			t.Fatalf("pushFirst=%v: %+v", pushFirst, v)
		}
		time.Sleep(100 * time.Millisecond)
		if n := st.d.Sim.Calls("/cgi-bin/component/api_query_auth"); n != 1 {
			t.Fatalf("pushFirst=%v: api_query_auth called %d times", pushFirst, n)
		}
	}
}

func TestCancelOnThePhoneThenScanAgain(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	phone := st.d.Phone()
	page, err := phone.Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := page.Cancel(); err != nil {
		t.Fatal(err)
	}
	if v := st.waitStatus(s.ID, api.StatusCancelled); v.Code != s.Code {
		t.Fatal("cancel changed the code")
	}
	page, err = phone.Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	st.waitStatus(s.ID, api.StatusAuthorized)
	// Backing out does not use up the pre_auth_code: the second visit
	// reuses the first one's.
	if n := st.d.Sim.Calls("/cgi-bin/component/api_create_preauthcode"); n != 1 {
		t.Fatalf("pre_auth_codes minted: %d", n)
	}
}

// A colleague who is not an admin scans first and WeChat refuses them; the
// real admin then scans the same QR code on their own phone. That second
// scan is a new person, not a cancel: it goes straight on to WeChat.
func TestAnotherPhoneScanningIsNotACancel(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	if _, err := st.d.Sim.NewPhone().Open(s.QRURL); err == nil || !strings.Contains(err.Error(), "管理员") {
		t.Fatalf("a non-admin's scan: %v", err)
	}
	st.waitStatus(s.ID, api.StatusScanned)
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		t.Fatalf("the admin's scan after a colleague's: %v", err)
	}
	if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Status != api.StatusScanned {
		t.Fatalf("after the admin's scan the session is %s", v.Status)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	st.waitStatus(s.ID, api.StatusAuthorized)
}

func TestSessionExpires(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	s := st.newSession(st.d.Scenario.OAAppID)
	clk.Advance(10 * time.Minute)
	if v := st.poll(s.ID, 1, "0s"); v.Status != api.StatusExpired {
		t.Fatalf("after 10 min: %s", v.Status)
	}
	resp, err := http.Get(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("expired landing page: %d", resp.StatusCode)
	}
}

func TestUntickedUserManagementIsReportedMissing(t *testing.T) {
	st := startStack(t, "ok", nil)
	v := st.authorize(st.d.Scenario.OAAppID, wechatsim.Untick(2))
	if v.Status != api.StatusAuthorized || !slices.Equal(v.Missing, []int{2}) {
		t.Fatalf("session %+v", v)
	}
}

func TestWrongAccountIsReported(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	// WeChat enforces biz_appid; a code for another account can still reach
	// the callback (an old client, or a crafted link) and must not pass.
	ctx := context.Background()
	var code string
	// The landing page was visited (the session waits for a callback),
	// and the crafted link carries a code the session minted.
	if _, err := st.d.Phone().Open(s.QRURL); err != nil {
		t.Fatal(err)
	}
	x, _ := st.d.Store.Session(ctx, s.ID)
	pre, err := st.d.Connector.preAuthCode(ctx, x, true)
	if err != nil {
		t.Fatal(err)
	}
	u := st.d.Connector.authURL(pre, Session{ID: s.ID, ExpectedAppID: st.d.Scenario.MPAppID}, false)
	page, err := st.d.Phone().Open(u)
	if err == nil {
		var res *wechatsim.Result
		if res, err = page.Confirm(); res != nil {
			code = res.AuthCode
		}
	}
	if err != nil || code == "" {
		t.Fatal(err)
	}
	v := st.waitStatus(s.ID, api.StatusWrongAccount)
	if v.AppID != st.d.Scenario.MPAppID || v.ExpectedAppID != st.d.Scenario.OAAppID {
		t.Fatalf("wrong account session %+v", v)
	}
}

func TestBadAppIDIsRejected(t *testing.T) {
	st := startStack(t, "ok", nil)
	var e api.Error
	if code := st.call("POST", "/v1/authorizations", st.d.ProjectToken, map[string]string{"appid": "gh_123"}, &e); code != 400 || e.Error != "bad_request" {
		t.Fatalf("%d %+v", code, e)
	}
}

func TestIPNotWhitelistedIsTheVendorsProblem(t *testing.T) {
	st := startStack(t, "ip-not-whitelisted", nil)
	var h map[string]any
	st.call("GET", "/v1/health", st.d.ProjectToken, nil, &h)
	wc, _ := h["wechat"].(map[string]any)
	if h["ok"] != false || wc["errcode"] != float64(61004) {
		t.Fatalf("health %+v", h)
	}
	s := st.newSession(st.d.Scenario.OAAppID)
	_, err := st.d.Phone().Open(s.QRURL)
	var pe *wechatsim.PageError
	if !errors.As(err, &pe) || !strings.Contains(pe.Text, "服务商") {
		t.Fatalf("phone: %v", err)
	}
	if v := st.waitStatus(s.ID, api.StatusFailed); v.Reason != "wechat:61004" {
		t.Fatalf("reason %q", v.Reason)
	}
}

func TestPCLinkReachesWeChatsPageWithTheRightReferer(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	resp, err := http.Get(s.PCURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`url=([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil || !strings.Contains(m[1], "/cgi-bin/componentloginpage?") {
		t.Fatalf("the PC hand-off page does not forward to WeChat's PC page: %s", body)
	}
	target := html.UnescapeString(m[1])
	// A browser following the page's refresh sends the page as Referer.
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Referer", s.PCURL)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, ok := wechatsim.ScanURL(string(page)); !ok {
		t.Fatalf("WeChat's PC page refused the hand-off: %s", page)
	}
	// Typed into the address bar, the same link fails as WeChat's does.
	resp, _ = http.Get(target)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "授权入口页所在域名：空") {
		t.Fatal("the raw PC link should fail without the Referer")
	}
}

func TestRateLimitPerToken(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.limits = newLimiter(0.5, 2)
	codes := []int{}
	for i := 0; i < 3; i++ {
		codes = append(codes, st.call("GET", "/v1/health", st.d.ProjectToken, nil, nil))
	}
	if !slices.Equal(codes, []int{200, 200, 429}) {
		t.Fatalf("codes %v", codes)
	}
	other, _ := st.d.Connector.CreateProjectToken("other")
	if code := st.call("GET", "/v1/health", other, nil, nil); code != 200 {
		t.Fatalf("another token was limited too: %d", code)
	}
}
