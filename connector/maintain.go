package connector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// statusClientClosed is logged when the caller hung up before the answer
// (nginx's convention); nobody receives it.
const statusClientClosed = 499

// checkpointer is a store whose log can be folded back and truncated
// (SQLite's WAL); other stores need not be.
type checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// maintain retires old sessions and nonces and shrinks the write-ahead log,
// so that the database stays the size of its live content.
func (s *Server) maintain() {
	defer s.loops.Done()
	t := time.NewTicker(s.cfg.MaintainEvery)
	defer t.Stop()
	for {
		if !s.maintainOnce(s.ctx) {
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maintainOnce is one round of maintain; false once the store is closed
// (a server that was never closed must not outlive its store).
func (s *Server) maintainOnce(ctx context.Context) bool {
	now := s.cfg.Clock.Now()
	// A nonce can only be replayed with its own timestamp, which the age
	// check refuses once it is MaxPushAge old (either way of the clock).
	sessions, nonces, err := s.st.Prune(ctx, now.Add(-s.cfg.Retention), now.Add(-2*s.cfg.MaxPushAge-time.Minute))
	if err != nil {
		if errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "database is closed") {
			return false
		}
		if ctx.Err() == nil {
			s.log.Warn("pruning the store failed", "err", err.Error())
		}
		return true
	}
	if sessions > 0 {
		s.log.Info("old sessions deleted", "sessions", sessions)
	}
	_ = nonces
	if c, ok := s.st.(checkpointer); ok {
		if err := c.Checkpoint(ctx); err != nil && !errors.Is(err, errCheckpointBusy) && ctx.Err() == nil {
			s.log.Warn("checkpoint failed", "err", err.Error())
		}
	}
	return true
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
