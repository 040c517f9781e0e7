package flow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// ImportSDK reads the analytics export and stores its users. A failure part
// way removes the partial import, so nothing half-imported remains.
func (w *Wizard) ImportSDK(ctx context.Context, r io.Reader, name string, size int64, opt sdkimport.Options) (sdkimport.Stats, error) {
	h := sha256.New()
	id, err := w.db.BeginImport(ctx, store.SDKImport{FileName: name, Size: size})
	if err != nil {
		return sdkimport.Stats{}, err
	}
	opt.Size = size
	stats, err := sdkimport.Scan(ctx, io.TeeReader(r, h), name, opt, func(us []sdkimport.User) error {
		rows := make([]store.SDKUser, len(us))
		for i, u := range us {
			rows[i] = store.SDKUser{OpenID: u.OpenID, UnionID: u.UnionID}
		}
		return w.db.AddSDKUsers(ctx, id, rows)
	})
	if err == nil {
		err = w.db.FinishImport(ctx, id, stats, hex.EncodeToString(h.Sum(nil)))
	}
	if err != nil {
		// The file now chosen could not be read, so the badges must not
		// go on speaking of the one before it: step 2 has no export.
		ctx := context.WithoutCancel(ctx)
		return stats, errors.Join(err, w.db.DropImport(ctx, id), w.update(ctx, func(s *State) { s.ImportID = 0 }))
	}
	return stats, w.update(ctx, func(s *State) { s.ImportID = id })
}

// sdkStats reads the latest import's counts.
func (w *Wizard) sdkStats(ctx context.Context) (verdict.SDKStats, bool, error) {
	st := w.State()
	if st.ImportID == 0 {
		return verdict.SDKStats{}, false, nil
	}
	im, ok, err := w.db.LatestImport(ctx)
	if err != nil || !ok {
		return verdict.SDKStats{}, false, err
	}
	var s sdkimport.Stats
	if err := json.Unmarshal(im.Stats, &s); err != nil {
		return verdict.SDKStats{}, false, nil
	}
	return sdkVerdictStats(s), true, nil
}

// importStats reads the latest import's statistics; ok is false when there
// is none, or the last file chosen failed.
func (w *Wizard) importStats(ctx context.Context) (s sdkimport.Stats, name string, ok bool, err error) {
	if w.State().ImportID == 0 {
		return s, "", false, nil
	}
	im, ok, err := w.db.LatestImport(ctx)
	if err != nil || !ok {
		return s, "", false, err
	}
	if err := json.Unmarshal(im.Stats, &s); err != nil {
		return s, "", false, err
	}
	return s, im.FileName, true, nil
}

// Authorize runs step 3 for the Official Account and records the outcome.
func (w *Wizard) Authorize(ctx context.Context, opt AuthorizeOptions, emit func(AuthEvent)) (*connclient.Session, error) {
	st := w.State()
	if st.OAAppID == "" {
		return nil, errors.New("flow: enter the Official Account's AppID first")
	}
	// A session id that cannot be saved is only lost for a restart in
	// the middle of the scan; it is reported with the outcome, not dropped.
	var saveErr error
	s, err := Authorize(ctx, w.conn, st.OAAppID, opt, func(ev AuthEvent) {
		if ev.Session.ID != "" && ev.Session.ID != w.State().SessionID {
			if err := w.update(ctx, func(x *State) { x.SessionID = ev.Session.ID }); err != nil && saveErr == nil {
				saveErr = err
			}
		}
		emit(ev)
	})
	if err != nil {
		return s, errors.Join(err, saveErr)
	}
	// A new authorization always leads to a sync: whatever ended the last
	// one (a revoke, a quota, a close) is behind it, and the sync page
	// starts by itself as step 3 promised, resuming from its checkpoint.
	return s, errors.Join(saveErr, w.update(ctx, func(x *State) {
		x.Progress.Authorized, x.AuthLost, x.Progress.SyncEnded = true, false, false
		x.AuthorizedAs, x.AccountName, x.Granted, x.Missing = s.AppID, s.NickName, s.Granted, s.Missing
	}))
}

