package wechatsim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"oawizard/wechat"
)

func (e *env) authorizerToken() string {
	e.t.Helper()
	qa, _ := e.authorize(e.componentToken())
	return qa.AuthorizationInfo.AuthorizerAccessToken
}

func TestUserGetPagesLikeWeChat(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	seen := map[string]bool{}
	next := ""
	pages := 0
	for {
		raw, err := e.c.DoRaw(e.ctx, "GET", "/cgi-bin/user/get", url.Values{"access_token": {tok}, "next_openid": {next}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		json.Unmarshal(raw, &m)
		var page wechat.UserList
		json.Unmarshal(raw, &page)
		pages++
		if page.Total != 25001 {
			t.Fatalf("total %d", page.Total)
		}
		if page.Count == 0 {
			if _, has := m["data"]; has || page.NextOpenID != "" {
				t.Fatalf("the last page should have no data and an empty next_openid: %s", raw)
			}
			break
		}
		if page.Count > 10000 || page.Count != len(page.Data.OpenID) || page.NextOpenID != page.Data.OpenID[page.Count-1] {
			t.Fatalf("page %d: count %d, %d ids, next %q", pages, page.Count, len(page.Data.OpenID), page.NextOpenID)
		}
		for _, id := range page.Data.OpenID {
			if len(id) != 28 || id[0] != 'o' || seen[id] {
				t.Fatalf("bad or repeated openid %q", id)
			}
			seen[id] = true
		}
		next = page.NextOpenID
	}
	if pages != 4 || len(seen) != 25001 {
		t.Fatalf("%d pages, %d followers", pages, len(seen))
	}
	_, err := e.c.UserGet(e.ctx, tok, "o"+strings.Repeat("x", 27))
	wantCode(t, err, 40003)
}

func TestBatchGetRows(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	page, err := e.c.UserGet(e.ctx, tok, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := page.Data.OpenID
	_, err = e.c.UserInfoBatchGet(e.ctx, tok, ids[:101], "zh_CN")
	wantCode(t, err, 40032)
	_, err = e.c.UserInfoBatchGet(e.ctx, tok, []string{ids[0], e.s.FollowerOpenID("wx0000000000000001", 1)}, "")
	wantCode(t, err, 40003)
	unsub, withUnion := 0, 0
	for i := 0; i < 1000; i += 100 {
		rows, err := e.c.UserInfoBatchGet(e.ctx, tok, ids[i:i+100], "zh_CN")
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range rows {
			if r.OpenID != ids[i+j] {
				t.Fatalf("row %d is %s, asked %s", j, r.OpenID, ids[i+j])
			}
			if r.Subscribe == 0 {
				unsub++
				if r.UnionID != "" || r.SubscribeTime != 0 {
					t.Fatalf("unsubscribed row carries data: %+v", r)
				}
				continue
			}
			if r.UnionID != e.s.PersonUnionID(DemoOpenAppID, i+j) {
				t.Fatalf("follower %d unionid %q", i+j, r.UnionID)
			}
			withUnion++
		}
	}
	// user/get lists followers, so only those who left since are
	// unfollowed: a few in a thousand (unfollowedDuringSync).
	if unsub > 10 || withUnion < 990 {
		t.Fatalf("%d of 1000 unsubscribed, %d with unionid: want a few and nearly all", unsub, withUnion)
	}
	if withUnion+unsub != 1000 {
		t.Fatal("rows lost")
	}
}

func TestNotBoundHasNoUnionIDAndOpenGet89002(t *testing.T) {
	e := newEnv(t, "not-bound")
	tok := e.authorizerToken()
	page, _ := e.c.UserGet(e.ctx, tok, "")
	rows, err := e.c.UserInfoBatchGet(e.ctx, tok, page.Data.OpenID[:100], "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.UnionID != "" {
			t.Fatal("unbound OA returned a unionid")
		}
	}
	_, err = e.c.OpenGet(e.ctx, tok, "")
	wantCode(t, err, 89002)
	if have, err := e.c.OpenHave(e.ctx, tok); err != nil || have {
		t.Fatalf("open/have %v %v", have, err)
	}
}

func TestAccountFacts(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok)
	tok := qa.AuthorizationInfo.AuthorizerAccessToken
	info, err := e.c.AuthorizerInfo(e.ctx, ctok, e.cmp.AppID, DemoOAAppID)
	if err != nil {
		t.Fatal(err)
	}
	ai := info.AuthorizerInfo
	if ai.NickName == "" || ai.VerifyTypeInfo.ID != 0 || ai.ServiceTypeInfo.ID != 2 || ai.PrincipalName == "" || !strings.HasPrefix(ai.UserName, "gh_") {
		t.Fatalf("authorizer_info %+v", ai)
	}
	basic, err := e.c.AccountBasicInfo(e.ctx, tok)
	if err != nil || basic.PrincipalType != 1 || basic.Credential == "" || basic.AccountType != 2 || !basic.WxVerifyInfo.QualificationVerify {
		t.Fatalf("basic info %+v %v", basic, err)
	}
	open, err := e.c.OpenGet(e.ctx, tok, DemoOAAppID)
	if err != nil || open != DemoOpenAppID {
		t.Fatalf("open/get %q %v", open, err)
	}
	_, err = e.c.OpenGet(e.ctx, tok, DemoMPAppID)
	wantCode(t, err, 40013)
}

func TestUnverifiedOALacksUserAPIs(t *testing.T) {
	e := newEnv(t, "unverified")
	tok := e.authorizerToken()
	_, err := e.c.UserGet(e.ctx, tok, "")
	// 48001 "api unauthorized" to an authorizer token too, not 61016.
	wantCode(t, err, 48001)
}

func TestDailyQuotaResetsAtChinaMidnight(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.s.SetQuota(DemoOAAppID, "/cgi-bin/user/get", 2, 0)
	for i := 0; i < 2; i++ {
		if _, err := e.c.UserGet(e.ctx, tok, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.c.UserGet(e.ctx, tok, "")
	wantCode(t, err, 45009)
	q, err := e.c.QuotaGet(e.ctx, tok, "/cgi-bin/user/get")
	if err != nil || q.Quota.DailyLimit != 2 || q.Quota.Used != 2 || q.Quota.Remain != 0 {
		t.Fatalf("quota %+v %v", q, err)
	}
	_, err = e.c.QuotaGet(e.ctx, tok, "/cgi-bin/nope")
	wantCode(t, err, 76021)
	// t0 is 10:00 China time; 14 h later is the next day there.
	e.s.PausePushes(true)
	e.clk.Advance(14 * time.Hour)
	tok = e.refreshAuthorizer()
	if _, err := e.c.UserGet(e.ctx, tok, ""); err != nil {
		t.Fatalf("after midnight: %v", err)
	}
}

// refreshAuthorizer gets a fresh authorizer token through the refresh token.
func (e *env) refreshAuthorizer() string {
	e.t.Helper()
	ctok := e.componentTokenNow()
	at, err := e.c.AuthorizerToken(e.ctx, ctok, e.cmp.AppID, DemoOAAppID, e.s.RefreshToken(e.cmp.AppID, DemoOAAppID))
	if err != nil {
		e.t.Fatal(err)
	}
	return at.AuthorizerAccessToken
}

func TestMinuteQuota(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.s.SetQuota(DemoOAAppID, "/cgi-bin/user/get", 0, 1)
	if _, err := e.c.UserGet(e.ctx, tok, ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.UserGet(e.ctx, tok, "")
	wantCode(t, err, 45011)
	e.clk.Advance(time.Minute)
	if _, err := e.c.UserGet(e.ctx, tok, ""); err != nil {
		t.Fatalf("next minute: %v", err)
	}
}

func TestQuotaExceededScenarioStopsBatchGetPartway(t *testing.T) {
	e := newEnv(t, "quota-exceeded")
	tok := e.authorizerToken()
	q, err := e.c.QuotaGet(e.ctx, tok, "/cgi-bin/user/info/batchget")
	if err != nil || q.Quota.DailyLimit <= 0 || q.Quota.DailyLimit >= 251 {
		t.Fatalf("quota %+v %v", q, err)
	}
}

func TestDatacubeRules(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	// t0 is 2026-11-20 10:00 China time: yesterday is 11-19.
	_, err := e.c.UserSummary(e.ctx, tok, "2026-11-13", "2026-11-20")
	wantCode(t, err, 61501)
	_, err = e.c.UserSummary(e.ctx, tok, "2026-11-12", "2026-11-19")
	wantCode(t, err, 61501)
	_, err = e.c.UserSummary(e.ctx, tok, "2014-11-28", "2014-12-02")
	wantCode(t, err, 61501)
	sum, err := e.c.UserSummary(e.ctx, tok, "2026-11-13", "2026-11-19")
	if err != nil || len(sum) == 0 {
		t.Fatalf("summary %v %v", sum, err)
	}
	cum, err := e.c.UserCumulate(e.ctx, tok, "2026-11-13", "2026-11-19")
	if err != nil || len(cum) != 7 {
		t.Fatalf("cumulate %v %v", cum, err)
	}
	if cum[6].CumulateUser != 25001 {
		t.Fatalf("yesterday's cumulate %d, want the follower count", cum[6].CumulateUser)
	}
	net := map[string]int{}
	for _, s := range sum {
		net[s.RefDate] += s.NewUser - s.CancelUser
	}
	for i := 1; i < 7; i++ {
		if cum[i].CumulateUser-cum[i-1].CumulateUser != net[cum[i].RefDate] {
			t.Fatalf("%s: cumulate moved %d, summary says %d", cum[i].RefDate, cum[i].CumulateUser-cum[i-1].CumulateUser, net[cum[i].RefDate])
		}
	}
}

func TestTransientErrors(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.s.SetTransientErrors(1)
	_, err := e.c.UserGet(e.ctx, tok, "")
	wantCode(t, err, -1)
}

func TestRevokedMidSync(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.rc.next("authorized")
	e.s.RevokeAfterBatchGets(DemoOAAppID, 2)
	page, _ := e.c.UserGet(e.ctx, tok, "")
	for i := 0; i < 2; i++ {
		if _, err := e.c.UserInfoBatchGet(e.ctx, tok, page.Data.OpenID[i*100:i*100+100], ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.c.UserInfoBatchGet(e.ctx, tok, page.Data.OpenID[200:300], "")
	wantCode(t, err, 40001)
	e.rc.next("unauthorized")
}

func TestStableTokenWhitelistAndRotation(t *testing.T) {
	e := newEnv(t, "ok")
	oa, _ := e.s.Account(DemoOAAppID)
	_, err := e.c.StableToken(e.ctx, DemoOAAppID, "wrong", false)
	wantCode(t, err, 40125)
	_, err = e.c.StableToken(e.ctx, e.cmp.AppID, e.cmp.Secret, false)
	wantCode(t, err, 61024)
	a, err := e.c.StableToken(e.ctx, DemoOAAppID, oa.Secret, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.c.StableToken(e.ctx, DemoOAAppID, oa.Secret, false)
	if a.AccessToken != b.AccessToken {
		t.Fatal("normal mode should return the current token")
	}
	c, _ := e.c.StableToken(e.ctx, DemoOAAppID, oa.Secret, true)
	if c.AccessToken == a.AccessToken {
		t.Fatal("force_refresh kept the token")
	}
	_, err = e.c.UserGet(e.ctx, a.AccessToken, "")
	wantCode(t, err, 40001)
	if _, err := e.c.UserGet(e.ctx, c.AccessToken, ""); err != nil {
		t.Fatalf("own token on user/get: %v", err)
	}
	e.s.UpdateAccount(DemoOAAppID, func(a *Account) { a.IPWhitelist = []string{"198.51.100.0/24"} })
	_, err = e.c.StableToken(e.ctx, DemoOAAppID, oa.Secret, false)
	wantCode(t, err, 40164)
	if !strings.Contains(err.Error(), "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1") {
		t.Fatalf("40164 should carry both forms of the IP: %v", err)
	}
}

func TestFollowerIDsRoundTrip(t *testing.T) {
	for _, i := range []int{0, 1, 9999, 10000, 999999, 4_000_000} {
		id := openID(DemoOAAppID, i)
		if got, ok := openIDIndex(DemoOAAppID, id, 5_000_000); !ok || got != i {
			t.Fatalf("openid %d → %s → %d %v", i, id, got, ok)
		}
		if _, ok := openIDIndex(DemoMPAppID, id, 5_000_000); ok {
			t.Fatal("an OA openid decoded for another account")
		}
	}
	if openID(DemoOAAppID, 5) == openID(DemoMPAppID, 5) || unionID(DemoOpenAppID, 5) == unionID(OtherOpenAppID, 5) {
		t.Fatal("ids must differ across accounts")
	}
}

// FollowerInfo gives the rows batchget answers, field for field, for
// followers still following, unfollowed ones and ones past the last.
func TestFollowerInfoIsWhatBatchGetAnswers(t *testing.T) {
	e := newEnv(t, "ok")
	tok := e.authorizerToken()
	e.s.UpdateAccount(DemoOAAppID, func(a *Account) { a.UnsubscribedShare = 0.3 })
	var ids []string
	for i := range 100 {
		ids = append(ids, e.s.FollowerOpenID(DemoOAAppID, i*97))
	}
	got, err := e.c.UserInfoBatchGet(e.ctx, tok, ids, "")
	if err != nil {
		t.Fatal(err)
	}
	unfollowed := 0
	for j, u := range got {
		want, ok := e.s.FollowerInfo(DemoOAAppID, j*97)
		if !ok {
			t.Fatalf("follower %d unknown", j*97)
		}
		if u.OpenID != want.OpenID || u.Subscribe != want.Subscribe || u.UnionID != want.UnionID ||
			u.SubscribeTime != want.SubscribeTime || u.SubscribeScene != want.SubscribeScene || u.Language != want.Language {
			t.Fatalf("follower %d: batchget answers %+v, FollowerInfo %+v", j*97, u, want)
		}
		if u.Subscribe == 0 {
			unfollowed++
		}
	}
	if unfollowed == 0 || unfollowed == len(got) {
		t.Fatalf("%d of %d unfollowed: the comparison did not meet both kinds", unfollowed, len(got))
	}
	a, _ := e.s.Account(DemoOAAppID)
	if _, ok := e.s.FollowerInfo(DemoOAAppID, a.Followers); ok {
		t.Fatal("a follower past the last is known")
	}
}
