package connclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"oawizard/clock"
)

// An outage of the connector (the vendor's server, or a proxy in front of
// it) is not a WeChat problem and not the admin's: the wizard says it is
// reconnecting, keeps trying for minutes and carries on by itself.

var (
	// ErrConnectorUnreachable matches (errors.Is) every failure to reach
	// the connector: refused, reset, timed out, or a proxy's 502/503/504.
	ErrConnectorUnreachable = errors.New("connector: the vendor's server cannot be reached")
	// ErrTokenRevoked matches a project token the connector does not
	// accept (unknown or revoked): only a new token in Settings helps.
	ErrTokenRevoked = errors.New("connector: the project token is unknown or revoked")
)

// Is lets errors.Is match the sentinels above by Kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrConnectorUnreachable:
		return e.Kind == KindUnreachable
	case ErrTokenRevoked:
		return e.Kind == KindBadToken
	}
	return false
}

// NotWeChat marks the error as the connector's, so the WeChat client the
// relay hands out passes it on as it is instead of wording it as WeChat's.
func (e *Error) NotWeChat() bool { return true }

// ConnState is whether the connector is answering.
type ConnState struct {
	Reconnecting bool
	Since        time.Time // when the current outage began
	LastOK       time.Time // when the connector last answered (zero: never yet)
	Err          error     // the failure that began the outage
}

// reach tracks the connector's answers across every call of one Client.
type reach struct {
	mu       sync.Mutex
	state    ConnState
	watchers map[int]func(ConnState)
	next     int
}

// State reports whether the connector is answering, as of the last call.
func (c *Client) State() ConnState {
	c.reach.mu.Lock()
	defer c.reach.mu.Unlock()
	return c.reach.state
}

// Watch calls f on each change between answering and reconnecting, from
// the goroutine whose call saw the change; stop ends the watch.
func (c *Client) Watch(f func(ConnState)) (stop func()) {
	r := &c.reach
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers == nil {
		r.watchers = map[int]func(ConnState){}
	}
	id := r.next
	r.next++
	r.watchers[id] = f
	return func() {
		r.mu.Lock()
		delete(r.watchers, id)
		r.mu.Unlock()
	}
}

// answered records that the connector answered: the first answer after an
// outage ends it at once, whatever call it was.
func (c *Client) answered() {
	r := &c.reach
	r.mu.Lock()
	r.state.LastOK = time.Now()
	was := r.state.Reconnecting
	r.state.Reconnecting, r.state.Since, r.state.Err = false, time.Time{}, nil
	st, ws := r.state, r.list()
	r.mu.Unlock()
	if was {
		notify(ws, st)
	}
}

// unreachable records a failure to reach the connector and returns it as
// an *Error carrying the last time the connector answered.
func (c *Client) unreachable(status int, cause error) *Error {
	r := &c.reach
	r.mu.Lock()
	was := r.state.Reconnecting
	if !was {
		r.state.Reconnecting, r.state.Since, r.state.Err = true, time.Now(), cause
	}
	st, ws := r.state, r.list()
	r.mu.Unlock()
	if !was {
		notify(ws, st)
	}
	return &Error{Kind: KindUnreachable, Status: status, LastOK: st.LastOK, Err: cause}
}

func (r *reach) list() []func(ConnState) {
	out := make([]func(ConnState), 0, len(r.watchers))
	for _, f := range r.watchers {
		out = append(out, f)
	}
	return out
}

func notify(ws []func(ConnState), st ConnState) {
	for _, f := range ws {
		f(st)
	}
}

