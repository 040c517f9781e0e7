package connector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgMigrations are PostgreSQL's schema versions, applied in order like the
// SQLite store's; a shipped one is never edited. The schema mirrors SQLite's
// current one (times in Unix nanoseconds, sealed values as bytea), so that
// `connector migrate` copies rows as they are.
var pgMigrations = []string{
	`CREATE TABLE sealed_tickets (component_appid TEXT PRIMARY KEY, sealed BYTEA NOT NULL, received_at BIGINT NOT NULL);
	 CREATE TABLE tokens (key TEXT PRIMARY KEY, sealed BYTEA NOT NULL, expires_at BIGINT NOT NULL);
	 CREATE TABLE authorizers (appid TEXT PRIMARY KEY, refresh_sealed BYTEA, func_ids TEXT NOT NULL, status TEXT NOT NULL,
	   kind TEXT NOT NULL DEFAULT 'oa', nick_name TEXT NOT NULL DEFAULT '', authorized_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
	   facts TEXT, checked_at BIGINT NOT NULL DEFAULT 0);
	 CREATE TABLE sessions (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, project TEXT NOT NULL, expected_appid TEXT NOT NULL,
	   status TEXT NOT NULL, appid TEXT NOT NULL DEFAULT '', nick_name TEXT NOT NULL DEFAULT '', granted TEXT NOT NULL DEFAULT '[]',
	   missing TEXT NOT NULL DEFAULT '[]', reason TEXT NOT NULL DEFAULT '', version BIGINT NOT NULL, visits INTEGER NOT NULL DEFAULT 0,
	   created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
	 CREATE INDEX sessions_expires ON sessions(expires_at);
	 CREATE TABLE pre_auth_hashes (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE);
	 CREATE INDEX pre_auth_hashes_session ON pre_auth_hashes(session_id);
	 CREATE TABLE code_claims (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, appid TEXT NOT NULL DEFAULT '', claimed_at BIGINT NOT NULL);
	 CREATE TABLE nonces (nonce TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
	 CREATE INDEX nonces_seen ON nonces(seen_at);
	 CREATE TABLE project_tokens (id TEXT PRIMARY KEY, project TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
	   created_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);
	 CREATE TABLE project_accounts (project TEXT NOT NULL, appid TEXT NOT NULL, linked_at BIGINT NOT NULL, PRIMARY KEY (project, appid));`,
	`CREATE TABLE instances (id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);`,
	staffSchema,
}

// sessionsChannel carries the id of every session changed, so that each
// instance wakes the long-polls it holds for it.
const sessionsChannel = "oawizard_sessions"

// migrateLockKey serialises schema changes of instances starting at once.
const migrateLockKey = 0x6f6177697a617264 // "oawizard"

// PGStore is the Store on PostgreSQL, shared by several connector
// instances: its transactions and row locks keep them consistent, its
// notifications wake long-polls on every instance, and its advisory locks
// make token refreshes single-flight across them.
type PGStore struct {
	pool *pgxpool.Pool
	// Token locks are held on connections of their own: a lock holder
	// reads and writes through pool meanwhile, so locks drawn from pool
	// could take every connection their holders wait for. Component
	// locks, taken inside authorizer locks, have their own again.
	authLocks, compLocks *pgxpool.Pool
}

// Connections per instance: queries, authorizer token locks, component
// token locks (one component; two leaves room for a lock being released),
// plus the listener's one. PostgreSQL's max_connections must cover 20 per
// instance.
const pgConns, pgAuthLocks, pgCompLocks = 9, 8, 2

