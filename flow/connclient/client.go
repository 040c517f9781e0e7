// Package connclient is the wizard's client of the connector's HTTP API
// (connector/API.md). It is a second, independent reading of that contract:
// end-to-end tests run it against the real connector over loopback.
package connclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// Client talks to one connector with one project token.
type Client struct {
	base  string
	token string
	hc    *http.Client
	reach reach
}

// New returns a client for the connector at baseURL. A nil hc gets one without
// an overall timeout, because long-polls last up to a minute; every call
// carries its own context instead.
func New(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Kind: KindBadURL, Err: fmt.Errorf("connector URL %q is not an http(s) address", baseURL)}
	}
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 90 * time.Second,
			MaxIdleConnsPerHost:   16,
			// A batchget request (100 openids) is about 6 KB: with the
			// default 4 KB buffer each went out in two writes.
			WriteBufferSize: 16 << 10,
			// A batchget answer is about 30 KB: read with its header in
			// one call instead of a 4 KB one and then the rest.
			ReadBufferSize: 64 << 10,
		}}
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), token: token, hc: hc}, nil
}

// BaseURL is the connector's address.
func (c *Client) BaseURL() string { return c.base }

// Kind sorts failures by what the admin should do about them.
type Kind string

const (
	KindBadURL        Kind = "bad_url"     // the address typed in is not a URL
	KindUnreachable   Kind = "unreachable" // DNS, refused, timeout: network or address
	KindTLS           Kind = "tls"         // certificate problems: wrong host, self-signed, expired
	KindBadToken      Kind = api.ErrorUnauthorized
	KindForbidden     Kind = api.ErrorForbidden
	KindNotFound      Kind = api.ErrorNotFound
	KindReauthorize   Kind = api.ErrorReauthorize
	KindNoAPI         Kind = api.ErrorNoAPIPermission // the account has no API permission: scanning again cannot help
	KindRateLimited   Kind = api.ErrorRateLimited
	KindWeChat        Kind = api.ErrorWeChat
	KindWaitingTicket Kind = api.ErrorWaitingTicket // the connector started minutes ago and no ticket came yet
	KindTicketStalled Kind = api.ErrorTicketStalled // WeChat's tickets stopped arriving; the vendor is alerted
	// KindPushSignature: WeChat's pushes fail the signature check, so the
	// vendor's Token or EncodingAESKey differs from the Open Platform's.
	KindPushSignature Kind = api.ReasonPushSignatureInvalid
	KindBadRequest    Kind = api.ErrorBadRequest
	KindProtocol      Kind = "protocol" // the answer was not what API.md promises
)

// KindStoreUnavailable: the connector's database cannot answer for a
// moment; the call is worth repeating after RetryAfter. Nothing about the
// token, the account or WeChat follows from it.
const KindStoreUnavailable Kind = api.ErrorStoreUnavailable

// Error is every failure this package returns.
type Error struct {
	Kind       Kind
	Status     int
	Message    string // the connector's English message, for logs
	WeChat     *wechat.APIError
	RetryAfter time.Duration
	// LastOK is when the connector last answered this client, for
	// KindUnreachable ("正在重新连接服务器，上次连接成功于 …"); zero if never.
	LastOK time.Time
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("connector: ")
	b.WriteString(string(e.Kind))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Kind == KindUnreachable && !e.LastOK.IsZero() {
		fmt.Fprintf(&b, " (last answered %s)", e.LastOK.Format("15:04:05"))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.WeChat != nil {
		b.WriteString(": " + e.WeChat.Error())
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error {
	if e.WeChat != nil {
		return e.WeChat
	}
	return e.Err
}

// KindOf returns the Kind of err, or "" for errors from elsewhere.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// do sends a JSON request to the connector and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &Error{Kind: KindBadRequest, Err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return &Error{Kind: KindBadURL, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		err = classifyTransport(err)
		if KindOf(err) == KindUnreachable {
			return c.unreachable(0, errors.Unwrap(err))
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return c.unreachable(0, err)
	}
	if proxyFailure(resp, data) {
		return c.unreachable(resp.StatusCode, gatewayError(resp.StatusCode))
	}
	c.answered()
	if resp.StatusCode == http.StatusUnauthorized {
		return c.refused(ctx, statusError(resp, data))
	}
	if resp.StatusCode/100 != 2 {
		return statusError(resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Kind: KindProtocol, Status: resp.StatusCode, Err: fmt.Errorf("decoding %s: %w", path, err)}
	}
	return nil
}

func statusError(resp *http.Response, data []byte) error {
	var eb api.Error
	_ = json.Unmarshal(data, &eb)
	e := &Error{Kind: Kind(eb.Error), Status: resp.StatusCode, Message: eb.Message}
	if eb.ErrCode != 0 {
		e.WeChat = wechat.ParseAPIError(eb.ErrCode, eb.ErrMsg)
		e.WeChat.Path = eb.Path
	}
	if e.Kind == "" {
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			e.Kind = KindBadToken
		case http.StatusForbidden:
			e.Kind = KindForbidden
		case http.StatusNotFound:
			e.Kind = KindNotFound
		case http.StatusTooManyRequests:
			e.Kind = KindRateLimited
		default:
			// A proxy's HTML error page, or something that is not a connector.
			e.Kind = KindProtocol
		}
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return e
}

// classifyTransport separates certificate trouble from plain unreachability,
// because the two need different fixes (ask IT about the proxy/certificate vs
// check the address and network).
func classifyTransport(err error) error {
	var (
		uerr  x509.UnknownAuthorityError
		herr  x509.HostnameError
		cerr  x509.CertificateInvalidError
		rerr  tls.RecordHeaderError
		verr  *tls.CertificateVerificationError
		ctxOK = errors.Is(err, context.Canceled)
	)
	switch {
	case ctxOK:
		return err
	case errors.As(err, &uerr), errors.As(err, &herr), errors.As(err, &cerr), errors.As(err, &verr), errors.As(err, &rerr):
		return &Error{Kind: KindTLS, Err: err}
	}
	return &Error{Kind: KindUnreachable, Err: err}
}
