package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// SetAccount records an account taking part in the setup.
func (d *DB) SetAccount(ctx context.Context, appid, kind, nickName string) error {
	_, err := d.exec(ctx, `INSERT INTO accounts VALUES (?, ?, ?, ?) ON CONFLICT (appid) DO UPDATE SET kind = excluded.kind,
	  nick_name = CASE WHEN excluded.nick_name <> '' THEN excluded.nick_name ELSE accounts.nick_name END`, appid, kind, nickName, time.Now().Unix())
	return classify(err)
}

// CheckResult is one badge's verdict at one moment.
type CheckResult struct {
	CheckID, Status, Source string
	Evidence                json.RawMessage
	Remedy                  string
	Contradicts             bool
	CheckedAt               time.Time
}

// AppendChecks stores a full set of verdicts as one run; the history stays.
func (d *DB) AppendChecks(ctx context.Context, results []CheckResult) (int64, error) {
	var run int64
	err := d.tx(ctx, func(t *sql.Tx) error {
		if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(run_id), 0) + 1 FROM check_results`).Scan(&run); err != nil {
			return err
		}
		for _, r := range results {
			ev := r.Evidence
			if ev == nil {
				ev = json.RawMessage("{}")
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO check_results (run_id, check_id, status, source, evidence, remedy, contradicts, checked_at)
			  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, run, r.CheckID, r.Status, r.Source, string(ev), r.Remedy, r.Contradicts, r.CheckedAt.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	return run, err
}

// LatestChecks returns the newest verdict of every check.
func (d *DB) LatestChecks(ctx context.Context) ([]CheckResult, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT check_id, status, source, evidence, remedy, contradicts, checked_at FROM check_results
	  WHERE run_id = (SELECT MAX(run_id) FROM check_results) ORDER BY id`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []CheckResult
	for rows.Next() {
		var r CheckResult
		var ev string
		var at int64
		if err := rows.Scan(&r.CheckID, &r.Status, &r.Source, &ev, &r.Remedy, &r.Contradicts, &at); err != nil {
			return nil, err
		}
		r.Evidence, r.CheckedAt = json.RawMessage(ev), time.Unix(at, 0)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SelfReport is what the admin saw in the back office for a check.
type SelfReport struct {
	CheckID, Claim, Value string // claim: pass | fail
	ReportedAt            time.Time
}

// SetSelfReport records (or with claim "" removes) a self-check.
func (d *DB) SetSelfReport(ctx context.Context, r SelfReport) error {
	var err error
	if r.Claim == "" {
		_, err = d.exec(ctx, `DELETE FROM self_reports WHERE check_id = ?`, r.CheckID)
	} else {
		_, err = d.exec(ctx, `INSERT OR REPLACE INTO self_reports VALUES (?, ?, ?, ?)`, r.CheckID, r.Claim, r.Value, r.ReportedAt.Unix())
	}
	return classify(err)
}

// SelfReports returns every self-check by check id.
func (d *DB) SelfReports(ctx context.Context) (map[string]SelfReport, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT check_id, claim, value, reported_at FROM self_reports`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := map[string]SelfReport{}
	for rows.Next() {
		var r SelfReport
		var at int64
		if err := rows.Scan(&r.CheckID, &r.Claim, &r.Value, &at); err != nil {
			return nil, err
		}
		r.ReportedAt = time.Unix(at, 0)
		out[r.CheckID] = r
	}
	return out, rows.Err()
}

// Put stores a value of the wizard's state as JSON.
func (d *DB) Put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = d.exec(ctx, `INSERT OR REPLACE INTO wizard_state VALUES (?, ?, ?)`, key, string(b), time.Now().Unix())
	return classify(err)
}

// Get reads a state value into v; ok is false when it was never stored.
func (d *DB) Get(ctx context.Context, key string, v any) (ok bool, err error) {
	var s string
	err = d.db.QueryRowContext(ctx, `SELECT value FROM wizard_state WHERE key = ?`, key).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classify(err)
	}
	return true, json.Unmarshal([]byte(s), v)
}

// SDKImport describes one imported analytics export.
type SDKImport struct {
	ID         int64
	FileName   string
	Size       int64
	SHA256     string
	Columns    json.RawMessage
	Stats      json.RawMessage
	ImportedAt time.Time
}

// SDKUser is one identified user of the export.
type SDKUser struct{ OpenID, UnionID string }

// BeginImport records an import in progress; its users follow in batches.
// The unionid index waits until the import ends: kept up to date row by
// row it made a million-row import several times slower.
func (d *DB) BeginImport(ctx context.Context, im SDKImport) (int64, error) {
	var id int64
	err := d.tx(ctx, func(t *sql.Tx) error {
		// Without the index the overlap's probes would walk the table;
		// the import's end counts it again.
		for _, q := range []string{`DROP INDEX IF EXISTS sdk_users_unionid`, `DELETE FROM overlap_basis`, `DELETE FROM overlap_counts`} {
			if _, err := t.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		res, err := t.ExecContext(ctx, `INSERT INTO sdk_imports (file_name, size, sha256, columns, status, imported_at) VALUES (?, ?, ?, ?, 'importing', ?)`,
			im.FileName, im.Size, im.SHA256, string(orEmpty(im.Columns)), time.Now().Unix())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, d.named(err)
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if b == nil {
		return json.RawMessage("{}")
	}
	return b
}

// AddSDKUsers stores a batch of users in one transaction, 100 to a
// statement as followers are, and adds them to the import's kept counts.
// The caller has removed duplicate openids (sdkimport counts and drops
// them).
func (d *DB) AddSDKUsers(ctx context.Context, importID int64, users []SDKUser) error {
	var withUnionID int64
	for _, u := range users {
		withUnionID += boolInt(u.UnionID != "")
	}
	return d.named(d.rawTx(ctx, func(c rawConn) error {
		err := execRaw(ctx, c, `INSERT INTO sdk_import_counts VALUES (?, ?, ?) ON CONFLICT (import_id) DO UPDATE SET
		  users = users + excluded.users, with_unionid = with_unionid + excluded.with_unionid`,
			namedArgs{}.add(importID, int64(len(users)), withUnionID))
		if err != nil {
			return err
		}
		return execChunks(ctx, c, len(users), 3, insertSDKUsersSQL, func(args namedArgs, from, to int) namedArgs {
			for _, u := range users[from:to] {
				args = args.add(importID, u.OpenID, u.UnionID)
			}
			return args
		})
	}))
}

func insertSDKUsersSQL(n int) string {
	return `INSERT INTO sdk_users (import_id, openid, unionid) VALUES (?,?,?)` + strings.Repeat(`,(?,?,?)`, n-1)
}

// FinishImport marks an import complete with its statistics.
func (d *DB) FinishImport(ctx context.Context, importID int64, stats any, sha256 string) error {
	b, err := json.Marshal(stats)
	if err != nil {
		return err
	}
	return d.named(d.tx(ctx, func(t *sql.Tx) error {
		if _, err := t.ExecContext(ctx, unionIndex); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE sdk_imports SET status = 'done', stats = ?, sha256 = ? WHERE id = ?`, string(b), sha256, importID); err != nil {
			return err
		}
		return recountOverlap(ctx, t)
	}))
}

// DropImport removes an import that failed part-way, users and all, so no
// half import is ever left.
func (d *DB) DropImport(ctx context.Context, importID int64) error {
	return d.named(d.tx(ctx, func(t *sql.Tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM sdk_imports WHERE id = ?`, importID); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, unionIndex); err != nil {
			return err
		}
		return recountOverlap(ctx, t)
	}))
}

// LatestImport is the newest complete import; ok is false when there is none.
func (d *DB) LatestImport(ctx context.Context) (im SDKImport, ok bool, err error) {
	var cols, stats string
	var at int64
	err = d.db.QueryRowContext(ctx, `SELECT id, file_name, size, sha256, columns, stats, imported_at FROM sdk_imports WHERE status = 'done' ORDER BY id DESC LIMIT 1`).
		Scan(&im.ID, &im.FileName, &im.Size, &im.SHA256, &cols, &stats, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return im, false, nil
	}
	im.Columns, im.Stats, im.ImportedAt = json.RawMessage(cols), json.RawMessage(stats), time.Unix(at, 0)
	return im, err == nil, classify(err)
}
