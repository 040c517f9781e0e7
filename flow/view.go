package flow

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// The pages' view models: what each page says and offers, computed from
// the stored facts alone, so a page reopened after a restart says what a
// page that stayed open says. The window translates the texts and draws
// the buttons; it decides nothing.

// Text is a sentence the window shows: a translation key and its values.
type Text struct {
	Key  string
	Data map[string]any
}

// T is a Text without values.
func T(key string) Text { return Text{Key: key} }

// Action is a button a page offers and what it does.
type Action string

// The sync page's buttons.
const (
	ActionStart  Action = "sync.start"  // start the first run
	ActionResume Action = "sync.resume" // continue from the checkpoint
	ActionAgain  Action = "sync.again"  // a new full run
	ActionCancel Action = "sync.cancel" // stop, keeping what was stored
	ActionRescan Action = "sync.rescan" // back to step 3 for a new scan
)

// AutoStartDelay is how long step 3 shows what the scan changed before
// the sync starts by itself, as its words promise ("in a few seconds").
const AutoStartDelay = 5 * time.Second

// SyncView is the sync page.
type SyncView struct {
	// Stored, WithUnionID and Unsubscribed count the followers stored;
	// Total is WeChat's count (0 = not known yet).
	Stored, WithUnionID, Unsubscribed, Total int64
	// Running: a run goes on in this window. Ended is how the latest
	// run that is over ended, in the syncer's names (syncer.EndDone, …;
	// "" before any), the one model of a sync's end that the pages, the
	// report and the headless status all read. Complete: it reached the
	// end; NoUnionID: it did, and no follower has a unionid.
	Running   bool
	Ended     string
	Complete  bool
	NoUnionID bool
	// Err is the latest run's error; Unexplained: no page words explain
	// it, so the staff details show it.
	Err         error
	Unexplained bool
	// ResumeAt is when a quota stop can continue.
	ResumeAt time.Time
	Headline Text
	Detail   Text
	Counts   Text
	// Danger: the headline is a failure (red).
	Danger bool
	// Actions are the buttons, in order; AutoStart: the page starts a
	// run by itself when shown (step 3 promised it).
	Actions   []Action
	AutoStart bool
}

// Fraction is the share stored, or -1 while the total is not known.
func (v SyncView) Fraction() float64 {
	if v.Total <= 0 {
		return -1
	}
	return min(1, float64(v.Stored)/float64(v.Total))
}

// SyncCounts is the counts line: "n of total" only when the total is known.
func SyncCounts(stored, total, union int64) Text {
	if total <= 0 {
		return Text{Key: "state.sync.counts_no_total", Data: map[string]any{"Stored": stored, "Union": union}}
	}
	return Text{Key: "state.sync.counts", Data: map[string]any{"Stored": stored, "Total": total, "Union": union,
		"Percent": percent(stored, total)}}
}

func percent(a, b int64) string {
	if b <= 0 {
		return "0"
	}
	p := min(float64(a)*100/float64(b), 100)
	return strings.TrimSuffix(strconv.FormatFloat(p, 'f', 1, 64), ".0")
}

// SyncView computes the sync page from the store and the running sync.
func (w *Wizard) SyncView(ctx context.Context) (SyncView, error) {
	st := w.State()
	var v SyncView
	v.Total = st.SyncTotal
	if st.OAAppID != "" {
		fs, err := w.db.FollowerStats(ctx, st.OAAppID)
		if err != nil {
			return v, err
		}
		v.Stored, v.WithUnionID, v.Unsubscribed = fs.Total, fs.WithUnionID, fs.Total-fs.Subscribed
	}
	end, ran, err := w.LastSync(ctx)
	if err != nil {
		return v, err
	}
	switch {
	case w.Running():
		v.Running = true
	case ran:
		v.Ended, v.Err = syncer.EndOf(end.Err), end.Err
		var qe *syncer.QuotaError
		if errors.As(end.Err, &qe) {
			// The renewal as the run that stopped saw it on the wizard's
			// clock; the store's own time only for a run from before.
			v.ResumeAt = cmp.Or(st.QuotaResumeAt, qe.ResumeAt)
		}
	}
	v.Complete = v.Ended == syncer.EndDone
	v.NoUnionID = v.Complete && v.Stored > 0 && v.WithUnionID == 0
	v.Unexplained = v.Ended == syncer.EndFailed && v.Err != nil
	if v.Complete && v.Total < v.Stored {
		v.Total = v.Stored // followers who came while it ran
	}
	v.Counts = SyncCounts(v.Stored, v.Total, v.WithUnionID)
	v.Headline, v.Detail, v.Danger = syncPageWords(v)
	v.Actions = syncActions(v, st.Progress.Authorized)
	// The page starts by itself until a run ended with data to show: a
	// new authorization always leads to a sync, whatever ended the last.
	v.AutoStart = st.Progress.Authorized && !st.Progress.SyncEnded && !v.Running
	return v, nil
}

