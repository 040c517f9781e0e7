package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"slices"
	"strings"
	"time"

	"oawizard/flow/syncer"
)

// The sync's writer is the one stage that cannot run in parallel, so a
// page is written through the SQLite driver itself rather than through
// database/sql: database/sql copies every statement's 500 arguments into a
// new slice and checks each one's type, which for a million followers was
// half a gigabyte of garbage and a tenth of the writer's time. Here one
// slice of arguments serves every statement of the page.

// pageConn is what the page write needs of the driver's connection.
type pageConn interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
}

// WritePage stores rows (reordering them) and advances the checkpoint
// atomically.
func (d *DB) WritePage(ctx context.Context, appid string, rows []syncer.Follower, cp syncer.Checkpoint) error {
	now := time.Now().Unix()
	// In key order the page's rows land on neighbouring tree pages one
	// after another instead of all over the table.
	byOpenID := func(a, b syncer.Follower) int { return strings.Compare(a.OpenID, b.OpenID) }
	if !slices.IsSortedFunc(rows, byOpenID) {
		slices.SortFunc(rows, byOpenID)
	}
	return d.rawTx(ctx, func(c pageConn) error {
		if err := writeRows(ctx, c, upsertSQL(appid, now), rows); err != nil {
			return err
		}
		return execRaw(ctx, c, `UPDATE sync_runs SET cursor = ?, pages = ?, batches = ?, rows = ?, with_unionid = ?, unsubscribed = ?, updated_at = ? WHERE id = ?`,
			[]driver.NamedValue{{Ordinal: 1, Value: cp.Cursor}, {Ordinal: 2, Value: int64(cp.Pages)}, {Ordinal: 3, Value: int64(cp.Batches)},
				{Ordinal: 4, Value: cp.Rows}, {Ordinal: 5, Value: cp.WithUnionID}, {Ordinal: 6, Value: cp.Unsubscribed},
				{Ordinal: 7, Value: now}, {Ordinal: 8, Value: cp.RunID}})
	})
}

// InsertFollowers upserts rows in one transaction without touching any run.
func (d *DB) InsertFollowers(ctx context.Context, appid string, rows []syncer.Follower) error {
	now := time.Now().Unix()
	return d.rawTx(ctx, func(c pageConn) error { return writeRows(ctx, c, upsertSQL(appid, now), rows) })
}

// rawTx runs f in a transaction on one of the pool's connections, through
// the driver; f's error rolls it back.
func (d *DB) rawTx(ctx context.Context, f func(pageConn) error) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	return classify(conn.Raw(func(dc any) error {
		c, ok := dc.(pageConn)
		if !ok {
			return errors.New("store: the SQLite driver cannot begin a transaction")
		}
		tx, err := c.BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return err
		}
		if err := f(c); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}))
}

// writeRows upserts rows upsertRows at a time with the statement sqlFor
// makes (prepared once; the shorter tail gets its own).
func writeRows(ctx context.Context, c pageConn, sqlFor func(int) string, rows []syncer.Follower) error {
	args := make([]driver.NamedValue, 0, upsertRows*5)
	// A scene, shared by many rows, is boxed once.
	scenes := map[string]any{}
	var full driver.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for from := 0; from < len(rows); from += upsertRows {
		to := min(from+upsertRows, len(rows))
		args = args[:0]
		for _, r := range rows[from:to] {
			sub := int64(0)
			if r.Subscribed {
				sub = 1
			}
			scene, ok := scenes[r.SubscribeScene]
			if !ok {
				scene = r.SubscribeScene
				scenes[r.SubscribeScene] = scene
			}
			n := len(args)
			args = append(args, driver.NamedValue{Ordinal: n + 1, Value: r.OpenID}, driver.NamedValue{Ordinal: n + 2, Value: r.UnionID},
				driver.NamedValue{Ordinal: n + 3, Value: sub}, driver.NamedValue{Ordinal: n + 4, Value: r.SubscribeTime},
				driver.NamedValue{Ordinal: n + 5, Value: scene})
		}
		if to-from < upsertRows {
			if err := execRaw(ctx, c, sqlFor(to-from), args); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			st, err := c.PrepareContext(ctx, sqlFor(upsertRows))
			if err != nil {
				return err
			}
			full = st
		}
		if _, err := full.(driver.StmtExecContext).ExecContext(ctx, args); err != nil {
			return err
		}
	}
	return nil
}

// execRaw prepares, runs and closes one statement on the driver's connection.
func execRaw(ctx context.Context, c pageConn, query string, args []driver.NamedValue) error {
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.(driver.StmtExecContext).ExecContext(ctx, args)
	return err
}
