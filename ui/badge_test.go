package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"oawizard/flow"
)

// The self-check is a yes/no choice that shows what was recorded and can be
// taken back.
func TestSelfCheckIsAToggleThatCanBeUndone(t *testing.T) {
	onUIDo(func() { SetupLanguage(LangZH) })
	test.NewTempApp(t)
	var got []string
	b := newBadge("oa_bound", func(id, claim string) { got = append(got, claim) }, func(string) {}, nil)
	b.set(flow.Check{ID: "oa_bound", Status: flow.StatusUnknown, Reason: "check.oa_bound.unknown"})
	if b.selfBox.Hidden {
		t.Fatal("no self-check offered for an unknown")
	}
	b.self.SetSelected(T("self.yes"))
	b.self.SetSelected("")
	if len(got) != 2 || got[0] != flow.StatusPass || got[1] != "" {
		t.Fatalf("recorded %q, want pass then removed", got)
	}
	// A recorded answer shows as chosen, without being recorded again.
	b.set(flow.Check{ID: "oa_bound", Status: flow.StatusFail, Evidence: flow.Evidence{Source: flow.SourceSelf}})
	if b.self.Selected != T("self.no") || len(got) != 2 {
		t.Fatalf("shown %q, recorded %q", b.self.Selected, got)
	}
}

// Evidence is shown in words; the raw field and value only behind the
// staff's toggle.
func TestEvidenceInWordsRawBehindToggle(t *testing.T) {
	onUIDo(func() { SetupLanguage(LangZH) })
	test.NewTempApp(t)
	b := newBadge("oa_verified", func(string, string) {}, func(string) {}, nil)
	b.set(flow.Check{ID: "oa_verified", Status: flow.StatusFail, Reason: "check.oa_verified.fail",
		Evidence: flow.Evidence{Source: "api", Field: "verify_type_info.id", Value: "-1"}})
	if strings.Contains(b.evidence.Text, "verify_type_info") || strings.Contains(b.evidence.Text, "-1") {
		t.Fatalf("the admin reads %q", b.evidence.Text)
	}
	// Staff read the raw value aloud on calls: they can select and copy it.
	if b.rawBox.Hidden || b.rawBox.Items[0].Open || b.raw.Text != "verify_type_info.id = -1" || !b.raw.Selectable {
		t.Fatalf("raw evidence %q (hidden %v)", b.raw.Text, b.rawBox.Hidden)
	}
}
