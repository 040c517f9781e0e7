package syncer_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	. "oawizard/flow/syncer"
	"oawizard/wechat"
)

// fakeAPI serves n followers the way user/get and batchget do; hooks inject
// failures. The real endpoints are exercised end to end against wechatsim.
type fakeAPI struct {
	n          int
	batchCalls atomic.Int64
	onBatch    func(call int64, ids []string) error
	onList     func(cursor string) error
	gone       map[string]bool // openids batchget answers 40003 for
}

func oid(i int) string { return fmt.Sprintf("o%027d", i) }

func (f *fakeAPI) UserGet(ctx context.Context, token, next string) (*wechat.UserList, error) {
	if f.onList != nil {
		if err := f.onList(next); err != nil {
			return nil, err
		}
	}
	start := 0
	if next != "" {
		i, err := strconv.Atoi(next[1:])
		if err != nil {
			return nil, &wechat.APIError{Code: 40003}
		}
		start = i + 1
	}
	l := &wechat.UserList{Total: f.n}
	for i := start; i < f.n && i < start+wechat.MaxUserGet; i++ {
		l.Data.OpenID = append(l.Data.OpenID, oid(i))
	}
	l.Count = len(l.Data.OpenID)
	if l.Count > 0 {
		l.NextOpenID = l.Data.OpenID[l.Count-1]
	}
	return l, nil
}

func (f *fakeAPI) UserInfoBatchGet(ctx context.Context, token string, ids []string, lang string) ([]wechat.UserInfo, error) {
	call := f.batchCalls.Add(1)
	if f.onBatch != nil {
		if err := f.onBatch(call, ids); err != nil {
			return nil, err
		}
	}
	out := make([]wechat.UserInfo, 0, len(ids))
	for _, id := range ids {
		if f.gone[id] {
			return nil, &wechat.APIError{Code: 40003, Msg: "invalid openid"}
		}
		i, _ := strconv.Atoi(id[1:])
		u := wechat.UserInfo{OpenID: id, Subscribe: 1}
		if i%5 == 0 {
			u.Subscribe = 0
		} else {
			u.UnionID = "u" + id[1:]
		}
		out = append(out, u)
	}
	return out, nil
}

func (f *fakeAPI) QuotaGet(ctx context.Context, token, path string) (*wechat.Quota, error) {
	q := &wechat.Quota{}
	q.Quota.DailyLimit, q.Quota.Remain = 500, 450
	return q, nil
}

// The engine runs against the real SQLite store: a fake that resumed or
// failed differently from it would prove behaviour the product lacks.
type dbStore struct {
	*store.DB
	t testing.TB
}

