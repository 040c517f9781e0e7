package connector

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

func (s *PGStore) SaveAuthorizer(ctx context.Context, a Authorizer) error {
	kind := a.Kind
	if kind == "" {
		kind = "oa"
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO authorizers (appid, refresh_sealed, func_ids, status, kind, nick_name, authorized_at, updated_at, facts, checked_at)
	  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	  ON CONFLICT (appid) DO UPDATE SET refresh_sealed = excluded.refresh_sealed, func_ids = excluded.func_ids, status = excluded.status,
	  kind = excluded.kind, nick_name = excluded.nick_name, authorized_at = excluded.authorized_at, updated_at = excluded.updated_at, facts = excluded.facts, checked_at = excluded.checked_at`,
		a.AppID, a.RefreshSealed, ints(a.FuncIDs), a.Status, kind, a.NickName, unix(a.AuthorizedAt), unix(a.UpdatedAt), string(a.FactsJSON), unix(a.CheckedAt))
	return err
}

func (s *PGStore) SetAuthorizerRefresh(ctx context.Context, appid string, sealed []byte, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE authorizers SET refresh_sealed = $1, updated_at = $2 WHERE appid = $3`, sealed, unix(at), appid)
	return err
}

func (s *PGStore) SetAuthorizerStatus(ctx context.Context, appid, status string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE authorizers SET status = $1, updated_at = $2 WHERE appid = $3`, status, unix(at), appid)
	return err
}

func (s *PGStore) SetAuthorizerFacts(ctx context.Context, appid, nick string, funcIDs []int, facts []byte, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE authorizers SET nick_name = $1, func_ids = $2, facts = $3, checked_at = $4 WHERE appid = $5`,
		nick, ints(funcIDs), string(facts), unix(at), appid)
	return err
}

func (s *PGStore) Authorizer(ctx context.Context, appid string) (Authorizer, error) {
	return scanAuthorizer(s.row(ctx, `SELECT `+authorizerCols+` FROM authorizers WHERE appid = $1`, appid))
}

func (s *PGStore) Authorizers(ctx context.Context) ([]Authorizer, error) {
	return pgList(ctx, s, scanAuthorizer, `SELECT `+authorizerCols+` FROM authorizers ORDER BY appid`)
}

func (s *PGStore) CreateSession(ctx context.Context, x Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		x.ID, x.Code, x.Project, x.ExpectedAppID, x.Status, x.AppID, x.NickName, ints(x.Granted), ints(x.Missing), x.Reason, x.Version, x.Visits,
		unix(x.CreatedAt), unix(x.ExpiresAt), unix(x.UpdatedAt))
	return err
}

// UpdateSession notifies sessionsChannel in the same statement, so every
// instance hears of the change once it is committed, and only then.
func (s *PGStore) UpdateSession(ctx context.Context, x Session, prev int64) error {
	var n int
	err := s.pool.QueryRow(ctx, `WITH u AS (UPDATE sessions SET status = $1, appid = $2, nick_name = $3, granted = $4, missing = $5, reason = $6,
	    version = $7, visits = $8, expires_at = $9, updated_at = $10 WHERE id = $11 AND version = $12 RETURNING id)
	  SELECT COUNT(pg_notify('`+sessionsChannel+`', id)) FROM u`,
		x.Status, x.AppID, x.NickName, ints(x.Granted), ints(x.Missing), x.Reason, x.Version, x.Visits, unix(x.ExpiresAt), unix(x.UpdatedAt), x.ID, prev).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

func (s *PGStore) Session(ctx context.Context, id string) (Session, error) {
	return scanSession(s.row(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, id))
}

func (s *PGStore) SessionByCode(ctx context.Context, code string) (Session, error) {
	return scanSession(s.row(ctx, `SELECT `+sessionCols+` FROM sessions WHERE code = $1`, code))
}

func (s *PGStore) OpenSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE status IN ('pending', 'scanned', 'cancelled') AND expires_at > $1`, unix(now)).Scan(&n)
	return n, err
}

func (s *PGStore) LinkPreAuthCode(ctx context.Context, hash, id string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO pre_auth_hashes VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET session_id = excluded.session_id`, hash, id)
	return err
}

