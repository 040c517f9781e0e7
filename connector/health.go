package connector

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
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
	// WeChat is whether WeChat accepts this server, with the cause in
	// words when it does not (served by /healthz; `connector status`,
	// reading the database alone, leaves it out).
	WeChat *WeChatState `json:"wechat,omitempty"`
}

// WeChatState is the answer to "can this server work with WeChat now?".
type WeChatState struct {
	State string `json:"state"` // ok | waiting_for_ticket | error
	Cause
	CheckedAt time.Time `json:"checked_at"`
}

// TicketState says whether a ticket has arrived and how old it is.
type TicketState struct {
	State      string `json:"state"` // ok | waiting | stale
	AgeSeconds int64  `json:"age_seconds"`
}

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
		out.Ticket.State = "waiting"
	case err != nil:
		out.Store = "unavailable"
	default:
		out.Ticket.AgeSeconds = int64(now.Sub(at) / time.Second)
		out.Ticket.State = "ok"
		if now.Sub(at) > 12*time.Hour {
			out.Ticket.State = "stale"
		}
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
	out.OK = out.Store == "ok" && out.Ticket.State == "ok"
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

type healthCache struct {
	mu    sync.Mutex
	state WeChatState
	at    time.Time
}

// wechatState mints (or reuses) the component token, which shows at once
// whether WeChat accepts this server, e.g. 61004 when its IP is not
// whitelisted, and says why not in words.
func (s *Server) wechatState(ctx context.Context) WeChatState {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if !s.health.at.IsZero() && time.Since(s.health.at) < healthTTL {
		return s.health.state
	}
	_, err := s.tok.component(ctx)
	c := causeOf(err)
	if c.Reason == ReasonClientGone {
		return WeChatState{State: "error", Cause: c, CheckedAt: s.cfg.Clock.Now().UTC()}
	}
	st := WeChatState{State: "ok", Cause: c, CheckedAt: s.cfg.Clock.Now().UTC()}
	switch c.Reason {
	case ReasonOK:
	case ReasonTicketMissing:
		st.State = "waiting_for_ticket"
	default:
		st.State = "error"
	}
	if st.State != "ok" {
		s.health.state, s.health.at = st, time.Now()
	} else {
		s.health.at = time.Time{}
	}
	return st
}

// healthStoreTimeout bounds the store's part of /healthz: a load balancer
// must hear 503 from an instance whose database hangs, not wait with it.
const healthStoreTimeout = 2 * time.Second

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthStoreTimeout)
	st := ReadStatus(ctx, s.st, s.cfg.ComponentAppID, s.cfg.Clock.Now(), false)
	cancel()
	st.Demo = s.cfg.Demo
	code := http.StatusOK
	if st.Store != "ok" {
		code = http.StatusServiceUnavailable
	} else {
		wc := s.wechatState(r.Context())
		st.WeChat = &wc
		st.OK = st.OK && wc.State == "ok"
	}
	writeJSON(w, code, st)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	st := ReadStatus(r.Context(), s.st, s.cfg.ComponentAppID, s.cfg.Clock.Now(), false)
	wc := WeChatState{State: "error", Cause: Cause{Reason: ReasonStoreUnavailable, Message: "the connector's database cannot be used"}}
	if st.Store == "ok" {
		wc = s.wechatState(r.Context())
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ok": st.OK && wc.State == "ok", "project": projectOf(r), "component_appid": st.ComponentAppID,
		"ticket": st.Ticket, "wechat": wc, "demo": s.cfg.Demo,
	})
}
