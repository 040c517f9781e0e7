package flow

import (
	"errors"
	"testing"
	"time"
)

func TestStepsForwardAndBack(t *testing.T) {
	p := &Progress{Step: StepAccounts}
	if err := p.Back(); !errors.Is(err, ErrAtStart) {
		t.Fatalf("back from first: %v", err)
	}
	pass := []Gate{{ID: "oa_verified", Status: StatusPass, Blocking: true}}
	if err := p.Next(pass); err != nil || p.Step != StepSDK {
		t.Fatalf("next: %v step %v", err, p.Step)
	}
	if err := p.Back(); err != nil || p.Step != StepAccounts {
		t.Fatalf("back: %v step %v", err, p.Step)
	}
}

func TestFailedBlockingCheckNeedsContinueAnyway(t *testing.T) {
	p := &Progress{Step: StepAccounts}
	gates := []Gate{
		{ID: "oa_verified", Status: StatusFail, Blocking: true},
		{ID: "mp_verified", Status: StatusUnknown, Blocking: true},
		{ID: "same_open_account", Status: StatusFail, Blocking: false},
	}
	var be *BlockedError
	if err := p.Next(gates); !errors.As(err, &be) || len(be.Blockers) != 1 || be.Blockers[0] != "oa_verified" {
		t.Fatalf("want blocked by oa_verified, got %v", err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := p.ContinueAnyway(gates, "consequence.no_unionid", now); err != nil || p.Step != StepSDK {
		t.Fatalf("continue anyway: %v step %v", err, p.Step)
	}
	if len(p.Overrides) != 1 || p.Overrides[0].Checks[0] != "oa_verified" || !p.Overrides[0].At.Equal(now) {
		t.Fatalf("override not recorded: %+v", p.Overrides)
	}
	// Coming back and going on again needs no second confirmation.
	_ = p.Back()
	if err := p.Next(gates); err != nil {
		t.Fatalf("override forgotten: %v", err)
	}
}

func TestAuthorizationCannotBeSkipped(t *testing.T) {
	p := &Progress{Step: StepAuthorize}
	if err := p.ContinueAnyway(nil, "x", time.Now()); err == nil || p.Step != StepAuthorize {
		t.Fatalf("skipped authorization: %v step %v", err, p.Step)
	}
	p.Authorized = true
	if err := p.Next(nil); err != nil || p.Step != StepSync {
		t.Fatalf("authorized next: %v", err)
	}
	if err := p.Next(nil); err == nil {
		t.Fatal("left sync before it ended")
	}
	p.SyncEnded = true
	if err := p.Next(nil); err != nil || p.Step != StepResult {
		t.Fatalf("to result: %v", err)
	}
	if err := p.Next(nil); !errors.Is(err, ErrAtEnd) {
		t.Fatalf("past the end: %v", err)
	}
}

// Going back after finishing keeps the later steps reachable from the step
// list, without accepting failed checks again; steps whose condition no
// longer holds are not offered.
func TestFinishedStepsStayReachable(t *testing.T) {
	p := Progress{Step: StepAccounts}
	fail := []Gate{{ID: "oa_bound", Status: StatusFail, Blocking: true}}
	if err := p.ContinueAnyway(fail, "nav.consequence.accounts", time.Now()); err != nil {
		t.Fatal(err)
	}
	p.Next(nil)
	p.Authorized = true
	p.Next(nil)
	p.SyncEnded = true
	p.Next(nil)
	if p.Step != StepResult {
		t.Fatalf("at %v", p.Step)
	}
	if err := p.GoTo(StepAccounts); err != nil {
		t.Fatal(err)
	}
	for s := StepAccounts; s <= StepResult; s++ {
		if !p.CanGoTo(s) {
			t.Errorf("step %v not reachable after going back", s)
		}
	}
	if err := p.GoTo(StepResult); err != nil || p.Step != StepResult {
		t.Fatalf("back to the result: %v at %v", err, p.Step)
	}
	p.Authorized = false
	if p.CanGoTo(StepSync) || p.CanGoTo(StepResult) || !p.CanGoTo(StepAuthorize) {
		t.Fatal("steps past a lost authorization are offered")
	}
}