func (s *PGStore) SessionByPreAuthCode(ctx context.Context, hash string) (Session, error) {
	return scanSession(s.row(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = (SELECT session_id FROM pre_auth_hashes WHERE hash = $1)`, hash))
}

func (s *PGStore) ClaimCode(ctx context.Context, hash, sessionID string, at time.Time) (bool, string, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO code_claims (hash, session_id, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING`, hash, sessionID, unix(at))
	if err != nil {
		return false, "", err
	}
	if tag.RowsAffected() == 1 {
		return true, sessionID, nil
	}
	owner, _, err := s.CodeClaim(ctx, hash)
	return false, owner, err
}

func (s *PGStore) SetCodeAppID(ctx context.Context, hash, appid string) error {
	_, err := s.pool.Exec(ctx, `UPDATE code_claims SET appid = $1 WHERE hash = $2`, appid, hash)
	return err
}

func (s *PGStore) CodeClaim(ctx context.Context, hash string) (string, string, error) {
	var owner, appid string
	err := s.row(ctx, `SELECT session_id, appid FROM code_claims WHERE hash = $1`, hash).Scan(&owner, &appid)
	return owner, appid, notFound(err)
}

// ApplyPush relies on the nonce's primary key: an instance inserting a
// nonce another has inserted but not committed waits for that commit, then
// inserts nothing (a replay) or, after a rollback, takes the push itself.
func (s *PGStore) ApplyPush(ctx context.Context, nonce string, at time.Time, e PushEffect) (bool, error) {
	fresh := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO nonces (nonce, seen_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING`, nonce, unix(at))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if e.TicketComponent != "" {
			if _, err := tx.Exec(ctx, pgSaveTicketSQL, e.TicketComponent, e.TicketSealed, unix(at)); err != nil {
				return err
			}
		}
		if e.RevokeAppID != "" {
			if _, err := tx.Exec(ctx, `UPDATE authorizers SET refresh_sealed = NULL, status = $1, updated_at = $2 WHERE appid = $3`,
				AuthorizerRevoked, unix(at), e.RevokeAppID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM tokens WHERE key = $1`, e.TokenKey); err != nil {
				return err
			}
		}
		fresh = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return fresh, nil
}

func (s *PGStore) Prune(ctx context.Context, sessionsBefore, noncesBefore time.Time) (int64, int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, unix(sessionsBefore))
	if err != nil {
		return 0, 0, err
	}
	sessions := tag.RowsAffected()
	// The pre-auth codes kept for sessions that were never confirmed.
	if _, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE key LIKE 'preauth:%' AND expires_at < $1`, unix(sessionsBefore)); err != nil {
		return sessions, 0, err
	}
	tag, err = s.pool.Exec(ctx, `DELETE FROM nonces WHERE seen_at < $1`, unix(noncesBefore))
	if err != nil {
		return sessions, 0, err
	}
	return sessions, tag.RowsAffected(), nil
}

func (s *PGStore) CreateProjectToken(ctx context.Context, p ProjectToken) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO project_tokens VALUES ($1, $2, $3, $4, 0)`, p.ID, p.Project, p.Hash, unix(p.CreatedAt))
	return err
}

func (s *PGStore) ProjectTokenByHash(ctx context.Context, hash string) (ProjectToken, error) {
	return scanProject(s.row(ctx, `SELECT id, project, hash, created_at, revoked_at FROM project_tokens WHERE hash = $1`, hash))
}

func (s *PGStore) ProjectTokens(ctx context.Context) ([]ProjectToken, error) {
	return pgList(ctx, s, scanProject, `SELECT id, project, hash, created_at, revoked_at FROM project_tokens ORDER BY created_at`)
}

func (s *PGStore) RevokeProjectToken(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE project_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, unix(at), id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *PGStore) LinkAccount(ctx context.Context, project, appid string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO project_accounts VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, project, appid, unix(at))
	return err
}

func (s *PGStore) AccountProjects(ctx context.Context, appid string) ([]string, error) {
	return pgList(ctx, s, scanString, `SELECT project FROM project_accounts WHERE appid = $1 ORDER BY project`, appid)
}
