package ui

import (
	"errors"

	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// copyByMenu right-clicks t and chooses the menu's copy, as staff do.
func copyByMenu(t *testing.T, w fyne.Window, tb *textBlock) string {
	t.Helper()
	w.Clipboard().SetContent("")
	test.TapSecondary(tb)
	menu := popUpMenu(w)
	if menu == nil {
		t.Fatalf("no menu on a right-click of %q", tb.Text)
	}
	menu.ActivateNext()
	menu.TriggerLast()
	menu.Hide()
	return fyne.CurrentApp().Clipboard().Content()
}

// Every worded line of a badge — title, verdict, evidence in words, note,
// remedy — can be copied, not only the raw evidence.
func TestBadgeLinesCanBeCopied(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		test.NewTempApp(t)
		b := newBadge("oa_verified", func(string, string) {}, func(string) {}, nil)
		w := test.NewWindow(b.root)
		b.set(flow.Check{ID: "oa_verified", Status: flow.StatusFail, Reason: "check.oa_verified.fail",
			Remedy: "remedy.oa_verified", Note: "check.contradicts",
			Evidence: flow.Evidence{Source: "api", Field: "verify_type_info.id", Value: "-1"}})
		w.Resize(fyne.NewSize(600, 600))
		for _, tb := range []*textBlock{b.title, b.reason, b.evidence, b.note, b.remedy} {
			if tb.Hidden || tb.Text == "" {
				t.Fatalf("%s: a line the test means to copy is not shown", l)
			}
			if got := copyByMenu(t, w, tb); got != tb.Text {
				t.Errorf("%s: copied %q from a line that reads %q", l, got, tb.Text)
			}
		}
		w.Close()
	}
}

// popUpMenu is the menu shown over w, or nil.
func popUpMenu(w fyne.Window) *widget.PopUpMenu {
	top, ok := w.Canvas().Overlays().Top().(fyne.Widget)
	if !ok {
		return nil
	}
	for _, o := range test.WidgetRenderer(top).Objects() {
		if m, ok := o.(*widget.PopUpMenu); ok {
			return m
		}
	}
	return nil
}

// An empty line offers nothing to copy.
func TestEmptyTextBlockOffersNoCopy(t *testing.T) {
	onUIDo(func() { SetupLanguage(LangZH) })
	test.NewTempApp(t)
	tb := newTextBlock("")
	w := test.NewWindow(tb)
	defer w.Close()
	test.TapSecondary(tb)
	if top := w.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("an empty line opened %T", top)
	}
}

// The footer's note and a failure's technical details can be selected.
func TestStatusAndStaffDetailsAreSelectable(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	if !onUI(func() bool { return a.status.Selectable }) {
		t.Error("the footer's note cannot be selected")
	}
	var raw *widget.Label
	onUIDo(func() {
		walkObjects(staffDetails(errors.New("connector: unreachable")), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == "connector: unreachable" {
				raw = l
			}
		})
	})
	if raw == nil || !raw.Selectable {
		t.Error("the technical details cannot be selected")
	}
}
