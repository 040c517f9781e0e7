package flow_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"oawizard/flow"
	"oawizard/flow/sdkimport"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// Walks the model-based test took, and states the window was seen in,
// kept as plain tests: each page must tell the truth in them.

func (m *model) importExport() {
	m.t.Helper()
	var b bytes.Buffer
	if err := m.stack.WriteSDKExport(&b); err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.w.ImportSDK(context.Background(), &b, "export.csv", int64(b.Len()), sdkimport.Options{}); err != nil {
		m.t.Fatal(err)
	}
}

func (m *model) views() (flow.SyncView, flow.ResultView) {
	m.t.Helper()
	ctx := context.Background()
	sv, err := m.w.SyncView(ctx)
	if err != nil {
		m.t.Fatal(err)
	}
	rv, err := m.w.ResultView(ctx)
	if err != nil {
		m.t.Fatal(err)
	}
	m.check()
	return sv, rv
}

// A sync the quota stopped at 40 % (two pages of five) is no verdict: the result page says how
// far it got, why it stopped and when it continues, and no check fails on
// the followers not yet read (the SDK users who follow are further on).
func TestAPartialSyncIsNoVerdict(t *testing.T) {
	m := newModel(t, t.TempDir(), "quota-exceeded", 50000)
	defer m.close()
	m.importExport()
	m.scan()
	sv, rv := m.views()
	if sv.Complete || sv.Ended != syncer.EndQuota || sv.Total != 50000 || sv.Stored == 0 || sv.Stored >= sv.Total {
		t.Fatalf("sync page: %+v", sv)
	}
	if !strings.HasPrefix(rv.Summary.Key, "state.result.incomplete.quota") || rv.Summary.Data["Stored"] != sv.Stored || rv.Summary.Data["Total"] != int64(50000) {
		t.Fatalf("result summary %+v", rv.Summary)
	}
	for _, c := range rv.Report.Checks {
		if c.Status == verdict.Fail {
			t.Errorf("%s fails (%s = %s) from a partial sync", c.ID, c.Evidence.Field, c.Evidence.Value)
		}
	}
	if rv.Report.Sync.Complete || rv.Report.Sync.Total != 50000 {
		t.Fatalf("the report does not say the sync is incomplete: %+v", rv.Report.Sync)
	}
}

// After a quota stop, a revoke and a new scan, the sync starts by itself
// as step 3 promised, instead of the old error and a button back to step 3.
func TestANewAuthorizationAlwaysStartsASync(t *testing.T) {
	m := newModel(t, t.TempDir(), "quota-exceeded", 3000)
	defer m.close()
	m.scan() // stops at the quota
	if st := m.w.State(); !st.Progress.SyncEnded {
		t.Fatalf("the quota's stop is an end with data kept: %+v", st.Progress)
	}
	m.stack.Demo().Sim.SetQuota(m.oa(), "/cgi-bin/user/info/batchget", 1_000_000, 0)
	m.stack.Demo().Sim.RevokeAfterBatchGets(m.oa(), 1)
	m.sync(context.Background())
	if sv, _ := m.views(); sv.Ended != syncer.EndRevoked || len(sv.Actions) != 1 || sv.Actions[0] != flow.ActionRescan {
		t.Fatalf("after the revoke: %+v", sv)
	}
	m.scan()
	sv, _ := m.views()
	if !sv.Complete || sv.Stored != 3000 {
		t.Fatalf("the new scan did not lead to a finished sync: %+v", sv)
	}
}

// A scenario and its data live and die together: a start in another
// scenario shows none of the last one's followers, total or runs.
func TestAScenarioAndItsDataLiveTogether(t *testing.T) {
	m := newModel(t, t.TempDir(), "flaky", 2000)
	defer m.close()
	m.scan()
	if sv, _ := m.views(); sv.Stored == 0 {
		t.Fatal("nothing synced")
	}
	if saved, err := flow.SavedScenario(context.Background(), m.db); err != nil || saved != "flaky" {
		t.Fatalf("a restart would continue in %q (%v)", saved, err)
	}
	m.close()
	m.scenario, m.followers = "ok", 3000
	m.open()
	st := m.w.State()
	sv, _ := m.views()
	if st.Scenario != "ok" || st.Progress.Authorized || sv.Stored != 0 || sv.Total != 0 || sv.Ended != "" {
		t.Fatalf("after the switch: scenario %q, authorized %v, sync page %+v", st.Scenario, st.Progress.Authorized, sv)
	}
}

// Reopened after a close mid-sync, the sync page shows what is stored
// (count, total, share) and starts again by itself, as it promised.
func TestReopeningShowsTheStoredSync(t *testing.T) {
	m := newModel(t, t.TempDir(), "ok", 60000)
	defer m.close()
	ctx := context.Background()
	if _, err := m.w.Authorize(ctx, flow.AuthorizeOptions{}, m.phone()); err != nil {
		t.Fatal(err)
	}
	m.cancelMidway()
	m.close()
	m.open()
	sv, _ := m.views()
	if sv.Stored == 0 || sv.Total != 60000 || sv.Fraction() <= 0 || sv.Ended != syncer.EndStopped || !sv.AutoStart {
		t.Fatalf("reopened: %+v", sv)
	}
	if sv.Counts.Data["Stored"] != sv.Stored || sv.Counts.Data["Total"] != int64(60000) {
		t.Fatalf("counts line %+v", sv.Counts)
	}
}

// An outage before WeChat's count is known never shows "n / 0".
func TestCountsWithoutATotalSayItIsUnknown(t *testing.T) {
	c := flow.SyncCounts(530000, 0, 424000)
	if _, ok := c.Data["Total"]; ok || c.Key != "state.sync.counts_no_total" {
		t.Fatalf("%+v", c)
	}
	if c := flow.SyncCounts(20000, 50000, 16000); c.Data["Percent"] != "40" {
		t.Fatalf("%+v", c)
	}
}

// Next on a sync page where nothing runs says how to go on, never "wait,
// or press 停止".
func TestBlockedSyncSaysWhatToDoWhenNothingRuns(t *testing.T) {
	m := newModel(t, t.TempDir(), "revoked-mid-sync", 3000)
	defer m.close()
	m.scan()
	if got := m.w.BlockedText(flow.StepSync); got.Key != "state.nav.blocked.sync_idle" {
		t.Fatalf("Next says %s", got.Key)
	}
}

// Reopened right after the scan, before any sync, step 3 says the checks
// and goes on by itself as it promised, and the sync page starts the sync.
func TestReopenedRightAfterTheScanTheSyncStillStarts(t *testing.T) {
	m := newModel(t, t.TempDir(), "ok", 2000)
	defer m.close()
	ctx := context.Background()
	if _, err := m.w.Authorize(ctx, flow.AuthorizeOptions{}, m.phone()); err != nil {
		t.Fatal(err)
	}
	m.close()
	m.open()
	res, err := m.w.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	next, goOn, err := m.w.AfterScan(ctx, res.Checks, false)
	if err != nil || !goOn || next.Key != "auth.continuing" {
		t.Fatalf("step 3 reopened says %s, goes on %v (%v)", next.Key, goOn, err)
	}
	if sv, _ := m.views(); !sv.AutoStart {
		t.Fatalf("the sync page would not start the sync: %+v", sv)
	}
}