func newStore(t testing.TB) dbStore {
	t.Helper()
	d, err := store.Open(filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return dbStore{d, t}
}

// stored is how many followers of wxoa the table holds (one row per openid).
func (s dbStore) stored() int64 {
	s.t.Helper()
	fs, err := s.FollowerStats(context.Background(), "wxoa")
	if err != nil {
		s.t.Fatal(err)
	}
	return fs.Total
}

func (s dbStore) last() store.Run {
	s.t.Helper()
	r, ok, err := s.LastRun(context.Background(), "wxoa")
	if err != nil || !ok {
		s.t.Fatalf("last run: %v %v", ok, err)
	}
	return r
}

func TestRunStoresEveryFollowerOnce(t *testing.T) {
	api := &fakeAPI{n: 25001}
	st := newStore(t)
	var last Progress
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 4, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if int(st.stored()) != 25001 || res.Progress.Stored != 25001 {
		t.Fatalf("stored %d rows, progress %d", int(st.stored()), res.Progress.Stored)
	}
	if want := int64(25001 / 5 * 4); res.Progress.WithUnionID != want+0 && res.Progress.WithUnionID != want {
		t.Errorf("with unionid %d, want %d", res.Progress.WithUnionID, want)
	}
	if got := api.batchCalls.Load(); got != 251 {
		t.Errorf("%d batchget calls, want 251", got)
	}
	if last.Phase != "done" || st.last().Status != "done" {
		t.Errorf("phase %q outcome %+v", last.Phase, st.last())
	}
}

func TestResumeAfterFailureHasNoGapsOrDuplicates(t *testing.T) {
	var down atomic.Bool
	api := &fakeAPI{n: 35000, onBatch: func(call int64, ids []string) error {
		if i, _ := strconv.Atoi(ids[0][1:]); i >= 20000 && down.Load() {
			// From the third page on, WeChat keeps failing past every retry.
			return &wechat.APIError{Code: 40013, Msg: "unexpected"}
		}
		return nil
	}}
	down.Store(true)
	st := newStore(t)
	if _, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 3}); err == nil {
		t.Fatal("want the failure")
	}
	first := st.last()
	if first.Status != "failed" || first.Rows != 20000 || st.stored() != 20000 {
		t.Fatalf("run %+v, %d rows stored: only the two whole pages may count", first, st.stored())
	}
	down.Store(false)
	before := api.batchCalls.Load()
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || res.RunID != first.ID || st.stored() != 35000 || res.Progress.Stored != 35000 {
		t.Fatalf("resumed=%v run %d/%d rows=%d stored=%d", res.Resumed, res.RunID, first.ID, st.stored(), res.Progress.Stored)
	}
	// Resumed from the cursor: only the 15,000 followers not yet stored
	// were fetched again, not all 35,000.
	if again := api.batchCalls.Load() - before; again != 150 {
		t.Fatalf("the resumed run made %d batchget calls, want 150", again)
	}
	if r := st.last(); r.Status != "done" || r.Rows != 35000 {
		t.Fatalf("run %+v", r)
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	api := &fakeAPI{n: 3000, onBatch: func(call int64, ids []string) error {
		if call%4 == 0 {
			return &wechat.APIError{Code: -1, Msg: "system error"}
		}
		return nil
	}}
	st := newStore(t)
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if int(st.stored()) != 3000 || res.Progress.Retries == 0 {
		t.Fatalf("rows %d retries %d", int(st.stored()), res.Progress.Retries)
	}
}

func TestDailyQuotaStopsAndKeepsRows(t *testing.T) {
	api := &fakeAPI{n: 30000, onBatch: func(call int64, ids []string) error {
		if call > 150 {
			return &wechat.APIError{Code: 45009, Msg: "reach max api daily quota limit"}
		}
		return nil
	}}
	st := newStore(t)
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.ResumeAt.IsZero() {
		t.Fatalf("want QuotaError, got %v", err)
	}
	if n := int(st.stored()); n != 10000 {
		t.Fatalf("kept %d rows, want the one complete page (10000)", n)
	}
	if r := st.last(); r.Status != "quota" {
		t.Fatalf("outcome %+v", r)
	}
}

