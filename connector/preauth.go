package connector

import (
	"context"
	"sync"
	"time"

	"oawizard/wechat"
)

// preAuthCache keeps each session's unused pre_auth_code in memory (never
// on disk, where only its hash goes), so repeated visits to a landing page
// do not mint a code each: WeChat's code serves until it expires or the
// admin confirms with it, and the callback or push that follows a
// confirmation drops it.
type preAuthCache struct {
	mu sync.Mutex
	m  map[string]cachedPreAuth
}

type cachedPreAuth struct {
	code string
	exp  time.Time
}

// preAuthMargin keeps a code from being handed out just before it dies,
// while the admin is still reading WeChat's page.
const preAuthMargin = 3 * time.Minute

func (c *preAuthCache) get(id string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[id]
	if !ok || !now.Before(p.exp) {
		return "", false
	}
	return p.code, true
}

func (c *preAuthCache) put(id, code string, exp, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedPreAuth{}
	}
	// Sessions live ten minutes: sweeping the dead ones here keeps the map
	// as small as the number of live sessions.
	for k, p := range c.m {
		if !now.Before(p.exp) {
			delete(c.m, k)
		}
	}
	c.m[id] = cachedPreAuth{code: code, exp: exp}
}

func (c *preAuthCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// preAuthCode returns the session's pre_auth_code: the cached one while it
// is fresh, else a new one from WeChat whose hash is linked to the session
// (the authorized push names it).
func (s *Server) preAuthCode(ctx context.Context, x Session, fresh bool) (string, error) {
	now := s.cfg.Clock.Now()
	if !fresh {
		if code, ok := s.pre.get(x.ID, now); ok {
			return code, nil
		}
	}
	var pre *wechat.PreAuthCode
	err := s.tok.withComponent(ctx, func(ctok string) error {
		var e error
		pre, e = s.wc.CreatePreAuthCode(ctx, ctok, s.cfg.ComponentAppID)
		return e
	})
	if err != nil {
		return "", err
	}
	if err := s.st.LinkPreAuthCode(ctx, codeHash(pre.PreAuthCode), x.ID); err != nil {
		return "", err
	}
	exp := now.Add(time.Duration(pre.ExpiresIn)*time.Second - preAuthMargin)
	if x.ExpiresAt.Before(exp) {
		exp = x.ExpiresAt
	}
	s.pre.put(x.ID, pre.PreAuthCode, exp, now)
	return pre.PreAuthCode, nil
}
