package flow

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// The overall verdict never counts an unknown as a pass, and partial data
// proves no failure: while the sync is incomplete a failure the data gave
// does not count, one WeChat's answer gave does.
func TestOverallVerdict(t *testing.T) {
	check := func(status, source string) verdict.Check {
		return verdict.Check{ID: "x", Status: status, Evidence: verdict.Evidence{Source: source}}
	}
	complete := SyncCompleteness{Ran: true, Complete: true}
	partial := SyncCompleteness{Ran: true, Stop: "quota"}
	cases := []struct {
		name   string
		checks []verdict.Check
		sync   SyncCompleteness
		want   Overall
	}{
		{"no checks", nil, complete, OverallUnknown},
		{"all pass", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Pass, verdict.SourceData)}, complete, OverallPass},
		{"a warning", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Warning, verdict.SourceAPI)}, complete, OverallWarning},
		{"an unknown beside passes", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Unknown, verdict.SourceNone)}, complete, OverallUnknown},
		{"an unknown beside a warning", []verdict.Check{check(verdict.Warning, verdict.SourceAPI), check(verdict.Unknown, verdict.SourceNone)}, complete, OverallUnknown},
		{"a failure", []verdict.Check{check(verdict.Unknown, verdict.SourceNone), check(verdict.Fail, verdict.SourceData)}, complete, OverallFail},
		{"never synced", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Unknown, verdict.SourceNone)}, SyncCompleteness{}, OverallUnknown},
		{"partial, all pass", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Pass, verdict.SourceData)}, partial, OverallIncomplete},
		{"partial, data failed", []verdict.Check{check(verdict.Pass, verdict.SourceAPI), check(verdict.Fail, verdict.SourceData)}, partial, OverallIncomplete},
		{"partial, WeChat said fail", []verdict.Check{check(verdict.Fail, verdict.SourceAPI)}, partial, OverallFail},
		{"running", []verdict.Check{check(verdict.Pass, verdict.SourceAPI)}, SyncCompleteness{Ran: true, Stop: "running"}, OverallIncomplete},
	}
	for _, c := range cases {
		if got := (ReportDoc{Report: Report{Checks: c.checks}, Sync: c.sync}).Overall(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// How far the sync got is read from the store as the sync page reads it:
// a run under way, each way a run can stop, and a complete one.
func TestSyncCompletenessFromTheStore(t *testing.T) {
	ctx := context.Background()
	const appid = "wx5a3c9e1f7b2d4806"
	w, db := wizardOnTempStore(t, appid)
	if sc, err := w.syncCompleteness(ctx); err != nil || sc.Ran {
		t.Fatalf("before any run: %+v, %v", sc, err)
	}
	cp, err := db.BeginRun(ctx, appid)
	if err != nil {
		t.Fatal(err)
	}
	if sc, err := w.syncCompleteness(ctx); err != nil || !sc.Ran || sc.Complete || sc.Stop != "stopped" {
		// No window runs it: a run left open by a closed wizard stopped.
		t.Fatalf("a run left open: %+v, %v", sc, err)
	}
	if err := db.EndRun(ctx, cp.RunID, syncer.Outcome{Status: "quota", ErrCode: 45009, Message: "45009"}); err != nil {
		t.Fatal(err)
	}
	sc, err := w.syncCompleteness(ctx)
	if err != nil || sc.Complete || sc.Stop != "quota" || sc.Resume.IsZero() {
		t.Fatalf("a run the quota stopped: %+v, %v", sc, err)
	}
	for status, stop := range map[string]string{"revoked": "revoked", "stopped": "stopped", "failed": "failed", "done": ""} {
		cp, err := db.BeginRun(ctx, appid)
		if err == nil {
			err = db.EndRun(ctx, cp.RunID, syncer.Outcome{Status: status, Message: fmt.Sprint(status)})
		}
		if err != nil {
			t.Fatal(err)
		}
		sc, err := w.syncCompleteness(ctx)
		if err != nil || sc.Stop != stop || sc.Complete != (status == "done") {
			t.Errorf("%s: %+v, %v", status, sc, err)
		}
	}
}

// A partial sync is said as such with its reason; the count reads 20,000.
func TestReportSaysTheSyncIsIncomplete(t *testing.T) {
	tf := func(k string, d map[string]any) string { return fmt.Sprintf("[%s %v]", k, d) }
	var b bytes.Buffer
	doc := ReportDoc{Sync: SyncCompleteness{Ran: true, Stored: 20000, Total: 50000, Stop: "revoked"}}
	if err := WriteHTML(&b, doc, tf); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"[report.sync.partial_of map[Stored:20,000 Total:50,000]]", "[report.stop.revoked", "[report.sync.no_verdict",
		"[report.overall.incomplete.word", "[report.followers_partial"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(out, "report.sync.complete") || strings.Contains(out, "demo") {
		t.Error("a partial real sync reads as complete or as a demo")
	}
}

// wizardOnTempStore is a wizard on a store in a temporary folder, its
// Official Account set to appid, with a connector that answers nothing.
func wizardOnTempStore(t *testing.T, appid string) (*Wizard, *store.DB) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := connclient.New("http://127.0.0.1:1", "oaw_x", nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWizard(context.Background(), db, conn, nil)
	if err == nil {
		err = w.SetAccounts(context.Background(), appid, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return w, db
}
