package flow

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// Wizard is the whole setup as plain Go: the window and the headless mode
// drive the same object. Its state lives in the store, so a wizard closed
// half-way reopens where it was.
type Wizard struct {
	// running is set while a sync runs in this process, so a page never
	// offers 停止 or "wait" when nothing runs.
	running atomic.Bool
	db      *store.DB
	conn    *connclient.Client
	clk     clock.Clock
	mu      sync.Mutex
	state   State
	// checks are the latest round's verdicts, which Next gates on; nil
	// until a round ran for the accounts now saved.
	checks []verdict.Check
	// typedErr is why the AppIDs last typed were refused: step 1 then
	// says so beside the field and nothing else, and does not move on.
	typedErr error
	// watchers are told after every saved change; see Watch.
	watchMu  sync.Mutex
	watchers map[int]func(State)
	nextID   int
	// hearers are told what support sees changed without a state change;
	// see hear.
	hearers map[int]func()
	// appVersion is the wizard's version as Help → About says it, for the
	// snapshot staff read; see SetAppVersion.
	appVersion string
}

// State is what the wizard remembers between runs. No secret is in it.
type State struct {
	Progress     Progress `json:"progress"`
	OAAppID      string   `json:"oa_appid"`
	MPAppIDs     []string `json:"mp_appids"`
	SessionID    string   `json:"session_id"`
	AuthorizedAs string   `json:"authorized_as"`
	AccountName  string   `json:"account_name"`
	Granted      []int    `json:"granted"`
	Missing      []int    `json:"missing"`
	ImportID     int64    `json:"import_id"`
	MPAuthorized bool     `json:"mp_authorized"`
	// AuthLost: an authorization the wizard remembered no longer holds;
	// step 3 asks for a new scan and says why.
	AuthLost bool `json:"auth_lost"`
	// SyncTotal is how many followers WeChat counted when the latest
	// sync listed them; 0 = not known yet. A stored count is shown
	// against it, so a partial sync never reads as the whole account.
	SyncTotal int64 `json:"sync_total,omitempty"`
	// Scenario is the demo scenario the stored data belongs to ("" in
	// real mode): the data lives and dies with it.
	Scenario string `json:"scenario,omitempty"`
	// QuotaResumeAt is when the day's quota that stopped the latest sync
	// renews, on the wizard's clock.
	QuotaResumeAt time.Time `json:"quota_resume_at,omitzero"`
}

const stateKey = "wizard"

// NewWizard loads the saved state from db.
func NewWizard(ctx context.Context, db *store.DB, conn *connclient.Client, clk clock.Clock) (*Wizard, error) {
	w := &Wizard{db: db, conn: conn, clk: clock.Or(clk)}
	ok, err := db.Get(ctx, stateKey, &w.state)
	if err != nil {
		return nil, err
	}
	if !ok || w.state.Progress.Step == 0 {
		w.state.Progress.Step = StepAccounts
	}
	return w, nil
}

// State returns a copy of the current state.
func (w *Wizard) State() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.state
	s.MPAppIDs = slices.Clone(s.MPAppIDs)
	return s
}

// update changes the state and saves it under the lock, so saves land in
// the order the changes were made and memory never runs ahead of the disk:
// a change that cannot be saved is not made.
func (w *Wizard) update(ctx context.Context, f func(*State)) error {
	w.mu.Lock()
	next := w.state
	next.MPAppIDs = slices.Clone(next.MPAppIDs)
	next.Progress.Overrides = slices.Clone(next.Progress.Overrides)
	f(&next)
	if err := w.db.Put(ctx, stateKey, next); err != nil {
		w.mu.Unlock()
		return err
	}
	w.state = next
	w.mu.Unlock()
	w.changed()
	return nil
}

// Watch calls f after every change of the wizard's state, from the
// goroutine that made it; the window re-reads State on its own goroutine.
// The returned function stops the calls.
func (w *Wizard) Watch(f func(State)) (stop func()) {
	w.watchMu.Lock()
	defer w.watchMu.Unlock()
	if w.watchers == nil {
		w.watchers = map[int]func(State){}
	}
	id := w.nextID
	w.nextID++
	w.watchers[id] = f
	return func() {
		w.watchMu.Lock()
		defer w.watchMu.Unlock()
		delete(w.watchers, id)
	}
}

