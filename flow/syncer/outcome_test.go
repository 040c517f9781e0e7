package syncer

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"oawizard/wechat"
)

// A run the relay refused for an account with no API permission reads back
// after a restart as that refusal, not as a failure of unknown cause: the
// page says again that scanning cannot help.
func TestNoAPIPermissionReadsBackAsItself(t *testing.T) {
	live := fmt.Errorf("%w: %w", ErrNotPermitted, &wechat.HTTPError{Status: 403, Body: `{"error":"no_api_permission","message":"the account has no API permission"}`})
	o := outcomeOf(live)
	if o.Status != EndNoAPI || !o.Final() || EndOf(live) != EndNoAPI {
		t.Fatalf("stored as %+v", o)
	}
	back := Ended(o, time.Now())
	if !errors.Is(back, ErrNotPermitted) || !noAPIPermission(back) || classify(back) != classNotPermitted {
		t.Fatalf("read back as %v", back)
	}
}

// Every ending keeps its name across a restart, and only stopped and
// quota-ended runs are left for a later run to resume.
func TestEndingsKeepTheirNames(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		err   error
		end   string
		final bool
	}{
		{&QuotaError{ResumeAt: nextChinaMidnight(now), Err: &wechat.APIError{Code: 45009}}, EndQuota, false},
		{fmt.Errorf("%w: %w", ErrRevoked, &wechat.APIError{Code: 61023}), EndRevoked, true},
		{fmt.Errorf("%w: %w", ErrNotPermitted, &wechat.APIError{Code: 48001}), EndNotPermitted, true},
		{&wechat.APIError{Code: 50002, Msg: "user limited"}, EndAccountLimited, true},
		{errors.New("disk full"), EndFailed, true},
	} {
		o := outcomeOf(c.err)
		if o.Status != c.end || o.Final() != c.final {
			t.Errorf("%v stored as %+v, want %s (final %v)", c.err, o, c.end, c.final)
		}
		if back := EndOf(Ended(o, now)); back != c.end {
			t.Errorf("%v read back as %s, want %s", c.err, back, c.end)
		}
	}
}
