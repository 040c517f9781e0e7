// Package wechatsim is a stand-in for WeChat's API host, its authorization
// pages and its event pushes, faithful to the documented behaviour the
// connector and the wizard depend on: paths, JSON field names, error codes
// and messages, lifetimes, quotas and the encrypted ticket push. It is shaped
// like net/http/httptest: New starts a server on a loopback port, URL is its
// base, Close stops it.
//
// No test machine can reach WeChat, so every test, the demo mode and every
// benchmark run against this package. Where the documentation is silent the
// choice made is written next to the code.
package wechatsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"oawizard/clock"
)

// Options configure a simulator. The zero value is the "ok" scenario on the
// wall clock with one demo component.
type Options struct {
	Scenario     string        // preset, see Scenarios; "" = "ok"
	Clock        clock.Clock   // nil = real time
	Components   []Component   // nil = one DemoComponent()
	PushInterval time.Duration // ticket push period; 0 = 10 min; <0 = no periodic pushes
	Followers    int           // 0 = the scenario's count; overrides the OA's follower count
	Latency      time.Duration // added to every API call (not to pages)
	Seed         int64
	Logf         func(format string, args ...any) // nil = silent

	// Listen is the address to serve on; "" = a loopback port. A phone on
	// the same network reaches the pages only on a non-loopback address.
	Listen string
	// PublicHost is the host name the pages and links name, with the
	// listener's port; "" = the listener's own address. A simulator
	// listening on all interfaces names the address a phone can reach.
	PublicHost string
	// BrowserAuth opens the authorization page to any browser: it asks the
	// person who they are (an account's admin, or not an admin) instead of
	// knowing it from the logged-in WeChat, so staff can rehearse with a
	// desktop browser or any phone. Pages reached with a Phone still act
	// exactly as before.
	BrowserAuth bool
	// BackURL says where 取消 takes a browser, given the page's
	// redirect_uri: the page before WeChat's is the service's own, and a
	// Referer cut to the origin does not name it. nil or "" = the Referer.
	BackURL func(redirectURI string) string
}

// Server is a running simulator.
type Server struct {
	URL string // base URL, http://127.0.0.1:port

	opts     Options
	clk      clock.Clock
	listener net.Listener
	srv      *http.Server
	hc       *http.Client // for pushes
	scenario preset
	done     chan struct{}
	wg       sync.WaitGroup
	started  bool

	mu         sync.Mutex
	rng        *mrand.Rand
	components map[string]*component
	accounts   map[string]*Account
	tokens     map[string]*token
	ownTokens  map[string]string // appid → current stable token
	preAuth    map[string]*preAuthCode
	authCodes  map[string]*authCode
	auths      map[authKey]*authorization
	pages      map[string]*pageState
	phones     map[string][]string // phone id → appids its user administers
	whitelist  []*net.IPNet        // component IP whitelist; nil = everyone
	quotas     quotaBook
	calls      map[string]int
	faults     faults
	pushPaused bool
	pushDelay  time.Duration
	pushFirst  bool
	closeOnce  sync.Once
}

// faults are the injected misbehaviours scenarios switch on.
type faults struct {
	transientRate  float64       // share of API calls answered -1
	spikeRate      float64       // share of API calls delayed by spike
	spike          time.Duration // extra latency of a spike
	revokeAfter    int           // batchget calls after which the OA de-authorizes (0 = never)
	revokeAppID    string
	batchgetCalled int
}

// New starts a simulator on a loopback port.
func New(opts Options) *Server {
	s := NewUnstarted(opts)
	s.Start()
	return s
}

// NewUnstarted prepares a simulator without serving, so a test can adjust
// accounts or whitelists before the first push goes out.
func NewUnstarted(opts Options) *Server {
	s, err := Prepare(opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Prepare is NewUnstarted for an address that may be taken: it reports the
// failure instead of panicking.
func Prepare(opts Options) (*Server, error) {
	addr := opts.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: listening on %s: %w", addr, err)
	}
	base := "http://" + l.Addr().String()
	if opts.PublicHost != "" {
		_, port, _ := net.SplitHostPort(l.Addr().String())
		base = "http://" + net.JoinHostPort(opts.PublicHost, port)
	}
	s := &Server{
		URL:        base,
		opts:       opts,
		clk:        clock.Or(opts.Clock),
		listener:   l,
		hc:         &http.Client{Timeout: 15 * time.Second},
		done:       make(chan struct{}),
		rng:        mrand.New(mrand.NewPCG(uint64(opts.Seed), 0x5eed)),
		components: map[string]*component{},
		accounts:   map[string]*Account{},
		tokens:     map[string]*token{},
		ownTokens:  map[string]string{},
		preAuth:    map[string]*preAuthCode{},
		authCodes:  map[string]*authCode{},
		auths:      map[authKey]*authorization{},
		pages:      map[string]*pageState{},
		phones:     map[string][]string{},
		calls:      map[string]int{},
		pushFirst:  true,
	}
	s.quotas = newQuotaBook()
	comps := opts.Components
	if comps == nil {
		comps = []Component{DemoComponent()}
	}
	for _, c := range comps {
		s.components[c.AppID] = &component{Component: c, tickets: map[string]time.Time{}}
	}
	s.applyScenario(opts.Scenario, opts.Followers)
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// Start begins serving and the periodic ticket pushes.
func (s *Server) Start() {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		panic("wechatsim: Server already started")
	}
	s.started = true
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.srv.Serve(s.listener)
	}()
	if s.opts.PushInterval >= 0 {
		s.wg.Add(1)
		go s.pushLoop()
	}
	s.mu.Lock()
	var urls []string
	for id, c := range s.components {
		if c.PushURL != "" {
			urls = append(urls, id)
		}
	}
	s.mu.Unlock()
	for _, id := range urls {
		s.pushSoon(id)
	}
}

