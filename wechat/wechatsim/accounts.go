package wechatsim

import (
	"net/http"
	"slices"
	"time"

	"oawizard/wechat"
)

// Account is an Official Account ("oa") or a mini-program ("mp").
type Account struct {
	AppID, Kind, NickName, UserName, Alias string
	ServiceType, VerifyType                int // service_type_info.id, verify_type_info.id (-1…5, see QualificationVerified)
	PrincipalName                          string
	PrincipalType                          int
	Credential                             string
	CustomerType                           int
	OpenAppID                              string  // "" = not bound to an Open Platform account (open/get → 89002, no unionid)
	Followers                              int     // OA followers served by user/get
	UnsubscribedShare                      float64 // share of batchget rows answered with subscribe:0
	Secret                                 string  // the account's own AppSecret (stable_token)
	IPWhitelist                            []string
	Banned                                 bool  // account limited: api_query_auth answers 50002
	HeldElsewhere                          []int // exclusive permission sets another platform already holds
	// NoAPIPermission: the account has no API permission, so WeChat
	// hands out no authorizer_access_token or authorizer_refresh_token
	// ("在授权的公众号具备API权限时，才有此返回值", api_query_auth).
	NoAPIPermission bool
}

// AddAccount registers or replaces an account.
func (s *Server) AddAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.IPWhitelist = slices.Clone(a.IPWhitelist)
	a.HeldElsewhere = slices.Clone(a.HeldElsewhere)
	s.accounts[a.AppID] = &a
}

// Account returns a copy of a registered account.
func (s *Server) Account(appid string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[appid]
	if a == nil {
		return Account{}, false
	}
	return *a, true
}

// UpdateAccount changes an account in place (e.g. it gets verified or bound
// while the wizard runs).
func (s *Server) UpdateAccount(appid string, change func(*Account)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[appid]
	if a == nil {
		return false
	}
	change(a)
	return true
}

// QualificationVerified reports whether verify_type_info.id gives the
// account the APIs (wechat.Verification, which cites the docs for -1…5).
func QualificationVerified(verifyType int) bool {
	q, _ := wechat.Verification(verifyType)
	return q
}

// authorizerInfo is api_get_authorizer_info's authorizer_info (§1.8).
// service_type_info and verify_type_info carry id only, as every response
// sample of api_get_authorizer_info shows them ({"id": 2}, {"id": 0}).
func (a *Account) authorizerInfo() map[string]any {
	info := map[string]any{
		"nick_name":         a.NickName,
		"head_img":          "http://wx.qlogo.cn/mmopen/sim/" + a.AppID + "/0",
		"service_type_info": map[string]any{"id": a.ServiceType},
		"verify_type_info":  map[string]any{"id": a.VerifyType},
		"user_name":         a.UserName,
		"alias":             a.Alias,
		"qrcode_url":        "http://mmbiz.qpic.cn/mmbiz_jpg/sim/" + a.AppID + "/0",
		"business_info":     map[string]int{"open_pay": 0, "open_shake": 0, "open_scan": 0, "open_card": 0, "open_store": 0},
		"idc":               1,
		"principal_name":    a.PrincipalName,
		"signature":         "",
		"account_status":    1,
		"basic_config":      map[string]bool{"is_phone_configured": true, "is_email_configured": true},
	}
	if a.Kind == "mp" {
		// network's keys as api_get_authorizer_info documents them
		// (RequestDomain, WsRequestDomain, UploadDomain, DownloadDomain,
		// UDPDomain) with BizDomain, which real answers add; no TCPDomain.
		info["MiniProgramInfo"] = map[string]any{
			"network":      map[string][]string{"RequestDomain": {"https://api.example.com"}, "WsRequestDomain": {}, "UploadDomain": {}, "DownloadDomain": {}, "UDPDomain": {}, "BizDomain": {}},
			"categories":   []map[string]string{{"first": "工具", "second": "效率"}},
			"visit_status": 0,
		}
		info["register_type"] = 0
	}
	return info
}

