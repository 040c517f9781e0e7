package store

import (
	"context"
	"database/sql"
	"errors"
)

// The pages' figures (an account's follower counts, the overlap with the
// latest SDK export) are kept as the rows are written, in the same
// transaction as each page, so a page reads a row or two instead of counting
// millions: with 3,000,000 followers the result page stood blank for most of
// a minute while COUNT(*) walked the table.
//
// follower_counts holds each account's totals. overlap_counts holds, for the
// import named in overlap_basis, how many of each account's followers carry
// a unionid that the import also has. A follower is counted once: WeChat
// gives a person one openid per account, so an account's followers never
// share a unionid. overlap_basis is empty while an import runs (its unionid
// index is set aside then, and a probe per follower would scan the table);
// the import's end, or its removal, recounts the overlap once. The probes
// name the import as +import_id so that SQLite looks the unionid up in its
// index rather than walking the import's users.
//
// A trigger on every insert kept the same counts, but it took 75 % more CPU
// than the row's own write, and the writer is the sync's critical path; see
// writeFollowers for how the counts are kept instead.
const aggregatesMigration = `
CREATE TABLE follower_counts (appid TEXT PRIMARY KEY, total INTEGER NOT NULL, subscribed INTEGER NOT NULL,
  with_unionid INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO follower_counts SELECT appid, COUNT(*), SUM(subscribe), SUM(unionid <> '') FROM followers GROUP BY appid;

CREATE TABLE sdk_import_counts (import_id INTEGER PRIMARY KEY REFERENCES sdk_imports(id) ON DELETE CASCADE,
  users INTEGER NOT NULL, with_unionid INTEGER NOT NULL);
INSERT INTO sdk_import_counts SELECT i.id, COUNT(u.openid), COALESCE(SUM(u.unionid <> ''), 0)
  FROM sdk_imports i LEFT JOIN sdk_users u ON u.import_id = i.id GROUP BY i.id;

CREATE TABLE overlap_basis (import_id INTEGER NOT NULL REFERENCES sdk_imports(id) ON DELETE CASCADE);
CREATE TABLE overlap_counts (import_id INTEGER NOT NULL REFERENCES sdk_imports(id) ON DELETE CASCADE, appid TEXT NOT NULL,
  matched INTEGER NOT NULL, PRIMARY KEY (import_id, appid)) WITHOUT ROWID;
` + recountTrigger + `
CREATE INDEX sync_runs_appid ON sync_runs (appid, id);
CREATE INDEX check_results_run ON check_results (run_id);
` + overlapRecount

// recountTrigger takes a follower's old values off the counts when a sync
// writes the follower again (the new values are added as for a new row).
const recountTrigger = `CREATE TRIGGER followers_recounted AFTER UPDATE ON followers BEGIN
  UPDATE follower_counts SET total = total - 1, subscribed = subscribed - OLD.subscribe, with_unionid = with_unionid - (OLD.unionid <> '')
    WHERE appid = OLD.appid;
  UPDATE overlap_counts SET matched = matched - 1 WHERE appid = OLD.appid AND OLD.unionid <> ''
    AND import_id IN (SELECT import_id FROM overlap_basis)
    AND EXISTS (SELECT 1 FROM sdk_users s WHERE s.unionid = OLD.unionid AND s.unionid <> '' AND +s.import_id = overlap_counts.import_id);
END;`

// overlapRecount makes the latest complete import the overlap's basis and
// counts it over all followers, probing the import's unionid index.
const overlapRecount = `
DELETE FROM overlap_basis;
DELETE FROM overlap_counts;
INSERT INTO overlap_basis SELECT MAX(id) FROM sdk_imports WHERE status = 'done' HAVING MAX(id) IS NOT NULL;
INSERT INTO overlap_counts SELECT b.import_id, f.appid, COUNT(*) FROM overlap_basis b, followers f
  WHERE f.unionid <> '' AND EXISTS (SELECT 1 FROM sdk_users s WHERE s.unionid = f.unionid AND s.unionid <> '' AND +s.import_id = b.import_id)
  GROUP BY b.import_id, f.appid;`

// recountOverlap counts the overlap once, when an import ends or is
// removed, never when a page opens.
func recountOverlap(ctx context.Context, t *sql.Tx) error {
	_, err := t.ExecContext(ctx, overlapRecount)
	return err
}

// importCounts reads an import's user counts, kept as its users were
// added; an import of no users has none kept.
func (d *DB) importCounts(ctx context.Context, importID int64) (users, withUnionID int64, err error) {
	err = d.db.QueryRowContext(ctx, `SELECT users, with_unionid FROM sdk_import_counts WHERE import_id = ?`, importID).Scan(&users, &withUnionID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return users, withUnionID, classify(err)
}

// matched is how many of appid's followers share a unionid with the import:
// the kept count when the import is the overlap's basis, else counted.
func (d *DB) matched(ctx context.Context, appid string, importID int64) (int64, error) {
	var basis, n int64
	err := d.db.QueryRowContext(ctx, `SELECT b.import_id, COALESCE((SELECT matched FROM overlap_counts c WHERE c.import_id = b.import_id AND c.appid = ?), 0)
	  FROM overlap_basis b WHERE b.import_id = ?`, appid, importID).Scan(&basis, &n)
	if errors.Is(err, sql.ErrNoRows) {
		// The import's unionid index may be set aside; the IN list is
		// built once as a temporary index instead.
		err = d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM followers WHERE appid = ? AND unionid <> ''
		  AND unionid IN (SELECT unionid FROM sdk_users WHERE import_id = ? AND unionid <> '')`, appid, importID).Scan(&n)
	}
	return n, classify(err)
}
