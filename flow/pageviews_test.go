package flow_test

import (
	"context"
	"slices"
	"testing"

	"oawizard/flow"
	"oawizard/flow/verdict"
)

// Step 1's summary and its Next come from the AppIDs flow holds: a refused
// AppID leaves no "both AppIDs valid, saved" beside it, and neither Next
// nor "continue anyway" leads on with the AppIDs saved before.
func TestStepOneSaysNothingBesideARefusedAppID(t *testing.T) {
	m := newModel(t, t.TempDir(), "ok", 0)
	defer m.close()
	ctx := context.Background()
	v, err := m.w.AccountsView(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.AppIDErr != nil || v.Summary.Key != "accounts.checked_before_auth" || !v.CanNext || len(v.Checks) != len(verdict.AccountChecks) {
		t.Fatalf("valid AppIDs: %+v", v)
	}
	if m.w.SetAccounts(ctx, "wx123", nil) == nil {
		t.Fatal("a short AppID was taken")
	}
	v, err = m.w.AccountsView(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.AppIDErr == nil || v.Summary.Key != "" || v.CanNext || v.Blocked.Key != "truth2.nav.blocked.appid" {
		t.Fatalf("beside a refused AppID: %+v", v)
	}
	if err := m.w.Next(ctx); !flow.IsAppIDBlock(err) {
		t.Fatalf("Next with a refused AppID: %v", err)
	}
	if err := m.w.ContinueAnyway(ctx, "nav.consequence.accounts"); !flow.IsAppIDBlock(err) {
		t.Fatalf("continue anyway with a refused AppID: %v", err)
	}
	if s := m.w.State().Progress.Step; s != flow.StepAccounts {
		t.Fatalf("moved to %v", s)
	}
	sc := m.stack.Scenario()
	if err := m.w.SetAccounts(ctx, sc.OAAppID, []string{sc.MPAppID}); err != nil {
		t.Fatal(err)
	}
	if err := m.w.Next(ctx); err != nil {
		t.Fatalf("Next once corrected: %v", err)
	}
}

// Next gates on the checks flow evaluated itself, and step 2's view says
// what Next will do; the export's findings come with it.
func TestStepTwoViewAgreesWithNext(t *testing.T) {
	m := newModel(t, t.TempDir(), "ok", 0)
	defer m.close()
	ctx := context.Background()
	if err := m.w.Next(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := m.w.SDKView(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Imported || len(v.Checks) != len(verdict.SDKChecks) {
		t.Fatalf("before an import: %+v", v)
	}
	m.importExport()
	if v, err = m.w.SDKView(ctx); err != nil {
		t.Fatal(err)
	}
	if !v.Imported || v.Stats.Rows == 0 || v.FileName != "export.csv" {
		t.Fatalf("after the import: %+v", v)
	}
	for _, c := range v.Checks {
		if !slices.Contains(verdict.SDKChecks, c.ID) {
			t.Errorf("step 2 shows %s", c.ID)
		}
	}
	if err := m.w.Next(ctx); (err == nil) != v.CanNext {
		t.Fatalf("the view says Next %v, Next says %v", v.CanNext, err)
	}
}
