package flow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/flow/connclient"
)

// AuthEvent is one thing the QR screen should show.
type AuthEvent struct {
	// State is waiting | scanned | authorized | wrong_account | failed | connection_lost.
	State   string
	Session AuthSession
	// Refreshed: the code expired and a new one replaced it (say so once).
	Refreshed bool
	// Cancelled: the admin backed out on the phone; the same code still works.
	Cancelled bool
	// LastOK is when the connector last answered (for connection_lost).
	LastOK time.Time
	// Stalled: scanned long ago and still not confirmed; the screen names
	// the likely causes (among them a platform not yet 全网发布, whose
	// phone page is an error the wizard cannot see).
	Stalled bool
	Err     error
}

// AuthSession is what the QR screen shows of the connector's session.
type AuthSession struct {
	// ID is the connector's session, kept to resume it after a restart.
	ID string
	// Code is the short code printed beside the QR, to compare with the
	// phone's page.
	Code string
	// QRURL is the page the phone opens; PCURL, the same for a browser on
	// this computer.
	QRURL, PCURL string
	// ExpectedAppID is the account entered in step 1; AppID, NickName and
	// Missing (the permission sets not granted) are of the one authorized.
	ExpectedAppID, AppID, NickName string
	Missing                        []int
	// Reason is why the authorization failed, as the connector names it.
	Reason string
	// ExpiresAt is when the code stops working.
	ExpiresAt time.Time
}

// sessionView is what the QR screen shows of s.
func sessionView(s *connclient.Session) AuthSession {
	return AuthSession{ID: s.ID, Code: s.Code, QRURL: s.QRURL, PCURL: s.PCURL, ExpectedAppID: s.ExpectedAppID,
		AppID: s.AppID, NickName: s.NickName, Missing: s.Missing, Reason: s.Reason, ExpiresAt: s.ExpiresAt}
}

// Authorization states the QR screen knows.
const (
	AuthWaiting        = "waiting"
	AuthScanned        = "scanned"
	AuthAuthorized     = "authorized"
	AuthWrongAccount   = "wrong_account"
	AuthFailed         = "failed"
	AuthConnectionLost = "connection_lost"
)

// ErrWrongAccount: the admin authorized another account than the one
// entered in step 1.
var ErrWrongAccount = errors.New("flow: a different account was authorized")

// AuthorizeOptions tune the loop; zero values are the product's defaults.
type AuthorizeOptions struct {
	Wait  time.Duration // long-poll length (25 s)
	Clock clock.Clock
	// MaxBackoff caps the retry delay while the connector is unreachable.
	MaxBackoff time.Duration
	// ScannedStall is how long a scan may stay unconfirmed before the
	// screen names the likely causes (90 s: confirming takes seconds).
	ScannedStall time.Duration
}

