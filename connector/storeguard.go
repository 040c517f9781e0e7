package connector

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// storeTimeout bounds each store call a request makes: a database that
// hangs (stopped, a stalled network) must turn into a quick 503 the caller
// can retry, not a request that waits as long as the database does.
const storeTimeout = 3 * time.Second

// storeRetryAfter is the Retry-After of a 503 store_unavailable, in
// seconds: long enough for a database restart or a failover to begin.
const storeRetryAfter = "5"

// StoreError is a store call that failed for another reason than a
// missing row or a concurrent change: the database is down, hung, full or
// refusing. It is never "not found": a project token or a session the
// store could not read is unknown, not absent.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return "connector: store: " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

// guardedStore gives every call of a Store a deadline and marks its
// failures as StoreError, so every caller tells an outage from an answer.
type guardedStore struct {
	Store
	limit time.Duration
}

func guard(st Store, limit time.Duration) guardedStore { return guardedStore{Store: st, limit: limit} }

// markStore wraps err as a StoreError unless it is an answer (not found, a
// conflict) or the caller itself gave up.
func markStore(ctx context.Context, err error) error {
	var se *StoreError
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.As(err, &se) || ctx.Err() != nil {
		return err
	}
	return &StoreError{Err: err}
}

func do0(g guardedStore, ctx context.Context, f func(context.Context) error) error {
	c, cancel := context.WithTimeout(ctx, g.limit)
	defer cancel()
	return markStore(ctx, f(c))
}

func do1[T any](g guardedStore, ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	c, cancel := context.WithTimeout(ctx, g.limit)
	defer cancel()
	v, err := f(c)
	return v, markStore(ctx, err)
}

func do2[T, U any](g guardedStore, ctx context.Context, f func(context.Context) (T, U, error)) (T, U, error) {
	c, cancel := context.WithTimeout(ctx, g.limit)
	defer cancel()
	v, w, err := f(c)
	return v, w, markStore(ctx, err)
}

func (g guardedStore) SaveTicket(ctx context.Context, comp string, sealed []byte, at time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SaveTicket(c, comp, sealed, at) })
}

func (g guardedStore) Ticket(ctx context.Context, comp string) ([]byte, time.Time, error) {
	return do2(g, ctx, func(c context.Context) ([]byte, time.Time, error) { return g.Store.Ticket(c, comp) })
}

func (g guardedStore) TicketAppIDs(ctx context.Context) ([]string, error) {
	return do1(g, ctx, g.Store.TicketAppIDs)
}

func (g guardedStore) SaveToken(ctx context.Context, key string, sealed []byte, expires time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SaveToken(c, key, sealed, expires) })
}

func (g guardedStore) Token(ctx context.Context, key string) ([]byte, time.Time, error) {
	return do2(g, ctx, func(c context.Context) ([]byte, time.Time, error) { return g.Store.Token(c, key) })
}

func (g guardedStore) DeleteToken(ctx context.Context, key string) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.DeleteToken(c, key) })
}

func (g guardedStore) DeleteTokenIf(ctx context.Context, key string, sealed []byte) (bool, error) {
	return do1(g, ctx, func(c context.Context) (bool, error) { return g.Store.DeleteTokenIf(c, key, sealed) })
}

func (g guardedStore) SaveAuthorizer(ctx context.Context, a Authorizer) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SaveAuthorizer(c, a) })
}

func (g guardedStore) SetAuthorizerRefresh(ctx context.Context, appid string, sealed []byte, at time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SetAuthorizerRefresh(c, appid, sealed, at) })
}

func (g guardedStore) SetAuthorizerStatus(ctx context.Context, appid, status string, at time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SetAuthorizerStatus(c, appid, status, at) })
}

func (g guardedStore) SetAuthorizerFacts(ctx context.Context, appid, nick string, funcIDs []int, facts []byte, at time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SetAuthorizerFacts(c, appid, nick, funcIDs, facts, at) })
}

func (g guardedStore) Authorizer(ctx context.Context, appid string) (Authorizer, error) {
	return do1(g, ctx, func(c context.Context) (Authorizer, error) { return g.Store.Authorizer(c, appid) })
}

func (g guardedStore) Authorizers(ctx context.Context) ([]Authorizer, error) {
	return do1(g, ctx, g.Store.Authorizers)
}

func (g guardedStore) CreateSession(ctx context.Context, x Session) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.CreateSession(c, x) })
}

func (g guardedStore) UpdateSession(ctx context.Context, x Session, prev int64) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.UpdateSession(c, x, prev) })
}

func (g guardedStore) Session(ctx context.Context, id string) (Session, error) {
	return do1(g, ctx, func(c context.Context) (Session, error) { return g.Store.Session(c, id) })
}

func (g guardedStore) SessionByCode(ctx context.Context, code string) (Session, error) {
	return do1(g, ctx, func(c context.Context) (Session, error) { return g.Store.SessionByCode(c, code) })
}

