package connector

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// Server is the connector's HTTP service.
type Server struct {
	cfg          Config
	st           Store // every call bounded by storeTimeout (storeguard.go)
	raw          Store // the store as opened, for its optional abilities
	wc           *wechat.Client
	relay        *http.Client // the WeChat client without its own timeout: each relayed call carries a deadline
	tok          *tokens
	crypts       []*wechat.MsgCrypt // current key first, then the previous one
	log          *slog.Logger
	limits       *limiter
	refusals     *refusals    // wrong project tokens, per client
	codeRefusals codeRefusals // authorization codes WeChat refused at the callback
	public       *limiter     // per client address, for the pages phones and browsers open
	health       healthCache
	ticket       ticketWatch
	pushes       pushWatch
	watch        *watcher
	metrics      *metrics
	recheck      time.Duration // how often a long-poll reads its session unwoken
	access       accessCache
	bg           sync.WaitGroup // follow-up work of pushes
	loops        sync.WaitGroup // maintenance
	ctx          context.Context
	cancel       context.CancelFunc
	handler      http.Handler

	// The staff console's one-time links and its per-staff and
	// per-client limits on sign-ins and code look-ups.
	links       staffLinks
	staffLimits *limiter
	streams     streamGate
}

// New builds a connector on a store. The store stays the caller's to close.
func New(cfg Config, st Store) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, st: guard(st, storeTimeout), raw: st, log: cfg.Logger,
		limits: newLimiter(cfg.RateLimit, cfg.RateBurst), refusals: newRefusals(cfg.Logger), codeRefusals: newCodeRefusals(), public: newLimiter(cfg.PublicRateLimit, cfg.PublicRateBurst), watch: newWatcher(),
		access: accessCache{tokens: map[string]cached[ProjectToken]{}, links: map[string]cached[[]string]{}}}
	s.staffLimits = newLimiter(staffLookupRate, staffLookupBurst)
	for _, k := range []string{cfg.Secrets.EncodingAESKey, cfg.Secrets.PrevEncodingAESKey} {
		if k == "" {
			continue
		}
		mc, err := wechat.NewMsgCrypt(cfg.Secrets.Token, k, cfg.ComponentAppID)
		if err != nil {
			return nil, fmt.Errorf("connector: EncodingAESKey: %w", err)
		}
		s.crypts = append(s.crypts, mc)
	}
	s.metrics = newMetrics(s)
	s.cfg.HTTPClient = s.metrics.instrument(cfg.HTTPClient)
	s.wc = wechat.NewClient(cfg.APIBase, s.cfg.HTTPClient)
	s.relay = &http.Client{Transport: s.cfg.HTTPClient.Transport}
	s.tok = &tokens{comp: cfg.ComponentAppID, secret: cfg.Secrets.AppSecret, st: s.st, wc: s.wc,
		seal: newSealer(cfg.Secrets.StoreKey), clk: cfg.Clock, log: cfg.Logger, cache: map[string]cachedToken{}, refreshed: s.metrics.refreshed}
	if l, ok := st.(tokenLocker); ok {
		s.tok.locker = l
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ticket.started = cfg.Clock.Now()
	s.handler = s.routes()
	s.recheck = time.Second
	if f, ok := st.(sessionFeed); ok {
		s.recheck = feedRecheck
		s.loops.Add(1)
		go s.followSessions(f)
	}
	if f, ok := st.(fleet); ok {
		s.loops.Add(1)
		go s.shareLimits(f)
	}
	if cfg.MaintainEvery > 0 {
		s.loops.Add(2)
		go s.maintain()
		go s.watchTicket(time.Minute)
	}
	return s, nil
}

// RecheckAuthorizer forgets appid's access token and asks WeChat for a new
// one with the stored refresh token: ErrNeedsReauth when WeChat no longer
// honours the authorization. A restarted simulation uses it, as a token
// from before means nothing to a WeChat that restarted.
func (s *Server) RecheckAuthorizer(ctx context.Context, appid string) error {
	s.tok.dropAuthorizer(ctx, appid)
	_, err := s.tok.authorizer(ctx, appid)
	return err
}

// Handler serves the connector's endpoints.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops follow-up work started by pushes and waits for it.
func (s *Server) Close() error {
	s.cancel()
	s.bg.Wait()
	s.loops.Wait()
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /wechat/events", s.handleEvents)
	mux.HandleFunc("POST /wechat/messages/{appid}", s.handleMessages)
	mux.Handle("GET /wechat/callback", s.perClient(s.handleCallback))
	mux.Handle("GET /a/{code}", s.perClient(s.handleLanding))
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.Handle("GET /v1/health", s.auth(s.handleHealth))
	mux.Handle("POST /v1/authorizations", s.auth(s.handleCreateSession))
	mux.Handle("GET /v1/authorizations/{id}", s.auth(s.handleGetSession))
	mux.Handle("GET /v1/accounts/{appid}", s.auth(s.handleAccount))
	mux.Handle("POST /v1/accounts/{appid}/refresh", s.auth(s.handleAccountRefresh))
	mux.Handle("/v1/accounts/{appid}/wechat/{path...}", s.auth(s.handleRelay))
	s.staffRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { unrouted(mux, w, r) })
	return s.logged(mux)
}

