package wechatsim

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A simulator lives in memory, but WeChat does not forget an authorization
// when the demo restarts. MarshalState and RestoreState carry what a
// restarted simulator needs to be the same WeChat: which accounts authorized
// which platform with which permission sets, the day's quota use, how far a
// scenario's fault has come, and the world that state belongs to.
//
// Nothing usable is written: refresh tokens and tickets are kept as SHA-256
// hashes and compared as hashes when a caller presents one. Access tokens
// are not kept at all; a restarted simulator answers an old one with 40001,
// as WeChat does for a token that was replaced, and the caller refreshes it.

// stateVersion names the saved layout; another version is refused rather
// than guessed at.
const stateVersion = 1

var (
	// ErrStateMismatch: the saved state describes another world (another
	// scenario, follower count, seed or platform).
	ErrStateMismatch = errors.New("wechatsim: the saved state belongs to another scenario")
	// ErrStateUnreadable: the saved state is damaged or of another version.
	ErrStateUnreadable = errors.New("wechatsim: the saved state cannot be read")
)

type savedState struct {
	Version        int           `json:"version"`
	Scenario       string        `json:"scenario"`
	Followers      int           `json:"followers"`
	Seed           int64         `json:"seed"`
	Authorizations []savedAuth   `json:"authorizations"`
	Tickets        []savedTicket `json:"tickets"`
	// QuotaDay is the China-time day QuotaUsed counts; another day's use
	// no longer limits anything.
	QuotaDay  string         `json:"quota_day"`
	QuotaUsed map[string]int `json:"quota_used"` // appid|path → calls
	// BatchGetCalls is the revoked-mid-sync fault's progress, so a resumed
	// sync does not get a second revocation or miss the first.
	BatchGetCalls int `json:"batchget_calls"`
}

type savedAuth struct {
	Component   string    `json:"component"`
	Authorizer  string    `json:"authorizer"`
	FuncIDs     []int     `json:"func_ids"`
	RefreshHash string    `json:"refresh_token_sha256"`
	AuthTime    time.Time `json:"auth_time"`
	Revoked     bool      `json:"revoked"`
}

type savedTicket struct {
	Component string    `json:"component"`
	Hash      string    `json:"sha256"`
	PushedAt  time.Time `json:"pushed_at"`
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// refreshHashOf is the hash of an authorization's refresh token, whether the
// simulator holds the token itself or only a restored hash.
func (a *authorization) refreshHashOf() string {
	if a.refreshToken != "" {
		return sha256Hex(a.refreshToken)
	}
	return a.refreshHash
}

// refreshMatches compares a presented refresh token by its hash, so a
// restored authorization answers exactly as the original would. A match
// teaches a restored simulator the token again.
func (a *authorization) refreshMatches(tok string) bool {
	want := a.refreshHashOf()
	if tok == "" || want == "" || subtle.ConstantTimeCompare([]byte(sha256Hex(tok)), []byte(want)) != 1 {
		return false
	}
	a.refreshToken = tok
	return true
}

// issuedRefreshToken is the refresh token api_query_auth hands out. A
// restored authorization whose token nobody presented yet knows only its
// hash, so a new scan gets a new token; callers keep whatever
// api_query_auth hands back (reference §1.7), so nothing is lost but the
// old token. Callers hold s.mu.
func (a *authorization) issuedRefreshToken() string {
	if a.refreshToken == "" {
		a.refreshToken, a.refreshHash = "refreshtoken@@@"+randomString(43), ""
	}
	return a.refreshToken
}

// ticketPushedAt finds a ticket pushed by this simulator or by the one it
// was restored from: the last good ticket stays valid for 12 h across a
// restart, as WeChat's does. Callers hold s.mu.
func (c *component) ticketPushedAt(ticket string) (time.Time, bool) {
	if ticket == "" {
		return time.Time{}, false
	}
	at, ok := c.tickets[sha256Hex(ticket)]
	return at, ok
}

// MarshalState snapshots the state a restarted simulator needs (see above).
// The output is the same for the same state, so a caller can tell whether
// anything changed by comparing bytes.
func (s *Server) MarshalState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	st := savedState{Version: stateVersion, Scenario: s.scenario.info.Name, Followers: s.scenario.info.Followers, Seed: s.opts.Seed,
		Authorizations: []savedAuth{}, Tickets: []savedTicket{}, QuotaDay: dayKey(now), QuotaUsed: map[string]int{},
		BatchGetCalls: s.faults.batchgetCalled}
	for k, a := range s.auths {
		st.Authorizations = append(st.Authorizations, savedAuth{Component: k.component, Authorizer: k.authorizer,
			FuncIDs: slices.Clone(a.funcIDs), RefreshHash: a.refreshHashOf(), AuthTime: a.authTime.UTC(), Revoked: a.revoked})
	}
	slices.SortFunc(st.Authorizations, func(x, y savedAuth) int {
		return cmp.Or(cmp.Compare(x.Component, y.Component), cmp.Compare(x.Authorizer, y.Authorizer))
	})
	for id, c := range s.components {
		for hash, at := range c.tickets {
			if now.Before(at.Add(TicketLifetime)) {
				st.Tickets = append(st.Tickets, savedTicket{Component: id, Hash: hash, PushedAt: at.UTC()})
			}
		}
	}
	slices.SortFunc(st.Tickets, func(x, y savedTicket) int {
		return cmp.Or(cmp.Compare(x.Component, y.Component), x.PushedAt.Compare(y.PushedAt), cmp.Compare(x.Hash, y.Hash))
	})
	suffix := "|" + st.QuotaDay
	for k, n := range s.quotas.used {
		if key, ok := strings.CutSuffix(k, suffix); ok {
			st.QuotaUsed[key] = n
		}
	}
	return json.Marshal(st)
}

