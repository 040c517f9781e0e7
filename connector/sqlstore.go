package connector

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

// migrations are applied in order, each in its own transaction; the index+1
// is the schema version. A shipped migration is never edited: a change is a
// new one, so every existing database takes the same path.
var migrations = []migration{
	{sql: `CREATE TABLE tickets (component_appid TEXT PRIMARY KEY, ticket TEXT NOT NULL, received_at INTEGER NOT NULL);
	 CREATE TABLE tokens (key TEXT PRIMARY KEY, sealed BLOB NOT NULL, expires_at INTEGER NOT NULL);
	 CREATE TABLE authorizers (appid TEXT PRIMARY KEY, refresh_sealed BLOB, func_ids TEXT NOT NULL, status TEXT NOT NULL,
	   kind TEXT NOT NULL DEFAULT 'oa', nick_name TEXT NOT NULL DEFAULT '', authorized_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
	   facts TEXT, checked_at INTEGER NOT NULL DEFAULT 0);
	 CREATE TABLE sessions (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, project TEXT NOT NULL, expected_appid TEXT NOT NULL,
	   status TEXT NOT NULL, appid TEXT NOT NULL DEFAULT '', nick_name TEXT NOT NULL DEFAULT '', granted TEXT NOT NULL DEFAULT '[]',
	   missing TEXT NOT NULL DEFAULT '[]', reason TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL, visits INTEGER NOT NULL DEFAULT 0,
	   created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
	 CREATE TABLE pre_auth_codes (code TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id));
	 CREATE TABLE auth_codes (code TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL, appid TEXT NOT NULL DEFAULT '');
	 CREATE TABLE nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
	 CREATE TABLE project_tokens (id TEXT PRIMARY KEY, project TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
	   created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);
	 CREATE TABLE project_accounts (project TEXT NOT NULL, appid TEXT NOT NULL, linked_at INTEGER NOT NULL, PRIMARY KEY (project, appid));`},
	{run: migrateHashedCodes},
	{sql: staffSchema},
}

type migration struct {
	sql string
	run func(ctx context.Context, tx *sql.Tx) error
}

// SQLStore is the Store on one SQLite file. Writes go through one
// connection (SQLite has one writer anyway, and queueing in Go beats
// spinning on SQLITE_BUSY); reads share a small pool. Both are capped so
// load cannot open file handles without bound.
type SQLStore struct {
	w, r *sql.DB
	path string
}

// Pool sizes: each SQLite connection holds three files (db, -wal, -shm).
const maxReaders = 4

// OpenStore opens (creating if needed) the SQLite store at path and brings
// its schema up to date. A new file is readable by its owner only, and a
// missing folder is created for the owner only: it holds sealed tokens and
// the hashes that keep authorizations apart.
func OpenStore(path string) (*SQLStore, error) {
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=secure_delete(1)&_pragma=journal_size_limit(4194304)"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("connector: opening store: %w", err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("connector: opening store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	r.SetMaxOpenConns(maxReaders)
	r.SetMaxIdleConns(maxReaders)
	r.SetConnMaxIdleTime(time.Minute)
	s := &SQLStore{w: w, r: r, path: path}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// prepareFile creates the folder (0700) and the database file (0600) before
// SQLite does, since SQLite would use the umask (usually 0644) and gives its
// -wal and -shm files the database file's mode.
func prepareFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("connector: creating the store's folder: %w", err)
			}
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("connector: opening store: %w", err)
	}
	f.Close()
	// An existing file from an older version may be 0644: tighten it and
	// its companions.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("connector: securing the store: %w", err)
		}
	}
	return nil
}

func (s *SQLStore) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("connector: store: %w", err)
	}
	var have int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("connector: store: %w", err)
	}
	return s.migrateTo(ctx, have, len(migrations))
}

