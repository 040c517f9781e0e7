package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/flow/syncer"
	"oawizard/wechat"
)

// listAPI serves n followers as user/get and batchget do; onBatch runs
// before each batchget call; user, when set, makes follower i's unionid and
// subscription (else every follower has a unionid and is subscribed).
type listAPI struct {
	n       int
	calls   atomic.Int64
	onBatch func(call int64)
	user    func(i int) (unionid string, subscribe int)
}

func (f *listAPI) UserGet(ctx context.Context, token, next string) (*wechat.UserList, error) {
	start := 0
	if next != "" {
		i, _ := strconv.Atoi(next[1:])
		start = i + 1
	}
	l := &wechat.UserList{Total: f.n}
	for i := start; i < f.n && i < start+wechat.MaxUserGet; i++ {
		l.Data.OpenID = append(l.Data.OpenID, fmt.Sprintf("o%027d", i))
	}
	if l.Count = len(l.Data.OpenID); l.Count > 0 {
		l.NextOpenID = l.Data.OpenID[l.Count-1]
	}
	return l, nil
}

func (f *listAPI) UserInfoBatchGet(ctx context.Context, token string, ids []string, lang string) ([]wechat.UserInfo, error) {
	if call := f.calls.Add(1); f.onBatch != nil {
		f.onBatch(call)
	}
	out := make([]wechat.UserInfo, len(ids))
	for i, id := range ids {
		out[i] = wechat.UserInfo{OpenID: id, UnionID: "u" + id[1:], Subscribe: 1, SubscribeScene: "ADD_SCENE_QR_CODE"}
		if f.user != nil {
			n, _ := strconv.Atoi(id[1:])
			out[i].UnionID, out[i].Subscribe = f.user(n)
		}
	}
	return out, nil
}

func (f *listAPI) QuotaGet(ctx context.Context, token, path string) (*wechat.Quota, error) {
	return &wechat.Quota{}, nil
}

// syncUntilFault runs a sync of 80,000 followers (every page slot fills
// behind the failing write) and checks it ends promptly with want, keeping
// exactly the pages its checkpoint covers.
func syncUntilFault(t *testing.T, d *DB, api *listAPI, want error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := syncer.Run(context.Background(), api, d, "wxa", syncer.Options{Workers: 4})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the sync hangs after a failed write")
	}
	if !errors.Is(err, want) {
		t.Fatalf("want %v, got %v", want, err)
	}
	fs, _ := d.FollowerStats(context.Background(), "wxa")
	var cpRows int64
	d.db.QueryRow(`SELECT rows FROM sync_runs WHERE appid = 'wxa' ORDER BY id DESC LIMIT 1`).Scan(&cpRows)
	if fs.Total == 0 || fs.Total%10000 != 0 || fs.Total != cpRows || fs.Total == 80000 {
		t.Fatalf("%d rows stored, checkpoint %d: the whole pages before the failure must stay, and only they", fs.Total, cpRows)
	}
}

func TestSyncEndsOnAFullDisk(t *testing.T) {
	d := open(t)
	d.db.SetMaxOpenConns(1) // so the page limit below holds for every write
	var pages int
	d.db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	// Room for about two pages of followers.
	d.db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+600))
	syncUntilFault(t, d, &listAPI{n: 80000}, ErrDiskFull)
}

func TestSyncEndsOnAReadOnlyDatabase(t *testing.T) {
	d := open(t)
	d.db.SetMaxOpenConns(1)
	api := &listAPI{n: 80000}
	api.onBatch = func(call int64) {
		if call != 150 {
			return
		}
		// Once the first page is stored, the file turns read-only.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if fs, _ := d.FollowerStats(context.Background(), "wxa"); fs.Total >= 10000 {
				break
			}
		}
		d.db.Exec(`PRAGMA query_only = 1`)
	}
	syncUntilFault(t, d, api, ErrReadOnly)
}
