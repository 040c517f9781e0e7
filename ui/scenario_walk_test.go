package ui

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
	"oawizard/flow/verdict"
)

// shownText is every visible label's and text block's text in the
// window, joined.
func shownText(a *App) string {
	var b strings.Builder
	onUIDo(func() {
		eachObject(a.win.Content(), func(o fyne.CanvasObject) {
			var text string
			switch l := o.(type) {
			case *widget.Label:
				text = l.Text
			case *textBlock:
				text = l.Text
			default:
				return
			}
			if o.Visible() {
				b.WriteString(text + "\n")
			}
		})
	})
	return b.String()
}

// rawField matches evidence as a field and value (with_openid = 5000/5000)
// or a format's code name: for staff, never in what the admin reads.
var rawField = regexp.MustCompile(`with_openid|with_unionid|verify_type_info|open/get|matched_unionids|open_appid|principal_name|have_open|csv-utf|\w = \S`)

// noRawEvidence fails when a visible text shows raw evidence.
func noRawEvidence(t *testing.T, what string, a *App) {
	t.Helper()
	if txt := shownText(a); rawField.MatchString(txt) {
		t.Fatalf("%s shows raw evidence %q:\n%s", what, rawField.FindString(txt), txt)
	}
}

// The scenarios where something is wrong, walked as an admin would at
// 1024×640: each problem is said where it shows, with its fix.
func TestWalkThroughTheProblemScenarios(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l+"/not-bound", func(t *testing.T) { walkNotBound(t, l) })
		for _, scenario := range []string{"unverified", "different-open-account"} {
			t.Run(l+"/"+scenario, func(t *testing.T) { walkRechecked(t, l, scenario) })
		}
		for _, scenario := range []string{"revoked-mid-sync", "quota-exceeded", "flaky"} {
			t.Run(l+"/"+scenario, func(t *testing.T) { walkSyncProblem(t, l, scenario) })
		}
		t.Run(l+"/ip-not-whitelisted", func(t *testing.T) { walkMisdeployed(t, l) })
		t.Run(l+"/principal-mismatch", func(t *testing.T) { walkPrincipalMismatch(t, l) })
	}
}

// walkNotBound: WeChat's 89002 shows on the scan's page, the sync without
// a single unionid is a failure, and the result says what to fix first.
func walkNotBound(t *testing.T, l string) {
	a := walkTo(t, l, "not-bound")
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	// WeChat's answer is shown on the scan's page, and the wizard
	// says why it did not go on by itself.
	waitFor(t, "the re-check", func() bool { return strings.Contains(auth.after.Text, T("auth.not_continuing")) })
	if txt := onUI(func() string { return auth.after.Text }); !strings.Contains(txt, checkLine("oa_bound", flow.StatusFail)) {
		t.Fatalf("after the scan: %q", txt)
	}
	shot(t, a, "notbound-3-rechecked")
	assertShows(t, a, master("not-bound", "rechecked"), authorizeRegion(auth))
	onUIDo(a.next)
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	// Zero unionids is a failure, never a green "done".
	waitFor(t, "the sync's end", func() bool { return sp.cancel == nil && sp.state.Text == T("sync.state.no_unionid") })
	if _, red := onUI(func() fyne.Theme { return sp.barBox.Theme }).(failTheme); !red {
		t.Fatal("the bar of a sync without unionids is green")
	}
	shot(t, a, "notbound-4-sync")
	assertShows(t, a, master("not-bound", "sync"), syncRegion(sp))
	onUIDo(a.next)
	res := onUI(func() *resultPage { return a.current.(*resultPage) })
	waitFor(t, "the result", func() bool { return len(res.report.Checks) > 0 })
	if txt := shownText(a); !strings.Contains(txt, T("result.no_unionid")) || !strings.Contains(txt, T("remedy.oa_bound")) {
		t.Fatalf("the result page does not say the unionids are missing and how to fix it:\n%s", txt)
	}
	noRawEvidence(t, "the result page", a)
	shot(t, a, "notbound-5-result")
	assertShows(t, a, master("not-bound", "result"), resultRegion(res))
	backToTheSync(t, a)
}

