// Package store is the wizard's local results database: one SQLite file in
// the user's config directory holding accounts, check results with their
// history, SDK export imports, followers, sync runs, growth figures and where
// the wizard stands. No secret is ever written here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Errors a user can meet, mapped from SQLite's, so the window can say what
// to do in plain words.
var (
	// ErrReadOnly: the file system refused a write (a read-only file,
	// folder or volume, permissions), whatever the room left on the disk.
	ErrReadOnly = errors.New("store: the database file or its folder cannot be written")
	ErrDiskFull = errors.New("store: the disk is full")
	// ErrLocked: something else holds the database: another program, or
	// this wizard's own sync; Open and the import say which, when that can
	// be known, with a LockError.
	ErrLocked  = errors.New("store: the database is locked")
	ErrCorrupt = errors.New("store: the database file is damaged")
	ErrTooNew  = errors.New("store: the database was written by a newer version of the wizard")
)

// DB is the open database.
type DB struct {
	db   *sql.DB
	path string
	turn chan struct{} // holds one token while a write of this process runs: see takeTurn
}

// DefaultPath is the database in the user's config directory, whose folder
// is created private to the user.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "oawizard")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", classify(err)
	}
	// A folder made by an older version or by hand may be readable by
	// others; it holds who the admin's followers are.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", classify(err)
	}
	return filepath.Join(dir, "wizard.db"), nil
}

// Open opens (creating) the database at path and migrates it. The file is
// private to the user (SQLite gives its -wal and -shm files the same mode).
// An import a crash left half-done is removed here, so no fraction of an
// export is ever counted.
func Open(path string) (*DB, error) {
	if err := privateFile(path); err != nil {
		return nil, err
	}
	// Transactions take the write lock when they begin (_txlock=immediate):
	// one that read first and wrote later, while another connection had
	// written meanwhile (the demo import beside a check), failed at once
	// with "busy" instead of waiting its turn.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(3000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, classify(err)
	}
	d := &DB{db: sdb, path: path, turn: make(chan struct{}, 1)}
	ctx := context.Background()
	if err := d.migrate(ctx); err != nil {
		sdb.Close()
		return nil, locked(path, err)
	}
	if err := d.dropUnfinishedImports(ctx); err != nil {
		sdb.Close()
		return nil, locked(path, err)
	}
	watchDir(filepath.Dir(path), true)
	return d, nil
}

// privateFile creates path with mode 0600, or narrows an existing file to it.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			// A read-only file or folder: SQLite's own error says more.
			return nil
		}
		return classify(err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, os.ErrPermission) {
		return classify(err)
	}
	return nil
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error {
	watchDir(filepath.Dir(d.path), false)
	return d.db.Close()
}

// dropUnfinishedImports removes imports a crash interrupted (status
// 'importing'), users and all, and restores the index they set aside.
func (d *DB) dropUnfinishedImports(ctx context.Context) error {
	return d.tx(ctx, func(t *sql.Tx) error {
		res, err := t.ExecContext(ctx, `DELETE FROM sdk_imports WHERE status = 'importing'`)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, unionIndex); err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return recountOverlap(ctx, t)
	})
}

// tx runs f in one transaction; any error rolls everything back, so no
// half-written batch is ever left.
func (d *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	done, err := d.takeTurn(ctx)
	if err != nil {
		return err
	}
	defer done()
	t, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := f(t); err != nil {
		t.Rollback()
		return classify(err)
	}
	return classify(t.Commit())
}

