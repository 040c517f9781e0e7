package flow

import (
	"context"
	"errors"
	"slices"

	"oawizard/flow/verdict"
)

// The view models of steps 1 and 2: like the sync and result pages, what
// they say and whether Next leads on comes from flow's own stored checks,
// so a summary can never praise AppIDs the field beside it refuses.

// AccountsView is step 1.
type AccountsView struct {
	// AppIDErr is why the AppIDs last typed were refused; while it is
	// set the page says only that, beside the field.
	AppIDErr error
	// Checks are the account badges of the latest round, in page order.
	Checks []verdict.Check
	// Summary says what was checked and what waits for the scan; Tone is
	// its colour (unknown: information, warning, fail).
	Summary Text
	Tone    string
	// AccountErr: the connector could not be asked; the page says so
	// before the summary, in red.
	AccountErr error
	// SelfProvedWrong lists checks whose 自查 WeChat's data contradicted.
	SelfProvedWrong []string
	Nav
}

// Nav says whether Next leaves a step and, if not, why.
type Nav struct {
	CanNext bool
	// Blockers are the checks (or BlockedAppID) that stop it; Blocked
	// says it in words.
	Blockers []string
	Blocked  Text
}

// AccountsView evaluates step 1 (refresh re-reads WeChat first).
func (w *Wizard) AccountsView(ctx context.Context, refresh bool) (AccountsView, error) {
	w.mu.Lock()
	typed, none := w.typedErr, w.state.OAAppID == ""
	w.mu.Unlock()
	v := AccountsView{AppIDErr: typed, Tone: verdict.Unknown}
	if typed != nil || none {
		v.Nav = Nav{Blockers: []string{BlockedAppID}, Blocked: w.BlockedText(StepAccounts)}
		return v, nil
	}
	res, err := w.Check(ctx, refresh)
	if err != nil {
		return v, err
	}
	v.Checks = pick(res.Checks, verdict.AccountChecks)
	v.AccountErr, v.SelfProvedWrong = res.AccountErr, res.SelfProvedWrong
	if !w.State().Progress.Authorized {
		unknown := 0
		for _, c := range v.Checks {
			if c.Status == verdict.Unknown {
				unknown++
			}
		}
		v.Summary = Text{Key: "accounts.checked_before_auth", Data: map[string]any{"Unknown": unknown}}
	}
	switch {
	case v.AccountErr != nil:
		v.Tone = verdict.Fail
	case len(v.SelfProvedWrong) > 0:
		v.Tone = verdict.Warning
	}
	v.Nav = w.nav(StepAccounts, res.Checks)
	return v, nil
}

// SDKView is step 2.
type SDKView struct {
	// Imported: an export is stored; FileName and Stats are what was
	// found in it.
	Imported bool
	FileName string
	Stats    ImportStats
	// Checks are the two SDK badges of the latest round.
	Checks []verdict.Check
	Nav
}

// SDKView evaluates step 2 from the stored export and the checks.
func (w *Wizard) SDKView(ctx context.Context) (SDKView, error) {
	var v SDKView
	s, name, ok, err := w.importStats(ctx)
	if err != nil {
		return v, err
	}
	v.Stats, v.FileName, v.Imported = statsView(s), name, ok
	res, err := w.Check(ctx, false)
	if err != nil {
		return v, err
	}
	v.Checks = pick(res.Checks, verdict.SDKChecks)
	v.Nav = w.nav(StepSDK, res.Checks)
	return v, nil
}

// nav says whether Next would leave step s on checks cs.
func (w *Wizard) nav(s Step, cs []verdict.Check) Nav {
	p := w.State().Progress
	p.Step = s
	b := p.Blockers(w.gates(s, cs))
	if len(b) == 0 {
		return Nav{CanNext: true}
	}
	return Nav{Blockers: b, Blocked: T("nav.blocked.checks")}
}

// pick keeps the checks named in ids, in ids' order.
func pick(cs []verdict.Check, ids []string) []verdict.Check {
	var out []verdict.Check
	for _, id := range ids {
		if i := slices.IndexFunc(cs, func(c verdict.Check) bool { return c.ID == id }); i >= 0 {
			out = append(out, cs[i])
		}
	}
	return out
}

// IsAppIDBlock tells a step 1 held back by refused AppIDs, which "continue
// anyway" cannot pass, from one held back by checks.
func IsAppIDBlock(err error) bool {
	var be *BlockedError
	return errors.As(err, &be) && slices.Contains(be.Blockers, BlockedAppID)
}

// Checks are the latest round's verdicts (nil before one ran for the
// accounts now saved): what Next gates on.
func (w *Wizard) Checks() []verdict.Check {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.checks)
}

// BlockedAppID is the blocker of step 1 while the AppIDs typed are refused.
const BlockedAppID = "appid"

// typedBlock stops step 1 while the AppIDs typed were refused or none is
// saved; called under w.mu (navigate's update holds it).
func (w *Wizard) typedBlock(s Step) error {
	if s == StepAccounts && (w.typedErr != nil || w.state.OAAppID == "") {
		return &BlockedError{Step: s, Blockers: []string{BlockedAppID}}
	}
	return nil
}

// Gates are the checks as navigation sees them, for the current step.
func Gates(cs []verdict.Check, ids []string) []Gate {
	var out []Gate
	for _, c := range cs {
		if slices.Contains(ids, c.ID) {
			out = append(out, Gate{ID: c.ID, Status: c.Status, Blocking: c.Blocking})
		}
	}
	return out
}

func (w *Wizard) gates(s Step, cs []verdict.Check) []Gate {
	if s == StepSDK {
		return Gates(cs, verdict.SDKChecks)
	}
	return Gates(cs, verdict.AccountChecks)
}