// endWords are the sync page's headline and detail for each ending, and
// whether the headline is a failure.
var endWords = map[string]struct {
	detail string
	danger bool
}{
	syncer.EndDone:           {"sync.done_detail", false},
	syncer.EndStopped:        {"sync.stopped_detail", false},
	syncer.EndQuota:          {"sync.quota_detail", false},
	syncer.EndRevoked:        {"sync.revoked_detail", true},
	syncer.EndNotPermitted:   {"sync.not_permitted_detail", true},
	syncer.EndNoAPI:          {"truth2.sync.no_api_permission_detail", true},
	syncer.EndAccountLimited: {"truth2.sync.account_limited_detail", true},
	syncer.EndFailed:         {"state.sync.failed_detail", true},
}

func syncPageWords(v SyncView) (head, detail Text, danger bool) {
	switch {
	case v.Running:
		return T("state.sync.running"), T("state.sync.live_detail"), false
	case v.Ended == "":
		return T("state.sync.not_started"), T("state.sync.not_started_detail"), false
	case v.NoUnionID:
		return T("sync.state.no_unionid"), T("sync.no_unionid_detail"), true
	}
	w, ok := endWords[v.Ended]
	if !ok {
		w = endWords[syncer.EndFailed]
	}
	detail = T(w.detail)
	if v.Ended == syncer.EndQuota {
		detail.Data = map[string]any{"When": v.ResumeAt.Local().Format("2006-01-02 15:04")}
	}
	return T("sync.state." + v.Ended), detail, w.danger
}

// syncActions are the buttons: each one changes something (no button
// leads back to where it came from unchanged).
func syncActions(v SyncView, authorized bool) []Action {
	switch {
	case v.Running:
		return []Action{ActionCancel}
	case !authorized || v.Ended == syncer.EndRevoked:
		return []Action{ActionRescan}
	case v.Ended == "":
		return []Action{ActionStart}
	case v.Complete:
		return []Action{ActionAgain}
	}
	return []Action{ActionResume}
}

// ResultView is the result page.
type ResultView struct {
	Report Report
	Sync   SyncView
	// Summary is the page's first line: a verdict only from a complete
	// sync, and "all good" only when every check passed.
	Summary Text
	// Tone is the summary's colour: pass, warning, fail or unknown.
	Tone string
	// Problems are the checks that did not pass, each to be explained.
	Problems []verdict.Check
}

// ResultView computes the result page from the store and the checks.
func (w *Wizard) ResultView(ctx context.Context) (ResultView, error) {
	var v ResultView
	res, err := w.Check(ctx, false)
	if err != nil {
		return v, err
	}
	if v.Report, err = w.Report(ctx, res.Checks); err != nil {
		return v, err
	}
	if v.Sync, err = w.SyncView(ctx); err != nil {
		return v, err
	}
	counts := map[string]int{}
	for _, c := range res.Checks {
		counts[c.Status]++
		if c.Status != verdict.Pass {
			v.Problems = append(v.Problems, c)
		}
	}
	n := map[string]any{"Fail": counts[verdict.Fail], "Unknown": counts[verdict.Unknown], "Warning": counts[verdict.Warning]}
	switch {
	case !v.Sync.Complete:
		v.Summary, v.Tone = incomplete(v.Sync), verdict.Unknown
	case counts[verdict.Fail] > 0:
		v.Summary, v.Tone = Text{Key: "state.result.fail", Data: n}, verdict.Fail
	case counts[verdict.Unknown] > 0:
		v.Summary, v.Tone = Text{Key: "state.result.unknown", Data: n}, verdict.Unknown
	case counts[verdict.Warning] > 0:
		v.Summary, v.Tone = Text{Key: "state.result.warning", Data: n}, verdict.Warning
	default:
		v.Summary, v.Tone = T("state.result.all_pass"), verdict.Pass
	}
	return v, nil
}

