package ui

import (
	"os/exec"
	"strings"
	"testing"
)

// The window is a view of flow's state: ui imports flow (and its own
// assets) only, never the store, the keychain, the sync, the connector
// client or WeChat directly; and flow, with all it depends on, imports no Fyne.
func TestUIImportsFlowOnly(t *testing.T) {
	list := func(format, pkg string) []string {
		out, err := exec.Command("go", "list", "-f", format, pkg).Output()
		if err != nil {
			t.Skipf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	for _, imp := range list("{{join .Imports \" \"}}", "oawizard/ui") {
		if strings.HasPrefix(imp, "oawizard/") && imp != "oawizard/flow" && imp != "oawizard/assets" {
			t.Errorf("ui imports %s: go through flow", imp)
		}
	}
	for _, dep := range list("{{join .Deps \" \"}}", "oawizard/flow") {
		if strings.HasPrefix(dep, "fyne.io/") || dep == "oawizard/ui" || dep == "oawizard/connector" {
			t.Errorf("flow depends on %s", dep)
		}
	}
}
