package wechatsim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

type apiHandler func(r *http.Request) (any, *apiErr)

// routes maps WeChat's paths. An unknown path gets a plain 404, so a wrong
// path in our code is never mistaken for one of WeChat's in-band errors.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	post := map[string]apiHandler{
		"/cgi-bin/component/api_component_token":     s.handleComponentToken,
		"/cgi-bin/component/api_start_push_ticket":   s.handleStartPushTicket,
		"/cgi-bin/component/api_create_preauthcode":  s.handlePreAuthCode,
		"/cgi-bin/component/api_query_auth":          s.handleQueryAuth,
		"/cgi-bin/component/api_authorizer_token":    s.handleAuthorizerToken,
		"/cgi-bin/component/api_get_authorizer_info": s.handleAuthorizerInfo,
		"/cgi-bin/component/api_get_authorizer_list": s.handleAuthorizerList,
		"/cgi-bin/account/getaccountbasicinfo":       s.handleAccountBasicInfo,
		"/cgi-bin/open/get":                          s.handleOpenGet,
		"/cgi-bin/stable_token":                      s.handleStableToken,
		"/cgi-bin/user/info/batchget":                s.handleBatchGet,
		"/datacube/getusersummary":                   s.handleUserSummary,
		"/datacube/getusercumulate":                  s.handleUserCumulate,
		"/cgi-bin/openapi/quota/get":                 s.handleQuotaGet,
	}
	get := map[string]apiHandler{
		"/cgi-bin/user/get":  s.handleUserGet,
		"/cgi-bin/open/have": s.handleOpenHave,
	}
	for path, h := range post {
		mux.Handle(path, s.api(path, http.MethodPost, h))
	}
	for path, h := range get {
		mux.Handle(path, s.api(path, http.MethodGet, h))
	}
	mux.HandleFunc("/cgi-bin/componentloginpage", s.handlePCPage)
	mux.HandleFunc("/wxaopen/safe/bindcomponent", s.handleBindPage)
	mux.HandleFunc("/safe/bindcomponent", s.handleBindPage)
	mux.HandleFunc("/wxaopen/safe/bindcomponent/confirm", s.handleBindConfirm)
	mux.HandleFunc("/", http.NotFound)
	return mux
}

// api wraps a handler with what every API call goes through: counting,
// latency, the method check and injected transient failures.
func (s *Server) api(path, method string, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[path]++
		delay := s.opts.Latency
		transient := s.faults.transientRate > 0 && s.rng.Float64() < s.faults.transientRate
		if s.faults.spikeRate > 0 && s.rng.Float64() < s.faults.spikeRate {
			delay += s.faults.spike
		}
		s.mu.Unlock()
		if delay > 0 {
			// Latency is the network's, so it passes on the wall clock.
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if r.Method != method {
			if method == http.MethodPost {
				writeErr(w, errNeedPost())
			} else {
				writeErr(w, errNeedGet())
			}
			return
		}
		if transient {
			writeErr(w, errSystem())
			return
		}
		v, e := h(r)
		if e != nil {
			writeErr(w, e)
			return
		}
		if raw, ok := v.(rawJSON); ok {
			w.Header().Set("Content-Type", "application/json; encoding=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
			w.Write(raw)
			recycle(raw)
			return
		}
		writeJSON(w, v)
	})
}

// rawJSON is an answer already encoded by its handler.
type rawJSON []byte

// answerBufs keep the buffers large answers are encoded in: a
// million-follower sync asks for ten thousand batchget answers of about
// 30 KB, and the simulator's garbage slowed the whole process it runs in.
var answerBufs sync.Pool

// newAnswer is an empty rawJSON with room for n bytes.
func newAnswer(n int) rawJSON {
	if b, ok := answerBufs.Get().(*rawJSON); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make(rawJSON, 0, n)
}

// recycle keeps an answer's buffer once it has been written; huge ones
// (a full user/get page) are left to the collector.
func recycle(b rawJSON) {
	if cap(b) <= 1<<20 {
		answerBufs.Put(&b)
	}
}

// afterBatchGet runs the revoked-mid-sync fault: after the configured number
// of batchget calls the account de-authorizes the platform.
func (s *Server) afterBatchGet(appid string) {
	s.mu.Lock()
	f := &s.faults
	if f.revokeAfter == 0 || f.revokeAppID != appid {
		s.mu.Unlock()
		return
	}
	f.batchgetCalled++
	fire := f.batchgetCalled == f.revokeAfter
	s.mu.Unlock()
	if fire {
		for _, c := range s.componentIDs() {
			if s.revoke(c, appid) {
				go s.pushUnauthorized(c, appid)
			}
		}
	}
}

// RevokeAfterBatchGets makes the account de-authorize every platform after n
// more user/info/batchget calls, as an admin might in the middle of a sync.
func (s *Server) RevokeAfterBatchGets(appid string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.revokeAfter, s.faults.revokeAppID, s.faults.batchgetCalled = n, appid, 0
}
