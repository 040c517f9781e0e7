package connector

import "context"

// The staff queries on SQLite: writes through the one writer, reads from
// the pool.
func (s *SQLStore) staffDB() *staffDB {
	return &staffDB{
		exec: func(ctx context.Context, q string, args ...any) (int64, error) {
			res, err := s.w.ExecContext(ctx, q, args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		},
		row: func(ctx context.Context, q string, args ...any) scanner { return s.r.QueryRowContext(ctx, q, args...) },
		query: func(ctx context.Context, q string, args ...any) (rowsIter, func(), error) {
			rows, err := s.r.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, nil, err
			}
			return rows, func() { rows.Close() }, nil
		},
	}
}

// The staff queries on PostgreSQL; a changed snapshot is announced on the
// sessions channel, so every instance wakes its live views as it wakes its
// long-polls (multi.go).
func (s *PGStore) staffDB() *staffDB {
	return &staffDB{
		exec: func(ctx context.Context, q string, args ...any) (int64, error) {
			tag, err := s.pool.Exec(ctx, dollarArgs(q), args...)
			return tag.RowsAffected(), err
		},
		row: func(ctx context.Context, q string, args ...any) scanner { return s.row(ctx, dollarArgs(q), args...) },
		query: func(ctx context.Context, q string, args ...any) (rowsIter, func(), error) {
			rows, err := s.pool.Query(ctx, dollarArgs(q), args...)
			if err != nil {
				return nil, nil, err
			}
			return rows, rows.Close, nil
		},
		notify: func(ctx context.Context, id string) error {
			_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2), pg_notify($1, $3)`, sessionsChannel, snapshotTopic(id), staffTopicAll)
			return err
		},
	}
}
