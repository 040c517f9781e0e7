package connector

import (
	"context"
	"time"
)

// Several instances share one store (PostgreSQL). What one instance keeps
// in memory must then hear of the others' changes; these optional store
// abilities provide that, and a single-machine store needs neither.

// sessionFeed is a store that reports session changes made through any
// instance.
type sessionFeed interface {
	// WatchSessions calls changed with the id of every session changed,
	// and with "" whenever changes may have been missed (after a lost
	// connection), until ctx ends.
	WatchSessions(ctx context.Context, changed func(id string))
}

// tokenLocker is a store that can make token refreshes single-flight across
// instances.
type tokenLocker interface {
	// WithTokenLock runs fn while no other instance runs fn for key.
	WithTokenLock(ctx context.Context, key string, fn func(context.Context) error) error
}

// feedRecheck is how often a long-poll looks at its session again when the
// store reports changes: only a missed notification or the expiry (timed
// separately) is left to find, so rarely is enough.
const feedRecheck = 15 * time.Second

// followSessions wakes this instance's long-polls for changes made through
// the others.
func (s *Server) followSessions(f sessionFeed) {
	defer s.loops.Done()
	f.WatchSessions(s.ctx, func(id string) {
		if id == "" {
			s.watch.notifyAll()
			return
		}
		s.watch.notify(id)
	})
}

// recheckAfter is how long a long-poll on x waits before reading it again
// without being woken.
func (s *Server) recheckAfter(x Session) time.Duration {
	if s.recheck <= time.Second {
		return s.recheck
	}
	// Expiry is time passing, which nobody notifies.
	until := x.ExpiresAt.Sub(s.cfg.Clock.Now()) + 10*time.Millisecond
	return max(min(s.recheck, until), 10*time.Millisecond)
}

func (w *watcher) notifyAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, e := range w.ch {
		close(e.c)
		delete(w.ch, id)
	}
}

// lockToken runs fn under the store's cross-instance lock for key, if it
// has one.
func (m *tokens) lockToken(ctx context.Context, key string, fn func(context.Context) error) error {
	if m.locker != nil {
		return m.locker.WithTokenLock(ctx, key, fn)
	}
	return fn(ctx)
}

// fleet is a store that knows how many instances share it.
type fleet interface {
	// Heartbeat records that instance id is alive at now and returns how
	// many instances were alive within the last `within`.
	Heartbeat(ctx context.Context, id string, now time.Time, within time.Duration) (int, error)
}

// shareLimits keeps the per-token rate limit fleet-wide: each instance
// allows its share of the configured rate. It is approximate: it assumes
// the load balancer spreads each token's requests evenly, and an instance
// that dies keeps its share until its heartbeat is three periods old.
func (s *Server) shareLimits(f fleet) {
	defer s.loops.Done()
	id := randomID(8)
	every := s.cfg.HeartbeatEvery
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(s.ctx, healthStoreTimeout)
		n, err := f.Heartbeat(ctx, id, time.Now(), 3*every)
		cancel()
		if err == nil {
			s.limits.share(n)
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}