// IsPostgresURL tells a PostgreSQL address from a SQLite file path.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenPGStore connects to the database at url and brings its schema up to
// date.
func OpenPGStore(ctx context.Context, url string) (*PGStore, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may repeat the address, password included.
		return nil, errors.New("connector: the PostgreSQL address is not valid (postgres://user:password@host:port/database)")
	}
	s := &PGStore{}
	for _, p := range []struct {
		pool **pgxpool.Pool
		max  int32
	}{{&s.pool, pgConns}, {&s.authLocks, pgAuthLocks}, {&s.compLocks, pgCompLocks}} {
		c := cfg.Copy()
		c.MaxConns, c.MinConns = p.max, 0
		if *p.pool, err = pgxpool.NewWithConfig(ctx, c); err != nil {
			s.Close()
			return nil, fmt.Errorf("connector: opening store: %w", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *PGStore) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockKey)); err != nil {
			return fmt.Errorf("connector: store: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("connector: store: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("connector: store: %w", err)
		}
		if have > len(pgMigrations) {
			return fmt.Errorf("connector: the store has schema version %d, newer than this program's %d; use a newer connector", have, len(pgMigrations))
		}
		for v := have + 1; v <= len(pgMigrations); v++ {
			if _, err := tx.Exec(ctx, pgMigrations[v-1]); err != nil {
				return fmt.Errorf("connector: store migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2)`, v, time.Now().Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}

// SchemaVersion reports the applied schema version.
func (s *PGStore) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func (s *PGStore) Close() error {
	for _, p := range []*pgxpool.Pool{s.pool, s.authLocks, s.compLocks} {
		if p != nil {
			p.Close()
		}
	}
	return nil
}

func (s *PGStore) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// pgRow lets the SQLite store's scanners read pgx rows: a missing row is
// sql.ErrNoRows to them.
type pgRow struct{ r pgx.Row }

func (p pgRow) Scan(dst ...any) error {
	err := p.r.Scan(dst...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

func (s *PGStore) row(ctx context.Context, q string, args ...any) pgRow {
	return pgRow{s.pool.QueryRow(ctx, q, args...)}
}

// pgList runs q and scans each row with scan.
func pgList[T any](ctx context.Context, s *PGStore, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanString(r scanner) (string, error) {
	var v string
	return v, r.Scan(&v)
}

func (s *PGStore) SaveTicket(ctx context.Context, comp string, sealed []byte, at time.Time) error {
	_, err := s.pool.Exec(ctx, pgSaveTicketSQL, comp, sealed, unix(at))
	return err
}

const pgSaveTicketSQL = `INSERT INTO sealed_tickets VALUES ($1, $2, $3) ON CONFLICT (component_appid) DO UPDATE SET sealed = excluded.sealed,
  received_at = excluded.received_at WHERE excluded.received_at >= sealed_tickets.received_at`

func (s *PGStore) Ticket(ctx context.Context, comp string) ([]byte, time.Time, error) {
	var b []byte
	var at int64
	err := s.row(ctx, `SELECT sealed, received_at FROM sealed_tickets WHERE component_appid = $1`, comp).Scan(&b, &at)
	return b, fromUnix(at), notFound(err)
}

func (s *PGStore) TicketAppIDs(ctx context.Context) ([]string, error) {
	return pgList(ctx, s, scanString, `SELECT component_appid FROM sealed_tickets ORDER BY received_at DESC`)
}

func (s *PGStore) SaveToken(ctx context.Context, key string, sealed []byte, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tokens VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at`,
		key, sealed, unix(expires))
	return err
}

func (s *PGStore) Token(ctx context.Context, key string) ([]byte, time.Time, error) {
	var b []byte
	var exp int64
	err := s.row(ctx, `SELECT sealed, expires_at FROM tokens WHERE key = $1`, key).Scan(&b, &exp)
	return b, fromUnix(exp), notFound(err)
}

func (s *PGStore) DeleteToken(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE key = $1`, key)
	return err
}

func (s *PGStore) DeleteTokenIf(ctx context.Context, key string, sealed []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE key = $1 AND sealed = $2`, key, sealed)
	return tag.RowsAffected() > 0, err
}

// WithTokenLock runs fn while holding a database-wide lock on key, so only
// one instance refreshes a token at a time; fn re-reads the stored token
// first, since the instance before it may have refreshed it already.
func (s *PGStore) WithTokenLock(ctx context.Context, key string, fn func(context.Context) error) error {
	h := fnv.New64a()
	h.Write([]byte("token:" + key))
	locks := s.authLocks
	if strings.HasPrefix(key, componentKey("")) {
		locks = s.compLocks
	}
	// Beginning is bounded like any store call, so a database that hangs
	// fails the caller in seconds; the lock itself may take as long as
	// the refresh of the instance holding it.
	bctx, cancel := context.WithTimeout(ctx, storeTimeout)
	tx, err := locks.Begin(bctx)
	cancel()
	if err != nil {
		return &StoreError{Err: err}
	}
	defer func() {
		// Ending the transaction releases the lock; a connection that
		// cannot end it is closed, which releases it too.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		defer cancel()
		if err := tx.Rollback(rctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			tx.Conn().Close(rctx)
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
		return &StoreError{Err: err}
	}
	return fn(ctx)
}

// DB is a Store with a versioned schema: either store.
type DB interface {
	Store
	SchemaVersion(ctx context.Context) (int, error)
}

// OpenDB opens the store an operator names: a postgres:// address for
// several instances sharing PostgreSQL, else a SQLite file (optionally
// written sqlite:PATH).
func OpenDB(ctx context.Context, addr string) (DB, error) {
	if IsPostgresURL(addr) {
		return OpenPGStore(ctx, addr)
	}
	return OpenStore(strings.TrimPrefix(addr, "sqlite:"))
}

// WatchSessions listens on one dedicated connection (outside the pool, so
// queries never wait behind it) and reconnects after a loss.
func (s *PGStore) WatchSessions(ctx context.Context, changed func(id string)) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if s.listen(ctx, changed) {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen reports whether it got as far as listening.
func (s *PGStore) listen(ctx context.Context, changed func(id string)) bool {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+sessionsChannel); err != nil {
		return false
	}
	// Whatever changed while nobody listened is found by looking again.
	changed("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		changed(n.Payload)
	}
}

// Heartbeat also forgets instances silent for long, so the table stays the
// size of the fleet.
func (s *PGStore) Heartbeat(ctx context.Context, id string, now time.Time, within time.Duration) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO instances VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, id, unix(now)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM instances WHERE seen_at < $1`, unix(now.Add(-10*within))); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM instances WHERE seen_at >= $1`, unix(now.Add(-within))).Scan(&n)
	})
	return n, err
}
