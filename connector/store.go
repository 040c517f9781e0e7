package connector

import (
	"context"
	"errors"
	"time"
)

// Store keeps the connector's state: tickets, tokens (sealed), authorizers,
// sessions and project tokens. SQLite implements it for a single instance,
// PostgreSQL for several sharing one database; the latter also offers the
// optional abilities in multi.go (change feed, token lock, heartbeat).
type Store interface {
	// The ticket is sealed by the caller like the tokens: with it and the
	// AppSecret anyone can mint component tokens.
	SaveTicket(ctx context.Context, componentAppID string, sealed []byte, at time.Time) error
	Ticket(ctx context.Context, componentAppID string) (sealed []byte, at time.Time, err error)
	// TicketAppIDs lists the components a ticket is stored for, newest
	// ticket first (for `connector status` without a component appid).
	TicketAppIDs(ctx context.Context) ([]string, error)

	// Tokens are sealed by the caller before they reach the store.
	SaveToken(ctx context.Context, key string, sealed []byte, expires time.Time) error
	Token(ctx context.Context, key string) (sealed []byte, expires time.Time, err error)
	DeleteToken(ctx context.Context, key string) error
	// DeleteTokenIf deletes the token for key only if it is still sealed
	// (the exact bytes read or saved), in one statement: a token another
	// caller or instance stored meanwhile stays. It reports whether it
	// deleted.
	DeleteTokenIf(ctx context.Context, key string, sealed []byte) (bool, error)

	SaveAuthorizer(ctx context.Context, a Authorizer) error
	// The narrow updates below change one aspect of an authorizer, so that
	// a facts refresh and a token refresh running at once cannot undo each
	// other's writes.
	SetAuthorizerRefresh(ctx context.Context, appid string, sealed []byte, at time.Time) error
	SetAuthorizerStatus(ctx context.Context, appid, status string, at time.Time) error
	SetAuthorizerFacts(ctx context.Context, appid, nickName string, funcIDs []int, facts []byte, at time.Time) error
	Authorizer(ctx context.Context, appid string) (Authorizer, error)
	Authorizers(ctx context.Context) ([]Authorizer, error)

	CreateSession(ctx context.Context, s Session) error
	// UpdateSession stores s if its version is still prev, so two writers
	// can never both complete a session.
	UpdateSession(ctx context.Context, s Session, prev int64) error
	Session(ctx context.Context, id string) (Session, error)
	SessionByCode(ctx context.Context, code string) (Session, error)
	// Pre-auth and authorization codes are linked only by hashes (codeHash):
	// they travel in URLs, so a copy of the database must not replay them.
	// (A session's unused pre-auth code is kept sealed, like a token, under
	// preAuthKey until it is used or expires: the store key opens it.)
	// LinkPreAuthCode records that a session's landing page minted the
	// pre-auth code with this hash; the authorized push names it.
	LinkPreAuthCode(ctx context.Context, preAuthHash, sessionID string) error
	SessionByPreAuthCode(ctx context.Context, preAuthHash string) (Session, error)
	OpenSessions(ctx context.Context, now time.Time) (int, error)

	// ClaimCode binds an authorization code's hash to the session it
	// completes ("" for a push naming no session), once and for good: a
	// second claim is not fresh and reports the first claim's owner. Claims
	// are never pruned, so a code that completed or failed one session
	// never completes another, however old.
	ClaimCode(ctx context.Context, hash, sessionID string, at time.Time) (fresh bool, owner string, err error)
	// SetCodeAppID records which account a claimed code authorized, so the
	// later of push and callback can finish the same session.
	SetCodeAppID(ctx context.Context, hash, appid string) error
	// CodeClaim reads a claim: its owner session and account.
	CodeClaim(ctx context.Context, hash string) (owner, appid string, err error)

	// ApplyPush marks a push's nonce used and stores its effect in one
	// transaction: false (and nothing stored) on a replay; on an error
	// nothing is stored either, so WeChat's re-delivery is taken.
	ApplyPush(ctx context.Context, nonce string, at time.Time, e PushEffect) (fresh bool, err error)

	// Prune deletes sessions that expired before sessionsBefore (with
	// their pre-auth code hashes) and nonces seen before noncesBefore.
	Prune(ctx context.Context, sessionsBefore, noncesBefore time.Time) (sessions, nonces int64, err error)

	CreateProjectToken(ctx context.Context, p ProjectToken) error
	ProjectTokenByHash(ctx context.Context, hash string) (ProjectToken, error)
	ProjectTokens(ctx context.Context) ([]ProjectToken, error)
	RevokeProjectToken(ctx context.Context, id string, at time.Time) error
	LinkAccount(ctx context.Context, project, appid string, at time.Time) error
	AccountProjects(ctx context.Context, appid string) ([]string, error)

	Ping(ctx context.Context) error
	Close() error
}

// PushEffect is what a verified push changes besides its nonce.
type PushEffect struct {
	// A component_verify_ticket, sealed (never empty: a store refuses a
	// ticket without a value, and then keeps nothing of the push).
	TicketComponent string
	TicketSealed    []byte
	// An unauthorized event: the account's refresh token is dropped, its
	// status becomes revoked and its stored access token (TokenKey) goes.
	RevokeAppID string
	TokenKey    string
}

// ErrNotFound is what a Store answers for a missing row.
var ErrNotFound = errors.New("connector: not found")

// ErrConflict is UpdateSession's answer when the session changed meanwhile.
var ErrConflict = errors.New("connector: changed concurrently")

// Authorizer states.
const (
	AuthorizerActive       = "active"
	AuthorizerRevoked      = "revoked"
	AuthorizerNeedsReauth  = "needs_reauthorization"
	AuthorizerNoAPIRefresh = "no_refresh_token"
)

// Authorizer is an account authorized to the platform.
type Authorizer struct {
	AppID         string
	RefreshSealed []byte // authorizer_refresh_token, sealed
	FuncIDs       []int
	Status        string
	Kind          string // "oa" or "mp"
	NickName      string
	AuthorizedAt  time.Time
	UpdatedAt     time.Time
	FactsJSON     []byte // the last facts read, for GET /v1/accounts
	CheckedAt     time.Time
}

// Lost tells whether the account no longer holds its authorization: it was
// revoked, or WeChat wants it authorized again.
func (a Authorizer) Lost() bool {
	return a.Status == AuthorizerRevoked || a.Status == AuthorizerNeedsReauth
}

// Session is one authorization attempt a wizard follows.
type Session struct {
	ID, Code, Project, ExpectedAppID string
	Status                           string
	AppID, NickName                  string
	Granted, Missing                 []int
	Reason                           string
	Version                          int64
	Visits                           int
	CreatedAt, ExpiresAt, UpdatedAt  time.Time
}

// ProjectToken is a wizard's access: only its hash is kept.
type ProjectToken struct {
	ID, Project, Hash    string
	CreatedAt, RevokedAt time.Time
}