// unrouted answers, in JSON as every other refusal, a path no route
// serves (404) or serves with other methods (405, with Allow): the
// catch-all route takes both, so it asks the mux which methods would do.
func unrouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, http.StatusNotFound, api.ErrorNotFound, "no such path", nil)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, api.ErrorBadRequest, r.URL.Path+" takes "+strings.Join(allow, " or "), nil)
}

type ctxKey int

const requestIDKey ctxKey = iota

// reqInfo travels in a request's context; auth fills in the project so the
// access log can name it.
type reqInfo struct {
	id, project string
	refused     bool // a wrong project token
}

func infoOf(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(requestIDKey).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func projectOf(r *http.Request) string { return infoOf(r).project }

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logged gives every request an id and one log line. The query string is
// never logged: the callback's carries an authorization code.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &reqInfo{id: randomID(8)}
		w.Header().Set("X-Request-Id", ri.id)
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		start := time.Now()
		req := r.WithContext(context.WithValue(r.Context(), requestIDKey, ri))
		next.ServeHTTP(rec, req)
		s.metrics.observe(req.Pattern, rec.status, time.Since(start))
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" || ri.refused {
			return // refused tokens are logged in summary (refusals.go)
		}
		s.log.Info("request", "request_id", ri.id, "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"ms", time.Since(start).Milliseconds(), "project", ri.project)
	})
}

// HashToken is how project tokens are kept: only this digest is stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// auth admits requests with a live project token and applies its rate limit.
func (s *Server) auth(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const prefix = "Bearer "
		hdr := r.Header.Get("Authorization")
		if len(hdr) <= len(prefix) || hdr[:len(prefix)] != prefix {
			writeError(w, http.StatusUnauthorized, api.ErrorUnauthorized, "missing bearer token", nil)
			return
		}
		hash, client := HashToken(hdr[len(prefix):]), clientKey(s.clientAddr(r))
		wait, throttled := s.refusals.throttled(client)
		if throttled && !s.knownProject(hash) {
			infoOf(r).refused = true
			s.refusals.note(client, true)
			w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
			writeError(w, http.StatusTooManyRequests, api.ErrorRateLimited, "too many unknown project tokens from this address", nil)
			return
		}
		p, err := s.project(r.Context(), hash)
		if err != nil && !errors.Is(err, ErrNotFound) {
			// Unknown is not revoked: a wizard told "revoked" would
			// throw a good token away.
			s.writeFailure(w, r, err)
			return
		}
		if err != nil || !p.RevokedAt.IsZero() {
			infoOf(r).refused = true
			s.refusals.note(client, false)
			writeError(w, http.StatusUnauthorized, api.ErrorUnauthorized, "unknown or revoked project token", nil)
			return
		}
		if wait, ok := s.limits.allow(p.ID); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
			writeError(w, http.StatusTooManyRequests, api.ErrorRateLimited, "too many requests for this token", nil)
			return
		}
		infoOf(r).project = p.Project
		h(w, r)
	})
}

// accessTTL is how long a project token or an account link is trusted
// from memory: the relay takes thousands of calls a minute during a sync,
// and a revocation (made by the CLI, in another process) still bites
// within seconds.
const accessTTL = 5 * time.Second

type cached[T any] struct {
	v   T
	exp time.Time
}

// accessCache remembers project tokens and account links briefly.
type accessCache struct {
	mu     sync.Mutex
	tokens map[string]cached[ProjectToken]
	links  map[string]cached[[]string]
}

func (s *Server) project(ctx context.Context, hash string) (ProjectToken, error) {
	s.access.mu.Lock()
	c, ok := s.access.tokens[hash]
	s.access.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.v, nil
	}
	p, err := s.st.ProjectTokenByHash(ctx, hash)
	if err != nil {
		return p, err
	}
	s.access.mu.Lock()
	s.access.tokens[hash] = cached[ProjectToken]{p, time.Now().Add(accessTTL)}
	s.access.mu.Unlock()
	return p, nil
}

// accountProjects lists the projects that authorized appid.
func (s *Server) accountProjects(ctx context.Context, appid string) ([]string, error) {
	s.access.mu.Lock()
	c, ok := s.access.links[appid]
	s.access.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.v, nil
	}
	ps, err := s.st.AccountProjects(ctx, appid)
	if err != nil {
		return nil, err
	}
	s.access.mu.Lock()
	s.access.links[appid] = cached[[]string]{ps, time.Now().Add(accessTTL)}
	s.access.mu.Unlock()
	return ps, nil
}