// backToTheSync goes from the result page back to the sync page of a run
// that stored no unionid, in this window and as a window opened afresh
// (a page that never saw the run): it still says so in red, never a plain
// "finished", and starts no run by itself.
func backToTheSync(t *testing.T, a *App) {
	t.Helper()
	for _, afresh := range []bool{false, true} {
		sp := onUI(func() *syncPage {
			if afresh {
				a.pages[flow.StepSync] = newSyncPage(a)
			}
			if err := a.wiz.GoTo(a.ctx, flow.StepSync); err != nil {
				t.Fatal(err)
			}
			a.show(flow.StepSync)
			return a.current.(*syncPage)
		})
		waitFor(t, "how the sync ended", func() bool {
			return sp.state.Text == T("sync.state.no_unionid") && sp.detail.Text == T("sync.no_unionid_detail")
		})
		onUIDo(func() {
			if _, red := sp.barBox.Theme.(failTheme); !red || sp.state.Importance != widget.DangerImportance || sp.cancel != nil {
				t.Errorf("back on the sync page (afresh %v): red bar %v, importance %v, running %v", afresh, red, sp.state.Importance, sp.cancel != nil)
			}
			if err := a.wiz.GoTo(a.ctx, flow.StepResult); err != nil {
				t.Fatal(err)
			}
			a.show(flow.StepResult)
		})
	}
}

// walkRechecked: WeChat's answer shows on the scan's page the moment it
// arrives: a failure with its fix (and no sync started by itself), and what
// only the mini-program's authorization can tell as unknown.
func walkRechecked(t *testing.T, l, scenario string) {
	want := map[string]struct{ check, status, next string }{
		"unverified":             {"oa_verified", flow.StatusFail, "state.auth.not_continuing_no_sync"},
		"different-open-account": {"same_open_account", flow.StatusUnknown, "auth.continuing"},
	}[scenario]
	a := walkTo(t, l, scenario)
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the re-check", func() bool { return strings.Contains(auth.after.Text, T(want.next)) })
	txt := onUI(func() string { return auth.after.Text })
	line := checkLine(want.check, want.status)
	if !strings.Contains(txt, line) || want.status == flow.StatusFail && !strings.Contains(txt, T("remedy."+want.check)) {
		t.Fatalf("after the scan, no %q with its fix in %q", line, txt)
	}
	shot(t, a, scenario+"-3-rechecked")
	assertShows(t, a, master(scenario, "rechecked"), authorizeRegion(auth))
	if scenario != "different-open-account" {
		return
	}
	// The unionids tell once both sides are in: none in common is said
	// as a failure, with its fix.
	res := resultAfterSync(t, a)
	if txt := shownText(a); !strings.Contains(txt, T("check.same_open_account.fail")) || !strings.Contains(txt, T("remedy.same_open_account")) {
		t.Fatalf("the result page does not say the accounts are apart and how to fix it:\n%s", txt)
	}
	noRawEvidence(t, "the result page", a)
	shot(t, a, scenario+"-5-result")
	assertShows(t, a, master(scenario, "result"), resultRegion(res))
}

// walkSyncProblem: problems that show during the sync are said on the sync
// page, with only the next step that can work offered.
func walkSyncProblem(t *testing.T, l, scenario string) {
	want := map[string]string{"revoked-mid-sync": "sync.state.revoked", "quota-exceeded": "sync.state.quota", "flaky": "sync.state.done"}[scenario]
	a := walkTo(t, l, scenario)
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	waitFor(t, "the sync's end", func() bool {
		return sp.cancel == nil && sp.state.Text != T("sync.state.checking_quota") && (sp.rescanB.Visible() || sp.startB.Text != T("sync.start"))
	})
	if got := onUI(func() string { return sp.state.Text }); got != T(want) {
		t.Fatalf("the sync ended with %q, want %q (%s)", got, T(want), onUI(func() string { return sp.detail.Text }))
	}
	if scenario == "revoked-mid-sync" && (onUI(sp.startB.Visible) || !onUI(sp.rescanB.Visible)) {
		t.Fatal("a resume that cannot work is offered instead of the scan")
	}
	if strings.Contains(shownText(a), "http") {
		t.Fatalf("raw technical text on the sync page:\n%s", shownText(a))
	}
	shot(t, a, scenario+"-4-sync")
	assertShows(t, a, master(scenario, "sync"), syncRegion(sp))
}

