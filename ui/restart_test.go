package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/secret/secrettest"
)

// scanThenRestart authorizes in a window whose demo lives in a data
// folder, as the wizard's does, closes it after moving on to the sync,
// calls between (the time the wizard is closed) and opens it again.
func scanThenRestart(t *testing.T, between func(dir string)) *App {
	t.Helper()
	fa, db := testApp(t, LangZH)
	dir := t.TempDir()
	start := demostack.Starter(demostack.Options{Dir: dir, Followers: 2500, Keychain: secrettest.System(t)})
	open := func() *App {
		a := onUI(func() *App {
			return New(fa, Options{Home: flow.NewHome(db, nil, nil), StartDemo: start, Scenarios: testScenarios(), Scenario: "ok"})
		})
		waitFor(t, "the demo to start", func() bool { return a.current != nil })
		return a
	}
	a := open()
	onUIDo(func() { a.wiz.GoTo(a.ctx, flow.StepAccounts) })
	for range 2 {
		if err := a.wiz.Next(a.ctx); err != nil {
			t.Fatal(err)
		}
	}
	onUIDo(func() { a.show(flow.StepAuthorize) })
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the QR code", func() bool { return auth.state.Text == T("auth.state.waiting") })
	onUIDo(auth.simulate)
	waitFor(t, "authorization", func() bool { return a.wiz.State().Progress.Authorized })
	if err := a.wiz.Next(a.ctx); err != nil {
		t.Fatal(err)
	}
	onUIDo(a.Close)
	between(dir)
	b := open()
	t.Cleanup(func() { onUIDo(b.Close) })
	return b
}

// Restarting the wizard after the scan in demo mode continues: the demo
// kept its state in the data folder, so step 3 stays authorized and the
// sync, offered at once, works.
func TestRestartAfterTheScanContinues(t *testing.T) {
	b := scanThenRestart(t, func(string) {})
	waitFor(t, "the sync page", func() bool { _, ok := b.current.(*syncPage); return ok })
	if st := b.wiz.State(); !st.Progress.Authorized || st.AuthLost || !st.Progress.CanGoTo(flow.StepSync) {
		t.Fatalf("after a restart: %+v", st)
	}
	waitFor(t, "the sync's end", func() bool { return b.wiz.State().Progress.SyncEnded })
	rep, err := b.wiz.Report(b.ctx, nil)
	if err != nil || rep.Sync.Followers != 2500 {
		t.Fatalf("the sync after a restart stored %d followers (%v)", rep.Sync.Followers, err)
	}
}

// When the demo cannot continue (here its simulated WeChat's state was
// removed while the wizard was closed), the wizard goes back to the QR and
// says why, instead of failing the sync with a raw 403.
func TestRestartWithoutTheKeptStateOffersANewScan(t *testing.T) {
	b := scanThenRestart(t, func(dir string) {
		if err := os.Remove(filepath.Join(dir, demostack.StateFile)); err != nil {
			t.Fatal(err)
		}
	})
	waitFor(t, "step 3 again", func() bool {
		p, ok := b.current.(*authorizePage)
		return ok && p.state.Text == T("auth.state.waiting")
	})
	p := onUI(func() *authorizePage { return b.current.(*authorizePage) })
	if got := onUI(func() string { return p.detail.Text }); !strings.Contains(got, T("auth.lost_demo.state_lost")) {
		t.Fatalf("step 3 after a restart says %q", got)
	}
	if prog := b.wiz.State().Progress; prog.CanGoTo(flow.StepSync) {
		t.Fatal("the sync is offered without an authorization")
	}
}

// Switching the demo scenario forgets the old one entirely: its
// self-reports, imported users and synced followers never show up as the
// new scenario's results.
func TestSwitchingScenarioStartsFromACleanSlate(t *testing.T) {
	a := walkTo(t, LangZH, "ok")
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	waitFor(t, "the sync's end", func() bool { return a.wiz.State().Progress.SyncEnded })
	if err := a.wiz.SelfReport(a.ctx, "mp_verified", flow.StatusPass, ""); err != nil {
		t.Fatal(err)
	}
	old := onUI(func() *flow.Wizard { return a.wiz })
	onUIDo(func() { a.switchScenario("not-bound") })
	waitFor(t, "the new scenario", func() bool { return a.wiz != old && a.current != nil })
	waitFor(t, "step 1's checks", func() bool { return len(a.wiz.Checks()) > 0 })
	st := a.wiz.State()
	if st.Progress.Step != flow.StepAccounts || st.Progress.Authorized || st.ImportID != 0 {
		t.Fatalf("after the switch: %+v", st)
	}
	rep, err := a.wiz.Report(a.ctx, nil)
	if err != nil || rep.Sync.Followers != 0 || rep.SDK.Rows != 0 {
		t.Fatalf("the old scenario's figures remain: %+v %+v (%v)", rep.Sync, rep.SDK, err)
	}
	for _, c := range onUI(func() []flow.Check { return a.wiz.Checks() }) {
		if c.Evidence.Source == flow.SourceSelf || c.Status == flow.StatusPass && c.ID == "oa_bound" {
			t.Errorf("%s still %s from the old scenario (%s)", c.ID, c.Status, c.Evidence.Source)
		}
	}
}
