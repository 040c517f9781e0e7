package connector

import (
	"context"
	"strings"
	"time"

	"oawizard/wechat"
)

// Each session's unused pre_auth_code is kept like a token: in memory and,
// sealed, in the store, so that repeated or concurrent visits to a landing
// page, on any instance, mint one code: WeChat's code serves until it
// expires or the admin confirms with it, and the callback or push that
// follows a confirmation drops it. The mint is single-flight per session
// as token refreshes are (one flight per instance, and the store's token
// lock across instances). Only the code's hash links it to its session.

func preAuthKey(sessionID string) string { return "preauth:" + sessionID }

func isPreAuthKey(key string) bool { return strings.HasPrefix(key, "preauth:") }

// preAuthMargin keeps a code from being handed out just before it dies,
// while the admin is still reading WeChat's page.
const preAuthMargin = 3 * time.Minute

// marginOf is how long before its expiry a kept value stops being handed
// out: a pre-auth code's expiry already has its margin taken off.
func marginOf(key string) time.Duration {
	if isPreAuthKey(key) {
		return 0
	}
	return refreshMargin
}

// preAuthCode returns the session's pre_auth_code: the kept one while it
// is fresh, else a new one from WeChat whose hash is linked to the session
// (the authorized push names it).
func (s *Server) preAuthCode(ctx context.Context, x Session, fresh bool) (string, error) {
	key := preAuthKey(x.ID)
	if fresh {
		s.forgetPreAuth(ctx, x.ID)
	}
	return s.tok.get(ctx, key, func(ctx context.Context) (string, time.Time, error) {
		now := s.cfg.Clock.Now()
		var pre *wechat.PreAuthCode
		err := s.tok.withComponent(ctx, func(ctok string) error {
			var e error
			pre, e = s.wc.CreatePreAuthCode(ctx, ctok, s.cfg.ComponentAppID)
			return e
		})
		if err != nil {
			return "", time.Time{}, err
		}
		if err := s.st.LinkPreAuthCode(ctx, codeHash(pre.PreAuthCode), x.ID); err != nil {
			return "", time.Time{}, err
		}
		exp := now.Add(time.Duration(pre.ExpiresIn)*time.Second - preAuthMargin)
		if x.ExpiresAt.Before(exp) {
			exp = x.ExpiresAt
		}
		return pre.PreAuthCode, exp, nil
	})
}

// forgetPreAuth drops a session's code once the admin confirmed with it.
func (s *Server) forgetPreAuth(ctx context.Context, sessionID string) {
	key := preAuthKey(sessionID)
	s.tok.mu.Lock()
	delete(s.tok.cache, key)
	s.tok.mu.Unlock()
	if err := s.st.DeleteToken(ctx, key); err != nil {
		s.log.Warn("used pre_auth_code not deleted from the store", "session", sessionID, "err", err.Error())
	}
}