// walkMisdeployed: a misdeployed connector (61004). The scan's page says it
// is the vendor's configuration in the catalogue's words, never as
// "wechat:61004".
func walkMisdeployed(t *testing.T, l string) {
	a := walkTo(t, l, "ip-not-whitelisted")
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the failure", func() bool { return auth.state.Text == T("auth.state.failed") })
	if got := onUI(func() string { return auth.detail.Text }); strings.Contains(got, "wechat:") || got != failureReason("wechat:61004") {
		t.Fatalf("the admin reads %q", got)
	}
	shot(t, a, "ip-3-failed")
	assertShows(t, a, master("ip-not-whitelisted", "failed"), authorizeRegion(auth))
}

// walkPrincipalMismatch: without the mini-program's authorization the
// principal stays unknown: the sync goes on, and the result says what is
// unknown.
func walkPrincipalMismatch(t *testing.T, l string) {
	a := walkTo(t, l, "principal-mismatch")
	res := resultAfterSync(t, a)
	unknown := 0
	for _, c := range onUI(func() flow.Report { return res.report }).Checks {
		if c.Status == verdict.Unknown {
			unknown++
		}
	}
	if txt := shownText(a); !strings.Contains(txt, T("result.unknown_howto")) || unknown == 0 ||
		!strings.Contains(txt, Tf("state.result.unknown", map[string]any{"Unknown": unknown})) || strings.Contains(txt, T("state.result.all_pass")) {
		t.Fatalf("the result page looks like all passed:\n%s", txt)
	}
	shot(t, a, "mismatch-5-result")
	assertShows(t, a, master("principal-mismatch", "result"), resultRegion(res))
}

// resultAfterSync waits for the sync the wizard starts by itself after the
// scan, lets it run to its end and goes on to the result.
func resultAfterSync(t *testing.T, a *App) *resultPage {
	t.Helper()
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	waitFor(t, "the sync's end", func() bool { return sp.cancel == nil && a.wiz.State().Progress.SyncEnded })
	onUIDo(a.next)
	res := onUI(func() *resultPage { return a.current.(*resultPage) })
	waitFor(t, "the result", func() bool { return len(res.report.Checks) > 0 })
	return res
}

// walkTo opens the wizard on a demo scenario at 1024×640 and goes through
// steps 1 and 2 to the scan, which the simulated phone confirms.
func walkTo(t *testing.T, l, scenario string) *App {
	t.Helper()
	a, _ := openDemo(t, l, scenario)
	acc := onUI(func() *accountsPage { return a.current.(*accountsPage) })
	waitFor(t, "step 1's checks", func() bool { return len(a.wiz.Checks()) > 0 && acc.message.Text != "" })
	// 检查 before the scan says what it checked and what waits for the scan.
	if got := onUI(func() string { return acc.message.Text }); !strings.HasPrefix(got, Tf("accounts.checked_before_auth", map[string]any{"Unknown": 6})[:12]) {
		t.Fatalf("step 1 says %q", got)
	}
	noRawEvidence(t, "step 1", a)
	onUIDo(a.next)
	sdk := onUI(func() *sdkPage { return a.current.(*sdkPage) })
	onUIDo(sdk.importDemo)
	waitFor(t, "the SDK badges", func() bool { return sdk.badges["sdk_unionid"].chip.Text == T("status.pass") })
	// The badges give the counts in words; field = value is for staff.
	noRawEvidence(t, "step 2", a)
	if ev := onUI(func() string { return sdk.badges["sdk_openid"].evidence.Text }); !strings.Contains(ev, "5000") || !strings.Contains(ev, "openid") {
		t.Fatalf("step 2's openid badge says %q", ev)
	}
	onUIDo(a.next)
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the QR code", func() bool { return auth.state.Text == T("auth.state.waiting") })
	onUIDo(auth.simulate)
	return a
}
