package connector

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"oawizard/connector/api"
)

// Status is what the connector knows about its own readiness; it never
// carries a secret.
type Status struct {
	OK             bool         `json:"ok"`
	ComponentAppID string       `json:"component_appid"`
	Ticket         TicketState  `json:"ticket"`
	Store          string       `json:"store"`
	ComponentToken TokenState   `json:"component_token"`
	Authorizers    []TokenState `json:"authorizers,omitempty"`
	OpenSessions   int          `json:"open_sessions"`
	Demo           bool         `json:"demo"`
	// ReleaseState is the platform's 全网发布 state as the operator set it
	// ("" = not set).
	ReleaseState string `json:"release_state,omitempty"`
	// WeChat is whether WeChat accepts this server, with the cause in
	// words when it does not (served by /healthz; `connector status`,
	// reading the database alone, leaves it out).
	WeChat *WeChatState `json:"wechat,omitempty"`

	ticketAt time.Time // when the stored ticket arrived; zero = none
}

// The health answer's parts, as the contract defines them.
type (
	WeChatState = api.WeChatState
	TicketState = api.TicketState
)

// TokenState describes a token without showing it.
type TokenState struct {
	AppID            string `json:"appid,omitempty"`
	State            string `json:"state"` // valid | none | expired | revoked | needs_reauthorization
	ExpiresInSeconds int64  `json:"expires_in_seconds,omitempty"`
}

// ReadStatus gathers the status from a store; `connector status` uses it
// on the database alone, the server for /healthz. Without a component appid
// it reports the component whose ticket arrived last.
func ReadStatus(ctx context.Context, st Store, componentAppID string, now time.Time, withAuthorizers bool) Status {
	out := Status{ComponentAppID: componentAppID, Store: "ok"}
	if err := st.Ping(ctx); err != nil {
		out.Store = "unavailable"
		return out
	}
	if out.ComponentAppID == "" {
		if ids, err := st.TicketAppIDs(ctx); err == nil && len(ids) > 0 {
			out.ComponentAppID = ids[0]
		}
	}
	_, at, err := st.Ticket(ctx, out.ComponentAppID)
	switch {
	case errors.Is(err, ErrNotFound):
		out.Ticket.State = api.TicketWaiting
	case err != nil:
		out.Store = "unavailable"
	default:
		out.ticketAt = at
		out.Ticket = ticketState(now.Sub(at))
	}
	out.ComponentToken = tokenState(ctx, st, componentKey(out.ComponentAppID), now)
	if withAuthorizers {
		as, _ := st.Authorizers(ctx)
		for _, a := range as {
			ts := tokenState(ctx, st, authorizerKey(a.AppID), now)
			ts.AppID = a.AppID
			if a.Status != AuthorizerActive {
				ts.State = a.Status
			}
			out.Authorizers = append(out.Authorizers, ts)
		}
	}
	out.OpenSessions, _ = st.OpenSessions(ctx, now)
	out.OK = out.Store == "ok" && out.Ticket.State == api.TicketOK
	return out
}

func tokenState(ctx context.Context, st Store, key string, now time.Time) TokenState {
	_, exp, err := st.Token(ctx, key)
	switch {
	case err != nil:
		return TokenState{State: "none"}
	case !now.Before(exp):
		return TokenState{State: "expired"}
	}
	return TokenState{State: "valid", ExpiresInSeconds: int64(exp.Sub(now) / time.Second)}
}

// healthTTL bounds how often health checks call WeChat while it refuses
// this server: /healthz needs no token, and a monitor (or anyone) polling
// it must not turn into a stream of token requests. A good answer is not
// kept: it costs no WeChat call while the component token is cached.
const healthTTL = 5 * time.Second

// healthAnswerWithin is how long a health answer may take in all: a load
// balancer gives up after a few seconds. The WeChat probe gets what the
// store's part leaves of it, and carries on for the next answer when that
// is not enough; healthProbeTimeout is how long the probe itself may take.
const (
	healthAnswerWithin = 1900 * time.Millisecond
	healthProbeTimeout = 15 * time.Second
)

// healthCache holds the last WeChat probe. Its lock guards the fields only;
// no WeChat call is ever made under it.
type healthCache struct {
	mu       sync.Mutex
	last     WeChatState
	keepTill time.Time     // a refusal is reused until then
	ticketAt time.Time     // the ticket the kept refusal was found with
	probe    chan struct{} // closed when the running probe ends; nil = none running
}

