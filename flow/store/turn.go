package store

import (
	"context"
	"database/sql"
)

// This process's writes take turns here, in arrival order, before they ask
// SQLite for its write lock. SQLite makes a writer that finds the lock
// taken poll for it until the busy timeout, then fail "busy": a sync's page
// transaction, which under load can hold the lock past that timeout, made
// a setting, the follower total or an import written meanwhile fail. Here
// they wait their turn instead, however long a page takes, and a sync that
// writes page after page cannot overtake a writer already waiting. The
// busy timeout is left for another program on the file.

// takeTurn waits for this process's turn to write (or for ctx to end) and
// returns the function that ends the turn.
func (d *DB) takeTurn(ctx context.Context) (func(), error) {
	select {
	case d.turn <- struct{}{}:
		return func() { <-d.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exec runs one writing statement in its turn.
func (d *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	done, err := d.takeTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return d.db.ExecContext(ctx, query, args...)
}
