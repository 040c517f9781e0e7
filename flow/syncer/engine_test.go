package syncer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/clock"
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

// memStore keeps rows in a map keyed by openid, which is what the SQLite
// upsert guarantees, and counts writes so duplicates would show.
type memStore struct {
	mu     sync.Mutex
	rows   map[string]Follower
	writes int64
	cp     *Checkpoint
	ends   []Outcome
	failAt int // fail the n-th WritePage (1-based)
}

func newMemStore() *memStore { return &memStore{rows: map[string]Follower{}} }

func (m *memStore) BeginRun(ctx context.Context, appid string) (Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cp != nil {
		return *m.cp, nil
	}
	return Checkpoint{RunID: 1}, nil
}

func (m *memStore) WritePage(ctx context.Context, appid string, rows []Follower, cp Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if m.failAt > 0 && int(m.writes) == m.failAt {
		return errors.New("disk full")
	}
	for _, r := range rows {
		m.rows[r.OpenID] = r
	}
	c := cp
	m.cp = &c
	return nil
}

func (m *memStore) EndRun(ctx context.Context, runID int64, o Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ends = append(m.ends, o)
	if o.Status == "done" {
		m.cp = nil
	}
	return nil
}

func TestRunStoresEveryFollowerOnce(t *testing.T) {
	api := &fakeAPI{n: 25001}
	st := newMemStore()
	var last Progress
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 4, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.rows) != 25001 || res.Progress.Stored != 25001 {
		t.Fatalf("stored %d rows, progress %d", len(st.rows), res.Progress.Stored)
	}
	if want := int64(25001 / 5 * 4); res.Progress.WithUnionID != want+0 && res.Progress.WithUnionID != want {
		t.Errorf("with unionid %d, want %d", res.Progress.WithUnionID, want)
	}
	if got := api.batchCalls.Load(); got != 251 {
		t.Errorf("%d batchget calls, want 251", got)
	}
	if last.Phase != "done" || st.ends[len(st.ends)-1].Status != "done" {
		t.Errorf("phase %q outcome %+v", last.Phase, st.ends)
	}
}

func TestResumeAfterFailureHasNoGapsOrDuplicates(t *testing.T) {
	api := &fakeAPI{n: 35000}
	st := newMemStore()
	st.failAt = 3
	if _, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 3}); err == nil {
		t.Fatal("want the write failure")
	}
	if st.cp == nil || st.cp.Pages != 2 || len(st.rows) != 20000 {
		t.Fatalf("checkpoint %+v rows %d: the failed page must not count", st.cp, len(st.rows))
	}
	st.failAt = 0
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || len(st.rows) != 35000 || res.Progress.Stored != 35000 {
		t.Fatalf("resumed=%v rows=%d stored=%d", res.Resumed, len(st.rows), res.Progress.Stored)
	}
	keys := make([]string, 0, len(st.rows))
	for k := range st.rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if keys[0] != oid(0) || keys[len(keys)-1] != oid(34999) {
		t.Fatalf("range %s..%s", keys[0], keys[len(keys)-1])
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	api := &fakeAPI{n: 3000, onBatch: func(call int64, ids []string) error {
		if call%4 == 0 {
			return &wechat.APIError{Code: -1, Msg: "system error"}
		}
		return nil
	}}
	st := newMemStore()
	res, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.rows) != 3000 || res.Progress.Retries == 0 {
		t.Fatalf("rows %d retries %d", len(st.rows), res.Progress.Retries)
	}
}

func TestDailyQuotaStopsAndKeepsRows(t *testing.T) {
	api := &fakeAPI{n: 30000, onBatch: func(call int64, ids []string) error {
		if call > 150 {
			return &wechat.APIError{Code: 45009, Msg: "reach max api daily quota limit"}
		}
		return nil
	}}
	st := newMemStore()
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.ResumeAt.IsZero() {
		t.Fatalf("want QuotaError, got %v", err)
	}
	if n := len(st.rows); n != 10000 {
		t.Fatalf("kept %d rows, want the one complete page (10000)", n)
	}
	if st.ends[0].Status != "quota" {
		t.Fatalf("outcome %+v", st.ends)
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
	st := newMemStore()
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
	if err := <-done; err != nil || len(st.rows) != 500 {
		t.Fatalf("err %v rows %d", err, len(st.rows))
	}
}

func TestRevokedStops(t *testing.T) {
	api := &fakeAPI{n: 5000, onBatch: func(call int64, ids []string) error {
		if call > 10 {
			return &wechat.HTTPError{Status: 409, Body: `{"error":"needs_reauthorization"}`}
		}
		return nil
	}}
	st := newMemStore()
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	if !errors.Is(err, ErrRevoked) || st.ends[0].Status != "revoked" {
		t.Fatalf("err %v ends %+v", err, st.ends)
	}
}

func TestVanishedOpenIDIsIsolated(t *testing.T) {
	api := &fakeAPI{n: 250, gone: map[string]bool{oid(137): true}}
	st := newMemStore()
	if _, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if len(st.rows) != 249 {
		t.Fatalf("rows %d, want 249", len(st.rows))
	}
	if _, ok := st.rows[oid(137)]; ok {
		t.Fatal("vanished openid stored")
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
	st := newMemStore()
	_, err := Run(ctx, api, st, "wxoa", Options{Workers: 4})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if st.ends[0].Status != "stopped" || len(st.rows)%10000 != 0 {
		t.Fatalf("ends %+v rows %d (only whole pages may be stored)", st.ends, len(st.rows))
	}
}

func TestQuotaCallbackCanDecline(t *testing.T) {
	api := &fakeAPI{n: 100000}
	st := newMemStore()
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
