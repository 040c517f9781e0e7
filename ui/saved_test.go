package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// An exported report says where it went, by its full path, offers to open
// its folder, and carries the diagnostics.
func TestExportedReportNamesItsFileAndOpensItsFolder(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			fa, db := testApp(t, l)
			la := &linkApp{App: fa}
			a := onUI(func() *App {
				return New(la, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok", Version: "1.4.2"})
			})
			t.Cleanup(func() { onUIDo(a.Close) })
			waitFor(t, "the demo to start", func() bool { return a.current != nil })
			dir := t.TempDir()
			file := filepath.Join(dir, "unionid-report.html")
			w, err := storage.Writer(storage.NewFileURI(file))
			if err != nil {
				t.Fatal(err)
			}
			src, diag := onUI(a.reportSource), onUI(a.diagInput)
			go a.writeReport(a.wiz, w, src, diag)
			savedNoteOpens(t, a, la, file)
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(body), `id="diagnostics"`) || !strings.Contains(string(body), "1.4.2") {
				t.Fatal("the exported report has no diagnostics")
			}
		})
	}
}

// savedNoteOpens checks the note over a names file by its full path and
// that its button opens the folder that holds it.
func savedNoteOpens(t *testing.T, a *App, la *linkApp, file string) {
	t.Helper()
	waitFor(t, "the saved note", func() bool { return a.win.Canvas().Overlays().Top() != nil })
	note := onUI(func() fyne.CanvasObject { return a.win.Canvas().Overlays().Top() })
	shown := strings.Join(onUI(func() []string { return textsIn(note) }), "\n") + blockText(note)
	if !strings.Contains(shown, file) {
		t.Fatalf("the note %q does not name %s", shown, file)
	}
	var open *widget.Button
	onUIDo(func() {
		walkObjects(note, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == T("saved.show_folder") {
				open = b
			}
		})
	})
	if open == nil {
		t.Fatalf("no %q button in %q", T("saved.show_folder"), shown)
	}
	onUIDo(func() { test.Tap(open) })
	if links := la.links(); len(links) != 1 || strings.TrimSuffix(links[0], "/") != storage.NewFileURI(filepath.Dir(file)).String() {
		t.Fatalf("opened %q, want the folder of %s", links, file)
	}
}

// The engineer's guide saved from step 2 says where it went too.
func TestSavedGuideNamesItsFileAndOpensItsFolder(t *testing.T) {
	fa, db := testApp(t, LangZH)
	la := &linkApp{App: fa}
	a := onUI(func() *App {
		return New(la, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok"})
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	waitFor(t, "the demo to start", func() bool { return a.current != nil })
	file := filepath.Join(t.TempDir(), "unionid-sdk-guide.md")
	w, err := storage.Writer(storage.NewFileURI(file))
	if err != nil {
		t.Fatal(err)
	}
	onUIDo(func() { (&sdkPage{a: a}).writeBrief(w) })
	savedNoteOpens(t, a, la, file)
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), snippet("h5.js")) {
		t.Fatalf("the guide was not written (%v)", err)
	}
}
