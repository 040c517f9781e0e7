package flow

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"oawizard/flow/verdict"
)

// Step is a page of the wizard, in the order the product walks them.
type Step int

const (
	StepAccounts  Step = iota + 1 // 1 检查账号
	StepSDK                       // 2 检查数据上报
	StepAuthorize                 // 3 授权
	StepSync                      // followers sync
	StepResult                    // what is now linked
)

func (s Step) String() string {
	switch s {
	case StepAccounts:
		return "accounts"
	case StepSDK:
		return "sdk"
	case StepAuthorize:
		return "authorize"
	case StepSync:
		return "sync"
	case StepResult:
		return "result"
	}
	return fmt.Sprintf("step(%d)", int(s))
}

// Check statuses shared by every badge.
const (
	StatusPass    = verdict.Pass
	StatusWarning = verdict.Warning
	StatusFail    = verdict.Fail
	StatusUnknown = verdict.Unknown
)

// Gate is a check as far as moving on is concerned.
type Gate struct {
	ID       string
	Status   string
	Blocking bool // a fail of this check blocks the step unless overridden
}

// Override records an admin's explicit "continue anyway" past failed
// blocking checks, with the consequence they were shown.
type Override struct {
	Step        Step      `json:"step"`
	Checks      []string  `json:"checks"`
	Consequence string    `json:"consequence"` // message key shown when they chose
	At          time.Time `json:"at"`
}

// BlockedError lists what stops the wizard from moving on.
type BlockedError struct {
	Step     Step
	Blockers []string // check ids, or "not_authorized" / "sync_not_finished"
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("flow: %s blocked by %v", e.Step, e.Blockers)
}

// ErrAtStart and ErrAtEnd: nothing to go back or forward to.
var (
	ErrAtStart = errors.New("flow: already at the first step")
	ErrAtEnd   = errors.New("flow: already at the last step")
)

// Progress is the part of the wizard's state that decides navigation.
type Progress struct {
	Step       Step       `json:"step"`
	Authorized bool       `json:"authorized"`
	SyncEnded  bool       `json:"sync_ended"` // done, or stopped with data kept
	Overrides  []Override `json:"overrides"`
	// Reached is the furthest step the admin got to: finished steps stay
	// reachable after going back.
	Reached Step `json:"reached"`
}

// ErrNotReached: the step list offers only steps already reached whose
// conditions (authorization, a finished sync) still hold.
var ErrNotReached = errors.New("flow: that step is not reached yet")

// CanGoTo says whether the step list may jump to s.
func (p *Progress) CanGoTo(s Step) bool {
	if s < StepAccounts || s > max(p.Reached, p.Step) {
		return false
	}
	return (s <= StepAuthorize || p.Authorized) && (s <= StepSync || p.SyncEnded)
}

// GoTo jumps to a step already reached.
func (p *Progress) GoTo(s Step) error {
	if !p.CanGoTo(s) {
		return ErrNotReached
	}
	p.Step = s
	return nil
}

// Blockers lists what stops leaving the current step: failed blocking
// checks not yet overridden for this step, and the steps' own conditions
// (authorization cannot be skipped; there is nothing to show before a sync).
func (p *Progress) Blockers(gates []Gate) []string {
	var out []string
	switch p.Step {
	case StepAccounts, StepSDK:
		overridden := map[string]bool{}
		for _, o := range p.Overrides {
			if o.Step == p.Step {
				for _, c := range o.Checks {
					overridden[c] = true
				}
			}
		}
		for _, g := range gates {
			if g.Blocking && g.Status == StatusFail && !overridden[g.ID] {
				out = append(out, g.ID)
			}
		}
	case StepAuthorize:
		if !p.Authorized {
			out = append(out, "not_authorized")
		}
	case StepSync:
		if !p.SyncEnded {
			out = append(out, "sync_not_finished")
		}
	case StepResult:
		return nil
	}
	return out
}

// Next moves forward when nothing blocks.
func (p *Progress) Next(gates []Gate) error {
	if p.Step >= StepResult {
		return ErrAtEnd
	}
	if b := p.Blockers(gates); len(b) > 0 {
		return &BlockedError{Step: p.Step, Blockers: b}
	}
	p.Step++
	p.Reached = max(p.Reached, p.Step)
	return nil
}

// Back always works, except before the first step.
func (p *Progress) Back() error {
	if p.Step <= StepAccounts {
		return ErrAtStart
	}
	p.Step--
	return nil
}

// ContinueAnyway records that the admin chose to go past the current failed
// blocking checks, having been shown consequence, and moves forward. Only
// check failures can be overridden: authorization and sync cannot.
func (p *Progress) ContinueAnyway(gates []Gate, consequence string, now time.Time) error {
	if p.Step != StepAccounts && p.Step != StepSDK {
		return &BlockedError{Step: p.Step, Blockers: p.Blockers(gates)}
	}
	blockers := p.Blockers(gates)
	if len(blockers) > 0 {
		p.Overrides = append(p.Overrides, Override{Step: p.Step, Checks: slices.Clone(blockers), Consequence: consequence, At: now})
	}
	return p.Next(gates)
}
