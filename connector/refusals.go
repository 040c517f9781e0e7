package connector

import (
	"log/slog"
	"sync"
	"time"
)

// Wrong project tokens are guesses or a wizard with an old token: each
// costs a store lookup, so a client that keeps sending them is slowed
// down, and they are logged as a summary instead of a line each.
const (
	badTokenBurst = 10               // wrong tokens a client may send at once
	badTokenRate  = 0.2              // and then one per 5 s
	refusalEvery  = 10 * time.Second // at most one summary line this often
	refusalNames  = 20               // clients named in one summary
)

type refusals struct {
	lim     *limiter
	log     *slog.Logger
	every   time.Duration // refusalEvery, shorter in tests
	mu      sync.Mutex
	count   int
	clients map[string]int
	last    time.Time
	pending *time.Timer // the summary of the refusals since last
}

// knownProject reports whether hash is a live project token this instance
// has just seen, without asking the store.
func (s *Server) knownProject(hash string) bool {
	s.access.mu.Lock()
	defer s.access.mu.Unlock()
	c, ok := s.access.tokens[hash]
	return ok && time.Now().Before(c.exp) && c.v.RevokedAt.IsZero()
}

func newRefusals(log *slog.Logger) *refusals {
	return &refusals{lim: newLimiter(badTokenRate, badTokenBurst), log: log, every: refusalEvery, clients: map[string]int{}}
}

// throttled reports whether client has used up its wrong tokens, and how
// long until it may try one again.
func (f *refusals) throttled(client string) (time.Duration, bool) {
	return f.lim.spent(client)
}

// note counts a wrong token from client. The first after a quiet spell is
// logged at once; the rest are summed up when the period ends.
func (f *refusals) note(client string, throttled bool) {
	if !throttled {
		f.lim.allow(client)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count++
	if _, ok := f.clients[client]; ok || len(f.clients) < refusalNames {
		f.clients[client]++
	}
	if wait := f.every - time.Since(f.last); wait > 0 {
		if f.pending == nil {
			f.pending = time.AfterFunc(wait, f.flush)
		}
		return
	}
	f.summarise()
}

func (f *refusals) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = nil
	if f.count > 0 {
		f.summarise()
	}
}

func (f *refusals) summarise() {
	f.log.Warn("project tokens refused", "answers", f.count, "by_client", f.clients, "within", f.every.String())
	f.count, f.clients, f.last = 0, map[string]int{}, time.Now()
}

// Authorization codes WeChat refuses at the callback are made up (or
// stale): each costs a WeChat call, so a session and a client get a few.
const (
	codeRefusalsPerSession = 3
	codeRefusalsPerClient  = 5
	codeRefusalRate        = 1.0 / 60 // one more a minute
)

// codeRefusals counts refused codes per session and per client.
type codeRefusals struct{ sessions, clients *limiter }

func newCodeRefusals() codeRefusals {
	return codeRefusals{sessions: newLimiter(codeRefusalRate, codeRefusalsPerSession), clients: newLimiter(codeRefusalRate, codeRefusalsPerClient)}
}

// spent reports whether the client or the session has used up its
// refusals, and how long until both may try again.
func (c codeRefusals) spent(client, session string) (time.Duration, bool) {
	a, byClient := c.clients.spent(client)
	b, bySession := c.sessions.spent(session)
	return max(a, b), byClient || bySession
}

func (c codeRefusals) note(client, session string) {
	c.clients.allow(client)
	c.sessions.allow(session)
}