func (s *Server) handleAccountBasicInfo(r *http.Request) (any, *apiErr) {
	set := 3
	if acctKind(s, r) == "mp" {
		set = 30
	}
	_, a, e := s.accountCall(r, set)
	if e != nil {
		return nil, e
	}
	accountType := 1
	switch {
	case a.Kind == "mp":
		accountType = 3
	case a.ServiceType == 2:
		accountType = 2
	}
	verified := QualificationVerified(a.VerifyType)
	customer := a.CustomerType
	if !verified {
		customer = 0 // 0 = not verified (§5.1)
	}
	// The annual-review fields come only with a verified qualification:
	// "若账号需要年审会返回年审开始以及截止时间" (getaccountbasicinfo,
	// wx_verify_info; the platform assistant's answer on its use).
	verify := map[string]any{"qualification_verify": verified, "naming_verify": a.VerifyType == 0}
	if verified {
		year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		verify["annual_review"] = true
		verify["annual_review_begin_time"], verify["annual_review_end_time"] = year, year+365*86400
	}
	return map[string]any{
		"errcode": 0, "errmsg": "ok",
		"appid":              a.AppID,
		"account_type":       accountType,
		"principal_type":     a.PrincipalType,
		"principal_name":     a.PrincipalName,
		"credential":         a.Credential,
		"realname_status":    1,
		"wx_verify_info":     verify,
		"signature_info":     map[string]any{"signature": "", "modify_used_count": 0, "modify_quota": 5},
		"head_image_info":    map[string]any{"head_image_url": "http://wx.qlogo.cn/mmopen/sim/" + a.AppID + "/0", "modify_used_count": 0, "modify_quota": 5},
		"nickname":           a.NickName,
		"registered_country": 1017,
		"nickname_info":      map[string]any{"nickname": a.NickName, "modify_used_count": 0, "modify_quota": 2},
		"customer_type":      customer,
	}, nil
}

// acctKind peeks at the kind of the account a token acts for, so the right
// permission set is checked (3 for an OA, 30 for a mini-program).
func acctKind(s *Server, r *http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[tokenParam(r, false)]; t != nil {
		if a := s.accounts[t.appid]; a != nil {
			return a.Kind
		}
	}
	return ""
}

func (s *Server) handleOpenGet(r *http.Request) (any, *apiErr) {
	// Any of 24, 25, 60 opens open/get for an OA or a mini-program
	// (sameAPISets).
	t, a, e := s.accountCall(r, 24)
	if e != nil {
		return nil, e
	}
	if t.kind != kindAuthorizer {
		// Staff: open/get is a third-party capability; own tokens get 48001 (§4).
		return nil, errAPIUnauth()
	}
	var req struct {
		AppID string `json:"appid"`
	}
	if e := decodeBody(r, &req); e != nil && e.code != 44002 {
		return nil, e
	}
	if req.AppID != "" && req.AppID != a.AppID {
		return nil, errInvalidAppID()
	}
	if a.OpenAppID == "" {
		return nil, errf(89002, "open not exists")
	}
	return map[string]any{"open_appid": a.OpenAppID, "errcode": 0, "errmsg": "ok"}, nil
}

func (s *Server) handleOpenHave(r *http.Request) (any, *apiErr) {
	t, a, e := s.accountCall(r, 3)
	if e != nil {
		return nil, e
	}
	if t.kind != kindAuthorizer {
		return nil, errAPIUnauth()
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "have_open": a.OpenAppID != ""}, nil
}

// checkOwnIP applies an account's API IP whitelist to own-token calls and
// answers 40164 with the caller's address in both forms WeChat prints.
// Callers hold s.mu.
func (s *Server) checkOwnIP(r *http.Request, appid string) *apiErr {
	a := s.accounts[appid]
	if a == nil || len(a.IPWhitelist) == 0 {
		return nil
	}
	ip := callerIP(r)
	if ip != nil && allowed(parseNets(a.IPWhitelist), ip) {
		return nil
	}
	v4 := ip.String()
	v6 := v4
	if ip.To4() != nil {
		v6 = "::ffff:" + v4
	}
	return errf(40164, "invalid ip %s ipv6 %s, not in whitelist", v4, v6)
}

func (s *Server) handleStableToken(r *http.Request) (any, *apiErr) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if e := decodeBody(r, &req); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.GrantType != "client_credential" {
		return nil, errf(40002, "invalid grant_type")
	}
	if _, isComp := s.components[req.AppID]; isComp {
		return nil, errf(61024, "must use api(api_component_token) to get token for component acct")
	}
	a := s.accounts[req.AppID]
	switch {
	case a == nil:
		return nil, errInvalidAppID()
	case req.Secret == "":
		return nil, errf(41004, "appsecret missing")
	case a.Secret == "" || req.Secret != a.Secret:
		return nil, errf(40125, "invalid appsecret")
	}
	if e := s.checkOwnIP(r, a.AppID); e != nil {
		return nil, e
	}
	now := s.clk.Now()
	cur := s.tokens[s.ownTokens[a.AppID]]
	// Normal mode hands back the current token until its last five minutes;
	// force_refresh rotates it and the old one stops working at once.
	if !req.ForceRefresh && cur != nil && !cur.revoked && cur.expires.Sub(now) > tokenOverlap {
		return map[string]any{"access_token": cur.value, "expires_in": int(cur.expires.Sub(now) / time.Second)}, nil
	}
	if req.ForceRefresh && cur != nil {
		cur.revoked = true
	}
	t := s.mint(kindOwn, a.AppID, "")
	s.ownTokens[a.AppID] = t.value
	return map[string]any{"access_token": t.value, "expires_in": int(TokenLifetime / time.Second)}, nil
}