// RestoreState makes a simulator that has not started yet continue from a
// saved state. It refuses state from another scenario, follower count, seed
// or platform (ErrStateMismatch) and damaged state (ErrStateUnreadable),
// and then changes nothing.
func (s *Server) RestoreState(data []byte) error {
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("%w: %v", ErrStateUnreadable, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("%w: version %d", ErrStateUnreadable, st.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("wechatsim: RestoreState after Start")
	}
	if err := s.checkWorld(st); err != nil {
		return err
	}
	for _, a := range st.Authorizations {
		s.auths[authKey{a.Component, a.Authorizer}] = &authorization{funcIDs: slices.Clone(a.FuncIDs),
			refreshHash: a.RefreshHash, authTime: a.AuthTime, revoked: a.Revoked}
	}
	for _, t := range st.Tickets {
		s.components[t.Component].tickets[t.Hash] = t.PushedAt
	}
	if st.QuotaDay == dayKey(s.clk.Now()) {
		for k, n := range st.QuotaUsed {
			s.quotas.used[k+"|"+st.QuotaDay] = n
		}
	}
	s.faults.batchgetCalled = st.BatchGetCalls
	return nil
}

// checkWorld refuses a state that belongs to another world before anything
// is changed. Callers hold s.mu.
func (s *Server) checkWorld(st savedState) error {
	info := s.scenario.info
	if st.Scenario != info.Name || st.Followers != info.Followers || st.Seed != s.opts.Seed {
		return fmt.Errorf("%w: saved %q with %d followers (seed %d), running %q with %d (seed %d)",
			ErrStateMismatch, st.Scenario, st.Followers, st.Seed, info.Name, info.Followers, s.opts.Seed)
	}
	for _, a := range st.Authorizations {
		if s.components[a.Component] == nil || s.accounts[a.Authorizer] == nil {
			return fmt.Errorf("%w: an authorization of %s to %s", ErrStateMismatch, a.Authorizer, a.Component)
		}
		if len(a.RefreshHash) != sha256.Size*2 {
			return fmt.Errorf("%w: an authorization without its refresh token's hash", ErrStateUnreadable)
		}
	}
	for _, t := range st.Tickets {
		if s.components[t.Component] == nil {
			return fmt.Errorf("%w: a ticket of platform %s", ErrStateMismatch, t.Component)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.QuotaUsed)) {
		if appid, _, _ := strings.Cut(k, "|"); s.accounts[appid] == nil {
			return fmt.Errorf("%w: quota use of %s", ErrStateMismatch, appid)
		}
	}
	return nil
}
