package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// The walk-through runs the real demo stack (simulated WeChat and a
// connector on loopback); the window is Fyne's test window.

// testStarter is the demo stack the wizard itself runs.
var testStarter = demostack.Starter(demostack.Options{})

func testScenarios() []flow.ScenarioInfo { return demostack.Scenarios() }

// uiMu stands in for Fyne's single UI goroutine, which the test driver
// does not have.
var uiMu sync.Mutex

// uiQueue holds what the stand-in for fyne.Do has yet to run: like the
// real one it returns at once and runs the calls later, in order, one at a
// time, so the window's code needs nothing only a test needs. Like a busy
// UI it makes a caller wait once many calls are queued, so a sync's
// progress cannot queue up faster than the window draws it.
var uiQueue = make(chan func(), 256)

func init() {
	go func() {
		for f := range uiQueue {
			onUIDo(f)
		}
	}()
	do = func(f func()) { uiQueue <- f }
}

// onUI runs f as the UI goroutine would and returns its result.
func onUI[T any](f func() T) T {
	uiMu.Lock()
	defer uiMu.Unlock()
	return f()
}

func onUIDo(f func()) { onUI(func() bool { f(); return true }) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if onUI(cond) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// shot checks the window fits the smallest screen and, when OAWIZARD_SHOTS
// names a folder, saves it as PNG at 1024×640 and at 1366×768.
func shot(t *testing.T, a *App, name string) {
	t.Helper()
	settle(a)
	fits(t, name, onUI(func() fyne.Size { return a.win.Content().MinSize() }))
	nothingCutShort(t, name, a)
	sideStays(t, name, a)
	dir := os.Getenv("OAWIZARD_SHOTS")
	if dir == "" {
		return
	}
	for _, size := range []fyne.Size{fyne.NewSize(1366, 768), fitSize} {
		savePNG(t, a, size, filepath.Join(dir, fmt.Sprintf("%s-%s-%.0f.png", Lang(), name, size.Width)))
	}
}

// layOutFrames lays the window out as the next frames would. A wrapped text
// whose number of lines changes with its new width asks its parent for room;
// Fyne's window driver lays the parent out again on the next frame, the test
// canvas never does, so a check right after a page changed would judge that
// one frame. Widths are set on the first pass and heights follow on the
// second. Call it on Fyne's goroutine; settle does that from a test.
func layOutFrames(a *App) {
	for range 3 {
		a.relayout()
	}
}

// settle lays the window out as the next frames would: see layOutFrames.
func settle(a *App) { onUIDo(func() { layOutFrames(a) }) }

// sideWidths is the step list's width at 1024×640 per language, as first
// seen on any page of any walk.
var sideWidths sync.Map

// sideStays fails when the step list is not exactly as wide as its longest
// label, at 1366×768 as at 1024×640, and as on the other pages in this
// language: a percentage or a page's width must not move it.
func sideStays(t *testing.T, name string, a *App) {
	t.Helper()
	var wide, w, want float32
	onUIDo(func() {
		want = stepsWidth()
		// A resize lays out the whole window as a move to another page does.
		a.win.Resize(fyne.NewSize(1366, 768))
		wide = a.side.Size().Width
		a.win.Resize(fitSize)
		w = a.side.Size().Width
	})
	if w != want || wide != want {
		t.Errorf("%s: the step list is %.0f wide at 1024 and %.0f at 1366; its longest label needs %.0f", name, w, wide, want)
	}
	if first, seen := sideWidths.LoadOrStore(Lang(), w); seen && first.(float32) != w {
		t.Errorf("%s: the step list is %.0f wide here, %.0f on another page", name, w, first)
	}
}

func TestWalkThroughAllStepsInDemoMode(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) { walk(t, l) })
	}
}

