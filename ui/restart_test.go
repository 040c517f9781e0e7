package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"oawizard/flow"
	"oawizard/flow/store"
)

// Restarting the wizard after the scan in demo mode starts a new simulated
// WeChat that knows nothing of the old authorization: the wizard goes back to
// the QR and says why, instead of failing the sync with a raw 403.
func TestRestartAfterTheScanOffersANewScan(t *testing.T) {
	SetupLanguage(LangZH)
	fa := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "wizard.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open := func() *App {
		a := onUI(func() *App {
			return New(fa, Options{DB: db, StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok"})
		})
		waitFor(t, "the demo to start", func() bool { return a.current != nil })
		return a
	}
	a := open()
	onUIDo(func() { a.wiz.GoTo(a.ctx, flow.StepAccounts) })
	if err := a.wiz.Next(a.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.wiz.Next(a.ctx, nil); err != nil {
		t.Fatal(err)
	}
	onUIDo(func() { a.show(flow.StepAuthorize) })
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the QR code", func() bool { return auth.state.Text == T("auth.state.waiting") })
	onUIDo(auth.simulate)
	waitFor(t, "authorization", func() bool { return a.wiz.State().Progress.Authorized })
	if err := a.wiz.Next(a.ctx, nil); err != nil {
		t.Fatal(err)
	}
	onUIDo(a.Close)

	b := open()
	defer onUIDo(b.Close)
	waitFor(t, "step 3 again", func() bool {
		p, ok := b.current.(*authorizePage)
		return ok && p.state.Text == T("auth.state.waiting")
	})
	p := onUI(func() *authorizePage { return b.current.(*authorizePage) })
	if got := onUI(func() string { return p.detail.Text }); !strings.Contains(got, T("auth.lost_again")) {
		t.Fatalf("step 3 after a restart says %q", got)
	}
	if prog := b.wiz.State().Progress; prog.CanGoTo(flow.StepSync) {
		t.Fatal("the sync is offered without an authorization")
	}
}
