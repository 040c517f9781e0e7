// Package demostack wires demo mode's simulated WeChat and in-process
// connector together, once, for the wizard's window, its headless mode and
// the tests. flow sees it only as a flow.DemoStack.
package demostack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/secret"
	"oawizard/wechat/wechatsim"
)

// Options configure Start.
type Options struct {
	Followers int          // 0 = the scenario's count
	Logger    *slog.Logger // nil = discard
	// Dir is the wizard's data folder: the demo connector's database and
	// the simulator's state live there, beside wizard.db, so nothing is
	// left in the system's temp folder and a restart continues. "" = a
	// temporary folder removed on Close (tests).
	Dir string
	// Keychain keeps the key that seals the demo's database, which must
	// never be in a file. nil, or a keychain that does not answer, makes
	// every start in Dir a fresh one, as a restart cannot open the store.
	Keychain secret.Store
}

// SDKUsers and SharedUsers shape the sample analytics export: 5,000
// mini-program users, 3,000 of whom follow the Official Account, so the
// overlap is partial as it is in real life.
const (
	SDKUsers    = 5000
	SharedUsers = 3000
)

// Stack is a running demo: the simulator and a connector on loopback.
type Stack struct {
	d     *loopback.Demo
	fresh string // why kept state was not continued from (flow.DemoFresh…)

	staffMu    sync.Mutex
	staffToken string // the demo's staff token, made on first use
}

// Start starts the demo stack for a scenario. In Dir it continues from what
// the last run kept when that run was of the same scenario; otherwise it
// removes what was kept and starts afresh, and FreshStart says why.
func Start(ctx context.Context, scenario string, opt Options) (*Stack, error) {
	base := loopback.Options{Scenario: scenario, Followers: opt.Followers, Logger: opt.Logger}
	if opt.Dir == "" {
		d, err := loopback.Start(ctx, base)
		if err != nil {
			return nil, err
		}
		return &Stack{d: d}, nil
	}
	k, err := openKept(ctx, opt)
	if err != nil {
		return nil, err
	}
	base.StorePath = k.store
	if k.key != "" {
		base.StoreKey, base.StatePath, base.ProjectToken = k.key, k.state, ProjectToken(k.key)
	}
	d, err := loopback.Start(ctx, base)
	if errors.Is(err, loopback.ErrDemoState) {
		// Another scenario, a damaged file: begin again, as a first run.
		logger(opt).Info("the demo starts afresh", "reason", err.Error())
		if k.fresh, err = flow.DemoFreshStateLost, k.remove(); err == nil {
			d, err = loopback.Start(ctx, base)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(d.Refused) > 0 {
		k.fresh = flow.DemoFreshRefused
	}
	return &Stack{d: d, fresh: k.fresh}, nil
}

// Starter is Start as the window wants it.
func Starter(opt Options) flow.DemoStarter {
	return func(ctx context.Context, scenario string) (flow.DemoStack, error) {
		return Start(ctx, scenario, opt)
	}
}

// Demo is the connector's demo underneath, for tests and the headless mode.
func (s *Stack) Demo() *loopback.Demo { return s.d }

func (s *Stack) URL() string   { return s.d.URL }
func (s *Stack) Token() string { return s.d.ProjectToken }
func (s *Stack) Close() error  { return s.d.Close() }

func (s *Stack) Scenario() flow.ScenarioInfo { return info(s.d.Scenario) }

func (s *Stack) FreshStart() string { return s.fresh }

// ScanAndConfirm is the 模拟手机扫码 button: a phone opens the QR URL and taps
// 授权, leaving the withheld permission sets unticked.
func (s *Stack) ScanAndConfirm(qrURL string, withheld ...int) error {
	page, err := s.d.Phone().Open(qrURL)
	if err != nil {
		return err
	}
	_, err = page.Confirm(wechatsim.Untick(withheld...))
	return err
}

// WriteSDKExport writes the scenario's sample analytics export.
func (s *Stack) WriteSDKExport(w io.Writer) error {
	return s.d.Sim.WriteSDKExport(w, max(0, s.d.Scenario.Followers-SharedUsers), SDKUsers)
}

func info(i wechatsim.ScenarioInfo) flow.ScenarioInfo {
	return flow.ScenarioInfo{Name: i.Name, Title: i.Title, TitleEN: i.TitleEN, Summary: i.Summary, SummaryEN: i.SummaryEN,
		OAAppID: i.OAAppID, MPAppID: i.MPAppID}
}

// Scenarios lists the demo scenarios for the menu.
func Scenarios() []flow.ScenarioInfo {
	var out []flow.ScenarioInfo
	for _, i := range wechatsim.ScenarioInfos() {
		out = append(out, info(i))
	}
	return out
}

// WriteExportFile writes what an analytics platform would export for the
// scenario's mini-program, without starting the connector.
func WriteExportFile(scenario string, followers int, path string) error {
	sim := wechatsim.New(wechatsim.Options{Scenario: scenario, Followers: followers, PushInterval: -1})
	defer sim.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sim.WriteSDKExport(f, max(0, sim.Scenario().Followers-SharedUsers), SDKUsers); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
