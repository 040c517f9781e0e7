package wechatsim

import (
	"net/http"
	"slices"
	"sort"
	"time"
)

// Component is a third-party platform registered with the simulator.
type Component struct {
	AppID, Secret, Token, EncodingAESKey string
	PushURL                              string // 授权事件接收URL; "" = not set yet (no pushes)
	AuthDomain                           string // 授权发起页域名: bare host; redirect_uri and the PC Referer must be on it
}

// DemoComponent is the platform the demo mode and most tests use. Its secrets
// are drawn at start-up, so none is ever written down.
func DemoComponent() Component { return demoComponent }

var demoComponent = Component{
	AppID:          "wx3c8e5a1f9b7d2604",
	Secret:         randomString(32),
	Token:          randomString(24),
	EncodingAESKey: randomAESKey(),
	AuthDomain:     "127.0.0.1",
}

// randomAESKey draws a 43-character EncodingAESKey.
func randomAESKey() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := []byte(randomString(43))
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

type component struct {
	Component
	// tickets are kept by SHA-256, as the saved state holds them
	// (state.go), so a restored ticket is found as a pushed one is.
	tickets    map[string]time.Time // hash → when pushed
	lastTicket string
	release
}

type authKey struct{ component, authorizer string }

// authorization is one account's grant to one component.
type authorization struct {
	funcIDs      []int
	refreshToken string
	refreshHash  string // a restored authorization knows only its token's hash (state.go)
	authTime     time.Time
	revoked      bool
}

func (a *authorization) has(id int) bool { return slices.Contains(a.funcIDs, id) }

// confirmSets are the sets whose func_info element carries confirm_info,
// as real api_get_authorizer_info answers for a mini-program show (18, 25,
// 30, 31 with need_confirm/already_confirm/can_confirm 0; the docs leave
// the field undescribed).
var confirmSets = []int{18, 25, 30, 31}

func funcInfo(ids []int) []map[string]any {
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		el := map[string]any{"funcscope_category": map[string]int{"id": id}}
		if slices.Contains(confirmSets, id) {
			el["confirm_info"] = map[string]int{"need_confirm": 0, "already_confirm": 0, "can_confirm": 0}
		}
		out = append(out, el)
	}
	return out
}

func (s *Server) handleComponentToken(r *http.Request) (any, *apiErr) {
	var req struct {
		AppID  string `json:"component_appid"`
		Secret string `json:"component_appsecret"`
		Ticket string `json:"component_verify_ticket"`
	}
	if e := decodeBody(r, &req); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkComponentIP(r); e != nil {
		return nil, e
	}
	c := s.components[req.AppID]
	switch {
	case req.AppID == "":
		return nil, errf(41018, "missing component_appid")
	case c == nil:
		return nil, errf(61011, "invalid component")
	case req.Secret == "":
		return nil, errf(41004, "appsecret missing")
	case req.Secret != c.Secret:
		return nil, errf(40125, "invalid appsecret")
	}
	at, ok := c.ticketPushedAt(req.Ticket)
	switch {
	case req.Ticket == "" || !ok:
		return nil, errf(61006, "component ticket is invalid")
	case !s.clk.Now().Before(at.Add(TicketLifetime)):
		return nil, errf(61005, "component ticket is expired")
	}
	if e := s.spendComponentToken(c.AppID); e != nil {
		return nil, e
	}
	t := s.mint(kindComponent, c.AppID, "")
	return map[string]any{"component_access_token": t.value, "expires_in": int(TokenLifetime / time.Second)}, nil
}

func (s *Server) handleStartPushTicket(r *http.Request) (any, *apiErr) {
	var req struct {
		AppID  string `json:"component_appid"`
		Secret string `json:"component_secret"`
	}
	if e := decodeBody(r, &req); e != nil {
		return nil, e
	}
	s.mu.Lock()
	if e := s.checkComponentIP(r); e != nil {
		s.mu.Unlock()
		return nil, e
	}
	c := s.components[req.AppID]
	if c == nil {
		s.mu.Unlock()
		return nil, errInvalidAppID()
	}
	if req.Secret != c.Secret {
		s.mu.Unlock()
		return nil, errf(40125, "invalid appsecret")
	}
	// "ok" means pushing was switched back on; "in a normal state" that it
	// already was (§1.3). Either way a push follows shortly.
	msg := "in a normal state"
	if s.pushPaused {
		s.pushPaused = false
		msg = "ok"
	}
	s.mu.Unlock()
	s.pushSoon(req.AppID)
	return map[string]any{"errcode": 0, "errmsg": msg}, nil
}

// componentRequest authenticates a component API call and decodes its body.
func (s *Server) componentRequest(r *http.Request) (*component, appidBody, *apiErr) {
	c, e := s.componentCall(r)
	if e != nil {
		return nil, appidBody{}, e
	}
	req, e := componentReq(r, c)
	return c, req, e
}

// componentReq decodes the body of a component API and checks its
// component_appid against the token's component.
func componentReq(r *http.Request, c *component) (appidBody, *apiErr) {
	var req appidBody
	if e := decodeBody(r, &req); e != nil {
		return req, e
	}
	switch {
	case req.ComponentAppID == "":
		return req, errf(41018, "missing component_appid")
	case req.ComponentAppID != c.AppID:
		return req, errf(61011, "invalid component")
	}
	return req, nil
}

