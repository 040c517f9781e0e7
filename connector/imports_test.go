package connector

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The production connector carries no simulator: the demo wiring lives in
// demostack/loopback, and the JSON contract in connector/api imports
// nothing of the project's, so the wizard's client can share it.
func TestConnectorDependsOnNoSimulator(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	list := func(pkg string) []string {
		out, err := exec.Command(goCmd, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, dep := range list("oawizard/connector") {
		if strings.HasPrefix(dep, "oawizard/wechat/wechatsim") || strings.HasPrefix(dep, "oawizard/demostack") {
			t.Errorf("the connector depends on %s", dep)
		}
	}
	for _, dep := range list("oawizard/connector/api") {
		if strings.HasPrefix(dep, "oawizard/") && dep != "oawizard/connector/api" {
			t.Errorf("the contract depends on %s", dep)
		}
	}
}
