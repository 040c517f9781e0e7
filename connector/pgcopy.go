package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyTables lists what CopyToPostgres moves, parents before children
// (pre-auth hashes name sessions), with each table's columns; both schemas
// share them.
var copyTables = []struct{ name, cols string }{
	{"sealed_tickets", "component_appid, sealed, received_at"},
	{"tokens", "key, sealed, expires_at"},
	{"authorizers", "appid, refresh_sealed, func_ids, status, kind, nick_name, authorized_at, updated_at, facts, checked_at"},
	{"sessions", sessionCols},
	{"pre_auth_hashes", "hash, session_id"},
	{"code_claims", "hash, session_id, appid, claimed_at"},
	{"nonces", "nonce, seen_at"},
	{"project_tokens", "id, project, hash, created_at, revoked_at"},
	{"project_accounts", "project, appid, linked_at"},
	{"staff_tokens", staffCols},
}

// ErrTargetNotEmpty: the PostgreSQL store already holds data, so copying
// into it would merge two deployments (or run a finished move twice).
var ErrTargetNotEmpty = errors.New("connector: the target database already holds connector data; migrate only into an empty one")

// CopyToPostgres copies every row of a SQLite store into an empty
// PostgreSQL store, in one transaction: a failure leaves the target empty.
// Sealed values are copied as they are, so the same store key opens them.
// It returns the number of rows copied per table.
func CopyToPostgres(ctx context.Context, from *SQLStore, to *PGStore) (map[string]int, error) {
	counts := map[string]int{}
	err := pgx.BeginFunc(ctx, to.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockKey)); err != nil {
			return err
		}
		for _, t := range copyTables {
			var any bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.name+`)`).Scan(&any); err != nil {
				return err
			}
			if any {
				return ErrTargetNotEmpty
			}
		}
		for _, t := range copyTables {
			n, err := copyTable(ctx, from, tx, t.name, t.cols)
			if err != nil {
				return fmt.Errorf("connector: copying %s: %w", t.name, err)
			}
			counts[t.name] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

func copyTable(ctx context.Context, from *SQLStore, tx pgx.Tx, table, cols string) (int, error) {
	names := strings.Split(cols, ", ")
	rows, err := from.r.QueryContext(ctx, `SELECT `+cols+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	marks := make([]string, len(names))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	insert := `INSERT INTO ` + table + ` (` + cols + `) VALUES (` + strings.Join(marks, ", ") + `)`
	n := 0
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range names {
			vals[i] = pgValue(c, vals[i])
		}
		if _, err := tx.Exec(ctx, insert, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// pgValue gives a SQLite value the Go type its PostgreSQL column takes:
// SQLite keeps whatever type was written, PostgreSQL's columns are typed.
func pgValue(col string, v any) any {
	sealed := col == "sealed" || col == "refresh_sealed"
	switch x := v.(type) {
	case string:
		if sealed {
			return []byte(x)
		}
	case []byte:
		if !sealed {
			return string(x)
		}
	}
	return v
}
