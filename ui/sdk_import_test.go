package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
	"oawizard/flow/sdkimport"
	"oawizard/flow/sdkimport/sdkimporttest"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// Every reason, kind, bug note and amber verdict of step 2 has words in
// both languages.
func TestImportWordsInBothLanguages(t *testing.T) {
	var keys []string
	for _, r := range sdkimport.Reasons {
		keys = append(keys, "sdk.reason."+r)
	}
	for _, k := range sdkimport.Kinds {
		keys = append(keys, (&sdkimport.Error{Kind: k}).MessageKey())
	}
	for _, id := range verdict.SDKChecks {
		keys = append(keys, "check."+id+"."+verdict.Warning)
	}
	// Every note the SDK rules can give.
	for _, s := range []verdict.SDKStats{{Rows: 9, NoOpenID: 9}, {Rows: 9, PlaceholderOpenID: 9}, {Rows: 9, MalformedOpenID: 9},
		{Rows: 9, DuplicateOpenID: 9}, {Rows: 9, WithOpenID: 9, UnionIDIsOpenID: 9}, {Rows: 9, WithOpenID: 9, PlaceholderUnionID: 9},
		{Rows: 9, WithOpenID: 9, MalformedUnionID: 9}} {
		for _, c := range verdict.Evaluate(verdict.Input{SDK: &s}) {
			if c.Note != "" {
				keys = append(keys, c.Note)
			}
		}
	}
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		for _, k := range keys {
			if got := T(k); got == k || strings.TrimSpace(got) == "" {
				t.Errorf("%s: no words for %q", l, k)
			}
		}
	}
	onUIDo(func() { SetupLanguage(LangZH) })
}

// The window lists every reason the JSON report gives, with the same
// counts and lines, in words and not as reason ids.
func TestWindowAndReportAgreeOnSkippedRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("昵称,openid,unionid\n")
	for i := 0; i < 40; i++ {
		o, u := fmt.Sprintf("o%027d", i), fmt.Sprintf("u%027d", i)
		switch i % 10 {
		case 1:
			o = "null"
		case 2:
			u = o
		case 3:
			o = "not an id"
		case 4:
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "用户%d,%s,%s\n", i, o, u)
	}
	b.WriteString("昵称,openid,unionid\n")
	st, err := sdkimport.Scan(context.Background(), strings.NewReader(b.String()), "x.csv", sdkimport.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	// The window's counts are flow's, from its own import of the file.
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wiz, err := flow.NewWizard(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	shownStats, err := wiz.ImportExport(context.Background(), strings.NewReader(b.String()), "x.csv", int64(b.Len()), flow.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Skipped  int
		Problems []struct {
			Reason string
			Rows   int
			Lines  []int
		}
	}
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&report); err != nil {
		t.Fatal(err)
	}
	if len(report.Problems) != 5 {
		t.Fatalf("the export should give five reasons: %+v", report.Problems)
	}
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		shown := strings.Join(problemLines(shownStats), "\n")
		if !strings.Contains(shown, Tf("sdk.problems", map[string]any{"Skipped": report.Skipped})) {
			t.Errorf("%s: the window does not say %d rows were skipped:\n%s", l, report.Skipped, shown)
		}
		for _, p := range report.Problems {
			want := Tf("sdk.problem", map[string]any{"Reason": T("sdk.reason." + p.Reason), "Rows": p.Rows, "Lines": lineList(p.Lines, p.Rows)})
			if !strings.Contains(shown, want) || strings.Contains(shown, p.Reason) {
				t.Errorf("%s: %s (%d at %v) not shown in words:\n%s", l, p.Reason, p.Rows, p.Lines, shown)
			}
		}
	}
	onUIDo(func() { SetupLanguage(LangZH) })
}

// A workbook with two sheets of ids asks which to read; the sheet chosen
// is read and named on the page, with its counts.
func TestSheetChooserInTheWindow(t *testing.T) {
	path := sdkimporttest.TwoSheetWorkbook(t)
	chosen := sdkimporttest.TwoSheets[1]
	a, _ := openDemo(t, LangZH, "ok")
	onUIDo(a.next)
	sdk := onUI(func() *sdkPage { return a.current.(*sdkPage) })
	onUIDo(func() { sdk.importPath(path) })
	waitFor(t, "the sheet chooser", func() bool { return a.win.Canvas().Overlays().Top() != nil })
	onUIDo(func() {
		var ok *widget.Button
		eachRendered(a.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			switch w := o.(type) {
			case *widget.RadioGroup:
				w.SetSelected(w.Options[1])
			case *widget.Button:
				if w.Text == T("sdk.sheet.ok") {
					ok = w
				}
			}
		})
		if ok == nil {
			t.Fatal("no button to read the chosen sheet")
		}
		test.Tap(ok)
	})
	named := Tf("sdk.sheet", map[string]any{"Name": chosen.Name})
	waitFor(t, "the chosen sheet read", func() bool { return strings.Contains(sdk.file.Text, named) })
	if counts := onUI(func() string { return sdk.counts.Text }); !strings.Contains(counts, fmt.Sprint(chosen.Users)) {
		t.Fatalf("counts: %q", counts)
	}
	// The checks the import set off end before the window closes.
	waitFor(t, "the SDK badges", func() bool { return sdk.badges[verdict.SDKUnionID].chip.Text == T("status.pass") })
}

