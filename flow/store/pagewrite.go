package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"oawizard/flow/syncer"
)

// Rows in bulk (a sync's pages, an export's users) are written through the
// SQLite driver itself rather than through database/sql: database/sql
// copies every statement's hundreds of arguments into a new slice and
// checks each one's type, which for a million followers was half a
// gigabyte of garbage and a tenth of the sync writer's time, and the writer
// is the one stage of the sync that cannot run in parallel.

// rawConn is what bulk writes need of the driver's connection.
type rawConn interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
}

// WritePage stores rows (reordering them) and advances the checkpoint
// atomically.
func (d *DB) WritePage(ctx context.Context, appid string, rows []syncer.Follower, cp syncer.Checkpoint) error {
	now := time.Now().Unix()
	return d.rawTx(ctx, func(c rawConn) error {
		if err := writeFollowers(ctx, c, appid, now, rows); err != nil {
			return err
		}
		return execRaw(ctx, c, `UPDATE sync_runs SET cursor = ?, pages = ?, batches = ?, rows = ?, with_unionid = ?, unsubscribed = ?, updated_at = ? WHERE id = ?`,
			[]driver.NamedValue{{Ordinal: 1, Value: cp.Cursor}, {Ordinal: 2, Value: int64(cp.Pages)}, {Ordinal: 3, Value: int64(cp.Batches)},
				{Ordinal: 4, Value: cp.Rows}, {Ordinal: 5, Value: cp.WithUnionID}, {Ordinal: 6, Value: cp.Unsubscribed},
				{Ordinal: 7, Value: now}, {Ordinal: 8, Value: cp.RunID}})
	})
}

// InsertFollowers upserts rows (reordering them) in one transaction
// without touching any run.
func (d *DB) InsertFollowers(ctx context.Context, appid string, rows []syncer.Follower) error {
	now := time.Now().Unix()
	return d.rawTx(ctx, func(c rawConn) error { return writeFollowers(ctx, c, appid, now, rows) })
}

// rawTx runs f in a transaction on one of the pool's connections, through
// the driver; f's error rolls it back.
func (d *DB) rawTx(ctx context.Context, f func(rawConn) error) error {
	done, err := d.takeTurn(ctx)
	if err != nil {
		return err
	}
	defer done()
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	return classify(conn.Raw(func(dc any) error {
		c, ok := dc.(rawConn)
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

// writeRows upserts rows with the statement sqlFor makes.
func writeRows(ctx context.Context, c rawConn, sqlFor func(int) string, rows []syncer.Follower) error {
	// A scene, shared by many rows, is boxed once.
	scenes := map[string]any{}
	return execChunks(ctx, c, len(rows), 5, sqlFor, func(args namedArgs, from, to int) namedArgs {
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
			args = args.add(r.OpenID, r.UnionID, sub, r.SubscribeTime, scene)
		}
		return args
	})
}

// namedArgs are a statement's values, numbered as the driver takes them.
type namedArgs []driver.NamedValue

func (a namedArgs) add(vs ...any) namedArgs {
	for _, v := range vs {
		a = append(a, driver.NamedValue{Ordinal: len(a) + 1, Value: v})
	}
	return a
}

// execChunks runs the statement sqlFor(n) over n rows upsertRows at a time
// (prepared once; the shorter tail gets its own), args appending the values
// of rows [from, to). One argument slice serves every statement.
func execChunks(ctx context.Context, c rawConn, n, perRow int, sqlFor func(int) string, args func(dst namedArgs, from, to int) namedArgs) error {
	vals := make(namedArgs, 0, upsertRows*perRow)
	var full driver.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for from := 0; from < n; from += upsertRows {
		to := min(from+upsertRows, n)
		vals = args(vals[:0], from, to)
		if to-from < upsertRows {
			if err := execRaw(ctx, c, sqlFor(to-from), vals); err != nil {
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
		if _, err := full.(driver.StmtExecContext).ExecContext(ctx, vals); err != nil {
			return err
		}
	}
	return nil
}

// execRaw prepares, runs and closes one statement on the driver's connection.
func execRaw(ctx context.Context, c rawConn, query string, args []driver.NamedValue) error {
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.(driver.StmtExecContext).ExecContext(ctx, args)
	return err
}
