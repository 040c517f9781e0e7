package flow

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"oawizard/demostack/loopback"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
)

func newTestWizard(t *testing.T) (*Wizard, *store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := connclient.New("http://127.0.0.1:1", "oaw_x", nil)
	w, err := NewWizard(context.Background(), db, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, db, path
}

// Changes made from several goroutines are saved in the order they were
// made: what a restart reads is what the window last showed.
func TestStateSavedInOrderAndWatchersTold(t *testing.T) {
	ctx := context.Background()
	w, db, path := newTestWizard(t)
	var mu sync.Mutex
	told := 0
	stop := w.Watch(func(State) { mu.Lock(); told++; mu.Unlock() })
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.update(ctx, func(s *State) { s.ImportID = int64(i); s.Progress.Step = Step(1 + i%5) }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	stop()
	w.update(ctx, func(s *State) { s.ImportID++ })
	mem := w.State()
	db.Close()
	db2, _ := store.Open(path)
	defer db2.Close()
	var disk State
	if _, err := db2.Get(ctx, stateKey, &disk); err != nil {
		t.Fatal(err)
	}
	if disk.ImportID != mem.ImportID || disk.Progress.Step != mem.Progress.Step {
		t.Fatalf("disk %+v, memory %+v", disk.Progress, mem.Progress)
	}
	if told != 40 {
		t.Fatalf("watchers told %d times for 40 changes (and not after stop)", told)
	}
}

// A change that cannot be saved is not made, and the error reaches the caller.
func TestStateNotChangedWhenItCannotBeSaved(t *testing.T) {
	w, db, _ := newTestWizard(t)
	db.Close()
	err := w.update(context.Background(), func(s *State) { s.OAAppID = "wx0123456789abcdef" })
	if err == nil || w.State().OAAppID != "" {
		t.Fatalf("err %v, state %q", err, w.State().OAAppID)
	}
}

// Reset forgets everything the last setup gathered: a new demo scenario
// never shows the old one's self-reports, followers or imports.
func TestResetForgetsTheWholeSetup(t *testing.T) {
	ctx := context.Background()
	w, db, _ := newTestWizard(t)
	defer db.Close()
	oa := "wx5a3c9e1f7b2d4806"
	if err := w.SetAccounts(ctx, oa, []string{"wx8d4e2b6a1c9f3705"}); err != nil {
		t.Fatal(err)
	}
	w.SelfReport(ctx, "oa_bound", "pass", "")
	if _, err := db.BeginRun(ctx, oa); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertFollowers(ctx, oa, []syncer.Follower{{OpenID: "o1", UnionID: "u1", Subscribed: true, SubscribeTime: 1}}); err != nil {
		t.Fatal(err)
	}
	id, _ := db.BeginImport(ctx, store.SDKImport{FileName: "x.csv"})
	w.update(ctx, func(s *State) { s.ImportID = id; s.Progress.Step = StepResult; s.Progress.Authorized = true })
	told := false
	w.Watch(func(State) { told = true })
	if err := w.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	st := w.State()
	if st.OAAppID != "" || st.ImportID != 0 || st.Progress.Step != StepAccounts || st.Progress.Authorized || !told {
		t.Fatalf("after reset: %+v (told %v)", st, told)
	}
	sr, _ := w.selfReports(ctx)
	fs, _ := db.FollowerStats(ctx, oa)
	_, imported, _ := db.LatestImport(ctx)
	_, ran, _ := db.LastRun(ctx, oa)
	if len(sr) != 0 || fs.Total != 0 || imported || ran {
		t.Fatalf("left behind: self-reports %d, followers %d, import %v, run %v", len(sr), fs.Total, imported, ran)
	}
}

// A remembered authorization the connector no longer knows (a restarted
// demo) sends the admin back to the scan, never on to a sync that fails.
func TestReconcileSendsBackToTheScanWhenTheAuthorizationIsGone(t *testing.T) {
	ctx := context.Background()
	d, err := loopback.Start(ctx, loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, _ := connclient.New(d.URL, d.ProjectToken, nil)
	w, _ := NewWizard(ctx, db, conn, nil)
	w.SetAccounts(ctx, d.Scenario.OAAppID, []string{d.Scenario.MPAppID})
	w.update(ctx, func(s *State) {
		s.Progress = Progress{Step: StepResult, Reached: StepResult, Authorized: true, SyncEnded: true}
	})
	lost, err := w.Reconcile(ctx)
	st := w.State()
	if err != nil || !lost || !st.AuthLost || st.Progress.Authorized || st.Progress.Step != StepAuthorize || st.Progress.CanGoTo(StepSync) {
		t.Fatalf("lost %v, err %v, state %+v", lost, err, st)
	}
}

// The settings the window keeps go through flow and survive a restart.
func TestSettingsSavedThroughFlow(t *testing.T) {
	ctx := context.Background()
	_, db, path := newTestWizard(t)
	if err := SaveLanguage(ctx, db, "en"); err != nil {
		t.Fatal(err)
	}
	if err := SaveConnector(ctx, db, "https://connector.example.com"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, _ := store.Open(path)
	defer db2.Close()
	l, err1 := SavedLanguage(ctx, db2)
	u, err2 := SavedConnector(ctx, db2)
	if l != "en" || u != "https://connector.example.com" || err1 != nil || err2 != nil {
		t.Fatalf("language %q, connector %q (%v, %v)", l, u, err1, err2)
	}
	if err := ForgetConnector(ctx, db2); err != nil {
		t.Fatal(err)
	}
	if u, _ := SavedConnector(ctx, db2); u != "" {
		t.Fatalf("signed out, still %q", u)
	}
}