func (s *SQLStore) migrateTo(ctx context.Context, have, want int) error {
	if have > len(migrations) {
		return fmt.Errorf("connector: the store has schema version %d, newer than this program's %d; use a newer connector", have, len(migrations))
	}
	for v := have + 1; v <= want; v++ {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		m := migrations[v-1]
		if m.sql != "" {
			_, err = tx.ExecContext(ctx, m.sql)
		} else {
			err = m.run(ctx, tx)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("connector: store migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, v, time.Now().Unix()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if want > have {
		// Rows a migration removed (plain-text codes) must not linger in
		// the write-ahead log.
		s.Checkpoint(ctx)
	}
	return nil
}

// SchemaVersion reports the applied schema version.
func (s *SQLStore) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func (s *SQLStore) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

func (s *SQLStore) Ping(ctx context.Context) error { return s.r.PingContext(ctx) }

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (s *SQLStore) SaveToken(ctx context.Context, key string, sealed []byte, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at`, key, sealed, unix(expires))
	return err
}

func (s *SQLStore) Token(ctx context.Context, key string) ([]byte, time.Time, error) {
	var b []byte
	var exp int64
	err := s.r.QueryRowContext(ctx, `SELECT sealed, expires_at FROM tokens WHERE key = ?`, key).Scan(&b, &exp)
	return b, fromUnix(exp), notFound(err)
}

func (s *SQLStore) DeleteToken(ctx context.Context, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE key = ?`, key)
	return err
}

func (s *SQLStore) DeleteTokenIf(ctx context.Context, key string, sealed []byte) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE key = ? AND sealed = ?`, key, sealed)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func ints(v []int) string {
	if v == nil {
		v = []int{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseInts(s string) []int {
	var v []int
	json.Unmarshal([]byte(s), &v)
	return v
}

func (s *SQLStore) SaveAuthorizer(ctx context.Context, a Authorizer) error {
	kind := a.Kind
	if kind == "" {
		kind = "oa"
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO authorizers (appid, refresh_sealed, func_ids, status, kind, nick_name, authorized_at, updated_at, facts, checked_at)
	  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	  ON CONFLICT(appid) DO UPDATE SET refresh_sealed = excluded.refresh_sealed, func_ids = excluded.func_ids, status = excluded.status,
	  kind = excluded.kind, nick_name = excluded.nick_name, authorized_at = excluded.authorized_at, updated_at = excluded.updated_at, facts = excluded.facts, checked_at = excluded.checked_at`,
		a.AppID, a.RefreshSealed, ints(a.FuncIDs), a.Status, kind, a.NickName, unix(a.AuthorizedAt), unix(a.UpdatedAt), string(a.FactsJSON), unix(a.CheckedAt))
	return err
}

func (s *SQLStore) SetAuthorizerRefresh(ctx context.Context, appid string, sealed []byte, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE authorizers SET refresh_sealed = ?, updated_at = ? WHERE appid = ?`, sealed, unix(at), appid)
	return err
}

func (s *SQLStore) SetAuthorizerStatus(ctx context.Context, appid, status string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE authorizers SET status = ?, updated_at = ? WHERE appid = ?`, status, unix(at), appid)
	return err
}

