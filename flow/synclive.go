package flow

import (
	"time"

	"oawizard/flow/connclient"
	"oawizard/flow/syncer"
)

// The sync page while a run goes on: what the run reports, in flow's own
// terms, so the window reads neither the syncer's nor the connector's
// types.

// SyncLive is a running sync's latest report.
type SyncLive struct {
	Phase string // listing | fetching | waiting | done
	// Total is WeChat's count: this run's listing, else the one kept from
	// an earlier run; 0 = not known yet.
	Stored, WithUnionID, Total int64
	Rate                       float64 // rows stored per second in this run
	ETA                        time.Duration
	// WaitingMinute: the run waits out the minute's call limit.
	WaitingMinute bool
}

// Fraction is the share stored, or -1 while the total is not known.
func (v SyncLive) Fraction() float64 {
	if v.Total <= 0 {
		return -1
	}
	return min(1, float64(v.Stored)/float64(v.Total))
}

// Counts is the counts line of the report.
func (v SyncLive) Counts() Text { return SyncCounts(v.Stored, v.Total, v.WithUnionID) }

// Reach is whether the vendor's server answers, as the sync page says it
// while a run waits for it.
type Reach struct {
	Reconnecting bool
	LastOK       time.Time // when it last answered; zero: never yet
}

// QuotaNeed is today's quota as a run found it before it began.
type QuotaNeed struct {
	Known          bool // false when WeChat would not say
	Enough         bool
	Needed, Remain int
}

// liveOf words a syncer report for the page; the total kept from an
// earlier run stands in until this run has listed.
func (w *Wizard) liveOf(p syncer.Progress) SyncLive {
	v := SyncLive{Phase: p.Phase, Stored: p.Stored, WithUnionID: p.WithUnionID, Total: int64(p.Total),
		Rate: p.Rate, ETA: p.ETA, WaitingMinute: p.Waiting != ""}
	if v.Total == 0 {
		v.Total = w.State().SyncTotal
	}
	return v
}

// syncHooks turns SyncOptions' page-level callbacks into the syncer's and
// the connector's; each nil stays nil.
func (w *Wizard) syncHooks(opt SyncOptions) (progress func(syncer.Progress), quota func(syncer.QuotaReport) bool, reach func(connclient.ConnState)) {
	progress = opt.Progress
	if live := opt.Live; live != nil {
		inner := progress
		progress = func(p syncer.Progress) {
			if inner != nil {
				inner(p)
			}
			live(w.liveOf(p))
		}
	}
	if q := opt.Quota; q != nil {
		quota = func(r syncer.QuotaReport) bool {
			return q(QuotaNeed{Known: r.Known, Enough: r.Enough, Needed: r.Needed, Remain: r.Remain})
		}
	}
	if c := opt.Connection; c != nil {
		reach = func(cs connclient.ConnState) { c(Reach{Reconnecting: cs.Reconnecting, LastOK: cs.LastOK}) }
	}
	return progress, quota, reach
}