func (w *Wizard) changed() {
	s := w.State()
	w.watchMu.Lock()
	fs := make([]func(State), 0, len(w.watchers))
	for _, f := range w.watchers {
		fs = append(fs, f)
	}
	w.watchMu.Unlock()
	for _, f := range fs {
		f(s)
	}
}

// Reset forgets the whole setup: accounts, self-reports, imports, followers,
// sync runs and progress. A new demo scenario starts from it, as a new
// customer would.
func (w *Wizard) Reset(ctx context.Context) error {
	w.mu.Lock()
	if err := w.db.ResetSetup(ctx, stateKey); err != nil {
		w.mu.Unlock()
		return err
	}
	w.state = State{Progress: Progress{Step: StepAccounts}}
	w.checks, w.typedErr = nil, nil
	w.mu.Unlock()
	w.changed()
	return nil
}

// SetAccounts validates and records the accounts of step 1.
func (w *Wizard) SetAccounts(ctx context.Context, oa string, mps []string) error {
	oa = NormalizeAppID(oa)
	var clean []string
	for _, m := range mps {
		if m = NormalizeAppID(m); m != "" {
			clean = append(clean, m)
		}
	}
	err := w.saveAccounts(ctx, oa, clean)
	w.mu.Lock()
	w.typedErr = err
	w.mu.Unlock()
	return err
}

func (w *Wizard) saveAccounts(ctx context.Context, oa string, clean []string) error {
	if err := ValidateAccounts(oa, clean); err != nil {
		return err
	}
	if err := w.db.SetAccount(ctx, oa, "oa", ""); err != nil {
		return err
	}
	for _, m := range clean {
		if err := w.db.SetAccount(ctx, m, "mp", ""); err != nil {
			return err
		}
	}
	return w.update(ctx, func(s *State) {
		if s.OAAppID != oa || !slices.Equal(s.MPAppIDs, clean) {
			// Verdicts on other accounts gate nothing for these.
			w.checks = nil
		}
		if s.OAAppID != oa {
			// Another account: an earlier authorization says nothing about it.
			s.SessionID, s.AuthorizedAs, s.Progress.Authorized, s.Progress.SyncEnded = "", "", false, false
			s.SyncTotal = 0
			s.Progress.Reached = min(s.Progress.Reached, StepAuthorize)
		}
		s.OAAppID, s.MPAppIDs = oa, clean
	})
}

// SelfReport records what the admin saw for a check (claim "" removes it).
func (w *Wizard) SelfReport(ctx context.Context, checkID, claim, value string) error {
	return w.db.SetSelfReport(ctx, store.SelfReport{CheckID: checkID, Claim: claim, Value: value, ReportedAt: w.clk.Now()})
}

// facts turns the connector's account answer into verdict facts.
func facts(a *connclient.Account) verdict.AccountFacts {
	var f verdict.AccountFacts
	if a == nil {
		return f
	}
	f.Authorized = a.Authorized
	if a.CheckedAt != nil {
		f.CheckedAt = *a.CheckedAt
	}
	if v, ok := a.Fact(api.FactVerifyType).Int(); ok {
		f.VerifyType = &v
	}
	if v, ok := a.Fact(api.FactPrincipalType).Int(); ok {
		f.PrincipalType = &v
	}
	f.PrincipalName = a.Fact(api.FactPrincipalName).String()
	f.Credential = a.Fact(api.FactCredential).String()
	f.OpenAppID = a.Fact(api.FactOpenAppID).String()
	if u := a.Fact(api.FactOpenAppID).Unknown; u != nil && u.Reason == api.UnknownNotBound {
		f.NotBound = true
	}
	if h := a.Fact(api.FactHasOpen); h.Known() {
		if b, ok := h.Value.(bool); ok {
			f.HasOpen = &b
		}
	}
	return f
}

// Checked is the outcome of a round of checks.
type Checked struct {
	Checks []verdict.Check
	// SelfProvedWrong lists checks whose 自查 the data contradicted.
	SelfProvedWrong []string
	// AccountErr is set when the connector could not be asked; the checks
	// then rest on self-reports and data.
	AccountErr error
}

