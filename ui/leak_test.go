package ui

import (
	"runtime"
	"testing"
	"time"

	"oawizard/flow"
)

// goroutinesSettle fails when more goroutines run than before a test long
// after its window closed: something started a loop that never ends.
func goroutinesSettle(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left running (%d before):\n%s", n-before, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Opening the QR screen again and again, and retrying, leaves no countdown
// or authorization running once the window is closed.
func TestQRScreenLeavesNoGoroutineBehind(t *testing.T) {
	fa, db := testApp(t, LangZH)
	before := runtime.NumGoroutine()
	a := onUI(func() *App {
		return New(fa, Options{Home: flow.NewHome(db, nil, nil), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok"})
	})
	waitFor(t, "the demo to start", func() bool { return a.current != nil })
	for range 5 {
		onUIDo(func() { a.show(flow.StepAuthorize) })
		auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
		waitFor(t, "the QR code", func() bool { return auth.onScreen.Session.QRURL != "" })
		onUIDo(auth.start) // 重新开始
		onUIDo(func() { a.show(flow.StepAccounts) })
	}
	onUIDo(a.Close)
	onUIDo(func() { a.win.Close() })
	goroutinesSettle(t, before)
}
