package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"oawizard/flow"
)

// qrPage is the QR screen alone in a test window, in language l.
func qrPage(t *testing.T, l string, size fyne.Size) *authorizePage {
	t.Helper()
	if err := onUI(func() error { _, err := SetupLanguage(l); return err }); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t).Settings().SetTheme(appTheme{})
	a := &App{}
	a.win = test.NewTempWindow(t, nil)
	a.win.Resize(size)
	p := newAuthorizePage(a)
	a.win.SetContent(p.view())
	return p
}

// Started while the vendor's server is down there is no QR code yet: the
// page says the code will appear by itself, and there is nothing to copy or
// open until there is a link.
func TestQRScreenWithoutACodeOffersNothingToCopy(t *testing.T) {
	p := qrPage(t, LangZH, fyne.NewSize(1024, 640))
	last := time.Date(2026, 11, 25, 10, 4, 5, 0, time.Local)
	p.event(flow.AuthEvent{State: flow.AuthConnectionLost, LastOK: last})
	if !p.copyBtn.Disabled() || !p.openBtn.Disabled() {
		t.Fatal("copy and open are offered with no link")
	}
	if want := Tf("auth.lost_detail_noqr", map[string]any{"Last": "10:04:05"}); p.detail.Text != want {
		t.Fatalf("detail %q, want %q", p.detail.Text, want)
	}
	s := flow.AuthSession{ID: "s_1", Code: "K7M4Q2", QRURL: "https://connector.example.com/a/K7M4Q2",
		PCURL: "https://connector.example.com/a/K7M4Q2?pc=1", ExpiresAt: time.Now().Add(10 * time.Minute)}
	p.event(flow.AuthEvent{State: flow.AuthWaiting, Session: s})
	if p.copyBtn.Disabled() || p.openBtn.Disabled() {
		t.Fatal("the link is there but cannot be copied or opened")
	}
	p.event(flow.AuthEvent{State: flow.AuthConnectionLost, Session: s, LastOK: last})
	if want := Tf("auth.lost_detail", map[string]any{"Last": "10:04:05"}); p.detail.Text != want {
		t.Fatalf("with a code shown the detail is %q, want %q", p.detail.Text, want)
	}
}

// A project token the connector refuses cannot be fixed by scanning: the QR
// and its countdown go, and the page offers Settings, where the fix is.
func TestRevokedTokenOffersSettings(t *testing.T) {
	p := qrPage(t, LangZH, fyne.NewSize(1024, 640))
	p.stopped(false, fmt.Errorf("authorize: %w", flow.ErrTokenRevoked))
	if p.left.Visible() || !p.settings.Visible() || p.retry.Visible() {
		t.Fatalf("QR side shown %v, settings %v, restart %v", p.left.Visible(), p.settings.Visible(), p.retry.Visible())
	}
	if p.state.Text != T("auth.state.token_revoked") {
		t.Fatalf("state %q", p.state.Text)
	}
}

// While the vendor's server is away the sync page says so, with when it
// last answered, and the line goes with the server's first answer.
func TestSyncPageSaysItIsReconnecting(t *testing.T) {
	if err := onUI(func() error { _, err := SetupLanguage(LangZH); return err }); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	p := newSyncPage(&App{})
	last := time.Date(2026, 11, 25, 10, 4, 5, 0, time.Local)
	p.connection(flow.Reach{Reconnecting: true, LastOK: last})
	if want := Tf("sync.reconnecting", map[string]any{"Last": "10:04:05"}); p.detail.Text != want {
		t.Fatalf("while away: %q, want %q", p.detail.Text, want)
	}
	p.connection(flow.Reach{LastOK: last.Add(2 * time.Minute)})
	if p.detail.Text != T("state.sync.live_detail") {
		t.Fatalf("after the first answer the page still says %q", p.detail.Text)
	}
}
