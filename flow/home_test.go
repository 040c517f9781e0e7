package flow_test

import (
	"context"
	"path/filepath"
	"testing"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
)

// A start is decided by flow from what the last run kept: signed in, the
// next start opens the connector with the token from the keychain; signed
// out, it runs the demo in the scenario the data belongs to. A connector
// that does not answer keeps nothing.
func TestHomeDecidesTheStartFromWhatWasKept(t *testing.T) {
	ctx := context.Background()
	d, db := connectorAndStore(t)
	keys := secrettest.NewMemory()
	h := flow.NewHome(db, keys, nil)
	if st, err := h.Start(ctx); err != nil || st.Real() {
		t.Fatalf("a first start: %+v %v", st, err)
	}
	if err := h.SignIn(ctx, d.URL, "oaw_wrong"); err == nil || keys.Len() != 0 {
		t.Fatalf("a refused token was kept (%v)", err)
	}
	if kind, _, ok := flow.ConnectorProblem(h.SignIn(ctx, "not a url", d.ProjectToken)); !ok || kind != "bad_url" {
		t.Fatalf("a bad address reads as %q", kind)
	}
	if err := h.SignIn(ctx, d.URL, d.ProjectToken); err != nil {
		t.Fatal(err)
	}
	st, err := h.Start(ctx)
	if err != nil || !st.Real() || st.Connector != d.URL || st.Token != d.ProjectToken || st.TokenErr != nil {
		t.Fatalf("the start after signing in: %+v %v", st, err)
	}
	w, err := h.Open(ctx, st.Connector, st.Token)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok, err := w.CurrentContact(ctx); err != nil || !ok || c.Name != loopback.SampleSupport.Name {
		t.Fatalf("the contact: %+v %v", c, err)
	}
	if err := h.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := h.Start(ctx); err != nil || st.Real() || keys.Len() != 0 {
		t.Fatalf("the start after signing out: %+v %v (keychain holds %d)", st, err, keys.Len())
	}
}

// connectorAndStore starts a loopback connector and opens an empty
// results database, both closed when the test ends.
func connectorAndStore(t *testing.T) (*loopback.Demo, *store.DB) {
	t.Helper()
	d, err := loopback.Start(context.Background(), loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return d, db
}
