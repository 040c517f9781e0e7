package connector

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"oawizard/clock"
	"oawizard/wechat"
)

// Errors the token manager reports instead of calling WeChat in vain.
var (
	// ErrWaitingForTicket: no component_verify_ticket has arrived yet, and a
	// token call with an empty ticket would only earn 61006.
	ErrWaitingForTicket = errors.New("connector: waiting for the first component_verify_ticket (WeChat pushes one every 10 minutes)")
	// ErrNeedsReauth: the account withdrew its authorization or its refresh
	// token is gone; only a new QR scan helps.
	ErrNeedsReauth = errors.New("connector: the account must authorize again")
	// ErrNoAPIPermission: WeChat gave no refresh token because the account
	// has no API permission; authorizing again cannot help.
	ErrNoAPIPermission = errors.New("connector: the account has no API permission (no authorizer_refresh_token)")
	// ErrNotAuthorized: the account never authorized this platform.
	ErrNotAuthorized = errors.New("connector: the account has not authorized this platform")
)

// refreshMargin is how long before expiry a cached token is replaced, so no
// call goes out with a token about to die mid-flight.
const refreshMargin = 10 * time.Minute

type cachedToken struct {
	value   string
	sealed  []byte // as stored: what a compare-and-delete names
	expires time.Time
}

// tokens keeps the component token and the authorizer tokens. Each is
// fetched by one WeChat call however many callers wait for it.
type tokens struct {
	comp   string
	secret string
	st     Store
	locker tokenLocker // nil: one instance, the singleflight is enough
	wc     *wechat.Client
	seal   *sealer
	clk    clock.Clock
	log    *slog.Logger
	group  singleflight.Group
	mu     sync.Mutex
	cache  map[string]cachedToken
	// dead is the last token of each key WeChat refused: read back from
	// the store by a caller that looked before its deletion, it would be
	// handed out again and refused again.
	dead   map[string]string
	onLost func(appid string) // called when an account needs re-authorization
	// refreshed is told of every refresh from WeChat (metrics).
	refreshed func(key string, err error)
}

func componentKey(appid string) string  { return "component:" + appid }
func authorizerKey(appid string) string { return "authorizer:" + appid }
func refreshAAD(appid string) string    { return "refresh:" + appid }
func ticketAAD(appid string) string     { return "ticket:" + appid }