func (g guardedStore) LinkPreAuthCode(ctx context.Context, hash, id string) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.LinkPreAuthCode(c, hash, id) })
}

func (g guardedStore) SessionByPreAuthCode(ctx context.Context, hash string) (Session, error) {
	return do1(g, ctx, func(c context.Context) (Session, error) { return g.Store.SessionByPreAuthCode(c, hash) })
}

func (g guardedStore) OpenSessions(ctx context.Context, now time.Time) (int, error) {
	return do1(g, ctx, func(c context.Context) (int, error) { return g.Store.OpenSessions(c, now) })
}

func (g guardedStore) ClaimCode(ctx context.Context, hash, id string, at time.Time) (bool, string, error) {
	return do2(g, ctx, func(c context.Context) (bool, string, error) { return g.Store.ClaimCode(c, hash, id, at) })
}

func (g guardedStore) SetCodeAppID(ctx context.Context, hash, appid string) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.SetCodeAppID(c, hash, appid) })
}

func (g guardedStore) CodeClaim(ctx context.Context, hash string) (string, string, error) {
	return do2(g, ctx, func(c context.Context) (string, string, error) { return g.Store.CodeClaim(c, hash) })
}

func (g guardedStore) ApplyPush(ctx context.Context, nonce string, at time.Time, e PushEffect) (bool, error) {
	return do1(g, ctx, func(c context.Context) (bool, error) { return g.Store.ApplyPush(c, nonce, at, e) })
}

func (g guardedStore) CreateProjectToken(ctx context.Context, p ProjectToken) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.CreateProjectToken(c, p) })
}

func (g guardedStore) ProjectTokenByHash(ctx context.Context, hash string) (ProjectToken, error) {
	return do1(g, ctx, func(c context.Context) (ProjectToken, error) { return g.Store.ProjectTokenByHash(c, hash) })
}

func (g guardedStore) LinkAccount(ctx context.Context, project, appid string, at time.Time) error {
	return do0(g, ctx, func(c context.Context) error { return g.Store.LinkAccount(c, project, appid, at) })
}

func (g guardedStore) AccountProjects(ctx context.Context, appid string) ([]string, error) {
	return do1(g, ctx, func(c context.Context) ([]string, error) { return g.Store.AccountProjects(c, appid) })
}

func (g guardedStore) Ping(ctx context.Context) error { return do0(g, ctx, g.Store.Ping) }

// duplicate reports a write refused for a key already taken (a session
// code drawn twice): worth a second try with another key, unlike a store
// that fails.
func duplicate(err error) bool {
	var se *sqlite.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &se):
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	case errors.As(err, &pe):
		return pe.Code == "23505"
	}
	return false
}

// staffDB gives the console's queries the deadline and the StoreError
// marking every other store call has: a hung database must not hang a
// staff page, nor read as "wrong token" or "unknown code".
func (g guardedStore) staffDB(d *staffDB) *staffDB {
	out := &staffDB{
		exec: func(ctx context.Context, q string, args ...any) (int64, error) {
			return do1(g, ctx, func(c context.Context) (int64, error) { return d.exec(c, q, args...) })
		},
		row: func(ctx context.Context, q string, args ...any) scanner {
			c, cancel := context.WithTimeout(ctx, g.limit)
			return guardedRow{ctx: ctx, cancel: cancel, r: d.row(c, q, args...)}
		},
		query: func(ctx context.Context, q string, args ...any) (rowsIter, func(), error) {
			c, cancel := context.WithTimeout(ctx, g.limit)
			rows, done, err := d.query(c, q, args...)
			if err != nil {
				cancel()
				return nil, nil, markStore(ctx, err)
			}
			return guardedRows{rowsIter: rows, ctx: ctx}, func() { done(); cancel() }, nil
		},
	}
	if d.notify != nil {
		out.notify = func(ctx context.Context, id string) error {
			return do0(g, ctx, func(c context.Context) error { return d.notify(c, id) })
		}
	}
	return out
}

// guardedRow keeps its query's deadline until the row is read, and marks
// a failure other than "no row".
type guardedRow struct {
	ctx    context.Context
	cancel context.CancelFunc
	r      scanner
}

func (r guardedRow) Scan(dst ...any) error {
	defer r.cancel()
	return markRow(r.ctx, r.r.Scan(dst...))
}

type guardedRows struct {
	rowsIter
	ctx context.Context
}

func (r guardedRows) Scan(dst ...any) error { return markRow(r.ctx, r.rowsIter.Scan(dst...)) }
func (r guardedRows) Err() error            { return markRow(r.ctx, r.rowsIter.Err()) }

// markRow is markStore for a read, where "no row" is an answer.
func markRow(ctx context.Context, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return markStore(ctx, err)
}