// refused checks a 401 with a second answer before calling the token bad:
// a connector that cannot read its database cannot know the token either,
// and a wizard that believed it would throw a good token away. Only a
// connector whose /healthz says it is healthy is taken at its word.
func (c *Client) refused(ctx context.Context, bad error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/healthz", nil)
	if err != nil {
		return bad
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return c.unreachable(0, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return bad
	}
	return &Error{Kind: KindStoreUnavailable, Status: resp.StatusCode, RetryAfter: 5 * time.Second,
		Message: "the connector refused the token while its health check failed", Err: storeTrouble{}}
}

// storeTrouble is the connector's database failing for a moment. It is a
// net.Error, temporary, as a proxy's gateway error is: callers that retry
// network trouble (the sync engine) retry it too.
type storeTrouble struct{}

func (storeTrouble) Error() string   { return "the connector's database cannot answer for a moment" }
func (storeTrouble) Timeout() bool   { return false }
func (storeTrouble) Temporary() bool { return true }

// proxyFailure reports a 502/503/504 that did not come from the connector:
// the connector's own errors are JSON with an "error" field, a proxy's
// gateway page is not.
func proxyFailure(resp *http.Response, body []byte) bool {
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return false
	}
	return !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), `"error"`)
}

// gatewayError is a proxy's 502/503/504 standing in for the connector. It
// is a net.Error, temporary, as a refused connection is: callers that retry
// network trouble retry it too.
type gatewayError int

func (e gatewayError) Error() string {
	return fmt.Sprintf("HTTP %d from a proxy in front of the connector", int(e))
}
func (gatewayError) Timeout() bool   { return false }
func (gatewayError) Temporary() bool { return true }

// Backoff says how long and how often to retry an unreachable connector.
type Backoff struct {
	Initial time.Duration // first wait; default 1 s
	Max     time.Duration // longest wait; default 30 s
	Within  time.Duration // give up after this long unreachable; default 10 min
	Clock   clock.Clock   // nil = real time
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Within <= 0 {
		b.Within = 10 * time.Minute
	}
	b.Clock = clock.Or(b.Clock)
	return b
}

// Retry runs call until it succeeds or fails for another reason than the
// connector being unreachable. While unreachable it waits between tries,
// doubling from Initial up to Max (with a little jitter, so many wizards do
// not return at the same instant), for at most Within of one outage; then
// it returns the last unreachable *Error. An outage ends when the connector
// answers any call of this client, so a long call (a whole sync) that
// meets several short outages gets the full Within for each. The client's
// State says "reconnecting" meanwhile and clears on the first answer.
func (c *Client) Retry(ctx context.Context, b Backoff, call func(ctx context.Context) error) error {
	b = b.withDefaults()
	var start, failedAt time.Time
	wait := b.Initial
	for {
		err := call(ctx)
		if err == nil || !errors.Is(err, ErrConnectorUnreachable) || ctx.Err() != nil {
			return err
		}
		now := b.Clock.Now()
		if start.IsZero() || c.State().LastOK.After(failedAt) {
			start, wait = now, b.Initial // a new outage
		}
		failedAt = time.Now()
		if now.Sub(start) >= b.Within {
			return err
		}
		d := min(wait, b.Within-now.Sub(start))
		d += time.Duration(rand.Int64N(int64(d)/10 + 1))
		select {
		case <-b.Clock.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, b.Max)
	}
}

// relayStatus turns what the relay's transport saw into the connector's
// errors: a failure to reach it, a proxy's gateway page, a refused token.
// Anything else (WeChat's answers, the relay's own refusals) passes on.
func (c *Client) relayStatus(ctx context.Context, resp *http.Response, err error) (*http.Response, error) {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err // the caller gave up; says nothing about the connector
		}
		return nil, c.unreachable(0, err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		resp.Body.Close()
		c.answered()
		return nil, c.refused(ctx, &Error{Kind: KindBadToken, Status: resp.StatusCode, Message: "unknown or revoked project token"})
	}
	if resp.StatusCode/100 == 5 {
		body := make([]byte, 512)
		n, _ := io.ReadFull(resp.Body, body)
		if proxyFailure(resp, body[:n]) {
			resp.Body.Close()
			return nil, c.unreachable(resp.StatusCode, gatewayError(resp.StatusCode))
		}
		var e *Error
		if errors.As(statusError(resp, body[:n]), &e) && e.Kind == KindStoreUnavailable {
			// The connector's own answer, not WeChat's: it must not be
			// read as a WeChat body.
			resp.Body.Close()
			c.answered()
			e.Err = storeTrouble{}
			return nil, e
		}
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body[:n]), resp.Body), resp.Body}
	}
	c.answered()
	return resp, nil
}
