package flow

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"oawizard/flow/secret"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
)

// lockedKeychain answers but refuses to delete, as a locked keychain does.
type lockedKeychain struct{ *secrettest.Memory }

var errLocked = errors.New("keychain locked")

func (lockedKeychain) Delete(string) error { return errLocked }

// Signing out removes the token before forgetting the connector: a
// keychain that cannot delete leaves the connector saved and the error said.
func TestSignOutNeverForgetsTheConnectorBeforeItsToken(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const url = "https://connector.example.com"
	if err := SaveConnector(ctx, db, url); err != nil {
		t.Fatal(err)
	}
	if err := SignOut(ctx, db, lockedKeychain{secrettest.NewMemory()}, url); !errors.Is(err, errLocked) {
		t.Fatalf("sign-out with a locked keychain: %v", err)
	}
	if saved, _ := SavedConnector(ctx, db); saved != url {
		t.Fatalf("the connector was forgotten with its token still kept: %q", saved)
	}
	kc := secrettest.NewMemory()
	if err := kc.Set(secret.TokenKey(url), "oaw_secret"); err != nil {
		t.Fatal(err)
	}
	if err := SignOut(ctx, db, kc, url); err != nil {
		t.Fatal(err)
	}
	if saved, _ := SavedConnector(ctx, db); saved != "" || kc.Len() != 0 {
		t.Fatalf("after sign-out: connector %q, %d keychain entries", saved, kc.Len())
	}
}
