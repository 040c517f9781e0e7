package connector

import (
	"context"
	"errors"
	"net/http"
	"time"

	"oawizard/wechat"
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
// on the database alone, the server for /healthz.
func ReadStatus(ctx context.Context, st Store, componentAppID string, now time.Time, withAuthorizers bool) Status {
	out := Status{ComponentAppID: componentAppID, Store: "ok"}
	if err := st.Ping(ctx); err != nil {
		out.Store = "unavailable"
		return out
	}
	_, at, err := st.Ticket(ctx, componentAppID)
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
	out.ComponentToken = tokenState(ctx, st, componentKey(componentAppID), now)
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

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	st := ReadStatus(r.Context(), s.st, s.cfg.ComponentAppID, s.cfg.Clock.Now(), false)
	st.Demo = s.cfg.Demo
	code := http.StatusOK
	if st.Store != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, st)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	st := ReadStatus(r.Context(), s.st, s.cfg.ComponentAppID, s.cfg.Clock.Now(), false)
	// Minting (or reusing) the component token shows at once whether WeChat
	// accepts this server, e.g. 61004 when its IP is not whitelisted.
	wc := map[string]any{"state": "ok"}
	if st.Ticket.State == "waiting" {
		wc["state"] = "waiting_for_ticket"
	} else if _, err := s.tok.component(r.Context()); err != nil {
		wc["state"] = "error"
		var ae *wechat.APIError
		if errors.As(err, &ae) {
			wc["errcode"], wc["errmsg"] = ae.Code, ae.Msg
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ok": st.OK && wc["state"] == "ok", "project": projectOf(r), "component_appid": st.ComponentAppID,
		"ticket": st.Ticket, "wechat": wc, "demo": s.cfg.Demo,
	})
}
