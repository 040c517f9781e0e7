package flow

import (
	"context"
	"errors"
	"fmt"

	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// Invariants checks what the pages say against what is stored, in any
// state the wizard can reach. A page that breaks one of them tells the
// admin something untrue, and for a diagnostic tool a wrong word is worse
// than none. They are:
//
//  1. Counts shown are counts stored: the sync page and the result page
//     count exactly the followers in the store, and a percentage is shown
//     only against WeChat's total.
//  2. "Done" only for a complete run: the sync page says 同步完成 and the
//     result page gives a verdict only when the latest run reached the end.
//  3. No ✗ from partial data: while the sync is incomplete no check fails
//     on the strength of the followers' counts.
//  4. Unknown is never shown as pass: "all good" only when every check
//     passed, and a summary never counts an unknown or a warning as pass.
//  5. Every page has a way forward that changes the state: the sync page
//     always offers a button, and each one can do what it says (停止 only
//     while a run runs; a sync only with an authorization; a new scan only
//     without one).
//  6. Every promise is kept: where step 3 says the sync starts by itself,
//     the sync page starts it, after a restart too, and the run begins
//     within AutoStartDelay of the promise (the model test times it).
//
// Two more hold across events rather than in a state, and the model test
// checks them as it drives them:
//
//  7. A second window changes nothing: opening the data folder again
//     while a wizard holds it leaves the first one's state and pages as
//     they were (the instance lock then refuses the second launch).
//  8. A connector switch keeps the stored setup: the wizard built again
//     on another connector (with its own authorizations) starts from
//     what is stored, and 1–6 hold there at once, a promised sync too.
//
// It returns every violation found, joined; nil when all hold.
func (w *Wizard) Invariants(ctx context.Context) error {
	st := w.State()
	sv, err := w.SyncView(ctx)
	if err != nil {
		return err
	}
	rv, err := w.ResultView(ctx)
	if err != nil {
		return err
	}
	var bad []error
	fail := func(format string, a ...any) { bad = append(bad, fmt.Errorf("invariant: "+format, a...)) }

	var stored int64
	complete := false
	if st.OAAppID != "" {
		fs, err := w.db.FollowerStats(ctx, st.OAAppID)
		if err != nil {
			return err
		}
		stored = fs.Total
		if complete, err = w.syncComplete(ctx, st.OAAppID); err != nil {
			return err
		}
	}
	running := w.Running()

	// 1. Counts shown are counts stored.
	if sv.Stored != stored || rv.Report.Sync.Followers != stored {
		fail("counts shown %d (sync page) and %d (result) but %d stored", sv.Stored, rv.Report.Sync.Followers, stored)
	}
	if _, ok := sv.Counts.Data["Total"]; ok && sv.Total <= 0 {
		fail("the counts line shows a total that is not known")
	}
	if sv.Fraction() > 1 {
		fail("the bar shows more than all followers: %d of %d", sv.Stored, sv.Total)
	}

	// 2. "Done" only for a complete run.
	done := sv.Headline.Key == "sync.state.done" || sv.Headline.Key == "sync.state.no_unionid"
	if (done || sv.Complete) != complete && !running {
		fail("the sync page says complete=%v (%s) but the latest run complete=%v", sv.Complete, sv.Headline.Key, complete)
	}
	if rv.Tone == verdict.Pass && !complete {
		fail("the result page says all good from an incomplete sync")
	}
	if !rv.Sync.Complete && rv.Tone != verdict.Unknown {
		fail("the result page gives a verdict (%s) from an incomplete sync", rv.Tone)
	}

	// 3. No ✗ from partial data.
	if !complete {
		for _, c := range rv.Report.Checks {
			if c.Status == verdict.Fail && c.Evidence.Source == verdict.SourceData && isFollowerEvidence(c.Evidence) {
				fail("%s fails on the followers of an incomplete sync (%s = %s)", c.ID, c.Evidence.Field, c.Evidence.Value)
			}
		}
	}

	// 4. Unknown is never shown as pass.
	if rv.Tone == verdict.Pass && !verdict.AllPass(rv.Report.Checks) {
		fail("the result page reads all good while a check did not pass")
	}
	if len(rv.Problems) > 0 && rv.Summary.Key == "state.result.all_pass" {
		fail("the result page reads all good beside %d checks that did not pass", len(rv.Problems))
	}

	// 5. A way forward that changes the state.
	if len(sv.Actions) == 0 {
		fail("the sync page offers no button")
	}
	for _, a := range sv.Actions {
		switch {
		case a == ActionCancel && !running:
			fail("the sync page offers 停止 with nothing running")
		case (a == ActionStart || a == ActionResume || a == ActionAgain) && (!st.Progress.Authorized || running):
			fail("the sync page offers %s, which cannot run (authorized %v, running %v)", a, st.Progress.Authorized, running)
		case a == ActionRescan && st.Progress.Authorized && sv.Ended != syncer.EndRevoked:
			fail("the sync page sends an authorized account back to step 3 unchanged")
		}
	}

	// 6. Promises kept.
	if st.Progress.Authorized && !st.Progress.SyncEnded && !running && !sv.AutoStart {
		fail("step 3 promised the sync starts by itself, but the sync page would not start it")
	}
	if st.Progress.Authorized && !running {
		next, goOn, err := w.AfterScan(ctx, rv.Report.Checks, false)
		if err != nil {
			return err
		}
		if goOn && !sv.AutoStart {
			fail("step 3 says %s, but the sync page would not start the sync", next.Key)
		}
	}
	if sv.AutoStart && !st.Progress.Authorized {
		fail("the sync page would start a sync without an authorization")
	}
	return errors.Join(bad...)
}

// isFollowerEvidence: the evidence counts the synced followers (the
// export's own counts are complete once imported).
func isFollowerEvidence(e verdict.Evidence) bool {
	return e.Field == "matched_unionids" || (e.Field == "unionid" && e.Source == verdict.SourceData)
}