// testApp is Fyne's test app in language l with a results database in a
// temporary folder, both closed when the test ends.
func testApp(t *testing.T, l string) (fyne.App, *store.DB) {
	t.Helper()
	// Under the UI lock: a page's goroutine from the previous test may
	// still be reading the texts as its last act.
	if err := onUI(func() error { _, err := SetupLanguage(l); return err }); err != nil {
		t.Fatal(err)
	}
	fa := test.NewTempApp(t)
	db, err := store.Open(filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return fa, db
}

// openDemo opens the wizard at 1024×640 on a demo scenario and waits for
// its first page; the window closes when the test ends.
func openDemo(t *testing.T, l, scenario string) (*App, *store.DB) {
	t.Helper()
	fa, db := testApp(t, l)
	a := onUI(func() *App {
		a := New(fa, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: scenario})
		a.win.Resize(fitSize)
		return a
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	waitFor(t, "the demo to start", func() bool { return a.current != nil })
	return a, db
}

func walk(t *testing.T, l string) {
	a, db := openDemo(t, l, "ok")

	// Step 1: the facts are unknown until authorization, never failed.
	acc := onUI(func() *accountsPage { return a.current.(*accountsPage) })
	waitFor(t, "step 1's badges", func() bool { return acc.badges[verdict.OAVerified].chip.Text != T("status.checking") })
	if got := onUI(func() string { return acc.badges[verdict.OAVerified].chip.Text }); got != T("status.unknown") {
		t.Fatalf("OA badge before authorization: %q", got)
	}
	shot(t, a, "1-accounts")
	assertShows(t, a, master("ok", "accounts"), accountsRegion(acc))
	onUIDo(a.next)

	// Step 2: the demo export proves openid and unionid.
	sdk := onUI(func() *sdkPage { return a.current.(*sdkPage) })
	onUIDo(sdk.importDemo)
	waitFor(t, "the SDK badges", func() bool { return sdk.badges[verdict.SDKUnionID].chip.Text == T("status.pass") })
	if txt := onUI(func() string { return sdk.counts.Text }); !strings.Contains(txt, "5,000") {
		t.Fatalf("counts: %q", txt)
	}
	shot(t, a, "2-sdk")
	assertShows(t, a, master("ok", "sdk"), sdkRegion(sdk))
	onUIDo(a.next)

	walkScans(t, a)

	// Step 4: the sync starts by itself and runs to the end.
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	waitFor(t, "the sync", func() bool {
		return sp.state.Text == T("sync.state.done") && sp.cancel == nil && a.wiz.State().Progress.SyncEnded
	})
	shot(t, a, "4-sync")
	assertShows(t, a, master("ok", "sync"), syncRegion(sp))
	onUIDo(a.next)

	// Step 5: every badge passes with data and API evidence where it can.
	res := onUI(func() *resultPage { return a.current.(*resultPage) })
	waitFor(t, "the result", func() bool { return len(res.report.Checks) > 0 })
	r := onUI(func() flow.Report { return res.report })
	if r.Sync.Followers != 50000 || r.Overlap.Matched == 0 {
		t.Fatalf("report %+v", r.Sync)
	}
	for _, c := range r.Checks {
		if c.Status != verdict.Pass {
			t.Errorf("%s is %s in the ok scenario", c.ID, c.Status)
		}
	}
	shot(t, a, "5-result")
	assertShows(t, a, master("ok", "result"), resultRegion(res))

	// The project token lives in the keychain (here: only in memory), never
	// in the results database.
	token := onUI(func() string { return a.demo.Token() })
	if found, err := db.ContainsString(context.Background(), token); err != nil || found {
		t.Fatalf("the connector token is in the database (%v)", err)
	}
}

// walkScans is step 3 of the walk: the QR is drawn, the simulated phone
// confirms, then the optional second scan for the mini-program.
func walkScans(t *testing.T, a *App) {
	// Step 3: the QR is drawn, the simulated phone confirms.
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the QR code", func() bool { return auth.qr.Image != nil && auth.state.Text == T("auth.state.waiting") })
	if code := onUI(func() string { return strings.ReplaceAll(auth.code.Text, " ", "") }); len(code) != 6 {
		t.Fatalf("session code %q", code)
	}
	shot(t, a, "3-authorize")
	assertShows(t, a, master("ok", "authorize"), authorizeRegion(auth))
	onUIDo(auth.simulate)
	waitFor(t, "authorization", func() bool {
		return strings.HasPrefix(auth.state.Text, Tf("auth.state.authorized", map[string]any{"Name": ""}))
	})
	shot(t, a, "3-authorized")
	// The master is taken once the re-check has answered: until then the
	// page says it is checking again.
	waitFor(t, "the re-check's answer", func() bool { return strings.Contains(auth.after.Text, T("auth.continuing")) })
	assertShows(t, a, master("ok", "authorized"), authorizeRegion(auth))

	// The optional second scan: the mini-program.
	waitFor(t, "the mini-program button", func() bool { return auth.mpBtn.Visible() })
	onUIDo(func() { test.Tap(auth.mpBtn) })
	waitFor(t, "the mini-program's QR", func() bool { return auth.state.Text == T("auth.state.waiting") })
	if got := onUI(func() string { return auth.title.Text + auth.howto.Text }); got != T("auth.title_mp")+T("auth.howto_mp") {
		t.Fatalf("the mini-program's scan is worded %q", got)
	}
	onUIDo(auth.simulate)
	waitFor(t, "the mini-program's authorization", func() bool {
		return strings.HasPrefix(auth.state.Text, Tf("auth.state.authorized", map[string]any{"Name": ""}))
	})
	// The page re-checks with WeChat's answer, shows it, and goes on by itself.
	waitFor(t, "the re-check's answer", func() bool {
		return auth.after.Visible() && strings.HasSuffix(auth.after.Text, T("auth.continuing_plain"))
	})
	if txt := onUI(func() string { return auth.after.Text }); !strings.Contains(txt, checkLine("oa_bound", flow.StatusPass)) {
		t.Fatalf("after the scan the page says %q", txt)
	}
	shot(t, a, "3-rechecked")
	assertShows(t, a, master("ok", "rechecked"), authorizeRegion(auth))
}