// Addr is the address the simulator listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Client returns an HTTP client suited to calling the simulator.
func (s *Server) Client() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// Close stops serving and pushing and waits for both to end.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		// Close, not Shutdown: a client's spare connection that never sent a
		// request would hold Shutdown for five seconds.
		s.srv.Close()
		s.wg.Wait()
	})
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// Calls reports how many API calls reached path, e.g. "/cgi-bin/user/get".
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// SetComponentWhitelist sets the third-party platform's 白名单IP地址列表 (IPs
// or CIDRs). nil allows every caller; anything else answers 61004 to callers
// outside it, on component calls and on calls made with authorizer tokens.
func (s *Server) SetComponentWhitelist(cidrsOrIPs []string) {
	nets := parseNets(cidrsOrIPs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cidrsOrIPs == nil {
		s.whitelist = nil
		return
	}
	s.whitelist = nets
}

// SetTransientErrors makes a share of API calls answer -1 "system error".
func (s *Server) SetTransientErrors(rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.transientRate = rate
}

func parseNets(list []string) []*net.IPNet {
	nets := []*net.IPNet{}
	for _, e := range list {
		e = strings.TrimSpace(e)
		if !strings.Contains(e, "/") {
			if ip := net.ParseIP(e); ip != nil && ip.To4() != nil {
				e += "/32"
			} else {
				e += "/128"
			}
		}
		if _, n, err := net.ParseCIDR(e); err == nil {
			nets = append(nets, n)
		}
	}
	return nets
}

func allowed(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// callerIP is the request's source address as WeChat sees it.
func callerIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return net.ParseIP(host)
}

// rid imitates WeChat's request ids ("6645d5e6-71a7e0b3-4d0f6c2a").
func rid() string {
	b := make([]byte, 12)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:16] + "-" + h[16:]
}

// randomString draws n characters from WeChat's token alphabet.
func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// writeJSON answers 200 with v; WeChat never uses other statuses for API errors.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	json.NewEncoder(w).Encode(v)
}

// apiErr is an in-band WeChat error.
type apiErr struct {
	code int
	msg  string
}

func (e *apiErr) Error() string { return fmt.Sprintf("%d %s", e.code, e.msg) }

func errf(code int, format string, args ...any) *apiErr {
	return &apiErr{code: code, msg: fmt.Sprintf(format, args...)}
}

func writeErr(w http.ResponseWriter, e *apiErr) {
	writeJSON(w, map[string]any{"errcode": e.code, "errmsg": e.msg + " rid: " + rid()})
}

// The errors WeChat answers most, with its own wording.
var (
	errSystem      = func() *apiErr { return errf(-1, "system error") }
	errInvalidCred = func() *apiErr {
		return errf(40001, "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r")
	}
	errBadToken       = func() *apiErr { return errf(40014, "invalid access_token") }
	errTokenMissing   = func() *apiErr { return errf(41001, "access_token missing") }
	errTokenExpired   = func() *apiErr { return errf(42001, "access_token expired") }
	errNeedPost       = func() *apiErr { return errf(43002, "require POST method") }
	errNeedGet        = func() *apiErr { return errf(43001, "require GET method") }
	errEmptyPost      = func() *apiErr { return errf(44002, "empty post data") }
	errDataFormat     = func() *apiErr { return errf(47001, "data format error") }
	errAPIUnauth      = func() *apiErr { return errf(48001, "api unauthorized") }
	errInvalidAppID   = func() *apiErr { return errf(40013, "invalid appid") }
	errNotToComponent = func() *apiErr { return errf(61007, "api is unauthorized to component") }
)

// decodeBody reads a JSON body the way WeChat does: empty is 44002, not JSON 47001.
func decodeBody(r *http.Request, v any) *apiErr {
	data, e := readBody(r)
	if e != nil {
		return e
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errDataFormat()
	}
	return nil
}
