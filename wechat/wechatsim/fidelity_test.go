package wechatsim

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"oawizard/wechat"
)

// rawJSON posts body to a component API and decodes the answer loosely, so
// the test sees the keys WeChat's answer carries, not a struct's.
func (e *env) rawJSON(path, ctok string, body any) map[string]any {
	e.t.Helper()
	raw, err := e.c.DoRaw(e.ctx, "POST", path, url.Values{"component_access_token": {ctok}}, body)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// api_get_authorizer_info as its samples show it: type infos with id only,
// a mini-program's network keys, confirm_info on the sets real answers
// carry it on.
func TestAuthorizerInfoShapedLikeTheSamples(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	e.authorize(ctok)
	e.authorizeApp(ctok, DemoMPAppID)
	for _, appid := range []string{DemoOAAppID, DemoMPAppID} {
		m := e.rawJSON("/cgi-bin/component/api_get_authorizer_info", ctok, map[string]string{"component_appid": e.cmp.AppID, "authorizer_appid": appid})
		info := m["authorizer_info"].(map[string]any)
		for _, k := range []string{"service_type_info", "verify_type_info"} {
			if keys := slices.Sorted(maps.Keys(info[k].(map[string]any))); !slices.Equal(keys, []string{"id"}) {
				t.Errorf("%s %s carries %v", appid, k, keys)
			}
		}
		if appid != DemoMPAppID {
			continue
		}
		network := info["MiniProgramInfo"].(map[string]any)["network"].(map[string]any)
		want := []string{"BizDomain", "DownloadDomain", "RequestDomain", "UDPDomain", "UploadDomain", "WsRequestDomain"}
		if keys := slices.Sorted(maps.Keys(network)); !slices.Equal(keys, want) {
			t.Errorf("network keys %v", keys)
		}
		confirmed := 0
		for _, f := range m["authorization_info"].(map[string]any)["func_info"].([]any) {
			el := f.(map[string]any)
			id := int(el["funcscope_category"].(map[string]any)["id"].(float64))
			if _, has := el["confirm_info"]; has != slices.Contains(confirmSets, id) {
				t.Errorf("set %d: confirm_info %v", id, has)
			} else if has {
				confirmed++
			}
		}
		if confirmed == 0 {
			t.Error("no func_info element carries confirm_info")
		}
	}
}

// verify_type_info -1…5: qualification verified for 0, 3, 4, 5 only.
func TestQualificationVerifiedFollowsTheDocsForEveryValue(t *testing.T) {
	want := map[int]bool{-1: false, 0: true, 1: false, 2: false, 3: true, 4: true, 5: true}
	for v, w := range want {
		if QualificationVerified(v) != w {
			t.Errorf("verify_type_info %d: verified %v", v, !w)
		}
	}
}

// The annual-review fields come only with a verified qualification.
func TestAnnualReviewOnlyWithQualification(t *testing.T) {
	for _, scenario := range []string{"ok", "unverified"} {
		e := newEnv(t, scenario)
		tok := e.authorizerToken()
		raw, err := e.c.DoRaw(e.ctx, "POST", "/cgi-bin/account/getaccountbasicinfo", url.Values{"access_token": {tok}}, map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Verify map[string]any `json:"wx_verify_info"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		_, review := m.Verify["annual_review_end_time"]
		if q := m.Verify["qualification_verify"] == true; review != q || (scenario == "ok") != q {
			t.Errorf("%s: %v", scenario, m.Verify)
		}
	}
}

// open/get opens with set 24, 25 or 60 (getOpenAccount.html).
func TestOpenGetAcceptsSet60(t *testing.T) {
	e := newEnv(t, "ok")
	qa, _ := e.authorize(e.componentToken(), Untick(24))
	tok := qa.AuthorizationInfo.AuthorizerAccessToken
	_, err := e.c.OpenGet(e.ctx, tok, "")
	wantCode(t, err, 61007)
	e.s.mu.Lock()
	a := e.s.auths[authKey{e.cmp.AppID, DemoOAAppID}]
	a.funcIDs = append(a.funcIDs, 60)
	e.s.mu.Unlock()
	if open, err := e.c.OpenGet(e.ctx, tok, ""); err != nil || open != DemoOpenAppID {
		t.Fatalf("open/get with set 60: %q %v", open, err)
	}
}

// user/get's daily cap is the documented 500 whatever the follower count.
func TestUserGetDailyCapIsTheDocumented500(t *testing.T) {
	e := newEnv(t, "ok")
	e.s.UpdateAccount(DemoOAAppID, func(a *Account) { a.Followers = 3_000_000 })
	q, err := e.c.QuotaGet(e.ctx, e.authorizerToken(), "/cgi-bin/user/get")
	if err != nil || q.Quota.DailyLimit != 500 {
		t.Fatalf("quota %+v %v", q, err)
	}
}

// The exclusive sets are the docs' (互斥 = 是): 25 for a mini-program is
// one, and a held set is not granted.
func TestMiniProgramOpenSetIsExclusive(t *testing.T) {
	for set, want := range map[int]bool{4: true, 24: true, 25: true, 18: true, 2: false, 3: false, 30: false} {
		if wechat.ExclusiveSet(set) != want {
			t.Errorf("set %d exclusive: %v", set, !want)
		}
	}
	e := newEnv(t, "ok")
	e.s.UpdateAccount(DemoMPAppID, func(a *Account) { a.HeldElsewhere = []int{25} })
	qa, _ := e.authorizeApp(e.componentToken(), DemoMPAppID)
	if ids := wechat.PermissionIDs(qa.AuthorizationInfo.FuncInfo); slices.Contains(ids, 25) || !slices.Contains(ids, 30) {
		t.Fatalf("granted %v", ids)
	}
}

// An account WeChat limited answers 50002 to its APIs, which reads as
// account limited, not as a lost authorization.
func TestLimitedAccountAnswers50002(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.s.UpdateAccount(DemoOAAppID, func(a *Account) { a.Banned = true })
	_, err := e.c.UserGet(e.ctx, tok, "")
	wantCode(t, err, 50002)
	if c, _ := wechat.ClassOfError(err); c != wechat.ClassAccountLimited {
		t.Fatalf("class %s", c)
	}
}

// Before 全网发布 only test accounts authorize: another admin's phone stops
// at an error page and no authorization follows.
func TestUnreleasedPlatformRefusesAllButTestAccounts(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	e.s.SetUnreleased(DemoMPAppID)
	pre, err := e.c.CreatePreAuthCode(e.ctx, ctok, e.cmp.AppID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s.NewPhone(DemoOAAppID).Open(e.bindURL(pre.PreAuthCode, "http://127.0.0.1/cb", url.Values{"biz_appid": {DemoOAAppID}}))
	if err == nil || !strings.Contains(err.Error(), textUnreleased) {
		t.Fatalf("phone: %v", err)
	}
	if _, ok := e.s.Authorization(e.cmp.AppID, DemoOAAppID); ok {
		t.Fatal("authorized although the platform is not released")
	}
	e.authorizeApp(ctok, DemoMPAppID) // a test account may
	e.s.SetReleased()
	e.authorize(ctok)
}

// The platform's own token call has its own daily quota: its 45009 is the
// vendor's to solve, and the admin is told so, not sent to reset the
// Official Account's quota.
func TestComponentTokenQuotaIsTheVendors(t *testing.T) {
	e := newEnv(t, "ok")
	ev := e.rc.next("component_verify_ticket")
	e.s.SetComponentTokenQuota(1)
	req := wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ev.Ticket}
	if _, err := e.c.ComponentToken(e.ctx, req); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.ComponentToken(e.ctx, req)
	wantCode(t, err, 45009)
	if c, _ := wechat.ClassOfError(err); c != wechat.ClassVendor {
		t.Fatalf("class %s", c)
	}
	for _, l := range []wechat.Lang{wechat.LangZH, wechat.LangEN} {
		if a := (err.(*wechat.APIError)).Advice(l); a.Owner != wechat.OwnerVendor || strings.Contains(a.Remedy, "接口权限") {
			t.Fatalf("%s: %+v", l, a)
		}
	}
}
