package connector

import (
	"container/list"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per key (a project token, a client's address),
// on the wall clock. The buckets live in an LRU of bounded size: a flood
// of new keys costs the longest-idle one its bucket (which, refilled, it
// hardly misses), one entry at a time, never a sweep of every bucket
// under the lock.
type limiter struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	// The configured rate and burst, shared out by share; a negative rate
	// is no limit.
	full      rate.Limit
	fullBurst int
	size      int
	order     *list.List // of *bucket, most recently used first
	buckets   map[string]*list.Element
}

type bucket struct {
	key string
	lim *rate.Limiter
}

// maxBuckets bounds the limiter's memory.
const maxBuckets = 10000

func newLimiter(r float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(r), burst: burst, full: rate.Limit(r), fullBurst: burst, size: maxBuckets,
		order: list.New(), buckets: map[string]*list.Element{}}
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
	l.rate, l.burst = l.full/rate.Limit(n), max(1, l.fullBurst/n)
}

// allow takes a token from key's bucket, or says how long until one is
// there.
func (l *limiter) allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate < 0 {
		return 0, true
	}
	now := time.Now()
	b := l.bucket(key)
	if b.Limit() != l.rate || b.Burst() != l.burst {
		b.SetLimitAt(now, l.rate)
		b.SetBurstAt(now, l.burst)
	}
	res := b.ReserveN(now, 1)
	if !res.OK() {
		return time.Minute, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// spent reports whether key's bucket is empty, without taking from it,
// and how long until it holds a token again.
func (l *limiter) spent(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate < 0 {
		return 0, false
	}
	e, ok := l.buckets[key]
	if !ok {
		return 0, false
	}
	now := time.Now()
	t := e.Value.(*bucket).lim.TokensAt(now)
	if t >= 1 {
		return 0, false
	}
	if l.rate == 0 {
		return time.Minute, true
	}
	return time.Duration((1 - t) / float64(l.rate) * float64(time.Second)), true
}

// bucket finds or makes key's bucket, making it the most recently used.
func (l *limiter) bucket(key string) *rate.Limiter {
	if e, ok := l.buckets[key]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*bucket).lim
	}
	if l.order.Len() >= l.size {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.buckets, last.Value.(*bucket).key)
	}
	b := &bucket{key: key, lim: rate.NewLimiter(l.rate, l.burst)}
	l.buckets[key] = l.order.PushFront(b)
	return b.lim
}

// clientKey is the bucket of a client address: an IPv6 client gets its
// /64 (one subscriber's network: it has all of it to pick addresses from),
// an IPv4 client its address. Every request whose address could not be
// read shares one bucket.
func clientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	switch {
	case err != nil:
		return "unreadable"
	case a.Is6() && !a.Is4In6():
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.Unmap().String()
}

// clientAddr is the address a request came from: the TCP peer, or, when
// that peer is a configured reverse proxy, the nearest address in
// X-Forwarded-For that is not one (anything further left could be made up
// by the client). A hop that cannot be read makes the client unknown (""):
// an untrusted public client, never the proxy itself, which /metrics
// would answer.
func (s *Server) clientAddr(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok || !s.trusted(peer) {
		if !ok {
			return ""
		}
		return peer.String()
	}
	vals := r.Header.Values("X-Forwarded-For")
	if len(vals) == 0 {
		return peer.String() // the proxy's own request, not one it forwards
	}
	hops := strings.Split(strings.Join(vals, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return ""
		}
		if !s.trusted(a) || i == 0 {
			return a.String()
		}
	}
	return ""
}

// parseHop reads an address as proxies and servers write it: bare, with a
// port ("203.0.113.7:443", "[2001:db8::1]:443") or in brackets.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		if a, err := netip.ParseAddr(h[1 : len(h)-1]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
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
		if wait, ok := s.public.allow(clientKey(s.clientAddr(r))); !ok {
			tooManyPage(w, wait)
			return
		}
		h(w, r)
	})
}

func tooManyPage(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
	renderPage(w, http.StatusTooManyRequests, page{Title: "请稍候", Text: "请求太频繁，请稍等几秒后再试。",
		TextEN: "Too many requests from this address; wait a few seconds and try again."})
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