func TestMinuteQuotaWaitsForNextMinute(t *testing.T) {
	fc := clock.NewFake(time.Date(2026, 11, 25, 10, 0, 30, 0, time.UTC))
	var hit atomic.Bool
	api := &fakeAPI{n: 500, onBatch: func(call int64, ids []string) error {
		if call == 2 && !hit.Swap(true) {
			return &wechat.APIError{Code: 45011, Msg: "api minute-quota reach limit"}
		}
		return nil
	}}
	st := newStore(t)
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 1, Clock: fc})
		done <- err
	}()
	for fc.Waiters() == 0 {
		select {
		case err := <-done:
			t.Fatalf("finished without waiting: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	select {
	case err := <-done:
		t.Fatalf("did not wait for the minute: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	fc.Advance(31 * time.Second)
	if err := <-done; err != nil || int(st.stored()) != 500 {
		t.Fatalf("err %v rows %d", err, int(st.stored()))
	}
}

func TestRevokedStops(t *testing.T) {
	api := &fakeAPI{n: 5000, onBatch: func(call int64, ids []string) error {
		if call > 10 {
			return &wechat.HTTPError{Status: 409, Body: `{"error":"needs_reauthorization"}`}
		}
		return nil
	}}
	st := newStore(t)
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	if !errors.Is(err, ErrRevoked) || st.last().Status != "revoked" {
		t.Fatalf("err %v run %+v", err, st.last())
	}
}

func TestVanishedOpenIDIsIsolated(t *testing.T) {
	api := &fakeAPI{n: 250, gone: map[string]bool{oid(137): true}}
	st := newStore(t)
	if _, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if int(st.stored()) != 249 {
		t.Fatalf("rows %d, want 249", int(st.stored()))
	}
	if found, _ := st.ContainsString(context.Background(), oid(137)); found {
		t.Fatal("vanished openid stored")
	}
}

// intoAPI is fakeAPI answering batchget into the worker's buffer, as the
// connector client does.
type intoAPI struct {
	*fakeAPI
	reused atomic.Int64 // calls whose buffer held a batch already
}

func (f *intoAPI) UserInfoBatchGetInto(ctx context.Context, ids []string, lang string, dst []wechat.UserInfo) ([]wechat.UserInfo, error) {
	out, err := f.UserInfoBatchGet(ctx, "", ids, lang)
	if err != nil {
		return nil, err
	}
	if cap(dst) > 0 {
		f.reused.Add(1)
	}
	return append(dst[:0], out...), nil
}

var _ BatchGetInto = connclient.SyncAPI{}

// Each worker's batches land in its own buffer, the last batch's rows
// copied out before the next overwrites them; a vanished openid's halves
// get buffers of their own.
func TestBatchesReuseTheWorkersBuffers(t *testing.T) {
	api := &intoAPI{fakeAPI: &fakeAPI{n: 25_000, gone: map[string]bool{oid(137): true, oid(20_001): true}}}
	st := newStore(t)
	if _, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 3}); err != nil {
		t.Fatal(err)
	}
	if int(st.stored()) != 24_998 {
		t.Fatalf("rows %d, want 24998", int(st.stored()))
	}
	if api.reused.Load() == 0 {
		t.Fatal("no batch reused a worker's buffer")
	}
	for _, i := range []int{0, 136, 138, 9_999, 10_000, 20_000, 20_002, 24_999} {
		if found, _ := st.ContainsString(context.Background(), oid(i)); !found {
			t.Fatalf("follower %d not stored", i)
		}
	}
	for _, i := range []int{137, 20_001} {
		if found, _ := st.ContainsString(context.Background(), oid(i)); found {
			t.Fatalf("vanished openid %d stored", i)
		}
	}
}

func TestCancelStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	api := &fakeAPI{n: 50000, onBatch: func(call int64, ids []string) error {
		if call == 120 {
			cancel()
		}
		return nil
	}}
	st := newStore(t)
	_, err := Run(ctx, api, st, "wxoa", Options{Workers: 4})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if st.last().Status != "stopped" || st.stored()%10000 != 0 || st.last().Rows != st.stored() {
		t.Fatalf("run %+v rows %d (only whole pages may be stored)", st.last(), st.stored())
	}
}

func TestQuotaCallbackCanDecline(t *testing.T) {
	api := &fakeAPI{n: 100000}
	st := newStore(t)
	var reports []QuotaReport
	_, err := Run(context.Background(), api, st, "wxoa", Options{Quota: func(r QuotaReport) bool {
		reports = append(reports, r)
		return r.Enough
	}})
	if !errors.Is(err, ErrQuotaDeclined) || api.batchCalls.Load() != 0 {
		t.Fatalf("err %v batch calls %d", err, api.batchCalls.Load())
	}
	// 100,000 followers need 1,000 batchget calls but only 450 remain.
	last := reports[len(reports)-1]
	if last.Path != PathBatchGet || last.Needed != 1000 || last.Enough {
		t.Fatalf("report %+v", last)
	}
}

// lockAfter is the real store with a second connection that takes the
// database's write lock, as a second copy of the wizard or a backup tool
// would, before the write of page lockPage, once the workers have filled
// every page slot behind it.
type lockAfter struct {
	dbStore
	api      *fakeAPI
	lockPage int
	writes   int
	other    *sql.Tx
}

func (l *lockAfter) WritePage(ctx context.Context, appid string, rows []Follower, cp Checkpoint) error {
	l.writes++
	if l.writes == l.lockPage {
		// Every later page is fetched and waiting: the lister holds all
		// slots and the workers are blocked handing pages on.
		want := int64(l.lockPage+2) * 100
		for deadline := time.Now().Add(10 * time.Second); l.api.batchCalls.Load() < want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		db, err := sql.Open("sqlite", "file:"+l.Path()+"?_pragma=busy_timeout(100)")
		if err != nil {
			return err
		}
		l.t.Cleanup(func() { db.Close() })
		tx, err := db.Begin()
		if err == nil {
			_, err = tx.Exec(`INSERT INTO accounts VALUES ('wxlock', 'oa', '', 0)`)
		}
		if err != nil {
			l.t.Errorf("taking the lock: %v", err)
		}
		l.other = tx
	}
	return l.DB.WritePage(ctx, appid, rows, cp)
}

