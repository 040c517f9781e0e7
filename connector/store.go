package connector

import (
	"context"
	"errors"
	"time"
)

// Store keeps the connector's state: tickets, tokens (sealed), authorizers,
// sessions and project tokens. SQLite implements it for a single replica;
// several replicas need a shared SQL database behind the same interface and
// a single refresher (see the deployment guide).
type Store interface {
	SaveTicket(ctx context.Context, componentAppID, ticket string, at time.Time) error
	Ticket(ctx context.Context, componentAppID string) (ticket string, at time.Time, err error)

	// Tokens are sealed by the caller before they reach the store.
	SaveToken(ctx context.Context, key string, sealed []byte, expires time.Time) error
	Token(ctx context.Context, key string) (sealed []byte, expires time.Time, err error)
	DeleteToken(ctx context.Context, key string) error

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
	LinkPreAuthCode(ctx context.Context, preAuthCode, sessionID string) error
	SessionByPreAuthCode(ctx context.Context, preAuthCode string) (Session, error)
	OpenSessions(ctx context.Context, now time.Time) (int, error)

	// ClaimAuthCode records an authorization code as handled; false when
	// it already was, so the push and the callback act once between them.
	ClaimAuthCode(ctx context.Context, code string, at time.Time) (bool, error)
	// SetAuthCodeAppID and AuthCodeAppID remember which account a handled
	// code authorized, so the later of push and callback can finish its
	// session too.
	SetAuthCodeAppID(ctx context.Context, code, appid string) error
	AuthCodeAppID(ctx context.Context, code string) (string, error)
	// ClaimNonce records a push nonce; false on a replay.
	ClaimNonce(ctx context.Context, nonce string, at time.Time) (bool, error)

	CreateProjectToken(ctx context.Context, p ProjectToken) error
	ProjectTokenByHash(ctx context.Context, hash string) (ProjectToken, error)
	ProjectTokens(ctx context.Context) ([]ProjectToken, error)
	RevokeProjectToken(ctx context.Context, id string, at time.Time) error
	LinkAccount(ctx context.Context, project, appid string, at time.Time) error
	AccountProjects(ctx context.Context, appid string) ([]string, error)

	Ping(ctx context.Context) error
	Close() error
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
