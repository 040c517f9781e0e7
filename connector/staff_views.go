package connector

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"oawizard/connector/api"
)

// What the console's pages show, in the staff's language: every sentence
// is made here from the store's facts, never a raw reason or field name.

type healthView struct {
	Ticket, TicketClass, WeChat, WeChatClass, IP string
}

type staffAccount struct {
	AppID, Name, State, StateClass, Granted, Missing string
}

type projectView struct {
	Name     string
	Revoked  bool
	Accounts []staffAccount
}

type checkView struct {
	ID, Status, StatusWord, Title, Reason, Evidence, Raw string
}

type snapshotView struct {
	Title, Project, Updated, Expires, Step string
	Version                                string // the wizard's, "" from one too old to say
	Publishing                             bool
	Accounts                               []staffAccount
	Checks                                 []checkView
	Sync, SyncClass, SyncWhy               string
}

// agoWords says how long ago in whole seconds, minutes or hours.
func agoWords(l tr, d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.t("duration.s", int(d/time.Second))
	case d < time.Hour:
		return l.t("duration.m", int(d/time.Minute))
	}
	return l.t("duration.h", int(d/time.Hour))
}

func (s *Server) healthFor(r *http.Request, l tr) healthView {
	ctx, cancel := context.WithTimeout(r.Context(), healthStoreTimeout)
	defer cancel()
	// The same reading as /healthz, so the console and the probes agree.
	st := s.readiness(ctx)
	var h healthView
	age := agoWords(l, time.Duration(st.Ticket.AgeSeconds)*time.Second)
	switch {
	case st.Store != "ok":
		h.Ticket, h.TicketClass = l.t("health.ticket.unknown"), "bad"
		h.WeChat, h.WeChatClass = l.t("reason.store_unavailable"), "bad"
		return h
	case st.Ticket.State == "ok":
		h.Ticket, h.TicketClass = l.t("health.ticket.ok", age), "good"
	case st.Ticket.State == api.TicketStale:
		h.Ticket, h.TicketClass = l.t("health.ticket.stale", age), "bad"
	case st.Ticket.State == api.TicketStalled:
		h.Ticket, h.TicketClass = l.t("health.ticket.stalled", age), "bad"
	default:
		h.Ticket, h.TicketClass = l.t("health.ticket.waiting"), "bad"
	}
	wc := *st.WeChat
	h.WeChat, h.WeChatClass, h.IP = causeWords(l, wc.Cause), "bad", wc.IP
	if wc.State == "ok" {
		h.WeChat, h.WeChatClass = l.t("health.wechat.ok"), "good"
	}
	return h
}

// causeWords says a connector Cause in the staff's language.
func causeWords(l tr, c Cause) string {
	if c.Reason == ReasonWeChatError {
		return l.t("reason.wechat_error", c.ErrCode)
	}
	if l.has("reason." + c.Reason) {
		return l.t("reason." + c.Reason)
	}
	return l.t("reason.internal_error")
}

func accountWords(l tr, a Authorizer, requested []int) staffAccount {
	v := staffAccount{AppID: a.AppID, Name: a.NickName, Granted: permWords(l, a.FuncIDs), StateClass: "bad"}
	v.State = l.t("acc.unknown")
	if l.has("acc." + a.Status) {
		v.State = l.t("acc." + a.Status)
	}
	if a.Status == AuthorizerActive {
		v.StateClass = "good"
		v.Missing = permWords(l, missingSets(requested, a.FuncIDs, a.Kind == "mp"))
	}
	return v
}

// projectsFor lists every project with the accounts it authorized.
func (s *Server) projectsFor(r *http.Request, l tr) ([]projectView, error) {
	ctx := r.Context()
	ps, err := s.st.ProjectTokens(ctx)
	if err != nil {
		return nil, err
	}
	as, err := s.st.Authorizers(ctx)
	if err != nil {
		return nil, err
	}
	byProject := map[string][]staffAccount{}
	for _, a := range as {
		owners, err := s.st.AccountProjects(ctx, a.AppID)
		if err != nil {
			return nil, err
		}
		for _, p := range owners {
			byProject[p] = append(byProject[p], accountWords(l, a, s.cfg.PermissionSets))
		}
	}
	var out []projectView
	seen := map[string]int{}
	for _, p := range ps {
		if i, ok := seen[p.Project]; ok {
			// A project with several tokens is one project; it is revoked
			// only when all its tokens are.
			out[i].Revoked = out[i].Revoked && !p.RevokedAt.IsZero()
			continue
		}
		seen[p.Project] = len(out)
		out = append(out, projectView{Name: p.Project, Revoked: !p.RevokedAt.IsZero(), Accounts: byProject[p.Project]})
	}
	return out, nil
}

// inLang is a text in the staff's language, else in the other one.
func inLang(l tr, w words) string {
	if t := w[string(l)]; t != "" {
		return t
	}
	for _, t := range w {
		return t
	}
	return ""
}

func (s *Server) viewOf(r *http.Request, l tr, x supportSnapshot, b snapshotBody) *snapshotView {
	v := &snapshotView{Title: l.t("view.title"), Project: x.Project, Publishing: b.Publishing, Step: inLang(l, b.Step), Version: b.Version,
		Updated: x.UpdatedAt.Local().Format("2006-01-02 15:04:05"), Expires: x.ExpiresAt.Local().Format("2006-01-02 15:04")}
	if b.OAName != "" || b.OAAppID != "" {
		v.Title = b.OAName
		if v.Title == "" {
			v.Title = b.OAAppID
		}
	}
	if !b.Publishing {
		return v
	}
	if b.OAAppID != "" {
		if a, err := s.st.Authorizer(r.Context(), b.OAAppID); err == nil && s.linked(r.Context(), x.Project, a.AppID) {
			v.Accounts = append(v.Accounts, accountWords(l, a, s.cfg.PermissionSets))
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			v.Accounts = append(v.Accounts, staffAccount{AppID: b.OAAppID, State: l.t("acc.unknown")})
		}
	}
	for _, c := range b.Checks {
		v.Checks = append(v.Checks, checkView{ID: c.ID, Status: c.Status, StatusWord: l.t("status." + c.Status),
			Title: inLang(l, c.Title), Reason: inLang(l, c.Reason), Evidence: inLang(l, c.Evidence), Raw: c.Raw})
	}
	v.Sync, v.SyncClass = l.t("sync.none"), "muted"
	if y := b.Sync; y != nil {
		switch y.State {
		case "running":
			v.Sync, v.SyncClass = l.t("sync.running", thousands(y.Stored), thousands(y.WithUnionID)), ""
		case "done":
			v.Sync, v.SyncClass = l.t("sync.done", thousands(y.Stored), thousands(y.WithUnionID)), "good"
		case "stopped":
			v.Sync, v.SyncClass = l.t("sync.stopped", thousands(y.Stored), thousands(y.WithUnionID)), "bad"
			if y.Total > 0 {
				v.Sync = l.t("sync.stopped_total", thousands(y.Stored), thousands(y.Total), thousands(y.WithUnionID))
			}
			v.SyncWhy = inLang(l, y.Stopped)
		}
	}
	return v
}

// linked tells whether project authorized appid: a snapshot names its
// account, and the console shows the connector's facts only for an
// account that project really holds.
func (s *Server) linked(ctx context.Context, project, appid string) bool {
	ps, err := s.accountProjects(ctx, appid)
	return err == nil && slices.Contains(ps, project)
}
