package flow

import (
	"context"
	"errors"
	"strconv"
	"time"

	"oawizard/clock"
	"oawizard/flow/connclient"
	"oawizard/flow/secret"
	"oawizard/flow/store"
)

// Home is what a start opens: the data folder's database, the OS keychain
// and the wizard's clock. The window asks it the task-level questions of a
// start and of Settings (which connector, signed in or not, which demo
// scenario) and never holds the database, the keychain or a connector
// client itself.
type Home struct {
	db       *store.DB
	keychain secret.Store // nil: there is none on this system
	clk      clock.Clock
}

// NewHome opens the wizard on db; keychain may be nil (none on this
// system), clk nil for the wall clock.
func NewHome(db *store.DB, keychain secret.Store, clk clock.Clock) *Home {
	return &Home{db: db, keychain: keychain, clk: clk}
}

// Start is how a start goes on: with a saved connector and its token (real
// mode), or in the demo, in Scenario ("" = none yet).
type Start struct {
	Connector, Token string
	Scenario         string
	// TokenErr: a connector is saved but its token could not be read;
	// Settings shows why.
	TokenErr error
}

// Real tells a start in real mode from one in the demo.
func (s Start) Real() bool { return s.Connector != "" }

// Start reads what the last run left: the saved connector and its token,
// else the demo scenario the stored setup belongs to. Reading the keychain
// can wait on a prompt; ctx bounds it.
func (h *Home) Start(ctx context.Context) (Start, error) {
	var s Start
	url, err := SavedConnector(ctx, h.db)
	if err != nil {
		return s, err
	}
	if url != "" && h.keychain != nil {
		s.Connector = url
		r := <-secret.GetAsync(ctx, h.keychain, secret.TokenKey(url))
		s.Token, s.TokenErr = r.Value, r.Err
		return s, nil
	}
	s.Scenario, err = SavedScenario(ctx, h.db)
	return s, err
}

// SavedConnector is the real connector's address, or "" in demo mode.
func (h *Home) SavedConnector(ctx context.Context) (string, error) { return SavedConnector(ctx, h.db) }

// SaveLanguage remembers the language for the next start.
func (h *Home) SaveLanguage(ctx context.Context, l string) error { return SaveLanguage(ctx, h.db, l) }

// Open builds the wizard on the connector at base with token.
func (h *Home) Open(ctx context.Context, base, token string) (*Wizard, error) {
	conn, err := connclient.New(base, token, nil)
	if err != nil {
		return nil, err
	}
	return NewWizard(ctx, h.db, conn, h.clk)
}

// SignIn checks that the connector at base answers with token and keeps
// both: the token in the keychain, the address in the database. Nothing
// is kept when the connector does not answer.
func (h *Home) SignIn(ctx context.Context, base, token string) error {
	if err := CheckConnectorURL(base); err != nil {
		return err
	}
	c, err := connclient.New(base, token, nil)
	if err != nil {
		return err
	}
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := c.Ready(ctx2); err != nil {
		return err
	}
	if h.keychain == nil {
		return secret.ErrUnavailable
	}
	if err := h.keychain.Set(secret.TokenKey(base), token); err != nil {
		return err
	}
	return SaveConnector(ctx, h.db, base)
}

// SignOut forgets the saved connector and its token (see SignOut).
func (h *Home) SignOut(ctx context.Context) error {
	url, err := SavedConnector(ctx, h.db)
	if err != nil {
		return err
	}
	return SignOut(ctx, h.db, h.keychain, url)
}

// ConnectorProblem is a connector's refusal in the window's terms: the
// catalogue key of its kind, or WeChat's own error when the connector
// passed one on.
func ConnectorProblem(err error) (kind string, wechat error, ok bool) {
	var ce *connclient.Error
	if !errors.As(err, &ce) {
		return "", nil, false
	}
	if ce.WeChat != nil {
		return "", ce.WeChat, true
	}
	return string(ce.Kind), nil, true
}

// LockText says what holds the database when a write found it locked: the
// words name the holder where it can be known and make no guess where not.
// ok is false when err is no lock.
func LockText(err error) (t Text, ok bool) {
	var le *store.LockError
	if !errors.As(err, &le) {
		return Text{}, false
	}
	return Text{Key: le.MessageKey(), Data: map[string]any{"Holder": le.Holder, "PID": strconv.Itoa(le.PID)}}, true
}