// AuthorizeMiniProgram is the optional second scan: a mini-program
// authorized too lets WeChat answer its verification, principal and binding
// instead of the admin's self-check.
func (w *Wizard) AuthorizeMiniProgram(ctx context.Context, opt AuthorizeOptions, emit func(AuthEvent)) (*connclient.Session, error) {
	st := w.State()
	if len(st.MPAppIDs) == 0 {
		return nil, errors.New("flow: enter the mini-program's AppID first")
	}
	s, err := Authorize(ctx, w.conn, st.MPAppIDs[0], opt, emit)
	if err != nil {
		return s, err
	}
	return s, w.update(ctx, func(x *State) { x.MPAuthorized = true })
}

// SyncOptions tune Sync.
type SyncOptions struct {
	Workers int
	// Progress hears the syncer's reports (the headless mode's lines);
	// Live hears the same as the sync page shows them.
	Progress func(syncer.Progress)
	Live     func(SyncLive)
	// ProgressEvery is how often they hear; zero = the syncer's own.
	ProgressEvery time.Duration
	// Quota hears today's quota before a run begins and says whether to
	// go on.
	Quota func(QuotaNeed) bool
	// GrowthDays of datacube figures to fetch after the followers; 0 = 30,
	// negative = none.
	GrowthDays int
	// Outage bounds how long the sync waits for an unreachable connector
	// before it gives up; the zero value waits up to 10 minutes.
	Outage connclient.Backoff
	// Connection, if set, hears when the connector stops answering and
	// when it answers again (the sync waits meanwhile, then resumes).
	Connection func(Reach)
}

// Sync copies the followers through the relay, then the growth figures.
// A sync stopped by quota or cancel keeps what it stored and resumes next time.
func (w *Wizard) Sync(ctx context.Context, opt SyncOptions) (*syncer.Result, error) {
	st := w.State()
	if !st.Progress.Authorized || st.OAAppID == "" {
		return nil, errors.New("flow: authorize the Official Account first")
	}
	if !w.running.CompareAndSwap(false, true) {
		return nil, ErrSyncRunning
	}
	defer w.running.Store(false)
	defer w.tell() // however the run ended, its last counts
	api := w.conn.SyncAPI(st.OAAppID)
	progress, quota, reach := w.syncHooks(opt)
	if reach != nil {
		defer w.conn.Watch(reach)()
	}
	// WeChat's count is kept as soon as the listing gives it, so a sync
	// stopped or closed part way says "n of total" after a restart too.
	progress, totalErr := w.keepTotal(ctx, progress)
	// An outage of the vendor's server costs time, not work: the sync
	// waits for it and resumes from its checkpoint by itself.
	var res *syncer.Result
	err := w.conn.Retry(ctx, opt.Outage, func(ctx context.Context) error {
		var err error
		res, err = syncer.Run(ctx, api, w.db, st.OAAppID, syncer.Options{Workers: opt.Workers, Progress: progress, ProgressEvery: opt.ProgressEvery, Quota: quota, Clock: w.clk})
		return err
	})
	if terr := totalErr(); terr != nil {
		err = errors.Join(err, terr)
	}
	var qe *syncer.QuotaError
	ended := err == nil || errors.As(err, &qe)
	// Only the fields the sync decides change: a step the admin moved to
	// meanwhile stays. A state that cannot be saved is reported, not dropped.
	if ended {
		if uerr := w.update(context.WithoutCancel(ctx), func(x *State) {
			x.Progress.SyncEnded, x.QuotaResumeAt = true, time.Time{}
			if qe != nil {
				x.QuotaResumeAt = qe.ResumeAt
			}
		}); uerr != nil {
			return res, errors.Join(err, uerr)
		}
	}
	if errors.Is(err, syncer.ErrRevoked) {
		if uerr := w.update(context.WithoutCancel(ctx), func(x *State) { x.Progress.Authorized = false }); uerr != nil {
			return res, errors.Join(err, uerr)
		}
	}
	if err == nil && opt.GrowthDays >= 0 {
		days := opt.GrowthDays
		if days == 0 {
			days = 30
		}
		// The chart is a bonus: its failure does not fail the sync.
		if g, gerr := syncer.FetchGrowth(ctx, api, w.clk.Now(), days); gerr == nil {
			var rows []store.DayStat
			for _, d := range g {
				rows = append(rows, store.DayStat{Date: d.Date, NewUser: d.NewUser, CancelUser: d.CancelUser, Cumulate: d.Cumulate})
			}
			if serr := w.db.SaveGrowth(ctx, st.OAAppID, rows); serr != nil {
				return res, serr
			}
		}
	}
	return res, err
}

