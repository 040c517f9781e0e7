package wechatsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"oawizard/wechat"
)

// restarted is a second simulator on the same clock and platform that
// continues from s's saved state, as a restarted demo's does.
func (e *env) restarted(scenario string, followers int) (*Server, *wechat.Client, error) {
	e.t.Helper()
	data, err := e.s.MarshalState()
	if err != nil {
		e.t.Fatal(err)
	}
	e.s.Close()
	s2 := NewUnstarted(Options{Scenario: scenario, Clock: e.clk, Components: []Component{e.cmp}, Followers: followers})
	e.t.Cleanup(s2.Close)
	if err := s2.RestoreState(data); err != nil {
		return s2, nil, err
	}
	s2.Start()
	return s2, wechat.NewClient(s2.URL, s2.Client()), nil
}

// The saved state names tokens only by their SHA-256; a restarted simulator
// still honours the refresh token, the ticket and the day's quota use, and
// answers an access token from before the restart as a replaced one.
func TestStateKeepsAuthorizationsWithHashedTokensOnly(t *testing.T) {
	e := newEnv(t, "ok")
	ticket := e.rc.next("component_verify_ticket").Ticket
	ctok, err := e.c.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ticket})
	if err != nil {
		t.Fatal(err)
	}
	qa, _ := e.authorize(ctok.ComponentAccessToken)
	info := qa.AuthorizationInfo
	if _, err := e.c.UserGet(e.ctx, info.AuthorizerAccessToken, ""); err != nil {
		t.Fatal(err)
	}
	data, err := e.s.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{info.AuthorizerRefreshToken, info.AuthorizerAccessToken, ticket, ctok.ComponentAccessToken, e.cmp.Secret} {
		if bytes.Contains(data, []byte(secret)) {
			t.Fatalf("the saved state holds a usable secret: %s", data)
		}
	}
	if !bytes.Contains(data, []byte(sha256Hex(info.AuthorizerRefreshToken))) || !bytes.Contains(data, []byte(sha256Hex(ticket))) {
		t.Fatalf("the saved state lacks the hashes: %s", data)
	}

	s2, c2, err := e.restarted("ok", 25001)
	if err != nil {
		t.Fatal(err)
	}
	if ids, ok := s2.Authorization(e.cmp.AppID, DemoOAAppID); !ok || !slices.Equal(ids, wechat.PermissionIDs(info.FuncInfo)) {
		t.Fatalf("restored authorization %v %v, want %v", ids, ok, wechat.PermissionIDs(info.FuncInfo))
	}
	_, err = c2.CreatePreAuthCode(e.ctx, ctok.ComponentAccessToken, e.cmp.AppID)
	wantCode(t, err, 40001)
	ctok2, err := c2.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret, ComponentVerifyTicket: ticket})
	if err != nil {
		t.Fatalf("the last good ticket after a restart: %v", err)
	}
	_, err = c2.AuthorizerToken(e.ctx, ctok2.ComponentAccessToken, e.cmp.AppID, DemoOAAppID, info.AuthorizerRefreshToken+"x")
	wantCode(t, err, 61023)
	_, err = c2.AuthorizerToken(e.ctx, ctok2.ComponentAccessToken, e.cmp.AppID, DemoOAAppID, "")
	wantCode(t, err, 61023)
	_, err = c2.UserGet(e.ctx, info.AuthorizerAccessToken, "")
	wantCode(t, err, 40001)
	at, err := c2.AuthorizerToken(e.ctx, ctok2.ComponentAccessToken, e.cmp.AppID, DemoOAAppID, info.AuthorizerRefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if at.AuthorizerAccessToken == info.AuthorizerAccessToken || at.AuthorizerRefreshToken != info.AuthorizerRefreshToken {
		t.Fatalf("refresh after a restart: %+v", at)
	}
	q, err := c2.QuotaGet(e.ctx, at.AuthorizerAccessToken, "/cgi-bin/user/get")
	if err != nil || q.Quota.Used != 1 {
		t.Fatalf("the day's quota use after a restart: %+v %v", q, err)
	}
}

