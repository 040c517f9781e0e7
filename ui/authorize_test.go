package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"oawizard/flow"
)

// The QR screen shows one short line per state; each state's rendering is
// kept as a markup master in testdata/ (review changes to them like code).
func TestAuthorizeScreenStates(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		p := qrPage(t, l, fyne.NewSize(1000, 640))
		a := p.a
		s := flow.AuthSession{ID: "s_1", Code: "K7M4Q2", QRURL: "https://connector.example.com/a/K7M4Q2",
			PCURL: "https://connector.example.com/a/K7M4Q2?pc=1", ExpectedAppID: "wx5a3c9e1f7b2d4806",
			ExpiresAt: time.Now().Add(10 * time.Minute)}
		wrong := s
		wrong.AppID = "wx8d4e2b6a1c9f3705"
		done := s
		done.NickName, done.Missing = "青禾生活馆", []int{2}
		failed := s
		failed.Reason = "wechat:61004"
		held := done
		held.Missing = []int{24}
		states := []struct {
			name string
			ev   flow.AuthEvent
		}{
			{"waiting", flow.AuthEvent{State: flow.AuthWaiting, Session: s}},
			{"scanned", flow.AuthEvent{State: flow.AuthScanned, Session: s}},
			{"cancelled", flow.AuthEvent{State: flow.AuthWaiting, Session: s, Cancelled: true}},
			{"expired", flow.AuthEvent{State: flow.AuthWaiting, Session: s, Refreshed: true}},
			{"connection_lost", flow.AuthEvent{State: flow.AuthConnectionLost, Session: s, LastOK: time.Date(2026, 11, 25, 10, 4, 5, 0, time.Local)}},
			{"wrong_account", flow.AuthEvent{State: flow.AuthWrongAccount, Session: wrong}},
			{"failed", flow.AuthEvent{State: flow.AuthFailed, Session: failed}},
			{"authorized", flow.AuthEvent{State: flow.AuthAuthorized, Session: done}},
			// A scan never confirmed names a platform not yet 全网发布.
			{"scanned_stalled", flow.AuthEvent{State: flow.AuthScanned, Session: s, Stalled: true}},
			// An exclusive set missing may be another provider's.
			{"authorized_held", flow.AuthEvent{State: flow.AuthAuthorized, Session: held}},
		}
		for _, st := range states {
			p.event(st.ev)
			test.AssertRendersToMarkup(t, fmt.Sprintf("authorize_%s_%s.xml", l, st.name), a.win.Canvas())
		}
	}
}