// wechatState says whether WeChat accepts this server: it mints (or
// reuses) the component token, which shows at once e.g. 61004 when the IP
// is not whitelisted. A refusal is reused for healthTTL unless a new ticket
// arrived since, which may have cured it. One probe runs at a time, outside
// the lock; a caller waits for it until deadline.
func (s *Server) wechatState(ctx context.Context, ticketAt, deadline time.Time) WeChatState {
	s.health.mu.Lock()
	if time.Now().Before(s.health.keepTill) && s.health.ticketAt.Equal(ticketAt) {
		st := s.health.last
		s.health.mu.Unlock()
		return st
	}
	done := s.health.probe
	if done == nil {
		done = make(chan struct{})
		s.health.probe = done
		s.background(func(ctx context.Context) { s.probeWeChat(ctx, done, ticketAt) })
	}
	s.health.mu.Unlock()
	wait := time.NewTimer(time.Until(deadline))
	defer wait.Stop()
	select {
	case <-done:
		s.health.mu.Lock()
		defer s.health.mu.Unlock()
		return s.health.last
	case <-wait.C:
		return WeChatState{State: api.WeChatError, CheckedAt: s.cfg.Clock.Now().UTC(),
			Cause: Cause{Reason: ReasonUnreachable, Message: "WeChat has not answered this server's check yet; it continues in the background"}}
	case <-ctx.Done():
		return WeChatState{State: api.WeChatError, Cause: causeOf(ctx.Err()), CheckedAt: s.cfg.Clock.Now().UTC()}
	}
}

// probeWeChat is the one running WeChat check; it keeps its answer for
// the callers waiting and, when WeChat refused, for healthTTL.
func (s *Server) probeWeChat(ctx context.Context, done chan struct{}, ticketAt time.Time) {
	ctx, cancel := context.WithTimeout(ctx, healthProbeTimeout)
	defer cancel()
	_, err := s.tok.component(ctx)
	st := WeChatState{Cause: s.ticketCause(err), CheckedAt: s.cfg.Clock.Now().UTC()}
	switch st.Reason {
	case ReasonOK:
		st.State = api.WeChatOK
	case ReasonTicketMissing:
		st.State = api.WeChatWaitingForTicket
	default:
		st.State = api.WeChatError
	}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	s.health.last, s.health.probe, s.health.ticketAt = st, nil, ticketAt
	s.health.keepTill = time.Time{}
	if st.State != api.WeChatOK && st.Reason != ReasonClientGone {
		s.health.keepTill = time.Now().Add(healthTTL)
	}
	close(done)
}

// healthStoreTimeout bounds the store's part of /healthz: a load balancer
// must hear 503 from an instance whose database hangs, not wait with it.
const healthStoreTimeout = 2 * time.Second

// readiness is the status with WeChat's part, for /healthz and /v1/health.
func (s *Server) readiness(ctx context.Context) Status {
	deadline := time.Now().Add(healthAnswerWithin)
	sctx, cancel := context.WithTimeout(ctx, healthStoreTimeout)
	st := ReadStatus(sctx, s.st, s.cfg.ComponentAppID, s.cfg.Clock.Now(), false)
	cancel()
	st.Demo, st.ReleaseState = s.cfg.Demo, s.cfg.ReleaseState
	wc := WeChatState{State: api.WeChatError, Cause: Cause{Reason: ReasonStoreUnavailable, Message: "the connector's database cannot be used"},
		CheckedAt: s.cfg.Clock.Now().UTC()}
	if st.Store == "ok" {
		wc = s.wechatState(ctx, st.ticketAt, deadline)
		wc = s.ticketVerdict(st.Ticket, wc)
	}
	st.WeChat = &wc
	st.OK = st.OK && wc.State == api.WeChatOK
	return st
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	st := s.readiness(r.Context())
	code := http.StatusOK
	if st.Store != "ok" {
		code = http.StatusServiceUnavailable
		st.WeChat = nil
	}
	writeJSON(w, code, st)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	st := s.readiness(r.Context())
	h := api.Health{OK: st.OK, Project: projectOf(r), ComponentAppID: st.ComponentAppID,
		Ticket: st.Ticket, WeChat: *st.WeChat, Demo: st.Demo, ReleaseState: st.ReleaseState}
	if !s.cfg.Support.IsZero() {
		sup := s.cfg.Support
		h.Support = &sup
	}
	writeJSON(w, http.StatusOK, h)
}
