package syncer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"oawizard/flow/connclient"
	"oawizard/wechat"
)

// How a run ended, as stored with its outcome and as reported (the
// headless report's sync status, the snapshot staff read): one name for
// each ending the pages word differently.
const (
	EndDone           = "done"
	EndStopped        = "stopped"
	EndQuota          = "quota"
	EndRevoked        = "revoked"
	EndNotPermitted   = "not_permitted"     // the follower APIs are not permitted (48001, 61007)
	EndNoAPI          = "no_api_permission" // the account has no API permission at all
	EndAccountLimited = "account_limited"   // 50002: WeChat limited the account
	EndFailed         = "failed"
)

// Ends lists every ending, for tests and catalogues that walk them all.
var Ends = []string{EndDone, EndStopped, EndQuota, EndRevoked, EndNotPermitted, EndNoAPI, EndAccountLimited, EndFailed}

// Final tells an ending that a new run starts over from one a later run
// may resume (stopped, or out of quota for today).
func (o Outcome) Final() bool { return o.Status != EndStopped && o.Status != EndQuota }

// EndOf names how a run that returned err ended.
func EndOf(err error) string { return outcomeOf(err).Status }

// noAPIBody is the relay's refusal as the run met it, kept so an outcome
// read back is the same error.
var noAPIBody = `{"error":"` + string(connclient.KindNoAPI) + `"}`

// Ended turns a stored outcome back into the error the run returned, so a
// page shown again later says what it said when the run ended; at is when
// the outcome was stored. It is outcomeOf read backwards.
func Ended(o Outcome, at time.Time) error {
	var ae error
	if o.ErrCode != 0 {
		// WeChat's code comes back as its error, so the page words it as
		// it did when the run ended (50002: the account is limited).
		ae = &wechat.APIError{Code: o.ErrCode, Msg: o.Message}
	}
	switch o.Status {
	case EndDone:
		return nil
	case EndQuota:
		return &QuotaError{ResumeAt: nextChinaMidnight(at), Err: errors.New(o.Message)}
	case EndRevoked:
		return fmt.Errorf("%w: %s", ErrRevoked, o.Message)
	case EndNoAPI:
		return fmt.Errorf("%w: %w", ErrNotPermitted, &wechat.HTTPError{Status: http.StatusForbidden, Body: noAPIBody})
	case EndNotPermitted, EndAccountLimited, EndFailed:
		if ae == nil {
			if o.Status == EndNotPermitted {
				return fmt.Errorf("%w: %s", ErrNotPermitted, o.Message)
			}
			return errors.New(o.Message)
		}
		// Outcomes stored before the endings had names of their own were
		// "failed" with the code, and read back the same way.
		if classify(ae) == classNotPermitted {
			return fmt.Errorf("%w: %w", ErrNotPermitted, ae)
		}
		return ae
	}
	return context.Canceled // stopped, or still marked running after the app was closed
}

func outcomeOf(err error) Outcome {
	var qe *QuotaError
	var ae *wechat.APIError
	code := 0
	if errors.As(err, &ae) {
		code = ae.Code
	}
	switch {
	case err == nil:
		return Outcome{Status: EndDone}
	case errors.Is(err, context.Canceled):
		return Outcome{Status: EndStopped, Message: "cancelled"}
	case errors.As(err, &qe):
		return Outcome{Status: EndQuota, ErrCode: 45009, Message: qe.Error()}
	case errors.Is(err, ErrRevoked):
		return Outcome{Status: EndRevoked, ErrCode: code, Message: err.Error()}
	case noAPIPermission(err):
		return Outcome{Status: EndNoAPI, Message: err.Error()}
	case errors.Is(err, ErrNotPermitted):
		return Outcome{Status: EndNotPermitted, ErrCode: code, Message: err.Error()}
	}
	if c, ok := wechat.ClassOfError(err); ok && c == wechat.ClassAccountLimited {
		return Outcome{Status: EndAccountLimited, ErrCode: code, Message: err.Error()}
	}
	return Outcome{Status: EndFailed, ErrCode: code, Message: err.Error()}
}