// ErrSyncRunning: a sync of this wizard is already running.
var ErrSyncRunning = errors.New("flow: a sync is already running")

// Running reports whether a sync runs now.
func (w *Wizard) Running() bool { return w.running.Load() }

// keepTotal wraps a progress callback so that WeChat's follower count is
// saved when it first becomes known or changes. The save waits its turn
// behind the sync's own page writes (the store orders this process's
// writes), so it fails only as any write would; the returned function
// gives the first save that failed.
func (w *Wizard) keepTotal(ctx context.Context, f func(syncer.Progress)) (func(syncer.Progress), func() error) {
	var mu sync.Mutex
	var saveErr error
	return func(p syncer.Progress) {
			if p.Total > 0 {
				mu.Lock()
				if t := int64(p.Total); saveErr == nil && t != w.State().SyncTotal {
					saveErr = w.update(context.WithoutCancel(ctx), func(x *State) { x.SyncTotal = t })
				}
				mu.Unlock()
			}
			w.tell()
			if f != nil {
				f(p)
			}
		}, func() error {
			mu.Lock()
			defer mu.Unlock()
			return saveErr
		}
}

// syncComplete reports whether the account's latest sync reached the end.
func (w *Wizard) syncComplete(ctx context.Context, appid string) (bool, error) {
	run, ok, err := w.db.LastRun(ctx, appid)
	return ok && run.Status == "done", err
}

// SyncEnd is how a sync run ended.
type SyncEnd struct {
	Progress syncer.Progress // what it stored; Total is set when it reached the end
	// Err is what Sync returned: nil when the run reached the end, else a
	// *syncer.QuotaError, syncer.ErrRevoked or ErrNotPermitted, context.Canceled (also for
	// a run the app was closed during) or another failure.
	Err error
}

// LastSync is how the account's latest sync run ended, so the sync page
// says it again when the admin comes back; ok is false before any run.
func (w *Wizard) LastSync(ctx context.Context) (end SyncEnd, ok bool, err error) {
	st := w.State()
	if st.OAAppID == "" {
		return end, false, nil
	}
	run, ok, err := w.db.LastRun(ctx, st.OAAppID)
	if !ok || err != nil {
		return end, false, err
	}
	end.Progress = syncer.Progress{Phase: "done", Stored: run.Rows, WithUnionID: run.WithUnionID, Unsubscribed: run.Unsubscribed}
	if run.Status == "done" {
		end.Progress.Total = int(run.Rows)
	}
	end.Err = syncer.Ended(syncer.Outcome{Status: run.Status, ErrCode: run.ErrCode, Message: run.Message}, run.UpdatedAt)
	return end, true, nil
}

