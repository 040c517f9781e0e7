package main

import (
	"log/slog"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/secret"
)

// The demo stack is wired in package demostack; these name it for main.

func scenarios() []flow.ScenarioInfo { return demostack.Scenarios() }

// demoStarter keeps the demo in the data folder; the keychain holds the key
// to its database, so a restart continues where the last run stopped.
func demoStarter(followers int, dir string, keychain secret.Store, logger *slog.Logger) flow.DemoStarter {
	return demostack.Starter(demostack.Options{Followers: followers, Dir: dir, Keychain: keychain, Logger: logger})
}

func writeDemoExport(scenario string, followers int, path string) error {
	return demostack.WriteExportFile(scenario, followers, path)
}
