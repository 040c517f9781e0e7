package connector

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// maxPushBody bounds a push: a real one is well under 4 KiB.
const maxPushBody = 64 << 10

// handleEvents is the 授权事件接收URL. It answers "success" as soon as the
// push is verified and stored; calls to WeChat that a push prompts run after.
// A push that fails a check is refused with a 4xx, stores nothing, and is
// logged with its reason but never its body.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	reject := func(status int, reason string) {
		s.log.Warn("push rejected", "reason", reason, "request_id", infoOf(r).id)
		writeError(w, status, refusalKind(status), reason, nil)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		reject(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	q := r.URL.Query()
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature")
	if sig == "" || ts == "" || nonce == "" {
		reject(http.StatusBadRequest, "missing msg_signature, timestamp or nonce")
		return
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		reject(http.StatusBadRequest, "timestamp is not a number")
		return
	}
	now := s.cfg.Clock.Now()
	if d := now.Sub(time.Unix(sec, 0)); d > s.cfg.MaxPushAge || d < -s.cfg.MaxPushAge {
		reject(http.StatusBadRequest, "stale timestamp")
		return
	}
	ev, err := s.openPush(sig, ts, nonce, body)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, wechat.ErrBadSignature) {
			status = http.StatusForbidden
		}
		if misconfigured(err) {
			s.pushBadSignature()
		}
		reject(status, pushReason(err))
		return
	}
	s.pushVerified()
	if ev.Header().AppID != "" && ev.Header().AppID != s.cfg.ComponentAppID {
		reject(http.StatusBadRequest, "push for another component appid")
		return
	}
	// The nonce is marked used in the same transaction as the push's
	// effect: if storing fails, nothing is kept and WeChat's re-delivery
	// of the same signed push is taken.
	var effect PushEffect
	switch e := ev.(type) {
	case *wechat.TicketEvent:
		effect = PushEffect{TicketComponent: s.cfg.ComponentAppID, TicketSealed: s.tok.seal.seal(e.Ticket, ticketAAD(s.cfg.ComponentAppID))}
	case *wechat.UnauthorizedEvent:
		effect = PushEffect{RevokeAppID: e.AuthorizerAppID, TokenKey: authorizerKey(e.AuthorizerAppID)}
	}
	fresh, err := s.st.ApplyPush(r.Context(), nonce+":"+ts, now, effect)
	if err != nil {
		s.metrics.storeErrs.Inc()
		s.log.Error("push not stored", "request_id", infoOf(r).id, "err", err.Error())
		writeError(w, http.StatusServiceUnavailable, api.ErrorStoreUnavailable, "store unavailable", nil)
		return
	}
	if !fresh {
		reject(http.StatusConflict, "replayed nonce")
		return
	}
	switch e := ev.(type) {
	case *wechat.TicketEvent:
		s.log.Info("ticket received")
		s.ticketArrived()
	case otherEvent:
		// WeChat sends more kinds than the connector acts on (fast
		// registration, audits, ...); refusing them raises WeChat's
		// delivery alarms, so a genuine one is acknowledged.
		s.log.Info("push of a kind the connector does not act on acknowledged", "info_type", e.InfoType)
	case *wechat.AuthorizationEvent:
		s.log.Info("authorization push", "info_type", e.InfoType, "appid", e.AuthorizerAppID)
		s.background(func(ctx context.Context) {
			if _, err := s.completeByPush(ctx, e.AuthorizationCode, e.PreAuthCode); err != nil {
				s.log.Warn("authorization follow-up failed", "appid", e.AuthorizerAppID, "err", err.Error())
			}
		})
	case *wechat.UnauthorizedEvent:
		s.log.Info("unauthorized push", "appid", e.AuthorizerAppID)
		s.tok.dropAuthorizer(r.Context(), e.AuthorizerAppID)
	}
	io.WriteString(w, "success")
}

// openPush checks the signature before anything else in the push: the outer
// envelope is not signed, so what WeChat (or anyone) puts in its AppId or
// ToUserName decides nothing. The component appid is checked inside the
// decrypted message, which is. During a key rotation WeChat may still use
// the previous key: each is tried and the current key's failure reported.
func (s *Server) openPush(sig, ts, nonce string, body []byte) (wechat.Event, error) {
	env, err := wechat.ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var first error
	for i, mc := range s.crypts {
		plain, err := mc.Decrypt(sig, ts, nonce, env.Encrypt)
		if err == nil {
			return parseEvent(plain)
		}
		if i == 0 {
			first = err
		}
	}
	return nil, first
}

// refusalKind names a refused push's status in the API's error kinds: WeChat
// reads only the status, people testing the URL by hand the JSON.
func refusalKind(status int) string {
	if status == http.StatusForbidden {
		return api.ErrorForbidden
	}
	return api.ErrorBadRequest
}

// otherEvent is a genuine push of an InfoType the connector does not act
// on.
type otherEvent struct{ wechat.EventHeader }

// parseEvent reads a decrypted push; one of an unknown InfoType is an
// otherEvent, as long as it is well-formed and names its InfoType.
func parseEvent(plain []byte) (wechat.Event, error) {
	ev, err := wechat.ParseComponentEvent(plain)
	if !errors.Is(err, wechat.ErrUnknownEvent) {
		return ev, err
	}
	var h struct {
		AppID    string `xml:"AppId"`
		InfoType string `xml:"InfoType"`
	}
	if xml.Unmarshal(plain, &h) != nil || strings.TrimSpace(h.InfoType) == "" {
		return nil, err
	}
	return otherEvent{wechat.EventHeader{AppID: strings.TrimSpace(h.AppID), InfoType: strings.TrimSpace(h.InfoType)}}, nil
}

// misconfigured reports a push that fails the way WeChat's own pushes fail
// when the Token or EncodingAESKey here differs from the console's: the
// signature, or (the signature passing) the decryption.
func misconfigured(err error) bool {
	return errors.Is(err, wechat.ErrBadSignature) || errors.Is(err, wechat.ErrBadPadding) || errors.Is(err, wechat.ErrBadLength)
}

func pushReason(err error) string {
	switch {
	case errors.Is(err, wechat.ErrBadSignature):
		return "bad msg_signature"
	case errors.Is(err, wechat.ErrBadBase64):
		return "Encrypt is not base64"
	case errors.Is(err, wechat.ErrBadPadding), errors.Is(err, wechat.ErrBadLength):
		return "Encrypt does not decrypt (wrong key or tampered)"
	case errors.Is(err, wechat.ErrAppIDMismatch):
		return "push for another appid"
	case errors.Is(err, wechat.ErrUnknownEvent):
		return "unknown InfoType"
	case errors.Is(err, wechat.ErrMalformedXML):
		return "malformed XML"
	}
	return "invalid push"
}

// background runs follow-up work that must not hold up WeChat's request.
func (s *Server) background(f func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		defer cancel()
		f(ctx)
	}()
}

// handleMessages is the 消息与事件接收URL. The product asks for no message
// permission, so messages are only acknowledged (after checking they are
// WeChat's), which keeps WeChat from raising delivery alarms.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, api.ErrorBadRequest, "body too large", nil)
		return
	}
	q := r.URL.Query()
	env, err := wechat.ParseEnvelope(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, "malformed XML", nil)
		return
	}
	for _, mc := range s.crypts {
		if _, err := mc.Decrypt(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt); err == nil {
			io.WriteString(w, "success")
			return
		}
	}
	s.log.Warn("message rejected", "reason", "does not verify", "request_id", infoOf(r).id)
	writeError(w, http.StatusForbidden, api.ErrorForbidden, "invalid message", nil)
}
