package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"oawizard/flow/connclient"
	"oawizard/wechat"
)

type errClass int

const (
	classFatal errClass = iota
	classTransient
	classMinute
	classDaily
	classRevoked
	classNotPermitted
)

// classify reads WeChat's codes through the catalogue's classes, so the sync
// and every other reader give a code the same meaning. Token codes (40001,
// 40014, 42001) are retry-soon: the relay refreshes tokens itself, so one
// reaching us lost a race with a refresh or a revocation, and the next
// attempt gets a fresh token or the relay's 409. 50002 (account limited)
// ends the run as a failure the catalogue words: no new authorization helps.
func classify(err error) errClass {
	var he *wechat.HTTPError
	var ne net.Error
	if c, ok := wechat.ClassOfError(err); ok {
		switch c {
		case wechat.ClassRetrySoon:
			return classTransient
		case wechat.ClassRetryMinute:
			return classMinute
		case wechat.ClassDailyQuota:
			return classDaily
		case wechat.ClassReauthorize:
			return classRevoked
		case wechat.ClassNotPermitted:
			return classNotPermitted
		}
		return classFatal
	}
	switch {
	case errors.As(err, &he):
		switch he.Status {
		case http.StatusConflict: // the relay's needs_reauthorization
			return classRevoked
		case http.StatusForbidden:
			// The account has no API permission (no refresh token): the
			// follower APIs are not permitted, and a new scan cannot help.
			if noAPIPermission(err) {
				return classNotPermitted
			}
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return classTransient
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return classFatal
	case errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return classTransient
	}
	return classFatal
}

// noAPIPermission is the relay's refusal for an account with no API
// permission at all (no refresh token): scanning again cannot help.
func noAPIPermission(err error) bool {
	var he *wechat.HTTPError
	return errors.As(err, &he) && he.Status == http.StatusForbidden && strings.Contains(he.Body, `"`+string(connclient.KindNoAPI)+`"`)
}

// call runs f, retrying what WeChat says to retry: -1 and network trouble
// with jittered exponential backoff (bounded), 45011 at the next minute.
func (e *engine) call(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch classify(err) {
		case classTransient:
			if attempt >= e.opt.MaxRetries {
				return err
			}
			e.retries.Add(1)
			if err := e.sleep(ctx, backoff(attempt)); err != nil {
				return err
			}
		case classMinute:
			e.retries.Add(1)
			now := e.opt.Clock.Now()
			resume := now.Truncate(time.Minute).Add(time.Minute + time.Duration(rand.IntN(500))*time.Millisecond)
			e.waiting.Store(fmt.Sprintf("minute_quota:%s", resume.Format(time.RFC3339)))
			err := e.sleep(ctx, resume.Sub(now))
			e.waiting.Store("")
			if err != nil {
				return err
			}
			attempt = -1 // a minute wait is not a failure
		case classDaily:
			return &QuotaError{Path: pathOf(err), ResumeAt: nextChinaMidnight(e.opt.Clock.Now()), Err: err}
		case classRevoked:
			return fmt.Errorf("%w: %w", ErrRevoked, err)
		case classNotPermitted:
			return fmt.Errorf("%w: %w", ErrNotPermitted, err)
		default:
			return err
		}
	}
}

// pathOf names the API whose quota ran out; the message does not say, so the
// caller's context does: batchget is by far the larger spender.
func pathOf(error) string { return PathBatchGet }

func backoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt, 5)
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func (e *engine) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-e.opt.Clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// checkQuota tells the caller whether today's quota covers what is left.
func (e *engine) checkQuota(ctx context.Context, total int, stored int64) error {
	if e.opt.Quota == nil {
		return nil
	}
	left := max(total-int(stored), 0)
	needs := map[string]int{
		PathUserGet:  max((left+wechat.MaxUserGet-1)/wechat.MaxUserGet, 1),
		PathBatchGet: (left + wechat.MaxBatchGet - 1) / wechat.MaxBatchGet,
	}
	for _, path := range []string{PathUserGet, PathBatchGet} {
		r := QuotaReport{Path: path, Needed: needs[path]}
		var q *wechat.Quota
		err := e.call(ctx, func() (err error) { q, err = e.api.QuotaGet(ctx, "", path); return err })
		switch {
		case err == nil:
			r.Known, r.Remain = true, q.Quota.Remain
			r.Enough = q.Quota.Remain >= r.Needed
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			// WeChat may refuse to say (76021/76022, or a set not granted);
			// the run then learns the limit the hard way, 45009.
			r.Enough = true
		}
		if !e.opt.Quota(r) {
			return ErrQuotaDeclined
		}
	}
	return nil
}

func (e *engine) snapshot() Progress {
	p := Progress{
		Phase:        e.phase.Load().(string),
		Total:        int(e.total.Load()),
		Listed:       int(e.before.Rows + e.listed.Load()),
		Stored:       e.before.Rows + e.stored.Load(),
		WithUnionID:  e.before.WithUnionID + e.withUnion.Load(),
		Unsubscribed: e.before.Unsubscribed + e.unsub.Load(),
		Retries:      int(e.retries.Load()),
		Waiting:      e.waiting.Load().(string),
	}
	if p.Waiting != "" {
		p.Phase = "waiting"
	}
	if el := time.Since(e.start).Seconds(); el > 0 {
		p.Rate = float64(e.stored.Load()) / el
	}
	if left := int64(p.Total) - p.Stored; left > 0 && p.Rate > 0 {
		p.ETA = time.Duration(float64(left) / p.Rate * float64(time.Second))
	}
	return p
}

// reportProgress emits snapshots until the returned stop is called.
func (e *engine) reportProgress() (stop func()) {
	if e.opt.Progress == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var done = make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(e.opt.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				e.opt.Progress(e.snapshot())
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit); <-done }
}