// Check evaluates every badge from what is known now. refresh asks the
// connector to re-read WeChat first (after an authorization).
func (w *Wizard) Check(ctx context.Context, refresh bool) (Checked, error) {
	st := w.State()
	var out Checked
	in := verdict.Input{}
	get := func(appid string) (*connclient.Account, error) {
		if appid == "" {
			return nil, nil
		}
		if refresh {
			return w.conn.RefreshAccount(ctx, appid)
		}
		return w.conn.Account(ctx, appid)
	}
	oa, err := get(st.OAAppID)
	if err != nil {
		out.AccountErr = err
	}
	in.OA = facts(oa)
	if len(st.MPAppIDs) > 0 {
		mp, err := get(st.MPAppIDs[0])
		if err != nil && out.AccountErr == nil {
			out.AccountErr = err
		}
		in.MP = facts(mp)
	}
	var err2 error
	if in.Self, err2 = w.selfReports(ctx); err2 != nil {
		return out, err2
	}
	if s, ok, err := w.sdkStats(ctx); err != nil {
		return out, err
	} else if ok {
		in.SDK = &s
	}
	if st.OAAppID != "" {
		fs, err := w.db.FollowerStats(ctx, st.OAAppID)
		if err != nil {
			return out, err
		}
		if fs.Total > 0 {
			complete, err := w.syncComplete(ctx, st.OAAppID)
			if err != nil {
				return out, err
			}
			d := &verdict.Data{Followers: fs.Total, FollowersWithUnionID: fs.WithUnionID, Complete: complete}
			if st.ImportID != 0 {
				if o, err := w.db.Overlap(ctx, st.OAAppID, st.ImportID); err == nil {
					d.SDKWithUnionID, d.Matched = o.SDKWithUnionID, o.Matched
				}
			}
			in.Data = d
		}
	}
	out.Checks = verdict.Evaluate(in)
	var rows []store.CheckResult
	for _, c := range out.Checks {
		if c.Contradicts {
			out.SelfProvedWrong = append(out.SelfProvedWrong, c.ID)
		}
		ev, _ := json.Marshal(c.Evidence)
		rows = append(rows, store.CheckResult{CheckID: c.ID, Status: c.Status, Source: c.Evidence.Source, Evidence: ev,
			Remedy: c.Remedy, Contradicts: c.Contradicts, CheckedAt: w.clk.Now()})
	}
	if _, err := w.db.AppendChecks(ctx, rows); err != nil {
		return out, err
	}
	w.mu.Lock()
	if w.state.OAAppID == st.OAAppID && slices.Equal(w.state.MPAppIDs, st.MPAppIDs) {
		w.checks = slices.Clone(out.Checks)
	}
	w.mu.Unlock()
	w.tell()
	return out, nil
}

func (w *Wizard) selfReports(ctx context.Context) (map[string]verdict.SelfReport, error) {
	rs, err := w.db.SelfReports(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]verdict.SelfReport{}
	for id, r := range rs {
		out[id] = verdict.SelfReport{Claim: r.Claim, Value: r.Value, At: r.ReportedAt}
	}
	return out, nil
}

// Next moves forward on the latest round of checks, or explains what
// blocks.
func (w *Wizard) Next(ctx context.Context) error {
	return w.navigate(ctx, func(p *Progress) error {
		if err := w.typedBlock(p.Step); err != nil {
			return err
		}
		return p.Next(w.gates(p.Step, w.checks))
	})
}

// Back moves back.
func (w *Wizard) Back(ctx context.Context) error {
	return w.navigate(ctx, func(p *Progress) error { return p.Back() })
}

// ContinueAnyway records the admin's choice to go past failed checks; a
// refused AppID is no check and cannot be gone past.
func (w *Wizard) ContinueAnyway(ctx context.Context, consequenceKey string) error {
	return w.navigate(ctx, func(p *Progress) error {
		if err := w.typedBlock(p.Step); err != nil {
			return err
		}
		return p.ContinueAnyway(w.gates(p.Step, w.checks), consequenceKey, w.clk.Now())
	})
}

// GoTo jumps to a step already reached (the step list is clickable).
func (w *Wizard) GoTo(ctx context.Context, s Step) error {
	return w.navigate(ctx, func(p *Progress) error { return p.GoTo(s) })
}

func (w *Wizard) navigate(ctx context.Context, f func(*Progress) error) error {
	var moveErr error
	err := w.update(ctx, func(s *State) {
		p := s.Progress
		p.Overrides = slices.Clone(p.Overrides)
		if moveErr = f(&p); moveErr == nil {
			s.Progress = p
		}
	})
	if moveErr != nil {
		return moveErr
	}
	return err
}