func (s *SQLStore) SetAuthorizerFacts(ctx context.Context, appid, nick string, funcIDs []int, facts []byte, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE authorizers SET nick_name = ?, func_ids = ?, facts = ?, checked_at = ? WHERE appid = ?`,
		nick, ints(funcIDs), string(facts), unix(at), appid)
	return err
}

const authorizerCols = `appid, refresh_sealed, func_ids, status, kind, nick_name, authorized_at, updated_at, COALESCE(facts, ''), checked_at`

type scanner interface{ Scan(...any) error }

func scanAuthorizer(r scanner) (Authorizer, error) {
	var a Authorizer
	var funcs, facts string
	var at, up, chk int64
	err := r.Scan(&a.AppID, &a.RefreshSealed, &funcs, &a.Status, &a.Kind, &a.NickName, &at, &up, &facts, &chk)
	a.FuncIDs, a.AuthorizedAt, a.UpdatedAt, a.CheckedAt = parseInts(funcs), fromUnix(at), fromUnix(up), fromUnix(chk)
	if facts != "" {
		a.FactsJSON = []byte(facts)
	}
	return a, notFound(err)
}

func (s *SQLStore) Authorizer(ctx context.Context, appid string) (Authorizer, error) {
	return scanAuthorizer(s.r.QueryRowContext(ctx, `SELECT `+authorizerCols+` FROM authorizers WHERE appid = ?`, appid))
}

func (s *SQLStore) Authorizers(ctx context.Context) ([]Authorizer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+authorizerCols+` FROM authorizers ORDER BY appid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Authorizer
	for rows.Next() {
		a, err := scanAuthorizer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const sessionCols = `id, code, project, expected_appid, status, appid, nick_name, granted, missing, reason, version, visits, created_at, expires_at, updated_at`

func scanSession(r scanner) (Session, error) {
	var x Session
	var granted, missing string
	var c, e, u int64
	err := r.Scan(&x.ID, &x.Code, &x.Project, &x.ExpectedAppID, &x.Status, &x.AppID, &x.NickName, &granted, &missing, &x.Reason, &x.Version, &x.Visits, &c, &e, &u)
	x.Granted, x.Missing, x.CreatedAt, x.ExpiresAt, x.UpdatedAt = parseInts(granted), parseInts(missing), fromUnix(c), fromUnix(e), fromUnix(u)
	return x, notFound(err)
}

func (s *SQLStore) CreateSession(ctx context.Context, x Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.ID, x.Code, x.Project, x.ExpectedAppID, x.Status, x.AppID, x.NickName, ints(x.Granted), ints(x.Missing), x.Reason, x.Version, x.Visits, unix(x.CreatedAt), unix(x.ExpiresAt), unix(x.UpdatedAt))
	return err
}

func (s *SQLStore) UpdateSession(ctx context.Context, x Session, prev int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sessions SET status = ?, appid = ?, nick_name = ?, granted = ?, missing = ?, reason = ?, version = ?, visits = ?, expires_at = ?, updated_at = ? WHERE id = ? AND version = ?`,
		x.Status, x.AppID, x.NickName, ints(x.Granted), ints(x.Missing), x.Reason, x.Version, x.Visits, unix(x.ExpiresAt), unix(x.UpdatedAt), x.ID, prev)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrConflict
	}
	return nil
}

func (s *SQLStore) Session(ctx context.Context, id string) (Session, error) {
	return scanSession(s.r.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
}

func (s *SQLStore) SessionByCode(ctx context.Context, code string) (Session, error) {
	return scanSession(s.r.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE code = ?`, code))
}

func (s *SQLStore) OpenSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE status IN ('pending', 'scanned', 'cancelled') AND expires_at > ?`, unix(now)).Scan(&n)
	return n, err
}

func (s *SQLStore) CreateProjectToken(ctx context.Context, p ProjectToken) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO project_tokens VALUES (?, ?, ?, ?, 0)`, p.ID, p.Project, p.Hash, unix(p.CreatedAt))
	return err
}

func scanProject(r scanner) (ProjectToken, error) {
	var p ProjectToken
	var c, rv int64
	err := r.Scan(&p.ID, &p.Project, &p.Hash, &c, &rv)
	p.CreatedAt, p.RevokedAt = fromUnix(c), fromUnix(rv)
	return p, notFound(err)
}

func (s *SQLStore) ProjectTokenByHash(ctx context.Context, hash string) (ProjectToken, error) {
	return scanProject(s.r.QueryRowContext(ctx, `SELECT id, project, hash, created_at, revoked_at FROM project_tokens WHERE hash = ?`, hash))
}

func (s *SQLStore) ProjectTokens(ctx context.Context) ([]ProjectToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, project, hash, created_at, revoked_at FROM project_tokens ORDER BY created_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProjectToken
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *SQLStore) RevokeProjectToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE project_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, unix(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLStore) LinkAccount(ctx context.Context, project, appid string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO project_accounts VALUES (?, ?, ?)`, project, appid, unix(at))
	return err
}

func (s *SQLStore) AccountProjects(ctx context.Context, appid string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT project FROM project_accounts WHERE appid = ? ORDER BY project`, appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
