package flow

import (
	"cmp"
	"context"
	"io"
	"time"

	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// GrowthDay is one day of the account's follower figures, as WeChat's
// datacube gave them and the report writes them.
type GrowthDay struct {
	Date       string `json:"ref_date"`
	NewUser    int    `json:"new_user"`
	CancelUser int    `json:"cancel_user"`
	Cumulate   int    `json:"cumulate_user"`
}

// growthDays copies the stored days into the report's.
func growthDays(days []store.DayStat) []GrowthDay {
	var out []GrowthDay
	for _, d := range days {
		out = append(out, GrowthDay{Date: d.Date, NewUser: d.NewUser, CancelUser: d.CancelUser, Cumulate: d.Cumulate})
	}
	return out
}

// ReportSource says where a report comes from: the wizard's version and,
// in demo mode, the simulated scenario, so a demo report is never taken
// for a customer's.
type ReportSource struct {
	Version string
	Demo    bool
	// Scenario is the demo scenario's title in the report's language.
	Scenario string
	// Diag is what the diagnostics say besides the store; nil leaves
	// them out of the report.
	Diag *DiagInput
}

// ReportDoc is everything the exported report says: the outcome, where it
// came from and how far the sync got.
type ReportDoc struct {
	Report
	Source ReportSource
	Sync   SyncCompleteness
	// Diagnostics is the text Help → 复制诊断信息 copies, "" for none.
	Diagnostics string
}

// SyncCompleteness says whether the stored followers are the whole account
// and, when not, why the sync stopped.
type SyncCompleteness struct {
	// Ran is false before any sync run.
	Ran bool
	// Complete is true only for a run that reached the end.
	Complete bool
	// Stored followers, and Total the account has (0 when not known).
	Stored, Total int64
	// Stop is why an incomplete run stopped: "running" (under way, or the
	// wizard was closed during it), "quota", "revoked", "not_permitted",
	// "stopped" or "failed"; "" for a complete run.
	Stop string
	// Resume is when WeChat's quota renews, for Stop "quota".
	Resume time.Time
}

// Overall is the report's one verdict on the whole setup.
type Overall string

// The overall verdicts, from worst to best. An unknown never counts as a
// pass, and an incomplete sync gives no verdict from data.
const (
	OverallFail       Overall = "fail"       // a check failed on facts the sync cannot change
	OverallIncomplete Overall = "incomplete" // the sync stopped before the end: the data decides nothing yet
	OverallUnknown    Overall = "unknown"    // some check is still unknown
	OverallWarning    Overall = "warning"    // every check passed or warned
	OverallPass       Overall = "pass"       // every check passed on complete data
)

// Overall weighs the checks. While the sync is incomplete a check that
// failed on the data does not count: partial data proves no failure.
func (d ReportDoc) Overall() Overall {
	partial := d.Sync.Ran && !d.Sync.Complete
	var unknown, warning bool
	for _, c := range d.Checks {
		switch {
		case c.Status == verdict.Fail && !(partial && c.Evidence.Source == verdict.SourceData):
			return OverallFail
		case c.Status == verdict.Fail, c.Status == verdict.Unknown:
			unknown = true
		case c.Status == verdict.Warning:
			warning = true
		}
	}
	switch {
	case partial:
		return OverallIncomplete
	case unknown || len(d.Checks) == 0:
		return OverallUnknown
	case warning:
		return OverallWarning
	}
	return OverallPass
}

// ExportReport writes the report of where the setup stands now, from any
// step: the checks as known now (an account the connector cannot read
// stays unknown), the counts stored and how far the sync got.
func (w *Wizard) ExportReport(ctx context.Context, out io.Writer, src ReportSource, tf Texts) error {
	checked, err := w.Check(ctx, false)
	if err != nil {
		return err
	}
	r, err := w.Report(ctx, checked.Checks)
	if err != nil {
		return err
	}
	sc, err := w.syncCompleteness(ctx)
	if err != nil {
		return err
	}
	doc := ReportDoc{Report: r, Source: src, Sync: sc}
	if src.Diag != nil {
		if doc.Diagnostics, err = w.Diagnostics(ctx, *src.Diag, tf); err != nil {
			return err
		}
	}
	return WriteHTML(out, doc, tf)
}

// syncCompleteness is the sync page's own view of the latest run, so the
// report and the page never differ: the same counts, total and ending.
func (w *Wizard) syncCompleteness(ctx context.Context) (SyncCompleteness, error) {
	v, err := w.SyncView(ctx)
	if err != nil {
		return SyncCompleteness{}, err
	}
	sc := SyncCompleteness{Ran: v.Ended != "" || v.Running, Complete: v.Complete, Stored: v.Stored, Total: v.Total, Resume: v.ResumeAt}
	if sc.Ran && !sc.Complete {
		sc.Stop = cmp.Or(v.Ended, "running")
	}
	return sc, nil
}