// forgetLinks drops the cached links of appid after they changed here.
func (s *Server) forgetLinks(appid string) {
	s.access.mu.Lock()
	delete(s.access.links, appid)
	s.access.mu.Unlock()
}

// CreateProjectToken issues a token for a project and returns it; only its
// hash is stored, so it cannot be shown again.
func (s *Server) CreateProjectToken(project string) (string, error) {
	return CreateProjectToken(context.Background(), s.st, project, s.cfg.Clock.Now())
}

// CreateProjectToken is the store-level form used by the CLI.
func CreateProjectToken(ctx context.Context, st Store, project string, now time.Time) (string, error) {
	if project == "" {
		return "", errors.New("connector: a project name is required")
	}
	tok := "oaw_" + randomID(24)
	err := st.CreateProjectToken(ctx, ProjectToken{ID: "pt_" + randomID(6), Project: project, Hash: HashToken(tok), CreatedAt: now})
	if err != nil {
		return "", err
	}
	return tok, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, kind, msg string, ae *wechat.APIError) {
	b := api.Error{Error: kind, Message: msg}
	if ae != nil {
		b.ErrCode, b.ErrMsg, b.Path = ae.Code, ae.Msg, ae.Path
		if ae.RID != "" {
			b.ErrMsg += " rid: " + ae.RID
		}
	}
	writeJSON(w, status, b)
}

// writeFailure maps an internal error to the API's error kinds.
func (s *Server) writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	var ae *wechat.APIError
	switch {
	case errors.Is(err, ErrWaitingForTicket), wechat.IsCode(err, 61005), wechat.IsCode(err, 61006):
		w.Header().Set("Retry-After", "60")
		c := s.ticketCause(err)
		if c.Reason == ReasonTicketStalled {
			s.ticketStalled(c.Message)
			writeError(w, http.StatusServiceUnavailable, api.ErrorTicketStalled, c.Message, nil)
			return
		}
		writeError(w, http.StatusServiceUnavailable, api.ErrorWaitingTicket, err.Error(), nil)
	case errors.Is(err, ErrNeedsReauth):
		writeError(w, http.StatusConflict, api.ErrorReauthorize, err.Error(), nil)
	case errors.Is(err, ErrNoAPIPermission):
		writeError(w, http.StatusForbidden, api.ErrorNoAPIPermission, err.Error(), nil)
	case errors.Is(err, ErrNotAuthorized):
		writeError(w, http.StatusForbidden, api.ErrorForbidden, err.Error(), nil)
	case errors.As(err, &ae):
		writeError(w, http.StatusBadGateway, api.ErrorWeChat, "WeChat answered an error", ae)
	case r.Context().Err() != nil:
		// The caller hung up (a closed wizard, a proxy timeout): nobody
		// reads this answer, and nothing is wrong with WeChat.
		s.log.Info("client went away", "request_id", infoOf(r).id, "path", r.URL.Path)
		w.WriteHeader(statusClientClosed)
	case storeFailure(err):
		s.metrics.storeErrs.Inc()
		s.log.Error("request failed", "request_id", infoOf(r).id, "path", r.URL.Path, "reason", ReasonStoreUnavailable, "err", err.Error())
		w.Header().Set("Retry-After", storeRetryAfter)
		writeError(w, http.StatusServiceUnavailable, api.ErrorStoreUnavailable, "the connector's database cannot be used for a moment; try again after Retry-After", nil)
	default:
		c := causeOf(err)
		s.log.Error("request failed", "request_id", infoOf(r).id, "path", r.URL.Path, "reason", c.Reason, "err", err.Error())
		msg := c.Message
		if c.Reason == ReasonUnreachable {
			msg = "WeChat could not be reached: " + c.Message
		}
		writeError(w, http.StatusBadGateway, api.ErrorWeChat, msg, nil)
	}
}

// watcher wakes long-polls when a session changes. An entry lives while
// someone waits on it, so sessions polled but never changed (most of them)
// leave nothing behind.
type watcher struct {
	mu sync.Mutex
	ch map[string]*watch
}

type watch struct {
	c       chan struct{}
	waiters int
}

func newWatcher() *watcher { return &watcher{ch: map[string]*watch{}} }

// wait returns a channel closed at the session's next change, and a release
// to call when the caller stops waiting.
func (w *watcher) wait(id string) (<-chan struct{}, func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.ch[id]
	if !ok {
		e = &watch{c: make(chan struct{})}
		w.ch[id] = e
	}
	e.waiters++
	return e.c, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		e.waiters--
		if e.waiters == 0 && w.ch[id] == e {
			delete(w.ch, id)
		}
	}
}

func (w *watcher) notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e, ok := w.ch[id]; ok {
		close(e.c)
		delete(w.ch, id)
	}
}