// eachRendered visits every object under o, inside widgets too: a
// dialog's buttons and form sit in its renderer.
func eachRendered(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	eachObject(o, func(x fyne.CanvasObject) {
		f(x)
		if w, ok := x.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(w).Objects() {
				eachRendered(c, f)
			}
		}
	})
}

// A lock is named for what holds it, in both languages: another copy of
// the wizard, this wizard's sync, another program; unknown makes no guess.
func TestLockWordsNameTheHolder(t *testing.T) {
	defer onUIDo(func() { SetupLanguage(LangZH) })
	for lang, want := range map[string][]string{
		LangZH: {"另一个向导（进程 41）", "dbbrowser（进程 42）", "另一个程序"},
		LangEN: {"Another copy of the wizard (process 41)", "dbbrowser (process 42)", "another program"},
	} {
		onUIDo(func() { SetupLanguage(lang) })
		for i, le := range []*store.LockError{{By: "wizard", Holder: "wizard", PID: 41}, {By: "program", Holder: "dbbrowser", PID: 42}, {}} {
			if got := errorText(fmt.Errorf("import: %w", le)); !strings.Contains(got, want[i]) {
				t.Errorf("%s, held by %q: %q, want it to name %q", lang, le.By, got, want[i])
			}
		}
	}
}

// A newly chosen file that cannot be read takes the previous file's
// verdicts and counts off the page: no ✓ stays beside its message.
func TestBadgesFollowTheFileOnScreen(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.csv"), filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("name,city\nA,B\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sdk := sdkPageWithGoodExport(t, good)
	onUIDo(func() { sdk.importPath(bad) })
	waitFor(t, "the second file's message", func() bool {
		return sdk.message.Text == T((&sdkimport.Error{Kind: sdkimport.KindNoHeader}).MessageKey())
	})
	waitFor(t, "the badges of the file on screen", func() bool {
		return sdk.badges[verdict.SDKOpenID].chip.Text == T("status.unknown") && sdk.badges[verdict.SDKUnionID].chip.Text == T("status.unknown")
	})
	if counts := onUI(func() string { return sdk.counts.Text + sdk.samples.Text }); counts != "" {
		t.Fatalf("the first file's counts stay on the page: %q", counts)
	}
}

// A check begun for the file before, answering once the next file was
// chosen, does not put that file's counts back beside the new one.
func TestALateCheckDoesNotBringBackTheFileBefore(t *testing.T) {
	sdk := sdkPageWithGoodExport(t, filepath.Join(t.TempDir(), "good.csv"))
	begun := onUI(func() int { return sdk.imports })
	onUIDo(sdk.forgetShown) // the next file is chosen
	sdk.refreshChecks(begun)
	landed := make(chan struct{})
	do(func() { close(landed) })
	<-landed
	if counts := onUI(func() string { return sdk.counts.Text + sdk.samples.Text }); counts != "" {
		t.Fatalf("a late check put the file before back on the page: %q", counts)
	}
	if got := onUI(func() string { return sdk.badges[verdict.SDKUnionID].chip.Text }); got == T("status.pass") {
		t.Fatalf("a late check gave the file before's verdict: %q", got)
	}
}

// A file that cannot even be opened changes nothing of the stored verdicts:
// the page says it was not opened, naming it, and that the results shown
// are still the previous file's, rather than leaving them beside it
// unexplained.
func TestAFileThatCannotBeOpenedSaysWhoseResultsStand(t *testing.T) {
	dir := t.TempDir()
	sdk := sdkPageWithGoodExport(t, filepath.Join(dir, "good.csv"))
	onUIDo(func() { sdk.importPath(filepath.Join(dir, "gone.csv")) })
	msg := onUI(func() string { return sdk.message.Text })
	if !strings.Contains(msg, "gone.csv") || !strings.Contains(msg, T("sdk.open_failed.previous")) {
		t.Fatalf("after a file that cannot be opened the page says %q", msg)
	}
	if got := onUI(func() string { return sdk.badges[verdict.SDKUnionID].chip.Text }); got != T("status.pass") {
		t.Fatalf("the stored verdict is shown as %q", got)
	}
}

// sdkPageWithGoodExport opens the demo on step 2 and imports a good export
// written at path, waiting for its verdicts.
func sdkPageWithGoodExport(t *testing.T, path string) *sdkPage {
	t.Helper()
	writeGoodExport(t, path)
	a, _ := openDemo(t, LangZH, "ok")
	onUIDo(a.next)
	sdk := onUI(func() *sdkPage { return a.current.(*sdkPage) })
	onUIDo(func() { sdk.importPath(path) })
	waitFor(t, "the first file's badges", func() bool { return sdk.badges[verdict.SDKUnionID].chip.Text == T("status.pass") })
	return sdk
}

// writeGoodExport writes an export of 50 users, each with an openid and a
// unionid: one that passes both SDK checks.
func writeGoodExport(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("openid,unionid\n")
	for i := range 50 {
		fmt.Fprintf(&b, "o%027d,u%027d\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}
