package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
	"oawizard/flow/verdict"
)

// The pages off the straight path: each says only what is true.

// A sync the day's quota stopped is no verdict: the result page says how
// far it got, why it stopped and when it goes on, and fails nothing on the
// followers not read yet.
func TestAnIncompleteSyncIsNoVerdict(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			a := walkTo(t, l, "quota-exceeded")
			res := resultAfterSync(t, a)
			r := onUI(func() flow.Report { return res.report })
			if r.Sync.Complete || r.Sync.Total != 50000 || r.Sync.Followers == 0 || r.Sync.Followers >= 50000 {
				t.Fatalf("sync %+v", r.Sync)
			}
			for _, c := range r.Checks {
				if c.Status == verdict.Fail {
					t.Errorf("%s fails (%s = %s) on a partial sync", c.ID, c.Evidence.Field, c.Evidence.Value)
				}
			}
			txt := shownText(a)
			if !strings.Contains(txt, incompleteWords(r)) || strings.Contains(txt, T("check.same_open_account.no_match")) {
				t.Fatalf("the result page does not say the sync is incomplete:\n%s", txt)
			}
			shot(t, a, "quota-5-result")
			assertShows(t, a, master("quota-exceeded", "result"), resultRegion(res))
		})
	}
}

// incompleteWords is the sentence of a quota stop, up to its time.
func incompleteWords(r flow.Report) string {
	s := Tf("state.result.incomplete.quota", map[string]any{"Stored": flow.Count(r.Sync.Followers), "Total": flow.Count(r.Sync.Total), "When": "\x00"})
	return s[:strings.IndexByte(s, 0)]
}

// Principals that differ under one Open Platform account (WeChat allows
// it) are an amber warning that says the rule and what WeChat shows, not a
// failure telling the admin to migrate accounts; and the mini-program's
// scan after the sync does not claim the followers lack unionids.
func TestPrincipalsApartUnderOneOpenPlatformAreAWarning(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			a := walkTo(t, l, "principal-mismatch")
			res := resultAfterSync(t, a)
			// Back to step 3 for the mini-program's scan.
			onUIDo(func() {
				if err := a.wiz.GoTo(a.ctx, flow.StepAuthorize); err != nil {
					t.Fatal(err)
				}
				a.show(flow.StepAuthorize)
			})
			auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
			waitFor(t, "the page revisited", func() bool { return strings.Contains(auth.after.Text, synced(a)) })
			onUIDo(func() { test.Tap(auth.mpBtn) })
			waitFor(t, "the mini-program's QR", func() bool { return auth.state.Text == T("auth.state.waiting") })
			onUIDo(auth.simulate)
			waitFor(t, "the re-check's answer", func() bool { return auth.after.Visible() && strings.Contains(auth.after.Text, synced(a)) })
			txt := onUI(func() string { return auth.after.Text })
			if strings.Contains(txt, T("auth.not_continuing")) || !strings.Contains(txt, checkLine(verdict.SamePrincipal, verdict.Warning)) {
				t.Fatalf("after the mini-program's scan the page says %q", txt)
			}
			onUIDo(func() {
				if err := a.wiz.GoTo(a.ctx, flow.StepResult); err != nil {
					t.Fatal(err)
				}
				a.show(flow.StepResult)
			})
			res = onUI(func() *resultPage { return a.current.(*resultPage) })
			waitFor(t, "the result", func() bool {
				for _, c := range res.report.Checks {
					if c.ID == verdict.SamePrincipal {
						return c.Status == verdict.Warning
					}
				}
				return false
			})
			page := shownText(a)
			if !strings.Contains(page, T("check.same_principal.one_open_account")) || strings.Contains(page, T("remedy.same_principal")) ||
				!strings.Contains(page, Tf("state.result.warning", map[string]any{"Warning": 1})) {
				t.Fatalf("the result page:\n%s", page)
			}
			shot(t, a, "mismatch-5-warning")
			assertShows(t, a, master("principal-mismatch", "warning"), resultRegion(res))
		})
	}
}

// synced is step 3's line once the followers are in.
func synced(a *App) string {
	v, err := a.wiz.SyncView(a.ctx)
	if err != nil || !v.Complete {
		return "\x00"
	}
	return Tf("state.auth.synced", map[string]any{"Percent": percentOf(v.WithUnionID, v.Stored)})
}

func percentOf(a, b int64) string {
	return strings.TrimSuffix(strings.TrimSuffix(pct(a, b), "%"), ".0")
}

// Next on a sync page where nothing runs never says to wait or press 停止.
func TestBlockedSyncWithNothingRunning(t *testing.T) {
	a := walkTo(t, LangZH, "revoked-mid-sync")
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	waitFor(t, "the revoke", func() bool { return sp.cancel == nil && sp.rescanB.Visible() })
	if got := text(a.wiz.BlockedText(flow.StepSync)); got == T("nav.blocked.sync") || strings.Contains(got, T("sync.cancel")) {
		t.Fatalf("Next says %q with nothing running", got)
	}
}

// A footer note (已复制, 已保存, 报告已导出) belongs to the page it was said
// on: another page never shows it.
func TestFooterNotesStayOnTheirPage(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	waitFor(t, "step 1", func() bool { _, ok := a.current.(*accountsPage); return ok })
	onUIDo(func() { a.copyText("wx0123456789abcdef") })
	if got := onUI(func() string { return a.status.Text }); got != T("copied") {
		t.Fatalf("footer %q after a copy", got)
	}
	onUIDo(a.next)
	waitFor(t, "step 2", func() bool { _, ok := a.current.(*sdkPage); return ok })
	if got := onUI(func() string { return a.status.Text }); got != "" {
		t.Fatalf("step 2 still says %q", got)
	}
}

// An AppID typed wrong is said beside its field, the summary of the last
// check (which spoke of the AppIDs saved before) goes, and Next stays.
func TestAWrongAppIDStopsNext(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	acc := onUI(func() *accountsPage { return a.current.(*accountsPage) })
	waitFor(t, "step 1's checks", func() bool { return acc.message.Text != "" })
	onUIDo(func() {
		acc.oa.SetText("wx12")
		a.next()
	})
	onUIDo(func() {
		if _, ok := a.current.(*accountsPage); !ok || acc.oaErr.Text == "" || acc.message.Text != "" {
			t.Fatalf("after Next with a wrong AppID: still on step 1 %v, field says %q, summary says %q", ok, acc.oaErr.Text, acc.message.Text)
		}
	})
}

// Cancelling a scenario switch leaves the menu naming the scenario that
// still runs.
func TestACancelledScenarioSwitchKeepsTheMenu(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	var sel *widget.Select
	onUIDo(func() {
		eachObject(a.banner, func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok {
				sel = s
			}
		})
		sel.SetSelected(sel.Options[1])
	})
	var cancel *widget.Button
	onUIDo(func() {
		top := a.win.Canvas().Overlays().Top()
		if top == nil {
			return
		}
		for _, o := range test.LaidOutObjects(top) {
			// A confirmation's No is its button of ordinary importance.
			if b, ok := o.(*widget.Button); ok && b.Importance != widget.HighImportance && cancel == nil {
				cancel = b
			}
		}
	})
	if cancel == nil {
		t.Fatal("no cancel in the switch's dialog")
	}
	onUIDo(func() { test.Tap(cancel) })
	waitFor(t, "the menu", func() bool { return sel.Selected == sel.Options[0] })
	if onUI(func() string { return a.demo.Scenario().Name }) != "ok" {
		t.Fatal("the scenario switched")
	}
}
