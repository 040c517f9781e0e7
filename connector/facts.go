package connector

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// Account facts: what WeChat says about verification, principal and Open
// Platform binding, each with its source, or why it is unknown.

type unknown struct {
	Reason  string `json:"reason"` // not_authorized | permission_missing | api_error | not_bound
	ErrCode int    `json:"errcode,omitempty"`
	Set     int    `json:"set,omitempty"`
}

type fact struct {
	Value   any          `json:"value"`
	Source  string       `json:"source,omitempty"`
	Unknown *api.Unknown `json:"unknown,omitempty"`
}

func unknownFacts(reason string) map[string]api.Fact {
	m := map[string]api.Fact{}
	for _, n := range api.FactNames {
		m[n] = api.Fact{Unknown: &api.Unknown{Reason: reason}}
	}
	return m
}

func apiUnknown(err error) *api.Unknown {
	return &api.Unknown{Reason: "api_error", ErrCode: wechat.ErrorCode(err)}
}

// allowedAccount answers whether the project may see the account: it may if
// it authorized it, or if no project did (then nothing is known anyway).
func (s *Server) allowedAccount(ctx context.Context, project, appid string) (linked bool, err error) {
	projects, err := s.accountProjects(ctx, appid)
	if err != nil {
		return false, err
	}
	if slices.Contains(projects, project) {
		return true, nil
	}
	if len(projects) > 0 {
		return false, ErrNotAuthorized
	}
	return false, nil
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) { s.serveAccount(w, r, false) }
func (s *Server) handleAccountRefresh(w http.ResponseWriter, r *http.Request) {
	s.serveAccount(w, r, true)
}

