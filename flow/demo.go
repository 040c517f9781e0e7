package flow

import (
	"context"
	"io"
)

// ScenarioInfo describes a demo scenario for the menu.
type ScenarioInfo struct {
	Name, Title, TitleEN, Summary, SummaryEN string
	OAAppID, MPAppID                         string
}

// DemoStack is the simulated WeChat and connector the wizard runs against
// in demo mode. The command that starts the wizard provides it, so neither
// this package nor the window depends on the connector's code.
type DemoStack interface {
	URL() string
	Token() string
	Scenario() ScenarioInfo
	// ScanAndConfirm is the 模拟手机扫码 button: a phone opens the QR URL and
	// taps 授权 (withheld lists permission sets to untick).
	ScanAndConfirm(qrURL string, withheld ...int) error
	// WriteSDKExport writes a sample analytics export for the scenario.
	WriteSDKExport(w io.Writer) error
	// FreshStart says why the demo could not continue from what an earlier
	// run kept (one of the DemoFresh reasons), or "" when it continued or
	// nothing was kept. The window names the reason beside its new scan.
	FreshStart() string
	Close() error
}

// Why a restarted demo starts afresh.
const (
	// DemoFreshNoKeychain: the key that seals the demo's store cannot be
	// kept without the system keychain, so nothing carries over.
	DemoFreshNoKeychain = "no_keychain"
	// DemoFreshStateLost: what the last run kept is missing, damaged, or
	// belongs to another scenario.
	DemoFreshStateLost = "state_lost"
	// DemoFreshRefused: the simulated WeChat no longer honours a kept
	// authorization.
	DemoFreshRefused = "refused"
)

// DemoStarter starts a demo stack for a scenario.
type DemoStarter func(ctx context.Context, scenario string) (DemoStack, error)

// UseScenario ties the stored setup to the demo scenario sc: what was
// gathered under another scenario (or under none, in real mode) is
// forgotten, since a scenario and its data live and die together; then
// step 1 gets the scenario's accounts.
func (w *Wizard) UseScenario(ctx context.Context, sc ScenarioInfo) error {
	if w.State().Scenario != sc.Name {
		if err := w.Reset(ctx); err != nil {
			return err
		}
	}
	if w.State().OAAppID == "" {
		if err := w.SetAccounts(ctx, sc.OAAppID, []string{sc.MPAppID}); err != nil {
			return err
		}
	}
	return w.update(ctx, func(s *State) { s.Scenario = sc.Name })
}
