package connector

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// codeHash is how pre-auth and authorization codes are kept.
func codeHash(code string) string {
	h := sha256.Sum256([]byte("oawizard-code:" + code))
	return hex.EncodeToString(h[:])
}

// migrateHashedCodes (schema 2) replaces the plain-text code tables by hashed
// ones and drops the plain-text ticket: it cannot be sealed here (the store
// does not know the key), and WeChat pushes a new one within ten minutes,
// while the stored component token keeps working meanwhile.
func migrateHashedCodes(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
	 CREATE TABLE code_claims (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, appid TEXT NOT NULL DEFAULT '', claimed_at INTEGER NOT NULL);
	 CREATE TABLE pre_auth_hashes (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE);
	 CREATE INDEX pre_auth_hashes_session ON pre_auth_hashes(session_id);
	 CREATE TABLE sealed_tickets (component_appid TEXT PRIMARY KEY, sealed BLOB NOT NULL, received_at INTEGER NOT NULL);
	 CREATE INDEX sessions_expires ON sessions(expires_at);
	 CREATE INDEX nonces_seen ON nonces(seen_at);`)
	if err != nil {
		return err
	}
	rehash := func(query, insert string) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		type row struct{ code, a, b string }
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.code, &r.a, &r.b); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		for _, r := range all {
			if _, err := tx.ExecContext(ctx, insert, codeHash(r.code), r.a, r.b); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// A code claimed before the upgrade has no known session: it is owned
	// by none, so no callback can ever complete a session with it.
	if err := rehash(`SELECT code, appid, claimed_at FROM auth_codes`,
		`INSERT INTO code_claims (hash, session_id, appid, claimed_at) VALUES (?, '', ?, ?)`); err != nil {
		return err
	}
	if err := rehash(`SELECT code, session_id, '' FROM pre_auth_codes WHERE session_id IN (SELECT id FROM sessions)`,
		`INSERT OR IGNORE INTO pre_auth_hashes (hash, session_id) SELECT ?, ? WHERE ? = ''`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE auth_codes; DROP TABLE pre_auth_codes; DROP TABLE tickets;`)
	return err
}

func (s *SQLStore) SaveTicket(ctx context.Context, comp string, sealed []byte, at time.Time) error {
	_, err := s.w.ExecContext(ctx, saveTicketSQL, comp, sealed, unix(at))
	return err
}

const saveTicketSQL = `INSERT INTO sealed_tickets VALUES (?, ?, ?) ON CONFLICT(component_appid) DO UPDATE SET sealed = excluded.sealed,
  received_at = excluded.received_at WHERE excluded.received_at >= sealed_tickets.received_at`

func (s *SQLStore) Ticket(ctx context.Context, comp string) ([]byte, time.Time, error) {
	var b []byte
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT sealed, received_at FROM sealed_tickets WHERE component_appid = ?`, comp).Scan(&b, &at)
	return b, fromUnix(at), notFound(err)
}

func (s *SQLStore) TicketAppIDs(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT component_appid FROM sealed_tickets ORDER BY received_at DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *SQLStore) LinkPreAuthCode(ctx context.Context, hash, id string) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO pre_auth_hashes VALUES (?, ?)`, hash, id)
	return err
}

func (s *SQLStore) SessionByPreAuthCode(ctx context.Context, hash string) (Session, error) {
	return scanSession(s.r.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = (SELECT session_id FROM pre_auth_hashes WHERE hash = ?)`, hash))
}

func (s *SQLStore) ClaimCode(ctx context.Context, hash, sessionID string, at time.Time) (bool, string, error) {
	res, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO code_claims (hash, session_id, claimed_at) VALUES (?, ?, ?)`, hash, sessionID, unix(at))
	if err != nil {
		return false, "", err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, sessionID, nil
	}
	owner, _, err := s.CodeClaim(ctx, hash)
	return false, owner, err
}

func (s *SQLStore) SetCodeAppID(ctx context.Context, hash, appid string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE code_claims SET appid = ? WHERE hash = ?`, appid, hash)
	return err
}

func (s *SQLStore) CodeClaim(ctx context.Context, hash string) (string, string, error) {
	var owner, appid string
	err := s.w.QueryRowContext(ctx, `SELECT session_id, appid FROM code_claims WHERE hash = ?`, hash).Scan(&owner, &appid)
	return owner, appid, notFound(err)
}

func (s *SQLStore) ApplyPush(ctx context.Context, nonce string, at time.Time, e PushEffect) (bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)`, nonce, unix(at))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if e.TicketComponent != "" {
		if _, err := tx.ExecContext(ctx, saveTicketSQL, e.TicketComponent, e.TicketSealed, unix(at)); err != nil {
			return false, err
		}
	}
	if e.RevokeAppID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE authorizers SET refresh_sealed = NULL, status = ?, updated_at = ? WHERE appid = ?`,
			AuthorizerRevoked, unix(at), e.RevokeAppID); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE key = ?`, e.TokenKey); err != nil {
			return false, err
		}
	}
	return true, tx.Commit()
}

func (s *SQLStore) Prune(ctx context.Context, sessionsBefore, noncesBefore time.Time) (int64, int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, unix(sessionsBefore))
	if err != nil {
		return 0, 0, err
	}
	sessions, _ := res.RowsAffected()
	// The pre-auth codes kept for sessions that were never confirmed.
	if _, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE key LIKE 'preauth:%' AND expires_at < ?`, unix(sessionsBefore)); err != nil {
		return sessions, 0, err
	}
	res, err = s.w.ExecContext(ctx, `DELETE FROM nonces WHERE seen_at < ?`, unix(noncesBefore))
	if err != nil {
		return sessions, 0, err
	}
	nonces, _ := res.RowsAffected()
	return sessions, nonces, nil
}

// Checkpoint copies the write-ahead log into the database and truncates it,
// so the -wal file shrinks back after a burst of writes (SQLite's automatic
// checkpoints never shrink it).
func (s *SQLStore) Checkpoint(ctx context.Context) error {
	var busy, logged, done int
	err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done)
	if err == nil && busy != 0 {
		err = errCheckpointBusy
	}
	return err
}

var errCheckpointBusy = errors.New("connector: checkpoint postponed: readers were active")
