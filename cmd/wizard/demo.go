package main

import (
	"context"
	"io"
	"log/slog"

	"oawizard/connector"
	"oawizard/flow"
	"oawizard/wechat/wechatsim"
)

// demoStack adapts the connector's demo to what the wizard needs.
type demoStack struct{ d *connector.Demo }

func (s demoStack) URL() string   { return s.d.URL }
func (s demoStack) Token() string { return s.d.ProjectToken }
func (s demoStack) Close() error  { return s.d.Close() }

func (s demoStack) Scenario() flow.ScenarioInfo { return scenarioInfo(s.d.Scenario) }

func (s demoStack) ScanAndConfirm(qrURL string, withheld ...int) error {
	page, err := s.d.Phone().Open(qrURL)
	if err != nil {
		return err
	}
	_, err = page.Confirm(wechatsim.Untick(withheld...))
	return err
}

// The sample export has 5,000 mini-program users; 3,000 of them are also
// among the Official Account's 50,000 followers, so the overlap is partial
// as it is in real life.
func (s demoStack) WriteSDKExport(w io.Writer) error {
	return s.d.Sim.WriteSDKExport(w, max(0, s.d.Scenario.Followers-3000), 5000)
}

func scenarioInfo(i wechatsim.ScenarioInfo) flow.ScenarioInfo {
	return flow.ScenarioInfo{Name: i.Name, Title: i.Title, TitleEN: i.TitleEN, Summary: i.Summary, SummaryEN: i.SummaryEN,
		OAAppID: i.OAAppID, MPAppID: i.MPAppID}
}

func scenarios() []flow.ScenarioInfo {
	var out []flow.ScenarioInfo
	for _, i := range wechatsim.ScenarioInfos() {
		out = append(out, scenarioInfo(i))
	}
	return out
}

func demoStarter(followers int, logger *slog.Logger) flow.DemoStarter {
	return func(ctx context.Context, scenario string) (flow.DemoStack, error) {
		d, err := connector.StartDemo(ctx, connector.DemoOptions{Scenario: scenario, Followers: followers, Logger: logger})
		if err != nil {
			return nil, err
		}
		return demoStack{d}, nil
	}
}
