package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// relayAllowed is the read-only allow-list: path → method.
var relayAllowed = map[string]string{
	"cgi-bin/user/get":           http.MethodGet,
	"cgi-bin/user/info/batchget": http.MethodPost,
	"datacube/getusersummary":    http.MethodPost,
	"datacube/getusercumulate":   http.MethodPost,
	"cgi-bin/openapi/quota/get":  http.MethodPost,
}

const maxRelayBody = 1 << 20

// answerBufs keep the relay's answer buffers between calls: a sync relays
// ten thousand answers of about 30 KB each, and allocating each afresh was a
// large part of the connector's garbage. Buffers above maxPooledAnswer (a
// rare full user/get page) are not kept.
var answerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxPooledAnswer = 1 << 20

// maxRelayAnswer bounds one WeChat answer the relay holds in memory; the
// largest, a user/get page of 10,000 openids, is about 330 KB.
const maxRelayAnswer = 16 << 20

// handleRelay calls WeChat with the account's authorizer token and passes
// WeChat's answer through unchanged, errcode and all, after one refresh and
// retry when the token turns out stale.
func (s *Server) handleRelay(w http.ResponseWriter, r *http.Request) {
	appid := strings.ToLower(r.PathValue("appid"))
	path := r.PathValue("path")
	method, ok := relayAllowed[path]
	if !ok || !appIDRE.MatchString(appid) {
		writeError(w, http.StatusForbidden, api.ErrorForbidden, "this WeChat API is not relayed", nil)
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, api.ErrorBadRequest, path+" takes "+method, nil)
		return
	}
	linked, err := s.allowedAccount(r.Context(), projectOf(r), appid)
	if err != nil && !errors.Is(err, ErrNotAuthorized) {
		s.writeFailure(w, r, err) // unknown is not forbidden
		return
	}
	if err != nil || !linked {
		writeError(w, http.StatusForbidden, api.ErrorForbidden, "this project has not authorized the account", nil)
		return
	}
	body, err := wechat.ReadBody(nil, r.Body, r.ContentLength, maxRelayBody)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, api.ErrorBadRequest, "request body too large", nil)
		return
	}
	query := r.URL.Query()
	query.Del("access_token")
	buf := answerBufs.Get().(*[]byte)
	defer answerBufs.Put(buf)
	var answer []byte
	err = s.tok.withAuthorizer(r.Context(), appid, func(tok string) error {
		var e error
		answer, e = s.forward(r.Context(), method, path, query, body, tok, (*buf)[:0])
		return e
	})
	if cap(answer) > cap(*buf) && cap(answer) <= maxPooledAnswer {
		*buf = answer[:0]
	}
	var ae *wechat.APIError
	if errors.As(err, &ae) {
		// WeChat's own answer: it goes back in-band, as WeChat gave it.
		err = nil
	}
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// A known length spares the chunked encoding and lets the wizard read
	// the answer into one buffer.
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.Write(answer)
}

// forward makes one call. It returns the body, and a *wechat.APIError when
// the body says the token was refused, so the caller can refresh and retry.
// The answer is read into dst when it fits.
func (s *Server) forward(ctx context.Context, method, path string, query url.Values, body []byte, tok string, dst []byte) ([]byte, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", tok)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if method == http.MethodPost {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.cfg.APIBase+"/"+path+"?"+q.Encode(), rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// The context above bounds the call; the client's own timeout would
	// add a timer and a goroutine to each of a sync's ten thousand calls.
	resp, err := s.relay.Do(req)
	if err != nil {
		// The URL carries the token; report the path and the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("connector: calling WeChat %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := wechat.ReadBody(dst, resp.Body, resp.ContentLength, maxRelayAnswer)
	if err != nil {
		return nil, errors.New("connector: reading WeChat's answer to " + path + " failed")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("connector: WeChat answered HTTP " + resp.Status + " to " + path)
	}
	// The answer goes back as it is; only WeChat's refusal is told apart.
	var apiErr *wechat.APIError
	if err := wechat.StatusError(path, data); errors.As(err, &apiErr) {
		return data, err
	}
	return data, nil
}
