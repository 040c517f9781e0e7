// Package demostack wires demo mode's simulated WeChat and in-process
// connector together, once, for the wizard's window, its headless mode and
// the tests. flow sees it only as a flow.DemoStack.
package demostack

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"oawizard/connector"
	"oawizard/flow"
	"oawizard/wechat/wechatsim"
)

// Options configure Start.
type Options struct {
	Followers int          // 0 = the scenario's count
	Logger    *slog.Logger // nil = discard
	// Dir is the wizard's data folder: the demo connector's database
	// lives there, beside wizard.db, so nothing is left in the system's
	// temp folder. "" = a temporary folder removed on Close (tests).
	Dir string
}

// SDKUsers and SharedUsers shape the sample analytics export: 5,000
// mini-program users, 3,000 of whom follow the Official Account, so the
// overlap is partial as it is in real life.
const (
	SDKUsers    = 5000
	SharedUsers = 3000
)

// Stack is a running demo: the simulator and a connector on loopback.
type Stack struct{ d *connector.Demo }

// Start starts the demo stack for a scenario.
func Start(ctx context.Context, scenario string, opt Options) (*Stack, error) {
	var path string
	if opt.Dir != "" {
		// The simulated WeChat lives in memory and starts afresh, so the
		// last run's connector state describes authorizations it no longer
		// knows: start from an empty database too. The wizard then sees
		// its saved authorization is gone and offers a new scan.
		path = filepath.Join(opt.Dir, "demo-connector.db")
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	d, err := connector.StartDemo(ctx, connector.DemoOptions{Scenario: scenario, Followers: opt.Followers, Logger: opt.Logger,
		StorePath: path})
	if err != nil {
		return nil, err
	}
	return &Stack{d}, nil
}

// Starter is Start as the window wants it.
func Starter(opt Options) flow.DemoStarter {
	return func(ctx context.Context, scenario string) (flow.DemoStack, error) {
		return Start(ctx, scenario, opt)
	}
}

// Demo is the connector's demo underneath, for tests and the headless mode.
func (s *Stack) Demo() *connector.Demo { return s.d }

func (s *Stack) URL() string   { return s.d.URL }
func (s *Stack) Token() string { return s.d.ProjectToken }
func (s *Stack) Close() error  { return s.d.Close() }

func (s *Stack) Scenario() flow.ScenarioInfo { return info(s.d.Scenario) }

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
