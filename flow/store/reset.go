package store

import (
	"context"
	"database/sql"
)

// ResetSetup forgets everything one setup gathered (accounts, checks,
// self-reports, imports, followers, sync runs, growth and the wizard's
// saved state) in one transaction, so a new demo scenario or customer never
// sees the last one's figures. Settings such as the language stay.
func (d *DB) ResetSetup(ctx context.Context, stateKeys ...string) error {
	return d.tx(ctx, func(t *sql.Tx) error {
		for _, q := range []string{`DELETE FROM accounts`, `DELETE FROM check_results`, `DELETE FROM self_reports`,
			`DELETE FROM sdk_users`, `DELETE FROM sdk_imports`, `DELETE FROM followers`, `DELETE FROM follower_counts`, `DELETE FROM sync_runs`,
			`DELETE FROM user_summary`} {
			if _, err := t.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, k := range stateKeys {
			if _, err := t.ExecContext(ctx, `DELETE FROM wizard_state WHERE key = ?`, k); err != nil {
				return err
			}
		}
		return nil
	})
}