type appidBody struct {
	ComponentAppID  string `json:"component_appid"`
	AuthorizerAppID string `json:"authorizer_appid"`
	Code            string `json:"authorization_code"`
	RefreshToken    string `json:"authorizer_refresh_token"`
	Offset          int    `json:"offset"`
	Count           int    `json:"count"`
}

func (s *Server) handlePreAuthCode(r *http.Request) (any, *apiErr) {
	c, _, e := s.componentRequest(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &preAuthCode{value: "preauthcode@@@" + randomString(86), component: c.AppID, expires: s.clk.Now().Add(PreAuthCodeLifetime)}
	s.preAuth[p.value] = p
	return map[string]any{"pre_auth_code": p.value, "expires_in": int(PreAuthCodeLifetime / time.Second)}, nil
}

func (s *Server) handleQueryAuth(r *http.Request) (any, *apiErr) {
	c, req, e := s.componentRequest(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ac := s.authCodes[req.Code]
	if ac == nil || ac.component != c.AppID || ac.used || !s.clk.Now().Before(ac.expires) {
		return nil, errf(61010, "code is expired")
	}
	ac.used = true
	a := s.auths[authKey{c.AppID, ac.authorizer}]
	if a == nil || a.revoked {
		return nil, errf(61010, "code is expired")
	}
	if acct := s.accounts[ac.authorizer]; acct != nil && acct.Banned {
		return nil, errf(50002, "user limited")
	}
	info := map[string]any{"authorizer_appid": ac.authorizer, "func_info": funcInfo(a.funcIDs)}
	if acct := s.accounts[ac.authorizer]; acct == nil || !acct.NoAPIPermission {
		t := s.mint(kindAuthorizer, ac.authorizer, c.AppID)
		info["authorizer_access_token"], info["expires_in"] = t.value, int(TokenLifetime/time.Second)
		info["authorizer_refresh_token"] = a.issuedRefreshToken()
	}
	return map[string]any{"authorization_info": info}, nil
}

func (s *Server) handleAuthorizerToken(r *http.Request) (any, *apiErr) {
	c, req, e := s.componentRequest(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.auths[authKey{c.AppID, req.AuthorizerAppID}]
	if req.AuthorizerAppID == "" || s.accounts[req.AuthorizerAppID] == nil {
		return nil, errInvalidAppID()
	}
	if a == nil || a.revoked || !a.refreshMatches(req.RefreshToken) {
		return nil, errf(61023, "refresh_token is invalid")
	}
	t := s.mint(kindAuthorizer, req.AuthorizerAppID, c.AppID)
	return map[string]any{
		"authorizer_access_token":  t.value,
		"expires_in":               int(TokenLifetime / time.Second),
		"authorizer_refresh_token": a.refreshToken,
	}, nil
}

func (s *Server) handleAuthorizerInfo(r *http.Request) (any, *apiErr) {
	c, req, e := s.componentRequest(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.accounts[req.AuthorizerAppID]
	if acct == nil {
		return nil, errInvalidAppID()
	}
	a := s.auths[authKey{c.AppID, req.AuthorizerAppID}]
	if a == nil || a.revoked {
		return nil, errf(61003, "component is not authorized by this account")
	}
	auth := map[string]any{"authorizer_appid": acct.AppID, "func_info": funcInfo(a.funcIDs)}
	if !acct.NoAPIPermission {
		auth["authorizer_refresh_token"] = a.refreshToken
	}
	return map[string]any{"authorizer_info": acct.authorizerInfo(), "authorization_info": auth}, nil
}

func (s *Server) handleAuthorizerList(r *http.Request) (any, *apiErr) {
	c, req, e := s.componentRequest(r)
	if e != nil {
		return nil, e
	}
	if req.Count > 500 {
		return nil, errf(40170, "args count exceed count limit")
	}
	if req.Count <= 0 || req.Offset < 0 {
		return nil, errf(40097, "invalid args")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for k, a := range s.auths {
		if k.component == c.AppID && !a.revoked {
			ids = append(ids, k.authorizer)
		}
	}
	sort.Strings(ids)
	list := []map[string]any{}
	for i := req.Offset; i < len(ids) && len(list) < req.Count; i++ {
		a := s.auths[authKey{c.AppID, ids[i]}]
		refresh := a.refreshToken
		if acct := s.accounts[ids[i]]; acct != nil && acct.NoAPIPermission {
			refresh = "" // no API permission, no refresh token anywhere
		}
		list = append(list, map[string]any{"authorizer_appid": ids[i], "refresh_token": refresh, "auth_time": a.authTime.Unix()})
	}
	return map[string]any{"total_count": len(ids), "list": list}, nil
}

// Authorization reports the permission sets an account granted the component.
func (s *Server) Authorization(componentAppID, authorizerAppID string) (funcIDs []int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.auths[authKey{componentAppID, authorizerAppID}]
	if a == nil || a.revoked {
		return nil, false
	}
	return slices.Clone(a.funcIDs), true
}

// RefreshToken returns the authorizer_refresh_token WeChat holds for an
// authorization, as api_get_authorizer_list would show it.
func (s *Server) RefreshToken(componentAppID, authorizerAppID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.auths[authKey{componentAppID, authorizerAppID}]; a != nil && !a.revoked {
		return a.refreshToken
	}
	return ""
}