// A restored simulator knows a refresh token only by its hash; a new scan
// before anyone presented it still hands out a usable one.
func TestRestoredAuthorizationScannedAgainGetsAUsableRefreshToken(t *testing.T) {
	e := newEnv(t, "ok")
	e.authorize(e.componentToken())
	s2, c2, err := e.restarted("ok", 25001)
	if err != nil {
		t.Fatal(err)
	}
	e.s, e.c = s2, c2
	ctok := e.componentToken()
	qa, _ := e.authorize(ctok)
	rt := qa.AuthorizationInfo.AuthorizerRefreshToken
	if rt == "" {
		t.Fatal("api_query_auth after a restart handed out no refresh token")
	}
	if _, err := c2.AuthorizerToken(e.ctx, ctok, e.cmp.AppID, DemoOAAppID, rt); err != nil {
		t.Fatal(err)
	}
}

// State from another scenario, follower count or layout is refused and
// changes nothing; so is a restore once the simulator serves.
func TestStateFromAnotherWorldIsRefused(t *testing.T) {
	e := newEnv(t, "ok")
	ctok := e.componentToken()
	e.authorize(ctok)
	data, err := e.s.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	var v2 map[string]any
	json.Unmarshal(data, &v2)
	v2["version"] = 2
	newer, _ := json.Marshal(v2)
	for _, c := range []struct {
		scenario  string
		followers int
		data      []byte
		want      error
	}{
		{"not-bound", 25001, data, ErrStateMismatch},
		{"ok", 25000, data, ErrStateMismatch},
		{"ok", 25001, data[:len(data)/2], ErrStateUnreadable},
		{"ok", 25001, newer, ErrStateUnreadable},
	} {
		s := NewUnstarted(Options{Scenario: c.scenario, Clock: e.clk, Followers: c.followers})
		err := s.RestoreState(c.data)
		_, ok := s.Authorization(e.cmp.AppID, DemoOAAppID)
		s.Close()
		if !errors.Is(err, c.want) || ok {
			t.Errorf("%s/%d: %v (authorized %v), want %v and nothing restored", c.scenario, c.followers, err, ok, c.want)
		}
	}
	if err := e.s.RestoreState(data); err == nil {
		t.Fatal("a serving simulator took a saved state")
	}
}

// The revoked-mid-sync fault counts on from where it was: a resumed sync
// meets the revocation at the same point, not later or never.
func TestStateKeepsTheFaultsProgress(t *testing.T) {
	e := newEnv(t, "revoked-mid-sync")
	qa, _ := e.authorize(e.componentToken())
	tok := qa.AuthorizationInfo.AuthorizerAccessToken
	list, err := e.c.UserGet(e.ctx, tok, "")
	if err != nil {
		t.Fatal(err)
	}
	e.s.mu.Lock()
	after := e.s.faults.revokeAfter
	e.s.mu.Unlock()
	for range after - 1 {
		if _, err := e.c.UserInfoBatchGet(e.ctx, tok, list.Data.OpenID[:100], "zh_CN"); err != nil {
			t.Fatal(err)
		}
	}
	s2, c2, err := e.restarted("revoked-mid-sync", 25001)
	if err != nil {
		t.Fatal(err)
	}
	ctok, err := c2.ComponentToken(e.ctx, wechat.ComponentTokenRequest{ComponentAppID: e.cmp.AppID, ComponentAppSecret: e.cmp.Secret,
		ComponentVerifyTicket: e.rc.next("component_verify_ticket").Ticket})
	if err != nil {
		t.Fatal(err)
	}
	at, err := c2.AuthorizerToken(e.ctx, ctok.ComponentAccessToken, e.cmp.AppID, DemoOAAppID, qa.AuthorizationInfo.AuthorizerRefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.UserInfoBatchGet(e.ctx, at.AuthorizerAccessToken, list.Data.OpenID[:100], "zh_CN"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Authorization(e.cmp.AppID, DemoOAAppID); ok {
		t.Fatalf("the restarted simulator did not revoke at batchget call %d", after)
	}
	e.rc.next("unauthorized")
}
