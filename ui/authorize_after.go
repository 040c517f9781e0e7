package ui

import (
	"context"
	"strings"
	"time"

	"oawizard/flow"
)

// autoContinue is how long the page shows what the scan changed before the
// wizard goes on to the sync by itself.
var autoContinue = flow.AutoStartDelay

// recheckAfterScan re-reads every badge from WeChat, shows on this page what
// the answer changed, and goes on to the sync by itself, or says why not.
func (p *authorizePage) recheckAfterScan() {
	before := map[string]string{}
	for _, c := range p.a.wiz.Checks() {
		before[c.ID] = c.Status
	}
	p.after.SetText(T("auth.rechecking"))
	p.after.Show()
	p.a.relayout()
	wiz, ctx := p.a.wiz, p.a.ctx
	go func() {
		res, err := wiz.Check(ctx, true)
		var next flow.Text
		goOn := false
		if err == nil && res.AccountErr == nil {
			next, goOn, err = wiz.AfterScan(ctx, res.Checks, true)
		}
		do(func() {
			if p.a.current != page(p) || p.a.wiz != wiz {
				return
			}
			if err == nil && res.AccountErr != nil {
				err = res.AccountErr
			}
			// The re-check has answered: "next, the accounts are checked
			// again" is done, and the lines below say what happens now.
			p.detail.SetText(p.missingText(p.onScreen.Session.Missing))
			if err != nil {
				p.after.SetText(T("auth.recheck_failed") + "\n" + errorText(err))
				p.a.relayout()
				return
			}
			// What follows is flow's to say: the sync by itself, why not,
			// or, with the followers already synced, the result.
			lines := changedChecks(before, res.Checks)
			p.after.SetText(strings.TrimSpace(strings.Join(lines, "\n") + "\n\n" + text(next)))
			if goOn {
				p.continueSoon()
			}
			p.a.relayout()
		})
	}()
}

// changedChecks is one line per account check: its verdict now, and for
// what did not pass, why and the fix.
func changedChecks(before map[string]string, cs []flow.Check) (lines []string) {
	for _, c := range cs {
		if !isAccountCheck(c.ID) {
			continue
		}
		line := checkLine(c.ID, c.Status)
		if before[c.ID] != "" && before[c.ID] != c.Status {
			line += T("auth.changed")
		}
		switch c.Status {
		case flow.StatusFail, flow.StatusWarning:
			line += "\n    " + sentences(T(c.Reason), T(c.Note), T(c.Remedy))
		case flow.StatusUnknown:
			line += "\n    " + T(c.Reason)
		}
		lines = append(lines, line)
	}
	return lines
}

func isAccountCheck(id string) bool {
	for _, a := range flow.AccountChecks {
		if a == id {
			return true
		}
	}
	return false
}

// checkLine is a check's name and verdict, punctuated for the language.
func checkLine(id, status string) string {
	return Tf("check.line", map[string]any{"Title": T("check." + id + ".title"), "Status": statusWord(status)})
}

// continueSoon goes on to the sync after autoContinue, unless the admin
// leaves the page or starts the mini-program's scan first.
func (p *authorizePage) continueSoon() {
	p.stopAuto()
	ctx, cancel := context.WithCancel(p.a.ctx)
	p.auto = cancel
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(autoContinue):
		}
		do(func() {
			if ctx.Err() != nil || p.a.current != page(p) {
				return
			}
			p.auto = nil
			if p.a.wiz.Next(p.a.ctx) == nil {
				p.a.show(p.a.wiz.State().Progress.Step)
			}
		})
	}()
}

func (p *authorizePage) stopAuto() {
	if p.auto != nil {
		p.auto()
		p.auto = nil
	}
}

// failureReason says in words why an authorization failed: WeChat's
// refusals in its catalogue's words in the chosen language, never as the
// raw code.
func failureReason(reason string) string {
	if err := flow.AuthRefusal(reason); err != nil {
		return sentences(describeError(err), vendorContactText(err))
	}
	return T("auth.failed_detail")
}

// lostText says why a remembered authorization is gone: a demo that could
// not continue from what its last run kept names its reason (the texts are
// keyed by flow's DemoFresh values), since a restart normally keeps the
// authorization.
func (a *App) lostText() string {
	why := ""
	if a.demo != nil {
		why = a.demo.FreshStart()
	}
	if why != "" {
		return T("auth.lost_demo." + why)
	}
	return T("auth.lost_again")
}

// revisited says, on step 3 shown again after its scan, where things stand
// now: the checks as they are and what comes next, never the countdown or
// the verdicts of the moment the scan ended.
func (p *authorizePage) revisited() {
	if p.auto != nil {
		return // the countdown of this very scan is running
	}
	wiz, ctx := p.a.wiz, p.a.ctx
	go func() {
		res, err := wiz.Check(ctx, false)
		var next flow.Text
		goOn := false
		if err == nil {
			next, goOn, err = wiz.AfterScan(ctx, res.Checks, false)
		}
		do(func() {
			if p.a.current != page(p) || p.a.wiz != wiz {
				return
			}
			if err != nil {
				p.after.SetText(errorText(err))
			} else {
				p.after.SetText(strings.TrimSpace(strings.Join(changedChecks(nil, res.Checks), "\n") + "\n\n" + text(next)))
				if goOn {
					p.continueSoon()
				}
			}
			p.after.Show()
			p.a.relayout()
		})
	}()
}