func (s *Server) serveAccount(w http.ResponseWriter, r *http.Request, refresh bool) {
	appid := strings.ToLower(r.PathValue("appid"))
	if !appIDRE.MatchString(appid) {
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, "appid must be wx followed by 16 hexadecimal characters", nil)
		return
	}
	linked, err := s.allowedAccount(r.Context(), projectOf(r), appid)
	if err != nil {
		if errors.Is(err, ErrNotAuthorized) {
			writeError(w, http.StatusForbidden, api.ErrorForbidden, "another project authorized this account", nil)
			return
		}
		s.writeFailure(w, r, err)
		return
	}
	if !linked {
		writeJSON(w, http.StatusOK, api.Account{AppID: appid, Granted: []int{}, Facts: unknownFacts("not_authorized")})
		return
	}
	a, err := s.st.Authorizer(r.Context(), appid)
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.writeFailure(w, r, err)
		return
	}
	if refresh || a.FactsJSON == nil {
		v, err := s.refreshFacts(r.Context(), appid)
		if err != nil {
			s.writeFailure(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	var v api.Account
	if err := json.Unmarshal(a.FactsJSON, &v); err != nil {
		s.writeFailure(w, r, err)
		return
	}
	if a.Lost() {
		// The facts read while it held stay true; whether it still holds
		// is the status, which changed after they were read.
		v.Authorized, v.NeedsReauthorization = false, true
	}
	writeJSON(w, http.StatusOK, v)
}

// refreshFacts asks WeChat about the account and stores the answer.
func (s *Server) refreshFacts(ctx context.Context, appid string) (api.Account, error) {
	v := api.Account{AppID: appid, Granted: []int{}, Facts: unknownFacts("not_authorized")}
	a, err := s.st.Authorizer(ctx, appid)
	if errors.Is(err, ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	if a.Lost() {
		v.NeedsReauthorization = true
		return v, nil
	}
	v.Authorized = true
	at := a.AuthorizedAt
	v.AuthorizedAt = &at
	var info *wechat.AuthorizerInfoResult
	err = s.tok.withComponent(ctx, func(ctok string) error {
		var e error
		info, e = s.wc.AuthorizerInfo(ctx, ctok, s.cfg.ComponentAppID, appid)
		return e
	})
	if errors.Is(err, ErrWaitingForTicket) {
		return v, err
	}
	const src = "api_get_authorizer_info"
	if err != nil {
		for _, n := range []string{"nick_name", "service_type", "verify_type", "principal_name"} {
			v.Facts[n] = api.Fact{Unknown: apiUnknown(err)}
		}
		if c, _ := wechat.ClassOfError(err); c == wechat.ClassReauthorize {
			v.Authorized, v.NeedsReauthorization = false, true
		}
	} else {
		ai := info.AuthorizerInfo
		v.Facts["nick_name"] = api.Fact{Value: ai.NickName, Source: src}
		v.Facts["service_type"] = api.Fact{Value: ai.ServiceTypeInfo.ID, Source: src}
		v.Facts["verify_type"] = api.Fact{Value: ai.VerifyTypeInfo.ID, Source: src}
		v.Facts["principal_name"] = api.Fact{Value: ai.PrincipalName, Source: src}
		a.FuncIDs = wechat.PermissionIDs(info.AuthorizationInfo.FuncInfo)
		a.NickName = ai.NickName
	}
	v.Granted = append([]int{}, a.FuncIDs...)
	has := func(ids ...int) bool {
		for _, id := range ids {
			if slices.Contains(a.FuncIDs, id) {
				return true
			}
		}
		return false
	}
	missing := func(set int) api.Fact { return api.Fact{Unknown: &api.Unknown{Reason: "permission_missing", Set: set}} }
	// 账号服务 (3 for an OA, 30 for a mini-program) opens basic info and open/have.
	if has(3, 30) {
		err := s.tok.withAuthorizer(ctx, appid, func(tok string) error {
			b, e := s.wc.AccountBasicInfo(ctx, tok)
			if e == nil {
				v.Facts["principal_type"] = api.Fact{Value: b.PrincipalType, Source: "getaccountbasicinfo"}
				v.Facts["credential"] = api.Fact{Value: b.Credential, Source: "getaccountbasicinfo"}
			}
			return e
		})
		if err != nil {
			v.Facts["principal_type"], v.Facts["credential"] = api.Fact{Unknown: apiUnknown(err)}, api.Fact{Unknown: apiUnknown(err)}
		}
		err = s.tok.withAuthorizer(ctx, appid, func(tok string) error {
			h, e := s.wc.OpenHave(ctx, tok)
			if e == nil {
				v.Facts["has_open"] = api.Fact{Value: h, Source: "open/have"}
			}
			return e
		})
		if err != nil {
			v.Facts["has_open"] = api.Fact{Unknown: apiUnknown(err)}
		}
	} else {
		v.Facts["principal_type"], v.Facts["credential"], v.Facts["has_open"] = missing(3), missing(3), missing(3)
	}
	// 开放平台账号管理 (24 OA, 25 mini-program) is exclusive and optional.
	if has(24, 25) {
		err := s.tok.withAuthorizer(ctx, appid, func(tok string) error {
			o, e := s.wc.OpenGet(ctx, tok, appid)
			if e == nil {
				v.Facts["open_appid"] = api.Fact{Value: o, Source: "open/get"}
			}
			return e
		})
		switch {
		case wechat.IsCode(err, wechat.CodeOpenNotExists):
			v.Facts["open_appid"] = api.Fact{Source: "open/get", Unknown: &api.Unknown{Reason: "not_bound", ErrCode: wechat.CodeOpenNotExists}}
		case err != nil:
			v.Facts["open_appid"] = api.Fact{Unknown: apiUnknown(err)}
		}
	} else {
		v.Facts["open_appid"] = missing(24)
	}
	now := s.cfg.Clock.Now().UTC()
	v.CheckedAt = &now
	if b, err := json.Marshal(v); err == nil {
		if err := s.st.SetAuthorizerFacts(ctx, appid, a.NickName, a.FuncIDs, b, now); err != nil {
			return v, err
		}
	}
	return v, nil
}
