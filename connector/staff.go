package connector

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Staff sign-in. A staff token (created by `connector staff create`, kept
// as a hash) is typed into /staff once and exchanged for a session cookie
// scoped to /staff; staff tokens and project tokens live in different
// tables, so neither opens the other's doors.

const (
	staffCookie     = "oaw_staff"
	staffLangCookie = "oaw_staff_lang"
	staffPath       = "/staff"
	staffSessionTTL = 12 * time.Hour
	// A one-time sign-in link (the demo's Help menu) is good for minutes.
	staffLinkTTL = 10 * time.Minute
	// Support-code look-ups per member of staff and sign-ins per client:
	// five at once, then one every ten seconds.
	staffLookupRate  = 0.1
	staffLookupBurst = 5
)

// CreateStaffToken issues a staff token for name and returns it; only its
// hash is stored, so it cannot be shown again.
func CreateStaffToken(ctx context.Context, st Store, name string, now time.Time) (string, error) {
	d, err := staffOf(st)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		return "", errors.New("connector: a staff member's name is required")
	}
	tok := "oas_" + randomID(24)
	err = d.createToken(ctx, StaffToken{ID: "st_" + randomID(6), Name: strings.TrimSpace(name), Hash: HashToken(tok), CreatedAt: now})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// StaffTokens lists the staff tokens, revoked ones included.
func StaffTokens(ctx context.Context, st Store) ([]StaffToken, error) {
	d, err := staffOf(st)
	if err != nil {
		return nil, err
	}
	return d.tokens(ctx)
}

// RevokeStaffToken revokes a staff token and signs its sessions out.
func RevokeStaffToken(ctx context.Context, st Store, id string, now time.Time) error {
	d, err := staffOf(st)
	if err != nil {
		return err
	}
	return d.revokeToken(ctx, id, now)
}

// staffLinks are one-time sign-in codes, held in memory: they serve the
// demo's Help menu, which talks to the connector in its own process.
type staffLinks struct {
	mu    sync.Mutex
	codes map[string]cached[string] // code hash → staff token hash
}

// StaffSignInLink returns a one-time address that signs the holder of
// staffToken in (after a click, so the link alone changes nothing). The
// code travels in the fragment, which browsers never send: it stays out of
// access logs and proxies, and link.js posts it.
func (s *Server) StaffSignInLink(ctx context.Context, staffToken string) (string, error) {
	d, err := staffOf(s.st)
	if err != nil {
		return "", err
	}
	t, err := d.tokenByHash(ctx, HashToken(staffToken))
	if err != nil || !t.RevokedAt.IsZero() {
		return "", errors.New("connector: unknown or revoked staff token")
	}
	code := randomID(16)
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if s.links.codes == nil {
		s.links.codes = map[string]cached[string]{}
	}
	for k, c := range s.links.codes {
		if time.Now().After(c.exp) {
			delete(s.links.codes, k)
		}
	}
	s.links.codes[HashToken(code)] = cached[string]{t.Hash, time.Now().Add(staffLinkTTL)}
	return staffPath + "/link#" + code, nil
}

// takeLink spends a one-time code and returns its staff token's hash.
func (s *Server) takeLink(code string) (string, bool) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	c, ok := s.links.codes[HashToken(code)]
	delete(s.links.codes, HashToken(code))
	return c.v, ok && time.Now().Before(c.exp)
}

// staffSession is a signed-in member of staff on one request.
type staffSession struct {
	staff StaffToken
	csrf  string
}

// csrfFor derives the session's form token: unguessable without the
// cookie, and nothing more to store.
func csrfFor(cookie string) string {
	h := sha256.Sum256([]byte("csrf\x00" + cookie))
	return hex.EncodeToString(h[:16])
}

// staffFrom reads the session cookie; ok is false when nobody is signed in.
func (s *Server) staffFrom(r *http.Request) (staffSession, bool, error) {
	c, err := r.Cookie(staffCookie)
	if err != nil || c.Value == "" {
		return staffSession{}, false, nil
	}
	d, err := staffOf(s.st)
	if err != nil {
		return staffSession{}, false, err
	}
	t, err := d.sessionStaff(r.Context(), HashToken(c.Value), s.cfg.Clock.Now())
	if errors.Is(err, ErrNotFound) {
		return staffSession{}, false, nil
	}
	if err != nil {
		return staffSession{}, false, err
	}
	return staffSession{staff: t, csrf: csrfFor(c.Value)}, true, nil
}

// signIn starts a session for the staff token with this hash; ok is false
// for a token that is unknown or revoked, err is a store that cannot answer
// (which says nothing about the token).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, hash string) (bool, error) {
	d, err := staffOf(s.st)
	if err != nil {
		return false, err
	}
	t, err := d.tokenByHash(r.Context(), hash)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil || !t.RevokedAt.IsZero() {
		return false, err
	}
	val := randomID(32)
	if err := d.createSession(r.Context(), HashToken(val), t.ID, s.cfg.Clock.Now(), s.cfg.Clock.Now().Add(staffSessionTTL)); err != nil {
		return false, err
	}
	s.log.Info("staff signed in", "request_id", infoOf(r).id, "staff", t.Name, "staff_id", t.ID)
	http.SetCookie(w, s.staffCookieFor(r, staffCookie, val, int(staffSessionTTL/time.Second)))
	return true, nil
}

// staffCookieFor makes a cookie only /staff sees, never script, never sent
// from another site, and only over TLS unless the console is on loopback.
func (s *Server) staffCookieFor(r *http.Request, name, val string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: val, Path: staffPath, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: !loopbackHost(r.Host)}
}

func loopbackHost(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// sameOrigin tells a form posted from the console from one posted from
// elsewhere: browsers name the page's origin on every POST.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		ref, err := url.Parse(r.Header.Get("Referer"))
		if err != nil || ref.Host == "" {
			return false
		}
		o = ref.Scheme + "://" + ref.Host
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

// staffPost checks a signed-in form: same origin and the session's token.
func staffPost(r *http.Request, ss staffSession) bool {
	got := r.PostFormValue("csrf")
	return sameOrigin(r) && subtle.ConstantTimeCompare([]byte(got), []byte(ss.csrf)) == 1
}
