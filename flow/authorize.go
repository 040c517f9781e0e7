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
	Session connclient.Session
	// Refreshed: the code expired and a new one replaced it (say so once).
	Refreshed bool
	// Cancelled: the admin backed out on the phone; the same code still works.
	Cancelled bool
	// LastOK is when the connector last answered (for connection_lost).
	LastOK time.Time
	Err    error
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
	clk := clock.Or(opt.Clock)
	var lastOK time.Time

	// open creates a session, retrying while the connector is unreachable.
	open := func(refreshed bool) (*connclient.Session, error) {
		for attempt := 0; ; attempt++ {
			s, err := c.CreateAuthorization(ctx, appid)
			if err == nil {
				lastOK = clk.Now()
				emit(AuthEvent{State: AuthWaiting, Session: *s, Refreshed: refreshed, LastOK: lastOK})
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
	for {
		wait := opt.Wait
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
			emit(AuthEvent{State: AuthConnectionLost, Session: *s, LastOK: lastOK, Err: err})
			if err := sleepCtx(ctx, clk, retryDelay(failures, opt.MaxBackoff)); err != nil {
				return nil, err
			}
			failures++
			continue
		}
		if failures > 0 {
			// Back from a connection loss: show the current state again.
			emit(AuthEvent{State: screenState(got.Status), Session: *got, LastOK: clk.Now()})
		}
		failures = 0
		lastOK = clk.Now()
		changed := got.Version != s.Version
		s = got

		switch {
		case s.Status == api.StatusAuthorized:
			emit(AuthEvent{State: AuthAuthorized, Session: *s, LastOK: lastOK})
			return s, nil
		case s.Status == api.StatusWrongAccount:
			emit(AuthEvent{State: AuthWrongAccount, Session: *s, LastOK: lastOK})
			return s, fmt.Errorf("%w: expected %s, got %s", ErrWrongAccount, s.ExpectedAppID, s.AppID)
		case s.Status == api.StatusFailed:
			err := fmt.Errorf("flow: authorization failed: %s", s.Reason)
			emit(AuthEvent{State: AuthFailed, Session: *s, LastOK: lastOK, Err: err})
			return s, err
		case s.Status == api.StatusExpired || (!s.ExpiresAt.IsZero() && !clk.Now().Before(s.ExpiresAt)):
			if s, err = open(true); err != nil {
				return nil, err
			}
		case changed && s.Status == api.StatusCancelled:
			emit(AuthEvent{State: AuthWaiting, Session: *s, Cancelled: true, LastOK: lastOK})
		case changed:
			emit(AuthEvent{State: screenState(s.Status), Session: *s, LastOK: lastOK})
		}
	}
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
	case connclient.KindUnreachable, connclient.KindRateLimited, connclient.KindProtocol, connclient.KindWaitingTicket, connclient.KindTicketStalled:
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
