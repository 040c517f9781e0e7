package connector

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// statusClientClosed is logged when the caller hung up before the answer
// (nginx's convention); nobody receives it.
const statusClientClosed = 499

// checkpointer is a store whose log can be folded back and truncated
// (SQLite's WAL); other stores need not be.
type checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// maintain retires old sessions and nonces and shrinks the write-ahead log,
// so that the database stays the size of its live content.
func (s *Server) maintain() {
	defer s.loops.Done()
	t := time.NewTicker(s.cfg.MaintainEvery)
	defer t.Stop()
	for {
		if !s.maintainOnce(s.ctx) {
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maintainOnce is one round of maintain; false once the store is closed
// (a server that was never closed must not outlive its store).
func (s *Server) maintainOnce(ctx context.Context) bool {
	now := s.cfg.Clock.Now()
	// A nonce can only be replayed with its own timestamp, which the age
	// check refuses once it is MaxPushAge old (either way of the clock).
	sessions, nonces, err := s.st.Prune(ctx, now.Add(-s.cfg.Retention), now.Add(-2*s.cfg.MaxPushAge-time.Minute))
	if err != nil {
		if errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "database is closed") ||
			strings.Contains(err.Error(), "closed pool") {
			return false
		}
		if ctx.Err() == nil {
			s.log.Warn("pruning the store failed", "err", err.Error())
		}
		return true
	}
	if sessions > 0 {
		s.log.Info("old sessions deleted", "sessions", sessions)
	}
	_ = nonces
	if c, ok := s.raw.(checkpointer); ok {
		if err := c.Checkpoint(ctx); err != nil && !errors.Is(err, errCheckpointBusy) && ctx.Err() == nil {
			s.log.Warn("checkpoint failed", "err", err.Error())
		}
	}
	return true
}