var migrations = []string{
	`CREATE TABLE accounts (appid TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('oa','mp')), nick_name TEXT NOT NULL DEFAULT '',
	   added_at INTEGER NOT NULL);
	 CREATE TABLE check_results (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, check_id TEXT NOT NULL, status TEXT NOT NULL,
	   source TEXT NOT NULL, evidence TEXT NOT NULL, remedy TEXT NOT NULL DEFAULT '', contradicts INTEGER NOT NULL DEFAULT 0,
	   checked_at INTEGER NOT NULL);
	 CREATE INDEX check_results_latest ON check_results (check_id, run_id);
	 CREATE TABLE self_reports (check_id TEXT PRIMARY KEY, claim TEXT NOT NULL, value TEXT NOT NULL DEFAULT '', reported_at INTEGER NOT NULL);
	 CREATE TABLE sdk_imports (id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
	   columns TEXT NOT NULL, stats TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL, imported_at INTEGER NOT NULL);
	 CREATE TABLE sdk_users (import_id INTEGER NOT NULL REFERENCES sdk_imports(id) ON DELETE CASCADE, openid TEXT NOT NULL,
	   unionid TEXT NOT NULL DEFAULT '', PRIMARY KEY (import_id, openid)) WITHOUT ROWID;
	 CREATE INDEX sdk_users_unionid ON sdk_users (unionid) WHERE unionid <> '';
	 CREATE TABLE followers (appid TEXT NOT NULL, openid TEXT NOT NULL, unionid TEXT NOT NULL DEFAULT '', subscribe INTEGER NOT NULL,
	   subscribe_time INTEGER NOT NULL DEFAULT 0, subscribe_scene TEXT NOT NULL DEFAULT '', synced_at INTEGER NOT NULL,
	   PRIMARY KEY (appid, openid)) WITHOUT ROWID;
	 CREATE TABLE sync_runs (id INTEGER PRIMARY KEY, appid TEXT NOT NULL, status TEXT NOT NULL, cursor TEXT NOT NULL DEFAULT '',
	   pages INTEGER NOT NULL DEFAULT 0, batches INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0,
	   with_unionid INTEGER NOT NULL DEFAULT 0, unsubscribed INTEGER NOT NULL DEFAULT 0, errcode INTEGER NOT NULL DEFAULT 0,
	   message TEXT NOT NULL DEFAULT '', started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER NOT NULL DEFAULT 0);
	 CREATE TABLE user_summary (appid TEXT NOT NULL, ref_date TEXT NOT NULL, new_user INTEGER NOT NULL, cancel_user INTEGER NOT NULL,
	   cumulate_user INTEGER NOT NULL, PRIMARY KEY (appid, ref_date)) WITHOUT ROWID;
	 CREATE TABLE wizard_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
	// An export's users arrive in no order; keyed by openid, every row of a
	// million-row import landed on a random page of a tree larger than any
	// cache, and the import spent its time reading and writing pages. Rows
	// are now appended (the import has removed duplicate openids already)
	// and the unionid index is built once, sorted, when an import finishes.
	`CREATE TABLE sdk_users_v2 (import_id INTEGER NOT NULL REFERENCES sdk_imports(id) ON DELETE CASCADE, openid TEXT NOT NULL,
	   unionid TEXT NOT NULL DEFAULT '');
	 INSERT INTO sdk_users_v2 SELECT import_id, openid, unionid FROM sdk_users;
	 DROP TABLE sdk_users;
	 ALTER TABLE sdk_users_v2 RENAME TO sdk_users;
	 CREATE INDEX sdk_users_import ON sdk_users (import_id);
	 CREATE INDEX sdk_users_unionid ON sdk_users (unionid) WHERE unionid <> '';`,
	aggregatesMigration,
	// The sync's writer seeks every follower's key in the table before it
	// writes it (an openid met again updates its row). Keyed (appid,
	// openid), every comparison on the way first matched the same appid,
	// byte by byte, before the openid decided; keyed (openid, appid) the
	// openid decides at once, and the writer, the one stage of a sync that
	// cannot run in parallel, spent less time seeking.
	`CREATE TABLE followers_v2 (appid TEXT NOT NULL, openid TEXT NOT NULL, unionid TEXT NOT NULL DEFAULT '', subscribe INTEGER NOT NULL,
	   subscribe_time INTEGER NOT NULL DEFAULT 0, subscribe_scene TEXT NOT NULL DEFAULT '', synced_at INTEGER NOT NULL,
	   PRIMARY KEY (openid, appid)) WITHOUT ROWID;
	 INSERT INTO followers_v2 SELECT appid, openid, unionid, subscribe, subscribe_time, subscribe_scene, synced_at FROM followers
	   ORDER BY openid, appid;
	 DROP TABLE followers;
	 ALTER TABLE followers_v2 RENAME TO followers;
	 ` + recountTrigger,
}

// unionIndex is dropped while an import runs and built when it ends.
const unionIndex = `CREATE INDEX IF NOT EXISTS sdk_users_unionid ON sdk_users (unionid) WHERE unionid <> ''`

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return classify(err)
	}
	var have int
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return classify(err)
	}
	if have > len(migrations) {
		return fmt.Errorf("%w (schema %d, this wizard knows %d)", ErrTooNew, have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		err := d.tx(ctx, func(t *sql.Tx) error {
			if _, err := t.ExecContext(ctx, migrations[v-1]); err != nil {
				return err
			}
			_, err := t.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, v, time.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return nil
}

// ContainsString reports whether s appears in any text column of any table;
// end-to-end tests use it to prove a token never lands here.
func (d *DB) ContainsString(ctx context.Context, s string) (bool, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return false, err
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, t := range tables {
		cols, err := d.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, t)
		if err != nil {
			return false, err
		}
		var names []string
		for cols.Next() {
			var n string
			cols.Scan(&n)
			names = append(names, n)
		}
		cols.Close()
		for _, c := range names {
			var n int
			q := fmt.Sprintf(`SELECT COUNT(*) FROM %q WHERE instr(CAST(%q AS TEXT), ?) > 0`, t, c)
			if err := d.db.QueryRowContext(ctx, q, s).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}
