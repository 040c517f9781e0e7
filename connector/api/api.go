// Package api is the connector's JSON contract (API.md), written once: the
// connector serves these types and the wizard's client reads them, so a
// field, a status or a fact name cannot mean one thing on one side and
// another on the other. It imports nothing of the project's.
package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Session statuses of an authorization.
const (
	StatusPending      = "pending"
	StatusScanned      = "scanned"
	StatusAuthorized   = "authorized"
	StatusCancelled    = "cancelled"
	StatusExpired      = "expired"
	StatusWrongAccount = "wrong_account"
	StatusFailed       = "failed"
)

// A failed session's Reason when WeChat refused the authorization:
// "wechat:" and WeChat's errcode, or ErrorWeChat when WeChat's answer
// carried no code.
const refusalPrefix = "wechat:"

// RefusalReason is the Reason of a session WeChat refused with code.
func RefusalReason(code int) string {
	if code == 0 {
		return ErrorWeChat
	}
	return refusalPrefix + strconv.Itoa(code)
}

// RefusalCode is WeChat's errcode in a failed session's Reason; ok is
// false for any other reason.
func RefusalCode(reason string) (code int, ok bool) {
	rest, found := strings.CutPrefix(reason, refusalPrefix)
	if !found {
		return 0, false
	}
	code, err := strconv.Atoi(rest)
	return code, err == nil && code != 0
}

// CreateSession is the body of POST /v1/authorizations.
type CreateSession struct {
	AppID string `json:"appid"`
}

// Session is an authorization session: POST /v1/authorizations and
// GET /v1/authorizations/{id}.
type Session struct {
	ID            string    `json:"id"`
	Code          string    `json:"code"`
	Status        string    `json:"status"`
	Version       int64     `json:"version"`
	QRURL         string    `json:"qr_url"`
	PCURL         string    `json:"pc_url"`
	ExpectedAppID string    `json:"expected_appid"`
	AppID         string    `json:"appid"`
	NickName      string    `json:"nick_name"`
	Granted       []int     `json:"granted"`
	Missing       []int     `json:"missing"`
	Reason        string    `json:"reason"`
	ExpiresAt     time.Time `json:"expires_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Final reports whether the session can no longer change.
func (s *Session) Final() bool {
	switch s.Status {
	case StatusAuthorized, StatusExpired, StatusWrongAccount, StatusFailed:
		return true
	}
	return false
}

// Fact names of GET /v1/accounts/{appid}.
const (
	FactNickName      = "nick_name"
	FactServiceType   = "service_type"
	FactVerifyType    = "verify_type"
	FactPrincipalName = "principal_name"
	FactPrincipalType = "principal_type"
	FactCredential    = "credential"
	FactOpenAppID     = "open_appid"
	FactHasOpen       = "has_open"
)

// FactNames lists every fact an account answer carries.
var FactNames = []string{FactNickName, FactServiceType, FactVerifyType, FactPrincipalName, FactPrincipalType,
	FactCredential, FactOpenAppID, FactHasOpen}

// Why a fact is unknown.
const (
	UnknownNotAuthorized     = "not_authorized"
	UnknownPermissionMissing = "permission_missing"
	UnknownAPIError          = "api_error"
	UnknownNotBound          = "not_bound"
	// UnknownAbsent is the client's own: the answer did not carry the fact.
	UnknownAbsent = "absent"
)

// Unknown says why a fact is missing.
type Unknown struct {
	Reason  string `json:"reason"`
	ErrCode int    `json:"errcode,omitempty"`
	Set     int    `json:"set,omitempty"`
}

// Fact is one thing the connector knows (or knows it does not know).
type Fact struct {
	Value   any      `json:"value"`
	Source  string   `json:"source,omitempty"`
	Unknown *Unknown `json:"unknown,omitempty"`
}

// Known reports whether the fact has a value.
func (f Fact) Known() bool { return f.Value != nil && f.Unknown == nil }

// String is the value as text ("" when unknown).
func (f Fact) String() string {
	if !f.Known() {
		return ""
	}
	if s, ok := f.Value.(string); ok {
		return s
	}
	return fmt.Sprint(f.Value)
}

// Int is a numeric value; ok is false when unknown or not a number. A
// decoded answer holds float64, the connector's own values int.
func (f Fact) Int() (int, bool) {
	if !f.Known() {
		return 0, false
	}
	switch n := f.Value.(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	}
	return 0, false
}

// Account is GET /v1/accounts/{appid}.
type Account struct {
	AppID                string          `json:"appid"`
	Authorized           bool            `json:"authorized"`
	NeedsReauthorization bool            `json:"needs_reauthorization"`
	AuthorizedAt         *time.Time      `json:"authorized_at,omitempty"`
	CheckedAt            *time.Time      `json:"checked_at,omitempty"`
	Granted              []int           `json:"granted"`
	Facts                map[string]Fact `json:"facts"`
}

// Fact returns the named fact; a missing one counts as unknown.
func (a *Account) Fact(name string) Fact {
	if f, ok := a.Facts[name]; ok {
		return f
	}
	return Fact{Unknown: &Unknown{Reason: UnknownAbsent}}
}

// Error is the body of every answer that is not 2xx.
type Error struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	ErrCode int    `json:"errcode,omitempty"`
	ErrMsg  string `json:"errmsg,omitempty"`
	// Path is the WeChat API that answered: whose quota a 45009 spent
	// depends on it (the platform's own token call: the vendor's).
	Path string `json:"path,omitempty"`
}

// Error kinds (Error.Error).
const (
	ErrorBadRequest = "bad_request"
	// ErrorTooLarge: a body over its endpoint's limit (413).
	ErrorTooLarge      = "too_large"
	ErrorUnauthorized  = "unauthorized"
	ErrorForbidden     = "forbidden"
	ErrorNotFound      = "not_found"
	ErrorReauthorize   = "needs_reauthorization"
	ErrorRateLimited   = "rate_limited"
	ErrorWeChat        = "wechat_error"
	ErrorWaitingTicket = "waiting_for_ticket"
	// ErrorNoAPIPermission: WeChat gave no refresh token because the
	// account has no API permission; scanning again cannot help.
	ErrorNoAPIPermission = "no_api_permission"
	// ErrorStoreUnavailable: the connector's database cannot answer for a
	// moment (a push is then delivered again by WeChat); repeat after
	// Retry-After.
	ErrorStoreUnavailable = "store_unavailable"
	// ErrorTicketStalled: the ticket stopped arriving (or WeChat calls
	// it expired); the vendor has been alerted.
	ErrorTicketStalled = "ticket_stalled"
)
