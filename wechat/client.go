// Package wechat speaks the WeChat Official Account and Open Platform
// third-party platform ("component") protocol: the HTTP API client, the error
// catalogue, message crypto and the push events. It knows nothing of the
// wizard or the connector that use it.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// maxResponse bounds what we read from one answer: a full user/get page of
// 10,000 openids is about 330 KB, so 8 MiB leaves ample room and still stops
// a misbehaving peer from exhausting memory.
const maxResponse = 8 << 20

// Client calls WeChat's HTTP API. The zero value is not usable; use NewClient.
type Client struct {
	base string
	hc   *http.Client
}

// NewClient returns a client for baseURL (DefaultBaseURL when empty). A nil
// hc gets a client with a 20 s timeout, because WeChat occasionally stalls and
// no caller wants to hang forever.
func NewClient(baseURL string, hc *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

// BaseURL reports the API base the client calls.
func (c *Client) BaseURL() string { return c.base }

// HTTPError is a non-200 answer. WeChat itself always answers 200, so this
// comes from something in between (a proxy, or the connector's relay).
type HTTPError struct {
	Status int
	Body   string // first bytes of the body, for diagnosis
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("wechat: unexpected HTTP status %d", e.Status)
}

// status is the errcode/errmsg pair every WeChat answer may carry.
type status struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Do sends one request: path is relative to the base URL ("/cgi-bin/user/get"),
// query may be nil, body is marshalled as JSON when not nil (and the request is
// then a POST unless method says otherwise), and the answer is decoded into out
// after errcode has been checked. Exported so code can reach endpoints without a
// typed method.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	raw, err := c.DoRaw(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	if err := StatusError(path, raw); err != nil {
		return err
	}
	if out == nil {
		out = new(status) // an answer that is not JSON is refused all the same
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wechat: %s: malformed answer: %w", path, err)
	}
	return nil
}

// StatusError is the *APIError a WeChat answer to path carries, or an error
// when an answer naming an errcode is not JSON; nil for a success. Success
// answers with data usually carry no errcode at all: looking for the key
// first spares a second full parse of large pages.
func StatusError(path string, raw []byte) error {
	if !bytes.Contains(raw, []byte(`"errcode"`)) {
		return nil
	}
	var st status
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("wechat: %s: malformed answer: %w", path, err)
	}
	if st.ErrCode != 0 {
		e := newAPIError(st.ErrCode, st.ErrMsg)
		e.Path = path
		return e
	}
	return nil
}

// DoRaw sends a request and returns the body of a 200 answer unchecked.
func (c *Client) DoRaw(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	resp, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := ReadBody(nil, resp.Body, resp.ContentLength, maxResponse)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: reading answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newHTTPError(resp.StatusCode, string(data))
	}
	return data, nil
}

// DoText is DoRaw with the answer read straight into a string, for
// decoders that keep parts of it: they slice the string instead of copying
// each part, and the answer is never held twice.
func (c *Client) DoText(ctx context.Context, method, path string, query url.Values, body any) (string, error) {
	resp, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	text, err := ReadText(resp.Body, resp.ContentLength, maxResponse)
	if err != nil {
		return "", fmt.Errorf("wechat: %s: reading answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", newHTTPError(resp.StatusCode, text)
	}
	return text, nil
}

func newHTTPError(status int, body string) *HTTPError {
	if len(body) > 512 {
		body = body[:512]
	}
	return &HTTPError{Status: status, Body: body}
}

// send makes one request; the caller reads and closes the answer's body.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any) (*http.Response, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case json.RawMessage:
		// Already encoded by the caller; marshalling it again would only
		// re-validate and copy it.
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("wechat: %s: encoding request: %w", path, err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// url.Error repeats the URL, which carries the access token; keep
		// only the path and the cause so tokens never reach logs.
		var hop notWeChat
		if errors.As(err, &hop) && hop.NotWeChat() {
			return nil, unwrapURLError(err)
		}
		return nil, fmt.Errorf("wechat: %s: %w", path, unwrapURLError(err))
	}
	return resp, nil
}

// notWeChat is a failure of the hop in between, such as the connector's
// relay being unreachable: it names itself, and calling it WeChat's would
// send the admin after the wrong party.
type notWeChat interface{ NotWeChat() bool }

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// tokenQuery builds the query for an authorizer/own-token call. An empty token
// leaves the parameter out, which is how the connector's relay is called: it
// injects the authorizer token itself.
func tokenQuery(token string) url.Values {
	q := url.Values{}
	if token != "" {
		q.Set("access_token", token)
	}
	return q
}

// componentQuery builds the query for a component API call. The 2.0 pages name
// the parameter component_access_token; the newer ones say access_token. WeChat
// accepts both and we follow the 2.0 spelling that every SDK uses.
func componentQuery(token string) url.Values {
	q := url.Values{}
	q.Set("component_access_token", token)
	return q
}
