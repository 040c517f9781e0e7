package connector

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter is a token bucket per project token, on the wall clock.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
	// The configured rate and burst, shared out by share.
	full, fullBurst float64
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), full: rate, fullBurst: float64(burst), buckets: map[string]*bucket{}}
}

// share makes this limiter one of n that together allow the configured
// rate: each instance behind a load balancer that spreads requests evenly
// sees about 1/n of a token's requests.
func (l *limiter) share(n int) {
	if n < 1 {
		n = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full < 0 {
		return
	}
	l.rate, l.burst = l.full/float64(n), max(1, l.fullBurst/float64(n))
}

// maxBuckets bounds the limiter's memory: past it, buckets that have
// refilled (idle clients) are dropped, which changes nothing for them.
const maxBuckets = 10000

func (l *limiter) allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate < 0 {
		return 0, true
	}
	now := time.Now()
	if len(l.buckets) >= maxBuckets {
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// clientAddr is the address a request came from: the TCP peer, or, when
// that peer is a configured reverse proxy, the nearest address in
// X-Forwarded-For that is not one (anything further left could be made up
// by the client).
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a.Unmap()) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// perClient rate-limits the public pages (landing, callback) per client
// address: they need no token, and each may cost a WeChat call.
func (s *Server) perClient(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait, ok := s.public.allow(s.clientAddr(r)); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
			renderPage(w, http.StatusTooManyRequests, page{Title: "请稍候", Text: "请求太频繁，请稍等几秒后再试。",
				TextEN: "Too many requests from this address; wait a few seconds and try again."})
			return
		}
		h(w, r)
	})
}

// ParseTrustedProxies reads a comma-separated list of addresses or CIDR
// prefixes (the -trusted-proxies flag).
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("connector: trusted proxy %q is neither an address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