// incomplete says how far a sync got, why it stopped and how it goes on.
func incomplete(s SyncView) Text {
	d := map[string]any{"Stored": s.Stored, "Total": s.Total, "When": s.ResumeAt.Local().Format("2006-01-02 15:04")}
	why := cmp.Or(s.Ended, "not_started")
	if s.Running {
		why = "running"
	}
	if s.Total <= 0 {
		return Text{Key: "state.result.incomplete_no_total." + why, Data: d}
	}
	return Text{Key: "state.result.incomplete." + why, Data: d}
}

// BlockedText says why Next cannot leave step s: on the sync page, wait
// for the run only while one runs.
func (w *Wizard) BlockedText(s Step) Text {
	w.mu.Lock()
	typed, none := w.typedErr != nil, w.state.OAAppID == ""
	w.mu.Unlock()
	switch {
	case s == StepAccounts && typed:
		return T("truth2.nav.blocked.appid")
	case s == StepAccounts && none:
		return T("truth2.nav.blocked.no_appid")
	}
	if s == StepSync && !w.Running() {
		return T("state.nav.blocked.sync_idle")
	}
	return T("nav.blocked." + s.String())
}

// AfterScan says on step 3 what follows the authorization, given the
// checks as they stand: the sync by itself (goOn), or why not, or, when
// the followers are already synced, the result. justScanned is false for
// a page revisited: the sync still starts by itself when none ran since
// (a restart right after the scan keeps the promise), else Next leads on.
func (w *Wizard) AfterScan(ctx context.Context, cs []verdict.Check, justScanned bool) (next Text, goOn bool, err error) {
	st := w.State()
	sv, err := w.SyncView(ctx)
	if err != nil {
		return next, false, err
	}
	if sv.Complete && st.Progress.SyncEnded {
		// The mini-program's scan, after the sync: the followers are read.
		return Text{Key: "state.auth.synced", Data: map[string]any{"Percent": percent(sv.WithUnionID, sv.Stored)}}, false, nil
	}
	failed, unverified := false, false
	for _, c := range cs {
		if slices.Contains(verdict.AccountChecks, c.ID) && c.Status == verdict.Fail {
			failed = true
			unverified = unverified || c.ID == verdict.OAVerified
		}
	}
	switch {
	case unverified:
		return T("state.auth.not_continuing_no_sync"), false, nil
	case failed:
		return T("auth.not_continuing"), false, nil
	case !justScanned && sv.Ended != "":
		return T("state.auth.sync_pending"), false, nil
	case st.Progress.Authorized && !st.MPAuthorized && len(st.MPAppIDs) > 0:
		return T("auth.continuing"), true, nil
	}
	return T("auth.continuing_plain"), true, nil
}

// ViewKeys lists the text keys the views build at run time, so a test can
// check each has words in every language.
func ViewKeys() []string {
	var keys []string
	for _, end := range syncer.Ends {
		keys = append(keys, "sync.state."+end, endWords[end].detail)
	}
	// The result page and the report say why a sync is incomplete.
	for _, why := range append([]string{"not_started", "running"}, syncer.Ends...) {
		if why == syncer.EndDone {
			continue
		}
		keys = append(keys, "state.result.incomplete."+why, "state.result.incomplete_no_total."+why)
		if why != "not_started" {
			keys = append(keys, "report.stop."+why)
		}
	}
	for _, a := range []Action{ActionStart, ActionResume, ActionAgain, ActionCancel, ActionRescan} {
		keys = append(keys, string(a))
	}
	return append(keys, "check.same_principal.warning", "check.same_principal.one_open_account", "remedy.same_principal.warning")
}
