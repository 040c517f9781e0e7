package flow_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"oawizard/flow"
	"oawizard/flow/syncer"
)

// While a sync writes page after page, the window's own writes (the
// language, the connector setting, an export's import) and the sync's
// save of WeChat's follower total all succeed, each in its turn: none
// fails as "busy", and the sync ends complete with the total kept.
func TestWritesDuringASyncAllSucceed(t *testing.T) {
	const n = 200000
	m := newModel(t, t.TempDir(), "ok", n)
	defer m.close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := m.w.Authorize(ctx, flow.AuthorizeOptions{}, m.phone()); err != nil {
		t.Fatalf("scan: %v", err)
	}
	storing := make(chan struct{})
	var once sync.Once
	ended := make(chan error, 1)
	go func() {
		_, err := m.w.Sync(ctx, flow.SyncOptions{GrowthDays: -1, Quota: goOn, ProgressEvery: time.Millisecond, Progress: func(p syncer.Progress) {
			if p.Stored > 0 {
				once.Do(func() { close(storing) })
			}
		}})
		ended <- err
	}()
	<-storing
	if err := flow.SaveLanguage(ctx, m.db, "en"); err != nil {
		t.Errorf("the language during the sync: %v", err)
	}
	if err := flow.SaveConnector(ctx, m.db, "https://connector.example.com"); err != nil {
		t.Errorf("the connector during the sync: %v", err)
	}
	m.importExport()
	running := m.w.Running()
	if err := <-ended; err != nil {
		t.Fatalf("the sync beside the writes: %v", err)
	}
	if !running {
		t.Error("the writes ran after the sync, not during it: make the account larger")
	}
	if st := m.w.State(); st.SyncTotal != n || st.ImportID == 0 {
		t.Fatalf("after the sync the state keeps total %d and import %d", st.SyncTotal, st.ImportID)
	}
	if l, err := flow.SavedLanguage(ctx, m.db); err != nil || l != "en" {
		t.Fatalf("the language saved during the sync reads %q, %v", l, err)
	}
	if u, err := flow.SavedConnector(ctx, m.db); err != nil || u != "https://connector.example.com" {
		t.Fatalf("the connector saved during the sync reads %q, %v", u, err)
	}
}