// Report is the outcome of the whole setup: the headless JSON, the result
// page and the HTML report are made from it.
type Report struct {
	Checks        []verdict.Check `json:"checks"`
	Authorization struct {
		Status string `json:"status"`
		AppID  string `json:"appid"`
		Name   string `json:"nick_name,omitempty"`
	} `json:"authorization"`
	// Accounts names the accounts the report is about.
	Accounts struct {
		OAAppID  string   `json:"oa_appid"`
		OAName   string   `json:"oa_name,omitempty"`
		MPAppIDs []string `json:"mp_appids,omitempty"`
	} `json:"accounts"`
	SDK struct {
		Rows        int `json:"rows"`
		WithOpenID  int `json:"with_openid"`
		WithUnionID int `json:"with_unionid"`
	} `json:"sdk"`
	Sync struct {
		Status      string  `json:"status"`
		Followers   int64   `json:"followers"`
		Subscribed  int64   `json:"subscribed"`
		WithUnionID int64   `json:"with_unionid"`
		Seconds     float64 `json:"seconds"`
		// Total is WeChat's follower count at the latest sync (0 = not
		// known); Complete says the followers stored are all of them.
		Total    int64 `json:"total,omitempty"`
		Complete bool  `json:"complete"`
		// At is when the followers were last synced.
		At time.Time `json:"at,omitzero"`
	} `json:"sync"`
	Overlap struct {
		Matched          int64   `json:"matched"`
		ShareOfSDK       float64 `json:"share_of_sdk"`       // of SDK users with a unionid
		ShareOfFollowers float64 `json:"share_of_followers"` // of followers with a unionid
		OpenIDOnly       int     `json:"sdk_openid_only"`    // SDK users with no unionid
	} `json:"overlap"`
	Growth      []GrowthDay `json:"growth,omitempty"`
	GeneratedAt time.Time   `json:"generated_at"`
}

// Report gathers the current outcome; checks are the latest evaluated.
func (w *Wizard) Report(ctx context.Context, checks []verdict.Check) (Report, error) {
	st := w.State()
	var r Report
	r.Checks, r.GeneratedAt = checks, w.clk.Now()
	r.Authorization.Status, r.Authorization.AppID, r.Authorization.Name = "not_authorized", st.AuthorizedAs, st.AccountName
	r.Accounts.OAAppID, r.Accounts.OAName, r.Accounts.MPAppIDs = st.OAAppID, st.AccountName, st.MPAppIDs
	if st.Progress.Authorized {
		r.Authorization.Status = "authorized"
	}
	s, _, ok, err := w.importStats(ctx)
	if err != nil {
		return r, err
	}
	if ok {
		r.SDK.Rows, r.SDK.WithOpenID, r.SDK.WithUnionID = s.Rows, s.WithOpenID, s.WithUnionID
		r.Overlap.OpenIDOnly = s.WithOpenID - s.WithUnionID
	}
	if st.OAAppID == "" {
		return r, nil
	}
	fs, err := w.db.FollowerStats(ctx, st.OAAppID)
	if err != nil {
		return r, err
	}
	r.Sync.Followers, r.Sync.Subscribed, r.Sync.WithUnionID = fs.Total, fs.Subscribed, fs.WithUnionID
	if run, ok, err := w.db.LastRun(ctx, st.OAAppID); err == nil && ok {
		r.Sync.Status, r.Sync.Complete, r.Sync.Total = run.Status, run.Status == "done", st.SyncTotal
		end := run.UpdatedAt
		if !run.FinishedAt.IsZero() {
			end = run.FinishedAt
		}
		r.Sync.Seconds = end.Sub(run.StartedAt).Seconds()
		r.Sync.At = end
	}
	// A count that cannot be read fails the report: shown as 0 it would
	// say that no SDK user follows the account.
	if st.ImportID != 0 {
		o, err := w.db.Overlap(ctx, st.OAAppID, st.ImportID)
		if err != nil {
			return r, err
		}
		r.Overlap.Matched = o.Matched
		if o.SDKWithUnionID > 0 {
			r.Overlap.ShareOfSDK = float64(o.Matched) / float64(o.SDKWithUnionID)
		}
		if o.FollowersUnion > 0 {
			r.Overlap.ShareOfFollowers = float64(o.Matched) / float64(o.FollowersUnion)
		}
	}
	growth, err := w.db.Growth(ctx, st.OAAppID)
	if err != nil {
		return r, err
	}
	r.Growth = growthDays(growth)
	return r, nil
}