func TestWriteFailureEndsPromptlyAndResumes(t *testing.T) {
	api := &fakeAPI{n: 80000}
	st := &lockAfter{dbStore: newStore(t), api: api, lockPage: 2}
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 4})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the sync hangs after a failed write")
	}
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("want the store's ErrLocked, got %v", err)
	}
	r := st.last()
	// The outcome may not be recordable while the lock is held: the run
	// then stays 'running', which resumes all the same.
	if r.Status == "done" || r.Rows != 10000 || st.stored() != 10000 {
		t.Fatalf("run %+v, %d stored: the page written before the failure must stay, nothing after it", r, st.stored())
	}
	st.other.Rollback()
	before := api.batchCalls.Load()
	res, err := Run(context.Background(), api, st.dbStore, "wxoa", Options{Workers: 4})
	if err != nil || !res.Resumed || st.stored() != 80000 || res.Progress.Stored != 80000 {
		t.Fatalf("resume: %v resumed=%v stored %d progress %d", err, res != nil && res.Resumed, st.stored(), res.Progress.Stored)
	}
	if again := api.batchCalls.Load() - before; again != 700 {
		t.Fatalf("the resumed run made %d batchget calls, want 700", again)
	}
}

// An account of whole user/get pages is listed in as many calls as it has
// pages, so 5,000,000 followers fit the day's 500 calls; a resumed run
// counts what it stored before.
func TestListingTakesOneCallAPage(t *testing.T) {
	var calls atomic.Int64
	api := &fakeAPI{n: 3 * wechat.MaxUserGet, onList: func(string) error { calls.Add(1); return nil }}
	st := newStore(t)
	var needed int
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 4, Quota: func(r QuotaReport) bool {
		if r.Path == PathUserGet {
			needed = r.Needed
		}
		return true
	}})
	if err != nil || st.stored() != int64(api.n) {
		t.Fatalf("stored %d: %v", st.stored(), err)
	}
	if calls.Load() != 3 || needed != 3 {
		t.Fatalf("%d user/get calls, %d said needed, for 3 pages", calls.Load(), needed)
	}
	// Stopped after its first page, then resumed: one call a page again.
	api2 := &fakeAPI{n: 3 * wechat.MaxUserGet}
	st2 := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	api2.onBatch = func(call int64, ids []string) error {
		if call == 120 {
			cancel()
		}
		return nil
	}
	if _, err := Run(ctx, api2, st2, "wxoa", Options{Workers: 1}); err == nil {
		t.Fatal("the stopped run reports no error")
	}
	before := st2.last().Rows
	if before == 0 || before == int64(api2.n) {
		t.Fatalf("the stopped run stored %d", before)
	}
	calls.Store(0)
	api2.onBatch, api2.onList = nil, func(string) error { calls.Add(1); return nil }
	if _, err := Run(context.Background(), api2, st2, "wxoa", Options{Workers: 4}); err != nil || st2.stored() != int64(api2.n) {
		t.Fatalf("resumed: stored %d: %v", st2.stored(), err)
	}
	if left := 3 - before/int64(wechat.MaxUserGet); calls.Load() != left {
		t.Fatalf("the resumed run made %d user/get calls for %d pages", calls.Load(), left)
	}
}

// An account larger than the database's disk can hold is refused after the
// first user/get page, before any follower is fetched or stored.
func TestSyncTheDiskCannotHoldIsRefused(t *testing.T) {
	api := &fakeAPI{n: 1 << 50}
	st := newStore(t)
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 4})
	var room *store.NoRoomError
	if !errors.As(err, &room) || room.Need != store.SyncNeeds(1<<50) || room.Have <= 0 {
		t.Fatalf("want a NoRoomError for 2^50 followers, got %v", err)
	}
	if api.batchCalls.Load() != 0 || st.stored() != 0 {
		t.Fatalf("%d batchget calls and %d followers stored before the refusal", api.batchCalls.Load(), st.stored())
	}
}
