package flow

import (
	"context"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow/connclient"
)

// A platform not yet 全网发布 lets only its test accounts authorize: the
// admin's phone scans, meets WeChat's error page and never confirms. The
// QR screen is told the scan stalled, so it can name the likely causes
// instead of waiting in silence.
func TestAuthorizeSaysWhenAScanIsNeverConfirmed(t *testing.T) {
	ctx, d := startDemo(t)
	d.Sim.SetUnreleased() // no test accounts: the demo OA may not authorize
	conn, err := connclient.New(d.URL, d.ProjectToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan AuthEvent, 64)
	go Authorize(ctx, conn, d.Scenario.OAAppID, AuthorizeOptions{Wait: 10 * time.Second, ScannedStall: 300 * time.Millisecond},
		func(ev AuthEvent) { events <- ev })
	deadline := time.After(20 * time.Second)
	scanned := false
	for {
		select {
		case ev := <-events:
			switch {
			case ev.State == AuthWaiting && !scanned:
				scanned = true
				if _, err := d.Phone().Open(ev.Session.QRURL); err == nil {
					t.Fatal("the phone reached the confirmation page of an unreleased platform")
				}
			case ev.State == AuthScanned && ev.Stalled:
				return
			case ev.State == AuthAuthorized:
				t.Fatal("authorized although the platform is not released")
			}
		case <-deadline:
			t.Fatal("no stalled-scan event")
		}
	}
}

// startDemo runs a simulator and a connector for one test.
func startDemo(t *testing.T) (context.Context, *loopback.Demo) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := loopback.Start(ctx, loopback.Options{Followers: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return ctx, d
}
