// Package syncer copies an Official Account's followers (openid, unionid) into
// the wizard's database through the connector's relay: user/get pages of
// 10,000 openids feed user/info/batchget calls of 100, fetched by a few
// workers while the next page is listed, and written a page per transaction
// together with the checkpoint, so a killed process resumes without loss and
// without duplicates.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"oawizard/clock"
	"oawizard/wechat"
)

// Follower is one row of the followers table.
type Follower struct {
	OpenID         string
	UnionID        string
	Subscribed     bool
	SubscribeTime  int64
	SubscribeScene string
}

// Checkpoint is how far a run got. Cursor is the next_openid to list next:
// every follower listed before it is already stored.
type Checkpoint struct {
	RunID   int64
	Cursor  string
	Pages   int
	Batches int
	Rows    int64
	// Counted over the whole run, resumes included.
	WithUnionID  int64
	Unsubscribed int64
}

// Outcome is how a run ended.
type Outcome struct {
	Status  string // one of the End* names
	ErrCode int
	Message string
}

// Store is what the engine needs from the database.
type Store interface {
	// BeginRun resumes appid's unfinished run or starts a new one.
	BeginRun(ctx context.Context, appid string) (Checkpoint, error)
	// WritePage stores rows and advances the checkpoint in one transaction.
	WritePage(ctx context.Context, appid string, rows []Follower, cp Checkpoint) error
	// EndRun records the outcome.
	EndRun(ctx context.Context, runID int64, o Outcome) error
}

// RoomChecker is a Store that can tell, once the first user/get page says
// how many followers the account has, whether its disk holds them; a run
// refused by its error stores nothing and spends no more calls.
type RoomChecker interface {
	CheckSyncRoom(ctx context.Context, appid string, total int64) error
}

// API is the part of the WeChat client the engine calls (through the relay,
// so tokens are empty).
type API interface {
	UserGet(ctx context.Context, token, nextOpenID string) (*wechat.UserList, error)
	UserInfoBatchGet(ctx context.Context, token string, openids []string, lang string) ([]wechat.UserInfo, error)
	QuotaGet(ctx context.Context, token, cgiPath string) (*wechat.Quota, error)
}

// BatchGetInto is an API whose batchget appends to a buffer the caller
// keeps: each worker reuses its own, instead of a new list of users for
// every one of a sync's ten thousand calls.
type BatchGetInto interface {
	UserInfoBatchGetInto(ctx context.Context, openids []string, lang string, dst []wechat.UserInfo) ([]wechat.UserInfo, error)
}

// Options tune a run. Zero values take the defaults.
type Options struct {
	// Workers is how many batchget calls are in flight at once. WeChat does
	// not publish a per-second limit for batchget; 8 keeps a 1,000,000
	// follower account to a couple of minutes without tripping 45011.
	Workers int
	// Progress receives counts at most every ProgressEvery.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Quota is told whether today's quota covers the run before it starts;
	// returning false stops the run before any batchget call.
	Quota func(QuotaReport) bool
	// MaxRetries bounds retries of one call on -1 and network errors.
	MaxRetries int
	// Clock and Sleep are replaced in tests.
	Clock clock.Clock
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 250 * time.Millisecond
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 6
	}
	o.Clock = clock.Or(o.Clock)
}

// Progress is a snapshot for the progress bar and the headless JSON lines.
type Progress struct {
	Phase        string        `json:"phase"` // listing | fetching | waiting | done
	Total        int           `json:"total"` // followers WeChat reports
	Listed       int           `json:"listed"`
	Stored       int64         `json:"stored"`
	WithUnionID  int64         `json:"with_unionid"`
	Unsubscribed int64         `json:"unsubscribed"`
	Retries      int           `json:"retries"`
	Rate         float64       `json:"rate"` // rows stored per second in this run
	ETA          time.Duration `json:"eta_ns"`
	Waiting      string        `json:"waiting,omitempty"` // why the run is paused (minute quota)
}

// QuotaReport says whether today's quota covers the run.
type QuotaReport struct {
	Path   string
	Needed int
	Remain int
	Known  bool // false when WeChat would not say (76021/76022/61007)
	Enough bool
}

// Errors a run can end with; match with errors.Is / errors.As.
var (
	// ErrRevoked: the account withdrew its authorization (unauthorized push,
	// a code of wechat.ClassReauthorize such as 61023, or the relay's 409).
	// The admin must authorize again.
	ErrRevoked = errors.New("syncer: authorization withdrawn")
	// ErrNotPermitted: the account lacks the follower APIs (wechat.ClassNotPermitted:
	// unverified 48001, the 用户管理 set not granted 61007), or has no API
	// permission at all (the relay's no_api_permission).
	ErrNotPermitted = errors.New("syncer: follower APIs not permitted")
	// ErrQuotaDeclined: the Quota callback chose not to start.
	ErrQuotaDeclined = errors.New("syncer: not enough quota today")
)

// QuotaError is 45009: the daily quota ran out. What was stored stays; the run
// can continue after ResumeAt (midnight, China time).
type QuotaError struct {
	Path     string
	ResumeAt time.Time
	Err      error
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("syncer: daily quota of %s used up; continue after %s", e.Path, e.ResumeAt.Format(time.RFC3339))
}
func (e *QuotaError) Unwrap() error { return e.Err }

// Result is what a finished (or stopped) run reports.
type Result struct {
	RunID    int64
	Resumed  bool
	Progress Progress
	Elapsed  time.Duration
}

// chinaTime is Beijing time, where WeChat's days (quotas, datacube) turn over.
var chinaTime = time.FixedZone("CST", 8*3600)

// nextChinaMidnight is when a daily quota resets.
func nextChinaMidnight(now time.Time) time.Time {
	t := now.In(chinaTime)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, chinaTime)
}
