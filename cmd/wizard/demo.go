package main

import (
	"log/slog"

	"oawizard/demostack"
	"oawizard/flow"
)

// The demo stack is wired in package demostack; these name it for main.

func scenarios() []flow.ScenarioInfo { return demostack.Scenarios() }

func demoStarter(followers int, dir string, logger *slog.Logger) flow.DemoStarter {
	return demostack.Starter(demostack.Options{Followers: followers, Dir: dir, Logger: logger})
}

func writeDemoExport(scenario string, followers int, path string) error {
	return demostack.WriteExportFile(scenario, followers, path)
}
