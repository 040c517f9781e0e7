package syncer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"oawizard/wechat"
)

// A stored outcome reads back as the error the run returned.
func TestEndedReadsOutcomeOfBackwards(t *testing.T) {
	now := time.Now()
	quota := &QuotaError{Path: "user/info", ResumeAt: nextChinaMidnight(now), Err: &wechat.APIError{Code: 45009}}
	for _, err := range []error{
		nil,
		context.Canceled,
		quota,
		fmt.Errorf("%w: %w", ErrRevoked, &wechat.APIError{Code: 61023}),
		fmt.Errorf("%w: %w", ErrNotPermitted, &wechat.APIError{Code: 61016}),
		errors.New("disk full"),
	} {
		back := Ended(outcomeOf(err), now)
		var qe *QuotaError
		switch {
		case err == nil:
			if back != nil {
				t.Errorf("done read back as %v", back)
			}
		case errors.As(err, &qe):
			var got *QuotaError
			if !errors.As(back, &got) || !got.ResumeAt.Equal(qe.ResumeAt) {
				t.Errorf("%v read back as %v", err, back)
			}
		default:
			for _, kind := range []error{context.Canceled, ErrRevoked, ErrNotPermitted} {
				if errors.Is(err, kind) != errors.Is(back, kind) {
					t.Errorf("%v read back as %v", err, back)
				}
			}
			if back == nil || back.Error() == "" {
				t.Errorf("%v read back as %v", err, back)
			}
		}
	}
}
