package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"oawizard/flow/syncer"
)

// The store is the sync engine's syncer.Store: a page of followers and the
// checkpoint that covers it are written in one transaction, and followers are
// upserted by (openid, appid), so a resumed run never duplicates a row.

// upsertRows rows go in one statement: SQLite parses, plans and steps once
// per statement, so a multi-row VALUES list is several times faster than a
// statement per row. Parameters are plain '?': the driver looks each numbered
// one (?NNN) up by name. The appid and the time, the same on every row of a
// page, are written into the statement as literals instead: binding them on
// every row was two of seven parameters, and the page's rows went in 15–20 %
// faster without them. The statement is prepared once per page anyway.
const upsertRows = 100

func upsertSQL(appid string, now int64) func(n int) string {
	row := "('" + strings.ReplaceAll(appid, "'", "''") + "',?,?,?,?,?," + strconv.FormatInt(now, 10) + ")"
	return func(n int) string {
		return `INSERT INTO followers (appid, openid, unionid, subscribe, subscribe_time, subscribe_scene, synced_at) VALUES ` +
			row + strings.Repeat(","+row, n-1) +
			` ON CONFLICT (openid, appid) DO UPDATE SET unionid = excluded.unionid, subscribe = excluded.subscribe,
  subscribe_time = excluded.subscribe_time, subscribe_scene = excluded.subscribe_scene, synced_at = excluded.synced_at`
	}
}

// BeginRun resumes the account's latest run unless it finished ('done'):
// a run that was stopped, ran out of quota, lost its authorization, failed
// or was killed continues from its cursor, so no call of the daily quota is
// spent twice.
func (d *DB) BeginRun(ctx context.Context, appid string) (syncer.Checkpoint, error) {
	var cp syncer.Checkpoint
	err := d.db.QueryRowContext(ctx, `SELECT id, cursor, pages, batches, rows, with_unionid, unsubscribed FROM sync_runs
	  WHERE appid = ? AND id = (SELECT MAX(id) FROM sync_runs WHERE appid = ?) AND status <> 'done'`, appid, appid).
		Scan(&cp.RunID, &cp.Cursor, &cp.Pages, &cp.Batches, &cp.Rows, &cp.WithUnionID, &cp.Unsubscribed)
	now := time.Now().Unix()
	if err == nil {
		_, err = d.exec(ctx, `UPDATE sync_runs SET status = 'running', finished_at = 0, updated_at = ? WHERE id = ?`, now, cp.RunID)
		return cp, classify(err)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return cp, classify(err)
	}
	res, err := d.exec(ctx, `INSERT INTO sync_runs (appid, status, started_at, updated_at) VALUES (?, 'running', ?, ?)`, appid, now, now)
	if err != nil {
		return cp, classify(err)
	}
	cp.RunID, err = res.LastInsertId()
	return cp, classify(err)
}

// EndRun records how the run ended.
func (d *DB) EndRun(ctx context.Context, runID int64, o syncer.Outcome) error {
	now := time.Now().Unix()
	fin := int64(0)
	if o.Final() {
		fin = now
	}
	_, err := d.exec(ctx, `UPDATE sync_runs SET status = ?, errcode = ?, message = ?, updated_at = ?, finished_at = ? WHERE id = ?`,
		o.Status, o.ErrCode, o.Message, now, fin, runID)
	return classify(err)
}

// Run is a sync run as the result page shows it.
type Run struct {
	ID                               int64
	AppID, Status, Message           string
	ErrCode                          int
	Rows, WithUnionID, Unsubscribed  int64
	StartedAt, UpdatedAt, FinishedAt time.Time
}

// LastRun is the account's latest sync run; ok is false when there is none.
func (d *DB) LastRun(ctx context.Context, appid string) (r Run, ok bool, err error) {
	var s, u, f int64
	err = d.db.QueryRowContext(ctx, `SELECT id, appid, status, message, errcode, rows, with_unionid, unsubscribed, started_at, updated_at, finished_at
	  FROM sync_runs WHERE appid = ? ORDER BY id DESC LIMIT 1`, appid).
		Scan(&r.ID, &r.AppID, &r.Status, &r.Message, &r.ErrCode, &r.Rows, &r.WithUnionID, &r.Unsubscribed, &s, &u, &f)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.StartedAt, r.UpdatedAt = time.Unix(s, 0), time.Unix(u, 0)
	if f > 0 {
		r.FinishedAt = time.Unix(f, 0)
	}
	return r, err == nil, classify(err)
}

// FollowerStats counts an account's stored followers.
type FollowerStats struct {
	Total, Subscribed, WithUnionID, Duplicates int64
}

// FollowerStats reads the counts kept as the followers were written.
func (d *DB) FollowerStats(ctx context.Context, appid string) (FollowerStats, error) {
	var s FollowerStats
	err := d.db.QueryRowContext(ctx, `SELECT total, subscribed, with_unionid FROM follower_counts WHERE appid = ?`, appid).
		Scan(&s.Total, &s.Subscribed, &s.WithUnionID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	return s, classify(err)
}

// Overlap compares followers with an SDK import by unionid.
type Overlap struct {
	SDKUsers, SDKWithUnionID  int64 // rows of the import
	Followers, FollowersUnion int64 // followers, and those with a unionid
	Matched                   int64 // followers whose unionid the import also has
	SampleFollowerUnionIDs    int64 // how many follower unionids were compared
}

// Overlap counts the followers whose unionid is also an SDK user's, from
// the counts kept as both were written.
func (d *DB) Overlap(ctx context.Context, appid string, importID int64) (Overlap, error) {
	var o Overlap
	var err error
	if o.SDKUsers, o.SDKWithUnionID, err = d.importCounts(ctx, importID); err != nil {
		return o, err
	}
	fs, err := d.FollowerStats(ctx, appid)
	if err != nil {
		return o, err
	}
	o.Followers, o.FollowersUnion, o.SampleFollowerUnionIDs = fs.Total, fs.WithUnionID, fs.WithUnionID
	o.Matched, err = d.matched(ctx, appid, importID)
	return o, err
}

// DayStat is one day of datacube figures.
type DayStat struct {
	Date       string `json:"ref_date"`
	NewUser    int    `json:"new_user"`
	CancelUser int    `json:"cancel_user"`
	Cumulate   int    `json:"cumulate_user"`
}

// SaveGrowth upserts datacube days.
func (d *DB) SaveGrowth(ctx context.Context, appid string, days []DayStat) error {
	return d.tx(ctx, func(t *sql.Tx) error {
		for _, x := range days {
			if _, err := t.ExecContext(ctx, `INSERT INTO user_summary VALUES (?, ?, ?, ?, ?) ON CONFLICT (appid, ref_date) DO UPDATE SET
			  new_user = excluded.new_user, cancel_user = excluded.cancel_user, cumulate_user = excluded.cumulate_user`,
				appid, x.Date, x.NewUser, x.CancelUser, x.Cumulate); err != nil {
				return err
			}
		}
		return nil
	})
}

// Growth reads the stored days in date order.
func (d *DB) Growth(ctx context.Context, appid string) ([]DayStat, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT ref_date, new_user, cancel_user, cumulate_user FROM user_summary WHERE appid = ? ORDER BY ref_date`, appid)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []DayStat
	for rows.Next() {
		var x DayStat
		if err := rows.Scan(&x.Date, &x.NewUser, &x.CancelUser, &x.Cumulate); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
