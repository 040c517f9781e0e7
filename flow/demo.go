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
	Close() error
}

// DemoStarter starts a demo stack for a scenario.
type DemoStarter func(ctx context.Context, scenario string) (DemoStack, error)
