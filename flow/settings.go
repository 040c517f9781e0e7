package flow

import (
	"context"

	"oawizard/flow/secret"
	"oawizard/flow/store"
)

// Settings kept beside the wizard's state: the language chosen and the
// connector's address (its token lives in the keychain, never here). The
// window and the command read and change them only through these.
const (
	languageKey  = "language"
	connectorKey = "connector"
)

type savedConnector struct {
	URL string
}

// SavedLanguage is the language chosen in the settings, or "".
func SavedLanguage(ctx context.Context, db *store.DB) (string, error) {
	var l string
	_, err := db.Get(ctx, languageKey, &l)
	return l, err
}

// SaveLanguage remembers the language for the next start.
func SaveLanguage(ctx context.Context, db *store.DB, l string) error {
	return db.Put(ctx, languageKey, l)
}

// SavedConnector is the real connector's address, or "" in demo mode.
func SavedConnector(ctx context.Context, db *store.DB) (string, error) {
	var c savedConnector
	_, err := db.Get(ctx, connectorKey, &c)
	return c.URL, err
}

// SaveConnector remembers a connector the wizard reached with its token.
func SaveConnector(ctx context.Context, db *store.DB, url string) error {
	return db.Put(ctx, connectorKey, savedConnector{URL: url})
}

// ForgetConnector is the sign-out: the next start runs the demo.
func ForgetConnector(ctx context.Context, db *store.DB) error {
	return db.Put(ctx, connectorKey, savedConnector{})
}

// SavedScenario is the demo scenario the stored setup belongs to, or ""
// (none yet, or real mode): a restart continues in it, as its data does.
func SavedScenario(ctx context.Context, db *store.DB) (string, error) {
	var s State
	_, err := db.Get(ctx, stateKey, &s)
	return s.Scenario, err
}

// SignOut forgets the real connector: its token leaves the keychain first,
// and only then is the connector's address forgotten, so "signed out" is
// never said while the token is still kept.
func SignOut(ctx context.Context, db *store.DB, kc secret.Store, connectorURL string) error {
	if connectorURL != "" && kc != nil {
		if err := secret.Forget(kc, connectorURL); err != nil {
			return err
		}
	}
	return ForgetConnector(ctx, db)
}
