package connclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"oawizard/wechat"
)

// Health is GET /v1/health.
type Health struct {
	OK             bool   `json:"ok"`
	Project        string `json:"project"`
	ComponentAppID string `json:"component_appid"`
	Ticket         struct {
		State      string `json:"state"` // ok | waiting
		AgeSeconds int64  `json:"age_seconds"`
	} `json:"ticket"`
	Demo bool `json:"demo"`
}

// Health checks address, token and the connector's readiness in one call.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.do(ctx, http.MethodGet, "/v1/health", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Session statuses of an authorization (API.md).
const (
	StatusPending      = "pending"
	StatusScanned      = "scanned"
	StatusAuthorized   = "authorized"
	StatusCancelled    = "cancelled"
	StatusExpired      = "expired"
	StatusWrongAccount = "wrong_account"
	StatusFailed       = "failed"
)

// Session is an authorization session as the connector reports it.
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

// CreateAuthorization opens a session for the Official Account appid.
func (c *Client) CreateAuthorization(ctx context.Context, appid string) (*Session, error) {
	var s Session
	if err := c.do(ctx, http.MethodPost, "/v1/authorizations", map[string]string{"appid": appid}, &s); err != nil {
		return nil, err
	}
	if s.ID == "" || s.QRURL == "" {
		return nil, &Error{Kind: KindProtocol, Err: fmt.Errorf("session without id or qr_url")}
	}
	return &s, nil
}

// WaitAuthorization long-polls: it returns as soon as the session's version
// passes since, or after wait with the current state.
func (c *Client) WaitAuthorization(ctx context.Context, id string, since int64, wait time.Duration) (*Session, error) {
	q := url.Values{}
	q.Set("since", fmt.Sprint(since))
	q.Set("wait", fmt.Sprintf("%ds", int(wait/time.Second)))
	var s Session
	if err := c.do(ctx, http.MethodGet, "/v1/authorizations/"+url.PathEscape(id)+"?"+q.Encode(), nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Unknown says why a fact is missing.
type Unknown struct {
	Reason  string `json:"reason"` // not_authorized | permission_missing | api_error | not_bound
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

// Int is a numeric value; ok is false when unknown or not a number.
func (f Fact) Int() (int, bool) {
	if !f.Known() {
		return 0, false
	}
	n, ok := f.Value.(float64)
	return int(n), ok
}

// Account is GET /v1/accounts/{appid}.
type Account struct {
	AppID                string          `json:"appid"`
	Authorized           bool            `json:"authorized"`
	NeedsReauthorization bool            `json:"needs_reauthorization"`
	AuthorizedAt         *time.Time      `json:"authorized_at"`
	CheckedAt            *time.Time      `json:"checked_at"`
	Granted              []int           `json:"granted"`
	Facts                map[string]Fact `json:"facts"`
}

// Fact returns the named fact; a missing one counts as unknown.
func (a *Account) Fact(name string) Fact {
	if f, ok := a.Facts[name]; ok {
		return f
	}
	return Fact{Unknown: &Unknown{Reason: "absent"}}
}

// Account reads what the connector knows about appid.
func (c *Client) Account(ctx context.Context, appid string) (*Account, error) {
	var a Account
	if err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(appid), nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// RefreshAccount asks the connector to re-read appid from WeChat first.
func (c *Client) RefreshAccount(ctx context.Context, appid string) (*Account, error) {
	var a Account
	if err := c.do(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(appid)+"/refresh", nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// WeChat returns a WeChat API client whose calls go through the connector's
// relay for appid: the connector adds the authorizer token, so calls pass an
// empty token. Relay refusals (403, 409) come back as *wechat.HTTPError; a
// connector that cannot be reached, or refuses the token, as *Error.
func (c *Client) WeChat(appid string) *wechat.Client {
	hc := &http.Client{Transport: &bearer{c: c, next: c.hc.Transport}, Timeout: 60 * time.Second}
	return wechat.NewClient(c.base+"/v1/accounts/"+url.PathEscape(appid)+"/wechat", hc)
}

// bearer adds the project token to relay calls and reports the connector's
// own failures (unreachable, token refused) as *Error, not as WeChat's.
type bearer struct {
	c    *Client
	next http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.c.token)
	next := b.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	return b.c.relayStatus(r.Context(), resp, err)
}
