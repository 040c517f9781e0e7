package flow

import (
	"testing"
	"time"

	"oawizard/flow/connclient"
	"oawizard/flow/syncer"
)

// The sync page's live report is flow's: before this run has listed, the
// count WeChat gave an earlier run stands as the total, so the bar and
// "n of total" do not fall back to a bare count after a resume.
func TestLiveReportKeepsTheKnownTotal(t *testing.T) {
	w := &Wizard{state: State{SyncTotal: 50000}}
	v := w.liveOf(syncer.Progress{Phase: "fetching", Stored: 20000, WithUnionID: 5000, ETA: time.Minute, Waiting: "minute"})
	if v.Total != 50000 || v.Fraction() != 0.4 || v.Counts().Key != "state.sync.counts" || !v.WaitingMinute {
		t.Fatalf("before listing: %+v, counts %+v", v, v.Counts())
	}
	if v := w.liveOf(syncer.Progress{Total: 60000, Stored: 30000}); v.Total != 60000 || v.Fraction() != 0.5 {
		t.Fatalf("after listing: %+v", v)
	}
	if v := (&Wizard{}).liveOf(syncer.Progress{Stored: 10}); v.Fraction() != -1 || v.Counts().Key != "state.sync.counts_no_total" {
		t.Fatalf("no total known: %+v", v)
	}
}

// The page's callbacks hear the syncer's and the connector's reports in
// flow's terms, and an unset one stays unset (the syncer's own default).
func TestSyncHooksWordTheReportsForThePage(t *testing.T) {
	w := &Wizard{}
	if p, q, r := w.syncHooks(SyncOptions{}); p != nil || q != nil || r != nil {
		t.Fatal("unset callbacks were set")
	}
	var need QuotaNeed
	var reach Reach
	var lives []SyncLive
	p, q, r := w.syncHooks(SyncOptions{
		Live:       func(v SyncLive) { lives = append(lives, v) },
		Quota:      func(n QuotaNeed) bool { need = n; return false },
		Connection: func(c Reach) { reach = c },
	})
	p(syncer.Progress{Stored: 7})
	if q(syncer.QuotaReport{Known: true, Needed: 30, Remain: 10}) || need != (QuotaNeed{Known: true, Needed: 30, Remain: 10}) {
		t.Fatalf("quota heard as %+v", need)
	}
	last := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	r(connclient.ConnState{Reconnecting: true, LastOK: last})
	if len(lives) != 1 || lives[0].Stored != 7 || !reach.Reconnecting || !reach.LastOK.Equal(last) {
		t.Fatalf("live %+v, reach %+v", lives, reach)
	}
}