// Authorize runs one authorization of appid to the end: it opens a session,
// follows it by long-polling, replaces expired codes by itself and rides out
// connection losses, reporting each change to emit. It returns the authorized
// session, ErrWrongAccount, or the reason it cannot go on.
func Authorize(ctx context.Context, c *connclient.Client, appid string, opt AuthorizeOptions, emit func(AuthEvent)) (*connclient.Session, error) {
	if opt.Wait <= 0 {
		opt.Wait = 25 * time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 15 * time.Second
	}
	if opt.ScannedStall <= 0 {
		opt.ScannedStall = 90 * time.Second
	}
	clk := clock.Or(opt.Clock)
	var lastOK time.Time

	// open creates a session, retrying while the connector is unreachable.
	open := func(refreshed bool) (*connclient.Session, error) {
		for attempt := 0; ; attempt++ {
			s, err := c.CreateAuthorization(ctx, appid)
			if err == nil {
				lastOK = clk.Now()
				emit(AuthEvent{State: AuthWaiting, Session: sessionView(s), Refreshed: refreshed, LastOK: lastOK})
				return s, nil
			}
			if !transient(err) {
				return nil, err
			}
			emit(AuthEvent{State: AuthConnectionLost, LastOK: lastOK, Err: err})
			if err := sleepCtx(ctx, clk, retryDelay(attempt, opt.MaxBackoff)); err != nil {
				return nil, err
			}
		}
	}

	s, err := open(false)
	if err != nil {
		return nil, err
	}
	failures := 0
	var stall scanStall
	for {
		wait := stall.until(clk.Now(), opt.Wait)
		if failures > 0 {
			// Back from a loss, ask for the status at once: a long-poll
			// would keep "connection lost" up until it ended.
			wait = 0
		}
		got, err := c.WaitAuthorization(ctx, s.ID, s.Version, wait)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if connclient.KindOf(err) == connclient.KindNotFound {
				// The connector forgot the session (restarted without its
				// store): start a fresh one rather than strand the admin.
				if s, err = open(true); err != nil {
					return nil, err
				}
				continue
			}
			if !transient(err) {
				return nil, err
			}
			emit(AuthEvent{State: AuthConnectionLost, Session: sessionView(s), LastOK: lastOK, Err: err})
			if err := sleepCtx(ctx, clk, retryDelay(failures, opt.MaxBackoff)); err != nil {
				return nil, err
			}
			failures++
			continue
		}
		if failures > 0 {
			// Back from a connection loss: show the current state again.
			emit(AuthEvent{State: screenState(got.Status), Session: sessionView(got), LastOK: clk.Now()})
		}
		failures = 0
		lastOK = clk.Now()
		changed := got.Version != s.Version
		s = got
		if stall.seen(s.Status, changed, clk.Now(), opt.ScannedStall) {
			emit(AuthEvent{State: AuthScanned, Session: sessionView(s), LastOK: lastOK, Stalled: true})
		}

		switch {
		case s.Status == api.StatusAuthorized:
			emit(AuthEvent{State: AuthAuthorized, Session: sessionView(s), LastOK: lastOK})
			return s, nil
		case s.Status == api.StatusWrongAccount:
			emit(AuthEvent{State: AuthWrongAccount, Session: sessionView(s), LastOK: lastOK})
			return s, fmt.Errorf("%w: expected %s, got %s", ErrWrongAccount, s.ExpectedAppID, s.AppID)
		case s.Status == api.StatusFailed:
			err := fmt.Errorf("flow: authorization failed: %s", s.Reason)
			emit(AuthEvent{State: AuthFailed, Session: sessionView(s), LastOK: lastOK, Err: err})
			return s, err
		case s.Status == api.StatusExpired || (!s.ExpiresAt.IsZero() && !clk.Now().Before(s.ExpiresAt)):
			if s, err = open(true); err != nil {
				return nil, err
			}
		case changed && s.Status == api.StatusCancelled:
			emit(AuthEvent{State: AuthWaiting, Session: sessionView(s), Cancelled: true, LastOK: lastOK})
		case changed:
			emit(AuthEvent{State: screenState(s.Status), Session: sessionView(s), LastOK: lastOK})
		}
	}
}

// scanStall notices a scan that stays unconfirmed: after "scanned" WeChat
// shows the admin the permissions to confirm, which takes seconds, unless
// the phone met an error page the connector cannot see.
type scanStall struct {
	due  time.Time // when to speak; zero = not scanned, or said already
	said bool
}

// seen records a status and reports whether the stall is to be said now.
func (st *scanStall) seen(status string, changed bool, now time.Time, after time.Duration) bool {
	if status != api.StatusScanned {
		*st = scanStall{}
		return false
	}
	if changed || (st.due.IsZero() && !st.said) {
		st.due, st.said = now.Add(after), false
	}
	if st.said || now.Before(st.due) {
		return false
	}
	st.due, st.said = time.Time{}, true
	return true
}

// until shortens a long-poll so it ends when the stall is due.
func (st *scanStall) until(now time.Time, wait time.Duration) time.Duration {
	if st.due.IsZero() {
		return wait
	}
	return max(min(wait, st.due.Sub(now)), 0)
}

func screenState(status string) string {
	switch status {
	case api.StatusScanned:
		return AuthScanned
	case api.StatusAuthorized:
		return AuthAuthorized
	case api.StatusWrongAccount:
		return AuthWrongAccount
	case api.StatusFailed:
		return AuthFailed
	}
	return AuthWaiting
}

// transient reports failures worth waiting out: the network, TLS hiccups,
// a busy connector. A bad token or a refusal is not.
func transient(err error) bool {
	switch connclient.KindOf(err) {
	case connclient.KindUnreachable, connclient.KindRateLimited, connclient.KindProtocol, connclient.KindWaitingTicket, connclient.KindTicketStalled, connclient.KindStoreUnavailable:
		return true
	}
	return false
}

func retryDelay(attempt int, max time.Duration) time.Duration {
	d := time.Second << min(attempt, 4)
	return min(d, max)
}

func sleepCtx(ctx context.Context, clk clock.Clock, d time.Duration) error {
	select {
	case <-clk.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