// get returns the cached token for key or fetches a new one.
func (m *tokens) get(ctx context.Context, key string, fetch func(context.Context) (string, time.Time, error)) (string, error) {
	if v, ok := m.cached(key); ok {
		return v, nil
	}
	v, err, _ := m.group.Do(key, func() (any, error) {
		if v, ok := m.cached(key); ok {
			return v, nil
		}
		// A token stored before a restart is still good until it expires.
		// A store that cannot say is not a reason to ask WeChat: the
		// token fetched could not be kept either.
		if v, ok, err := m.stored(ctx, key); ok || err != nil {
			return v, err
		}
		// The flight outlives a caller that gives up, so the others
		// waiting on it still get their token.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		var v string
		err := m.lockToken(fctx, key, func(ctx context.Context) error {
			// Another instance may have refreshed it while this one
			// waited for the lock: WeChat's tokens replace each other.
			got, ok, err := m.stored(ctx, key)
			if ok || err != nil {
				v = got
				return err
			}
			got, exp, err := fetch(ctx)
			if m.refreshed != nil && !isPreAuthKey(key) { // a mint, not a refresh
				m.refreshed(key, err)
			}
			if err != nil {
				return err
			}
			v = got
			// Saved before the lock goes, so the next holder finds it.
			if err := m.keep(ctx, key, v, exp); err != nil {
				m.log.Warn("token not persisted", "key", key, "err", err.Error())
			}
			return nil
		})
		return v, err
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// stored reads a token another run or instance saved, if still good and
// not the one WeChat just refused. Only a store failure is an error.
func (m *tokens) stored(ctx context.Context, key string) (string, bool, error) {
	sealed, exp, err := m.st.Token(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !m.clk.Now().Before(exp.Add(-marginOf(key))) {
		return "", false, nil
	}
	v, err := m.seal.open(sealed, key)
	if err != nil {
		return "", false, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead[key] == v {
		return "", false, nil
	}
	m.remember(key, cachedToken{value: v, sealed: sealed, expires: exp})
	return v, true, nil
}

func (m *tokens) cached(key string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cache[key]
	if !ok || !m.clk.Now().Before(c.expires.Add(-marginOf(key))) {
		return "", false
	}
	return c.value, true
}

// remember caches c under key; m.mu is held. Pre-auth codes come one per
// session and most are never used, so caching one drops those expired.
func (m *tokens) remember(key string, c cachedToken) {
	if isPreAuthKey(key) {
		now := m.clk.Now()
		for k, old := range m.cache {
			if isPreAuthKey(k) && !now.Before(old.expires) {
				delete(m.cache, k)
			}
		}
	}
	m.cache[key] = c
}

// keep caches a token fresh from WeChat and stores it sealed.
func (m *tokens) keep(ctx context.Context, key, v string, exp time.Time) error {
	sealed := m.seal.seal(v, key)
	m.mu.Lock()
	m.remember(key, cachedToken{value: v, sealed: sealed, expires: exp})
	m.mu.Unlock()
	return m.st.SaveToken(ctx, key, sealed, exp)
}

// invalidate drops the token for key only if it is still the one that
// failed: a caller holding an old token must not throw away a fresh one.
// The store's copy goes by one compare-and-delete of exactly the failed
// token, so a newer one another instance stored meanwhile stays.
func (m *tokens) invalidate(ctx context.Context, key, failed string) {
	m.mu.Lock()
	c, ok := m.cache[key]
	drop := ok && c.value == failed
	if drop {
		delete(m.cache, key)
		if m.dead == nil {
			m.dead = map[string]string{}
		}
		m.dead[key] = failed
	}
	m.mu.Unlock()
	if !drop {
		return
	}
	if _, err := m.st.DeleteTokenIf(ctx, key, c.sealed); err != nil {
		m.log.Warn("refused token not deleted from the store", "key", key, "err", err.Error())
	}
}

// component returns a component_access_token.
func (m *tokens) component(ctx context.Context) (string, error) {
	return m.get(ctx, componentKey(m.comp), func(ctx context.Context) (string, time.Time, error) {
		sealed, _, err := m.st.Ticket(ctx, m.comp)
		if errors.Is(err, ErrNotFound) {
			return "", time.Time{}, ErrWaitingForTicket
		}
		if err != nil {
			return "", time.Time{}, err
		}
		// A ticket sealed under another store key is as good as none: the
		// next push (every ten minutes) replaces it.
		ticket, err := m.seal.open(sealed, ticketAAD(m.comp))
		if err != nil || ticket == "" {
			return "", time.Time{}, ErrWaitingForTicket
		}
		now := m.clk.Now()
		t, err := m.wc.ComponentToken(ctx, wechat.ComponentTokenRequest{ComponentAppID: m.comp, ComponentAppSecret: m.secret, ComponentVerifyTicket: ticket})
		if err != nil {
			return "", time.Time{}, err
		}
		m.log.Info("component token refreshed", "expires_in", t.ExpiresIn)
		return t.ComponentAccessToken, now.Add(time.Duration(t.ExpiresIn) * time.Second), nil
	})
}

// withComponent runs call with a component token, and once more with a
// fresh one if WeChat says the token is no longer valid. WeChat's
// occasional -1 (busy) is retried a few times with a short pause, since a
// phone waiting on the landing page should not fail for it.
func (m *tokens) withComponent(ctx context.Context, call func(token string) error) error {
	refreshed := false
	for busy := 0; ; {
		tok, err := m.component(ctx)
		if err != nil {
			return err
		}
		err = call(tok)
		switch {
		case !refreshed && wechat.IsTokenError(err):
			refreshed = true
			m.invalidate(ctx, componentKey(m.comp), tok)
			continue
		case wechat.IsCode(err, -1) && busy < maxBusyRetries:
			busy++
			select {
			case <-time.After(time.Duration(busy) * 150 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		return err
	}
}

// maxBusyRetries bounds the retries of WeChat's -1 inside one request.
const maxBusyRetries = 4

// authorizer returns an authorizer_access_token for appid.
func (m *tokens) authorizer(ctx context.Context, appid string) (string, error) {
	return m.get(ctx, authorizerKey(appid), func(ctx context.Context) (string, time.Time, error) {
		a, err := m.st.Authorizer(ctx, appid)
		if errors.Is(err, ErrNotFound) {
			return "", time.Time{}, ErrNotAuthorized
		}
		if err != nil {
			return "", time.Time{}, err
		}
		if a.Lost() {
			return "", time.Time{}, ErrNeedsReauth
		}
		refresh, _ := m.seal.open(a.RefreshSealed, refreshAAD(appid))
		if refresh == "" {
			// Lost or never stored: WeChat keeps it in the list (fault 9).
			if refresh, err = m.recoverRefresh(ctx, &a); err != nil {
				return "", time.Time{}, err
			}
		}
		now := m.clk.Now()
		var t *wechat.AuthorizerToken
		err = m.withComponent(ctx, func(ctok string) error {
			var e error
			t, e = m.wc.AuthorizerToken(ctx, ctok, m.comp, appid, refresh)
			return e
		})
		if wechat.IsCode(err, 61023) {
			if refresh, err = m.recoverRefresh(ctx, &a); err != nil {
				return "", time.Time{}, err
			}
			err = m.withComponent(ctx, func(ctok string) error {
				var e error
				t, e = m.wc.AuthorizerToken(ctx, ctok, m.comp, appid, refresh)
				return e
			})
			if wechat.IsCode(err, 61023) {
				m.markLost(ctx, a)
				return "", time.Time{}, ErrNeedsReauth
			}
		}
		if err != nil {
			return "", time.Time{}, err
		}
		// Keep whatever refresh token WeChat hands back.
		if t.AuthorizerRefreshToken != "" && t.AuthorizerRefreshToken != refresh {
			if err := m.st.SetAuthorizerRefresh(ctx, appid, m.seal.seal(t.AuthorizerRefreshToken, refreshAAD(appid)), now); err != nil {
				return "", time.Time{}, err
			}
		}
		return t.AuthorizerAccessToken, now.Add(time.Duration(t.ExpiresIn) * time.Second), nil
	})
}

// recoverRefresh looks the account up in api_get_authorizer_list, WeChat's
// copy of every refresh token; not there means the authorization is gone.
func (m *tokens) recoverRefresh(ctx context.Context, a *Authorizer) (string, error) {
	for offset := 0; ; offset += wechat.MaxAuthorizerListCount {
		var list *wechat.AuthorizerList
		err := m.withComponent(ctx, func(ctok string) error {
			var e error
			list, e = m.wc.AuthorizerList(ctx, ctok, m.comp, offset, wechat.MaxAuthorizerListCount)
			return e
		})
		if err != nil {
			return "", err
		}
		for _, it := range list.List {
			if it.AuthorizerAppID == a.AppID && it.RefreshToken != "" {
				if err := m.st.SetAuthorizerRefresh(ctx, a.AppID, m.seal.seal(it.RefreshToken, refreshAAD(a.AppID)), m.clk.Now()); err != nil {
					return "", err
				}
				m.log.Info("refresh token recovered from the authorizer list", "appid", a.AppID)
				return it.RefreshToken, nil
			}
		}
		if offset+len(list.List) >= list.TotalCount || len(list.List) == 0 {
			break
		}
	}
	if a.Status == AuthorizerNoAPIRefresh {
		return "", ErrNoAPIPermission
	}
	m.markLost(ctx, *a)
	return "", ErrNeedsReauth
}

func (m *tokens) markLost(ctx context.Context, a Authorizer) {
	m.st.SetAuthorizerStatus(ctx, a.AppID, AuthorizerNeedsReauth, m.clk.Now())
	m.log.Warn("account needs re-authorization", "appid", a.AppID)
	if m.onLost != nil {
		m.onLost(a.AppID)
	}
}

// dropAuthorizer forgets an account's access token (after a revocation).
func (m *tokens) dropAuthorizer(ctx context.Context, appid string) {
	m.mu.Lock()
	delete(m.cache, authorizerKey(appid))
	m.mu.Unlock()
	if err := m.st.DeleteToken(ctx, authorizerKey(appid)); err != nil {
		m.log.Warn("revoked account's token not deleted from the store", "appid", appid, "err", err.Error())
	}
}

// withAuthorizer runs call with the account's token, refreshing and retrying
// on a token error (another replica or a re-authorization replaced it). A
// second refusal gets one more refresh: a refresh that was already in flight
// when the account withdrew can hand back a token that is dead on arrival,
// and only a refresh started afterwards learns of the withdrawal (61023).
func (m *tokens) withAuthorizer(ctx context.Context, appid string, call func(token string) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := m.authorizer(ctx, appid)
		if err != nil {
			return err
		}
		err = call(tok)
		if attempt < 2 && wechat.IsTokenError(err) {
			m.invalidate(ctx, authorizerKey(appid), tok)
			continue
		}
		return err
	}
}
