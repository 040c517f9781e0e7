package connclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// The connector's answers, as its contract package defines them.
type (
	Health  = api.Health
	Session = api.Session
	Unknown = api.Unknown
	Fact    = api.Fact
	Account = api.Account
)

// Health checks address, token and the connector's readiness in one call.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.do(ctx, http.MethodGet, "/v1/health", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Ready is Health that also fails when the connector answers but names
// trouble only the vendor can fix, as the Kind its words are keyed by: a
// connector whose WeChat notices stopped, or fail the signature, cannot
// authorize or sync, whatever the admin does.
func (c *Client) Ready(ctx context.Context) (*Health, error) {
	h, err := c.Health(ctx)
	if err != nil {
		return nil, err
	}
	switch h.WeChat.Reason {
	case api.ReasonTicketStalled:
		return h, &Error{Kind: KindTicketStalled, Message: h.WeChat.Message}
	case api.ReasonPushSignatureInvalid:
		return h, &Error{Kind: KindPushSignature, Message: h.WeChat.Message}
	}
	return h, nil
}

// CreateAuthorization opens a session for the Official Account appid.
func (c *Client) CreateAuthorization(ctx context.Context, appid string) (*Session, error) {
	var s Session
	if err := c.do(ctx, http.MethodPost, "/v1/authorizations", api.CreateSession{AppID: appid}, &s); err != nil {
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
