package connector

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// WeChat pushes component_verify_ticket every 10 minutes (reference §1.2).
// A ticket older than ticketStallAfter means at least two pushes were lost:
// the token keeps working for a while, but within 12 hours every
// authorization stops. Ticket stalls are the commonest trouble third-party
// platforms report, and WeChat offers one remedy, api_start_push_ticket.
const (
	ticketStallAfter = 25 * time.Minute
	ticketValidFor   = 12 * time.Hour
	// startGrace is how long after start "no ticket yet" is expected: the
	// first push comes within 10 minutes.
	startGrace = 10 * time.Minute
	// kickEvery limits api_start_push_ticket and the vendor's alert to one
	// per WeChat push period.
	kickEvery = 10 * time.Minute
	// pushFailuresToBlame is how many pushes in a row must fail the
	// signature, with none passing, before health blames the Token or
	// EncodingAESKey: anyone can post one forged push to the public URL,
	// while WeChat retries each failed push several times.
	pushFailuresToBlame = 2
	pushFailuresRecent  = time.Hour
)

// ticketState grades a ticket's age.
func ticketState(age time.Duration) TicketState {
	st := TicketState{State: api.TicketOK, AgeSeconds: int64(age / time.Second)}
	switch {
	case age > ticketValidFor:
		st.State = api.TicketStale
	case age > ticketStallAfter:
		st.State = api.TicketStalled
	}
	return st
}

// ticketWatch remembers when WeChat was last asked to resume its pushes.
type ticketWatch struct {
	mu       sync.Mutex
	started  time.Time
	lastKick time.Time
	stalled  bool
}

// pushWatch counts pushes failing the signature since the last good one.
type pushWatch struct {
	mu       sync.Mutex
	failed   int
	lastFail time.Time
}

func (s *Server) pushVerified() {
	s.pushes.mu.Lock()
	s.pushes.failed = 0
	s.pushes.mu.Unlock()
}

func (s *Server) pushBadSignature() {
	s.metrics.pushBadSig.Inc()
	s.pushes.mu.Lock()
	s.pushes.failed++
	s.pushes.lastFail = s.cfg.Clock.Now()
	s.pushes.mu.Unlock()
}

// pushesFailing reports recent pushes that all failed the signature.
func (s *Server) pushesFailing() bool {
	s.pushes.mu.Lock()
	defer s.pushes.mu.Unlock()
	return s.pushes.failed >= pushFailuresToBlame && s.cfg.Clock.Now().Sub(s.pushes.lastFail) < pushFailuresRecent
}

// ticketCause classifies a component token call's failure, telling a
// server that just started apart from one whose tickets stopped coming.
func (s *Server) ticketCause(err error) Cause {
	c := causeOf(err)
	var ae *wechat.APIError
	switch {
	case errors.Is(err, ErrWaitingForTicket) && s.cfg.Clock.Now().Sub(s.ticket.started) > startGrace:
		c = Cause{Reason: ReasonTicketStalled, Message: "no component_verify_ticket has arrived since this server started " +
			s.cfg.Clock.Now().Sub(s.ticket.started).Round(time.Minute).String() + " ago; WeChat pushes one every 10 minutes"}
	case errors.As(err, &ae) && (ae.Code == 61005 || ae.Code == 61006):
		c = Cause{Reason: ReasonTicketStalled, ErrCode: ae.Code, ErrMsg: ae.Msg,
			Message: "WeChat no longer accepts the stored component_verify_ticket (errcode " + strconv.Itoa(ae.Code) + "); a new push is needed"}
	}
	return c
}

// ticketVerdict completes WeChat's state with what the pushes show: a
// token that still works says nothing about tickets that stopped coming,
// and pushes failing the signature explain a missing ticket better than
// its absence does.
func (s *Server) ticketVerdict(ticket TicketState, wc WeChatState) WeChatState {
	switch wc.Reason {
	case ReasonOK, ReasonTicketMissing, ReasonTicketStalled:
	default:
		return wc
	}
	switch {
	case s.pushesFailing():
		wc.State, wc.Cause = api.WeChatError, Cause{Reason: ReasonPushSignatureInvalid,
			Message: "WeChat's recent pushes fail the signature check: the Token or EncodingAESKey configured here differs from the Open Platform console's"}
	case ticket.State == api.TicketStalled || ticket.State == api.TicketStale:
		wc.State, wc.Cause = api.WeChatError, Cause{Reason: ReasonTicketStalled,
			Message: "the last component_verify_ticket arrived " + (time.Duration(ticket.AgeSeconds) * time.Second).String() +
				" ago; WeChat pushes one every 10 minutes"}
	}
	if wc.Reason == ReasonTicketStalled {
		s.ticketStalled(wc.Message)
	} else if wc.Reason == ReasonOK {
		s.metrics.ticketStalled.Set(0)
	}
	return wc
}

// ticketStalled raises the vendor's alert (an ERROR log line and the
// connector_ticket_stalled metric) and asks WeChat to resume its pushes,
// at most once per kickEvery.
func (s *Server) ticketStalled(why string) {
	s.metrics.ticketStalled.Set(1)
	now := s.cfg.Clock.Now()
	s.ticket.mu.Lock()
	s.ticket.stalled = true
	kick := s.ticket.lastKick.IsZero() || now.Sub(s.ticket.lastKick) >= kickEvery
	if kick {
		s.ticket.lastKick = now
	}
	s.ticket.mu.Unlock()
	if !kick {
		return
	}
	s.log.Error("ticket stalled: WeChat's component_verify_ticket pushes are not arriving; asking WeChat to resume them",
		"alert", "ticket_stalled", "why", why, "push_url", s.cfg.PublicURL+"/wechat/events")
	s.background(func(ctx context.Context) {
		err := s.wc.StartPushTicket(ctx, s.cfg.ComponentAppID, s.cfg.Secrets.AppSecret)
		result := "ok"
		if err != nil {
			result = "error"
			s.log.Error("api_start_push_ticket failed", "alert", "ticket_stalled", "reason", causeOf(err).Reason, "err", err.Error())
		} else {
			s.log.Info("api_start_push_ticket accepted; WeChat resumes its pushes")
		}
		s.metrics.pushRestarts.WithLabelValues(result).Inc()
	})
}

// ticketArrived ends a stall and forgets any refusal found before: the
// new ticket may well have cured it.
func (s *Server) ticketArrived() {
	s.metrics.ticketStalled.Set(0)
	s.ticket.mu.Lock()
	was := s.ticket.stalled
	s.ticket.stalled = false
	s.ticket.mu.Unlock()
	s.health.mu.Lock()
	s.health.keepTill = time.Time{}
	s.health.mu.Unlock()
	if was {
		s.log.Info("ticket received: the stall is over")
	}
}

// watchTicket raises the alert even when nobody asks for health: every
// minute it looks at the stored ticket's age.
func (s *Server) watchTicket(every time.Duration) {
	defer s.loops.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(s.ctx, healthStoreTimeout)
		_, at, err := s.st.Ticket(ctx, s.cfg.ComponentAppID)
		cancel()
		now := s.cfg.Clock.Now()
		switch {
		case errors.Is(err, ErrNotFound) && now.Sub(s.ticket.started) > startGrace:
			s.ticketStalled("no ticket since start")
		case err == nil && now.Sub(at) > ticketStallAfter:
			s.ticketStalled("the last ticket is " + now.Sub(at).Round(time.Second).String() + " old")
		}
	}
}
