package ui

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// A large account's walk syncs millions of followers, minutes of work, so
// it runs only when asked: OAWIZARD_LARGE_WALK names the follower count
// (e.g. 5000000).

// largeFollowers is the follower count the environment variable env asks
// for, or 0 when it asks for none.
func largeFollowers(tb testing.TB, env string) int {
	tb.Helper()
	s := os.Getenv(env)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a follower count", env, s)
	}
	return n
}

// largeOptions are the window's options on a demo of n followers storing
// in db. The window keeps the wall clock, as the simulator does: on the
// walks' fixed morning the growth chart would end months before the day
// whose total is the follower count.
func largeOptions(db *store.DB, n int) Options {
	return Options{Home: flow.NewHome(db, nil, nil), StartDemo: demostack.Starter(demostack.Options{Followers: n}), Scenarios: testScenarios(), Scenario: "ok"}
}

// onWindow runs a function on the window's goroutine and returns when it
// has run: the test stand-in or the real driver's.
type onWindow func(func())

// until polls cond on the window's goroutine until it holds, for at most
// limit.
func (on onWindow) until(tb testing.TB, what string, limit time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		var ok bool
		on(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("timed out waiting for %s", what)
}

// walkLarge walks a's demo of n followers from step 1 to the result page
// and waits for that page's report, which it returns: the SDK export, the
// scan, the whole sync (given syncLimit), then the result. It tells mark
// each stage as it begins.
func walkLarge(tb testing.TB, a *App, on onWindow, n int, syncLimit time.Duration, mark func(string)) flow.Report {
	tb.Helper()
	mark("step 1")
	// The admin reads step 1's badges before pressing Next, as a person
	// would: pressed in the same instant as the checks' answer, the walk
	// would time a coincidence of the two rather than either.
	on.until(tb, "step 1's checks", time.Minute, func() bool { _, ok := a.current.(*accountsPage); return ok && pageLoaded(a) })
	mark("step 2")
	on(a.next)
	on.until(tb, "step 2", time.Minute, func() bool { _, ok := a.current.(*sdkPage); return ok })
	var sdk *sdkPage
	mark("step 2's export")
	on(func() { sdk = a.current.(*sdkPage); sdk.importDemo() })
	on.until(tb, "the SDK badges", time.Minute, func() bool { return sdk.badges[verdict.SDKUnionID].chip.Text == T("status.pass") })
	mark("the scan")
	on(a.next)
	var auth *authorizePage
	on.until(tb, "the QR code", time.Minute, func() bool {
		auth, _ = a.current.(*authorizePage)
		return auth != nil && auth.qr.Image != nil && auth.state.Text == T("auth.state.waiting")
	})
	on(auth.simulate)
	// The second scan, for the mini-program; then the page goes on by itself.
	on.until(tb, "the mini-program button", time.Minute, func() bool { return auth.mpBtn.Visible() })
	on(func() { test.Tap(auth.mpBtn) })
	on.until(tb, "the mini-program's QR", time.Minute, func() bool { return auth.state.Text == T("auth.state.waiting") })
	on(auth.simulate)
	on.until(tb, "the sync page", 2*time.Minute, func() bool { _, ok := a.current.(*syncPage); return ok })
	mark("the sync")
	var sp *syncPage
	on(func() { sp = a.current.(*syncPage) })
	on.until(tb, "the sync's end", syncLimit, func() bool {
		return sp.state.Text == T("sync.state.done") && sp.cancel == nil && a.wiz.State().Progress.SyncEnded
	})
	mark("the result page")
	on(a.next)
	var res *resultPage
	on.until(tb, "the result", time.Minute, func() bool {
		res, _ = a.current.(*resultPage)
		return res != nil && len(res.report.Checks) > 0
	})
	var r flow.Report
	on(func() { r = res.report })
	if r.Sync.Followers != int64(n) || r.Sync.Total != int64(n) || !r.Sync.Complete {
		tb.Fatalf("the result after a sync of %d followers: %+v", n, r.Sync)
	}
	return r
}

// openEachPage shows every step's page again, as the step list does, and
// waits for each to have its data, telling mark which opens.
func openEachPage(tb testing.TB, a *App, on onWindow, mark func(string)) {
	tb.Helper()
	for s := flow.StepAccounts; s <= flow.StepResult; s++ {
		mark("opening " + s.String() + " again")
		on(func() {
			if err := a.wiz.GoTo(a.ctx, s); err != nil {
				tb.Errorf("step %s: %v", s, err)
				return
			}
			a.show(s)
		})
		on.until(tb, "step "+s.String()+"'s data", time.Minute, func() bool { return pageLoaded(a) })
	}
}

// pageLoaded says whether the current page shows its data rather than the
// sign that it is reading it.
func pageLoaded(a *App) bool {
	switch p := a.current.(type) {
	case *accountsPage:
		return p.badges[verdict.OAVerified].chip.Text != T("status.checking")
	case *resultPage:
		return len(p.report.Checks) > 0
	case *syncPage:
		return strings.TrimSpace(p.state.Text) != ""
	}
	return true
}

// The walk of an account of millions of followers (OAWIZARD_LARGE_WALK)
// ends on a complete result page, every check passing, and its
// screenshots join the walk's.
func TestWalkOfALargeAccount(t *testing.T) {
	n := largeFollowers(t, "OAWIZARD_LARGE_WALK")
	if n == 0 {
		t.Skip("OAWIZARD_LARGE_WALK is not set")
	}
	fa, db := testApp(t, LangZH)
	opts := largeOptions(db, n)
	a := onUI(func() *App {
		a := New(fa, opts)
		a.win.Resize(fitSize)
		return a
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	r := walkLarge(t, a, onUIDo, n, time.Hour, func(string) {})
	for _, c := range r.Checks {
		if c.Status != verdict.Pass {
			t.Errorf("%s is %s in the ok scenario", c.ID, c.Status)
		}
	}
	name := "5-result-" + strconv.Itoa(n)
	if n%1_000_000 == 0 {
		name = "5-result-" + strconv.Itoa(n/1_000_000) + "m"
	}
	shot(t, a, name)
}
