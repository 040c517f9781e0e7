package connector

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"oawizard/connector/api"
)

// metrics is what GET /metrics shows a fleet's Prometheus. Each Server has
// its own registry, so several in one process (tests) do not collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	wechat    *prometheus.CounterVec
	refreshes *prometheus.CounterVec
	storeErrs prometheus.Counter
	waiting   prometheus.Gauge
	// The vendor's alerts: tickets that stopped coming, pushes that fail
	// the signature (a Token or EncodingAESKey unlike the console's).
	ticketStalled prometheus.Gauge
	pushRestarts  *prometheus.CounterVec
	pushBadSig    prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connector_http_requests_total",
			Help: "Requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "connector_http_request_duration_seconds",
			Help: "Request latency by route (long-polls included).", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route"}),
		wechat: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connector_wechat_calls_total",
			Help: `Calls to WeChat by errcode ("0" = success, "http" = a non-200 answer, "unreachable" = no answer).`}, []string{"errcode"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connector_token_refreshes_total",
			Help: "Token refreshes from WeChat by kind (component, authorizer) and result (ok, error)."}, []string{"kind", "result"}),
		storeErrs: prometheus.NewCounter(prometheus.CounterOpts{Name: "connector_store_errors_total",
			Help: "Requests and pushes that failed because the database could not be used."}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{Name: "connector_longpolls_waiting",
			Help: "Session long-polls waiting on this instance."}),
		ticketStalled: prometheus.NewGauge(prometheus.GaugeOpts{Name: "connector_ticket_stalled",
			Help: "1 while WeChat's component_verify_ticket pushes have stopped arriving (alert on it), else 0."}),
		pushRestarts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "connector_ticket_push_restarts_total",
			Help: "Calls to api_start_push_ticket after a ticket stall, by result (ok, error)."}, []string{"result"}),
		pushBadSig: prometheus.NewCounter(prometheus.CounterOpts{Name: "connector_push_bad_signature_total",
			Help: "Pushes to the 授权事件接收URL that failed the signature check."}),
	}
	comp := s.cfg.ComponentAppID
	ticketAge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "connector_ticket_age_seconds",
		Help: "Age of the stored component_verify_ticket (-1 = none, or the database cannot be read); WeChat pushes one every 10 minutes."},
		func() float64 {
			ctx, cancel := context.WithTimeout(s.ctx, healthStoreTimeout)
			defer cancel()
			_, at, err := s.st.Ticket(ctx, comp)
			if err != nil {
				return -1
			}
			return s.cfg.Clock.Now().Sub(at).Seconds()
		})
	open := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "connector_sessions_open",
		Help: "Authorization sessions not yet finished or expired (all instances; -1 = the database cannot be read)."},
		func() float64 {
			ctx, cancel := context.WithTimeout(s.ctx, healthStoreTimeout)
			defer cancel()
			n, err := s.st.OpenSessions(ctx, s.cfg.Clock.Now())
			if err != nil {
				return -1
			}
			return float64(n)
		})
	m.reg.MustRegister(m.requests, m.latency, m.wechat, m.refreshes, m.storeErrs, m.waiting, m.ticketStalled, m.pushRestarts, m.pushBadSig, ticketAge, open)
	return m
}

// observe records one request; route is the mux pattern, never the path,
// which holds session ids and relayed WeChat paths without bound.
func (m *metrics) observe(route string, code int, took time.Duration) {
	if route == "" || route == "/" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

func (m *metrics) refreshed(key string, err error) {
	kind, result := "authorizer", "ok"
	if len(key) >= len("component:") && key[:len("component:")] == "component:" {
		kind = "component"
	}
	if err != nil {
		result = "error"
	}
	m.refreshes.WithLabelValues(kind, result).Inc()
}

// errcodeRE finds WeChat's errcode, which its error answers put first.
var errcodeRE = regexp.MustCompile(`"errcode"\s*:\s*(-?\d+)`)

// wechatCounter counts WeChat's answers by errcode as they pass.
type wechatCounter struct {
	next http.RoundTripper
	m    *metrics
}

func (c wechatCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		c.m.wechat.WithLabelValues("unreachable").Inc()
		return resp, err
	}
	if resp.StatusCode != http.StatusOK {
		c.m.wechat.WithLabelValues("http").Inc()
		return resp, nil
	}
	// Only the head is read for the errcode; the body reaches the caller
	// whole.
	head := make([]byte, 256)
	n, _ := io.ReadFull(resp.Body, head)
	head = head[:n]
	code := "0"
	// Most answers with data carry no errcode: the regexp runs only on
	// those that do.
	if bytes.Contains(head, []byte(`"errcode"`)) {
		if g := errcodeRE.FindSubmatch(head); g != nil {
			code = string(g[1])
		}
	}
	c.m.wechat.WithLabelValues(code).Inc()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return resp, nil
}

// instrument gives the WeChat client (a copy: the caller's stays as it is)
// the counting transport.
func (m *metrics) instrument(hc *http.Client) *http.Client {
	c := *hc
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = wechatCounter{next: next, m: m}
	return &c
}

// handleMetrics serves Prometheus, to the private network only: the
// figures describe the vendor's customers' traffic. A reverse proxy on
// the same machine must not pass /metrics on (deploy.md).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	a, err := netip.ParseAddr(s.clientAddr(r))
	if err != nil || !(a.IsLoopback() || a.IsPrivate()) {
		writeError(w, http.StatusNotFound, api.ErrorNotFound, "no such page", nil)
		return
	}
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}
