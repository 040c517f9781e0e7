package connector

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The staff console's rows: staff tokens (hashed like project tokens), the
// sessions they were exchanged for (hashed too: a copy of the database must
// not sign anyone in) and the snapshots wizards publish under a support
// code (kept only as a hash). Both stores keep them in the same tables,
// added by schema version 3; the queries are written once, with ?
// placeholders that PostgreSQL's side renumbers.

const staffSchema = `CREATE TABLE staff_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
	   created_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);
	 CREATE TABLE staff_sessions (hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL, expires_at BIGINT NOT NULL);
	 CREATE TABLE support_snapshots (id TEXT PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, project TEXT NOT NULL,
	   body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);`

// StaffToken is one member of staff's access to the console.
type StaffToken struct {
	ID, Name, Hash       string
	CreatedAt, RevokedAt time.Time
}

// supportSnapshot is what a wizard last published, found by its code.
type supportSnapshot struct {
	ID, CodeHash, Project string
	Body                  []byte
	CreatedAt, UpdatedAt  time.Time
	ExpiresAt             time.Time
}

// rowsIter is what both drivers' result sets offer.
type rowsIter interface {
	Next() bool
	Scan(dst ...any) error
	Err() error
}

// staffDB runs the staff queries on one store.
type staffDB struct {
	exec  func(ctx context.Context, q string, args ...any) (int64, error)
	row   func(ctx context.Context, q string, args ...any) scanner
	query func(ctx context.Context, q string, args ...any) (rowsIter, func(), error)
	// notify tells the other instances that a snapshot changed (nil when
	// there are none).
	notify func(ctx context.Context, id string) error
}

// staffStores are the stores the console works on.
type staffStores interface{ staffDB() *staffDB }

// errNoConsole: the store has no staff tables (a test double).
var errNoConsole = errors.New("connector: this store does not keep staff accounts")

func staffOf(st Store) (*staffDB, error) {
	// The server's store is wrapped with deadlines; the console's tables
	// are reached through the store it wraps, under the same deadlines.
	g, guarded := st.(guardedStore)
	if guarded {
		st = g.Store
	}
	s, ok := st.(staffStores)
	if !ok {
		return nil, errNoConsole
	}
	if guarded {
		return g.staffDB(s.staffDB()), nil
	}
	return s.staffDB(), nil
}

// dollarArgs turns ? placeholders into PostgreSQL's $1, $2, ...
func dollarArgs(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const staffCols = `id, name, hash, created_at, revoked_at`

func scanStaff(r scanner) (StaffToken, error) {
	var t StaffToken
	var c, rv int64
	err := r.Scan(&t.ID, &t.Name, &t.Hash, &c, &rv)
	t.CreatedAt, t.RevokedAt = fromUnix(c), fromUnix(rv)
	return t, notFound(err)
}

func (d *staffDB) createToken(ctx context.Context, t StaffToken) error {
	_, err := d.exec(ctx, `INSERT INTO staff_tokens VALUES (?, ?, ?, ?, 0)`, t.ID, t.Name, t.Hash, unix(t.CreatedAt))
	return err
}

func (d *staffDB) tokenByHash(ctx context.Context, hash string) (StaffToken, error) {
	return scanStaff(d.row(ctx, `SELECT `+staffCols+` FROM staff_tokens WHERE hash = ?`, hash))
}

func (d *staffDB) tokens(ctx context.Context) ([]StaffToken, error) {
	rows, done, err := d.query(ctx, `SELECT `+staffCols+` FROM staff_tokens ORDER BY created_at`)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []StaffToken
	for rows.Next() {
		t, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// revokeToken revokes a token and ends its sessions at once.
func (d *staffDB) revokeToken(ctx context.Context, id string, at time.Time) error {
	n, err := d.exec(ctx, `UPDATE staff_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, unix(at), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	_, err = d.exec(ctx, `DELETE FROM staff_sessions WHERE staff_id = ?`, id)
	return err
}

func (d *staffDB) createSession(ctx context.Context, hash, staffID string, now, expires time.Time) error {
	// Sessions that ended go with each sign-in, so the table stays small.
	if _, err := d.exec(ctx, `DELETE FROM staff_sessions WHERE expires_at < ?`, unix(now)); err != nil {
		return err
	}
	_, err := d.exec(ctx, `INSERT INTO staff_sessions VALUES (?, ?, ?)`, hash, staffID, unix(expires))
	return err
}

// sessionStaff is the live staff token behind a session, or ErrNotFound.
func (d *staffDB) sessionStaff(ctx context.Context, hash string, now time.Time) (StaffToken, error) {
	return scanStaff(d.row(ctx, `SELECT t.id, t.name, t.hash, t.created_at, t.revoked_at FROM staff_sessions s
	  JOIN staff_tokens t ON t.id = s.staff_id WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at = 0`, hash, unix(now)))
}

func (d *staffDB) deleteSession(ctx context.Context, hash string) error {
	_, err := d.exec(ctx, `DELETE FROM staff_sessions WHERE hash = ?`, hash)
	return err
}

const snapshotCols = `id, code_hash, project, body, created_at, updated_at, expires_at`

func scanSnapshot(r scanner) (supportSnapshot, error) {
	var x supportSnapshot
	var body string
	var c, u, e int64
	err := r.Scan(&x.ID, &x.CodeHash, &x.Project, &body, &c, &u, &e)
	x.Body, x.CreatedAt, x.UpdatedAt, x.ExpiresAt = []byte(body), fromUnix(c), fromUnix(u), fromUnix(e)
	return x, notFound(err)
}

// putSnapshot stores a snapshot (new or updated by id) and tells the other
// instances; expired ones go meanwhile.
func (d *staffDB) putSnapshot(ctx context.Context, x supportSnapshot) error {
	if _, err := d.exec(ctx, `DELETE FROM support_snapshots WHERE expires_at < ?`, unix(x.UpdatedAt)); err != nil {
		return err
	}
	_, err := d.exec(ctx, `INSERT INTO support_snapshots VALUES (?, ?, ?, ?, ?, ?, ?)
	  ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
		x.ID, x.CodeHash, x.Project, string(x.Body), unix(x.CreatedAt), unix(x.UpdatedAt), unix(x.ExpiresAt))
	if err != nil || d.notify == nil {
		return err
	}
	return d.notify(ctx, x.ID)
}

func (d *staffDB) snapshotByCode(ctx context.Context, codeHash string) (supportSnapshot, error) {
	return scanSnapshot(d.row(ctx, `SELECT `+snapshotCols+` FROM support_snapshots WHERE code_hash = ?`, codeHash))
}

func (d *staffDB) snapshot(ctx context.Context, id string) (supportSnapshot, error) {
	return scanSnapshot(d.row(ctx, `SELECT `+snapshotCols+` FROM support_snapshots WHERE id = ?`, id))
}
