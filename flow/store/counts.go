package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"slices"
	"strings"

	"oawizard/flow/syncer"
)

// counts are the kept figures of a set of followers.
type counts struct{ total, subscribed, withUnionID, matched int64 }

// probeRows is how many openids one statement looks up: well below
// SQLite's limit of 32,766 parameters, and a whole user/get page.
const probeRows = 10_000

// writeFollowers upserts rows (sorting them) and moves appid's kept counts
// in the caller's transaction. Every row is first counted as new, from the
// rows themselves; a row that was stored already is taken back out, with
// its old values, by the trigger followers_recounted, which runs only for
// the rows an upsert updates. The first sync of an account, the big one,
// so costs one statement a page; a re-sync a trigger run per row.
func writeFollowers(ctx context.Context, c rawConn, appid string, now int64, rows []syncer.Follower) error {
	// In key order the rows land on neighbouring tree pages one after
	// another instead of all over the table; sorted input, as the syncer
	// hands it over, is confirmed in one pass.
	slices.SortFunc(rows, syncer.ByOpenID)
	// An openid given twice is stored once; the counts follow the row kept.
	rows = slices.CompactFunc(rows, func(a, b syncer.Follower) bool { return a.OpenID == b.OpenID })
	var basis int64
	if err := queryInts(ctx, c, `SELECT COALESCE((SELECT import_id FROM overlap_basis), 0)`, nil, &basis); err != nil {
		return err
	}
	add := counts{total: int64(len(rows))}
	for _, r := range rows {
		add.subscribed += boolInt(r.Subscribed)
		add.withUnionID += boolInt(r.UnionID != "")
	}
	if err := addCounts(ctx, c, appid, basis, add); err != nil {
		return err
	}
	if err := writeRows(ctx, c, upsertSQL(appid, now), rows); err != nil {
		return err
	}
	if basis == 0 {
		return nil
	}
	matched, err := matchedAmong(ctx, c, appid, basis, rows)
	if err != nil {
		return err
	}
	return addCounts(ctx, c, appid, basis, counts{matched: matched})
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// matchedAmong counts the stored followers among rows' openids whose
// unionid the import also has.
func matchedAmong(ctx context.Context, c rawConn, appid string, basis int64, rows []syncer.Follower) (int64, error) {
	var sum int64
	for from := 0; from < len(rows); from += probeRows {
		part := rows[from:min(from+probeRows, len(rows))]
		args := make([]any, 0, len(part)+2)
		args = append(args, basis, appid)
		for _, r := range part {
			args = append(args, r.OpenID)
		}
		var n int64
		q := `SELECT COUNT(*) FROM followers f WHERE unionid <> ''
		  AND EXISTS (SELECT 1 FROM sdk_users s WHERE s.unionid = f.unionid AND s.unionid <> '' AND +s.import_id = ?)
		  AND appid = ? AND openid IN (?` + strings.Repeat(",?", len(part)-1) + `)`
		if err := queryInts(ctx, c, q, args, &n); err != nil {
			return 0, err
		}
		sum += n
	}
	return sum, nil
}

// addCounts adds to appid's kept counts (and, with an overlap basis, its
// overlap count, creating the row the trigger may take from).
func addCounts(ctx context.Context, c rawConn, appid string, basis int64, d counts) error {
	err := execRaw(ctx, c, `INSERT INTO follower_counts VALUES (?, ?, ?, ?) ON CONFLICT (appid) DO UPDATE SET
	  total = total + excluded.total, subscribed = subscribed + excluded.subscribed, with_unionid = with_unionid + excluded.with_unionid`,
		namedArgs{}.add(appid, d.total, d.subscribed, d.withUnionID))
	if err != nil || basis == 0 {
		return err
	}
	return execRaw(ctx, c, `INSERT INTO overlap_counts VALUES (?, ?, ?) ON CONFLICT (import_id, appid) DO UPDATE SET matched = matched + excluded.matched`,
		namedArgs{}.add(basis, appid, d.matched))
}

// queryInts runs a one-row query on the driver's connection into dst.
func queryInts(ctx context.Context, c rawConn, query string, args []any, dst ...*int64) error {
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	rs, err := st.(driver.StmtQueryContext).QueryContext(ctx, namedArgs{}.add(args...))
	if err != nil {
		return err
	}
	defer rs.Close()
	vals := make([]driver.Value, len(dst))
	if err := rs.Next(vals); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("store: a count query returned no row")
		}
		return err
	}
	for i, v := range vals {
		n, ok := v.(int64)
		if !ok {
			return errors.New("store: a count query returned a value that is not a number")
		}
		*dst[i] = n
	}
	return nil
}
