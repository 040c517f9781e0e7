package flow

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"oawizard/flow/syncer"
)

// The latest run's end reads back as Sync returned it, so the sync page
// can say it again after the admin moved on or closed the wizard.
func TestLastSyncReadsHowTheRunEnded(t *testing.T) {
	ctx := context.Background()
	const appid = "wx5a3c9e1f7b2d4806"
	w, db := wizardOnTempStore(t, appid)
	if _, ok, err := w.LastSync(ctx); ok || err != nil {
		t.Fatalf("before any run: ok %v, %v", ok, err)
	}
	// Outcomes as the engine stores them: a used-up quota renews at the
	// next midnight in China after the run ended, and a refusal keeps
	// WeChat's errcode.
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	renew := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
	quota := &syncer.QuotaError{Path: "user/info", ResumeAt: renew, Err: errors.New("45009")}
	cases := []struct {
		outcome syncer.Outcome
		is      func(error) bool
	}{
		{syncer.Outcome{Status: "stopped", Message: "cancelled"}, func(e error) bool { return errors.Is(e, context.Canceled) }},
		{syncer.Outcome{Status: "quota", ErrCode: 45009, Message: quota.Error()}, func(e error) bool {
			var qe *syncer.QuotaError
			return errors.As(e, &qe) && qe.ResumeAt.Equal(renew)
		}},
		{syncer.Outcome{Status: "revoked", Message: fmt.Errorf("%w: 48001", syncer.ErrRevoked).Error()}, func(e error) bool { return errors.Is(e, syncer.ErrRevoked) }},
		{syncer.Outcome{Status: "failed", ErrCode: 61016, Message: fmt.Errorf("%w: 61016", syncer.ErrNotPermitted).Error()}, func(e error) bool { return errors.Is(e, syncer.ErrNotPermitted) }},
		{syncer.Outcome{Status: "failed", Message: "disk full"}, func(e error) bool { return e != nil && e.Error() == "disk full" }},
		{syncer.Outcome{Status: "done"}, func(e error) bool { return e == nil }},
	}
	for _, c := range cases {
		cp, err := db.BeginRun(ctx, appid)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EndRun(ctx, cp.RunID, c.outcome); err != nil {
			t.Fatal(err)
		}
		end, ok, err := w.LastSync(ctx)
		if !ok || err != nil || !c.is(end.Err) {
			t.Errorf("%s: ok %v, %v, ended with %v", c.outcome.Status, ok, err, end.Err)
		}
	}
}
