package wechatsim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Lifetimes from reference §1.13.
const (
	TicketLifetime      = 12 * time.Hour
	TokenLifetime       = 7200 * time.Second
	PreAuthCodeLifetime = 600 * time.Second // expires_in as every response sample shows it (pre_auth_code.html, getPreAuthCode.html); only the 2.0 page's body text says 1800
	AuthCodeLifetime    = 600 * time.Second // the redirect's expires_in in the docs' example (authorization flow, 授权后回调URI); one community report saw 3600
	// tokenOverlap is how long a token stays valid after a newer one was
	// minted for the same account. WeChat documents a 5-minute overlap for
	// cgi-bin/token; nothing is said for component and authorizer tokens, so
	// the same overlap is assumed there.
	tokenOverlap = 5 * time.Minute
)

type tokenKind int

const (
	kindComponent tokenKind = iota + 1
	kindAuthorizer
	kindOwn
)

type token struct {
	value     string
	kind      tokenKind
	appid     string // the component (kindComponent) or the account it acts for
	component string // for kindAuthorizer: the component that minted it
	expires   time.Time
	revoked   bool
}

// mint issues a token and shortens the life of the previous ones for the same
// holder to the overlap. Callers hold s.mu.
func (s *Server) mint(kind tokenKind, appid, comp string) *token {
	now := s.clk.Now()
	for _, t := range s.tokens {
		if t.kind == kind && t.appid == appid && t.component == comp && !t.revoked {
			if cut := now.Add(tokenOverlap); t.expires.After(cut) {
				t.expires = cut
			}
		}
	}
	prefix := map[tokenKind]string{kindComponent: "81_", kindAuthorizer: "82_", kindOwn: "83_"}[kind]
	t := &token{value: prefix + randomString(133), kind: kind, appid: appid, component: comp, expires: now.Add(TokenLifetime)}
	s.tokens[t.value] = t
	return t
}

// tokenParam reads the access token from the query: component APIs accept
// both spellings the documentation uses (§1.1).
func tokenParam(r *http.Request, component bool) string {
	q := r.URL.Query()
	if component {
		if v := q.Get("component_access_token"); v != "" {
			return v
		}
	}
	return q.Get("access_token")
}

// validToken checks a token's shape and life. Callers hold s.mu.
func (s *Server) validToken(value string) (*token, *apiErr) {
	if value == "" {
		return nil, errTokenMissing()
	}
	if len(value) < 20 || strings.Trim(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*") != "" {
		return nil, errBadToken()
	}
	t := s.tokens[value]
	switch {
	case t == nil || t.revoked:
		return nil, errInvalidCred()
	case !s.clk.Now().Before(t.expires):
		return nil, errTokenExpired()
	}
	return t, nil
}

// componentCall authenticates a component API call: the caller's IP must be
// whitelisted and the token must be a component token (§1.1: an authorizer
// token here is 61014).
func (s *Server) componentCall(r *http.Request) (*component, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkComponentIP(r); e != nil {
		return nil, e
	}
	t, e := s.validToken(tokenParam(r, true))
	if e != nil {
		return nil, e
	}
	if t.kind != kindComponent {
		return nil, errf(61014, "must use component token for component api")
	}
	return s.components[t.appid], nil
}

// checkComponentIP answers 61004 for callers outside the platform's whitelist,
// echoing the address the way WeChat's message does. Callers hold s.mu.
func (s *Server) checkComponentIP(r *http.Request) *apiErr {
	if s.whitelist == nil {
		return nil
	}
	ip := callerIP(r)
	if ip != nil && allowed(s.whitelist, ip) {
		return nil
	}
	return errf(61004, "access clientip is not registered requestIP: %s", ip)
}

// accountCall authenticates a call on an account's behalf with an authorizer
// token or the account's own token, and checks the permission set the API
// belongs to (0 = none needed). Authorizer calls go through the component
// whitelist; own-token calls through the account's API IP whitelist.
func (s *Server) accountCall(r *http.Request, set int) (*token, *Account, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.validToken(tokenParam(r, false))
	if e != nil {
		return nil, nil, e
	}
	switch t.kind {
	case kindComponent:
		return nil, nil, errAPIUnauth()
	case kindAuthorizer:
		if e := s.checkComponentIP(r); e != nil {
			return nil, nil, e
		}
		a := s.auths[authKey{t.component, t.appid}]
		if a == nil || a.revoked {
			return nil, nil, errInvalidCred()
		}
		if set != 0 && !slices.ContainsFunc(append([]int{set}, sameAPISets[set]...), a.has) {
			return nil, nil, errNotToComponent()
		}
	case kindOwn:
		if e := s.checkOwnIP(r, t.appid); e != nil {
			return nil, nil, e
		}
	}
	acct := s.accounts[t.appid]
	if acct == nil {
		return nil, nil, errInvalidAppID()
	}
	if acct.Banned {
		// An account WeChat limited answers "user limited" to its APIs as
		// to api_query_auth (reference §1.6).
		return nil, nil, errf(50002, "user limited")
	}
	return t, acct, nil
}

// sameAPISets are the other permission sets that open the APIs of a set,
// as each API's page lists them: user/get and batchget "2, 100"
// (api_getfans, api_batchuserinfo); getaccountbasicinfo and open/have
// "3, 30" (api_getbindopenaccount); open/get "24, 25, 60"
// (en/openApi/OpenApiDoc/openplatform-management/getOpenAccount.html).
var sameAPISets = map[int][]int{2: {100}, 3: {30}, 24: {25, 60}}

// InvalidateComponentToken rotates the component's token out of band (another
// replica or a test tool fetched a new one): the old token answers 40001.
func (s *Server) InvalidateComponentToken(componentAppID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.kind == kindComponent && t.appid == componentAppID {
			t.revoked = true
		}
	}
}

// InvalidateAuthorizerToken does the same for an authorizer's access tokens.
func (s *Server) InvalidateAuthorizerToken(authorizerAppID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokeAuthorizerTokens(authorizerAppID)
}

func (s *Server) revokeAuthorizerTokens(appid string) {
	for _, t := range s.tokens {
		if t.kind == kindAuthorizer && t.appid == appid {
			t.revoked = true
		}
	}
}
