package connector

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"oawizard/connector/api"
)

// storeSuite is the behaviour every Store must show; each implementation
// runs it with its own open function.
func storeSuite(t *testing.T, open func(t *testing.T) Store) {
	t.Run("code claimed once for one session", func(t *testing.T) { suiteClaimOnce(t, open(t)) })
	t.Run("nonce and effect in one transaction", func(t *testing.T) { suitePushInOneTransaction(t, open(t)) })
	t.Run("retention", func(t *testing.T) { suiteRetention(t, open(t)) })
	t.Run("sessions change by version", func(t *testing.T) { suiteSessions(t, open(t)) })
	t.Run("tokens authorizers and projects", func(t *testing.T) { suiteRows(t, open(t)) })
}

var suiteNow = time.Now().UTC().Truncate(time.Millisecond)

func suiteSession(t *testing.T, st Store, id string, expires time.Time) {
	t.Helper()
	x := Session{ID: id, Code: id[len(id)-6:], Project: "p", ExpectedAppID: "wx0123456789abcdef", Status: api.StatusPending,
		Version: 1, CreatedAt: suiteNow, ExpiresAt: expires, UpdatedAt: suiteNow}
	if err := st.CreateSession(context.Background(), x); err != nil {
		t.Fatal(err)
	}
}

func suiteClaimOnce(t *testing.T, st Store) {
	ctx, now := context.Background(), suiteNow
	h := codeHash("queryauthcode@@@x")
	if fresh, owner, err := st.ClaimCode(ctx, h, "s_a", now); err != nil || !fresh || owner != "s_a" {
		t.Fatalf("first claim: %v %q %v", fresh, owner, err)
	}
	for _, id := range []string{"s_b", "s_a", ""} {
		if fresh, owner, err := st.ClaimCode(ctx, h, id, now); err != nil || fresh || owner != "s_a" {
			t.Fatalf("claim again by %q: %v %q %v", id, fresh, owner, err)
		}
	}
	if err := st.SetCodeAppID(ctx, h, "wx0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if owner, appid, err := st.CodeClaim(ctx, h); err != nil || owner != "s_a" || appid != "wx0123456789abcdef" {
		t.Fatalf("claim: %q %q %v", owner, appid, err)
	}
	if _, _, err := st.CodeClaim(ctx, codeHash("other")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown claim: %v", err)
	}
}

func suitePushInOneTransaction(t *testing.T, st Store) {
	ctx, now := context.Background(), suiteNow
	const comp = "wx00000000000000c1"
	// A ticket without a sealed value cannot be stored: nothing is,
	// the nonce included.
	if _, err := st.ApplyPush(ctx, "n1", now, PushEffect{TicketComponent: comp}); err == nil {
		t.Fatal("a broken effect was stored")
	}
	fresh, err := st.ApplyPush(ctx, "n1", now, PushEffect{TicketComponent: comp, TicketSealed: []byte("sealed")})
	if err != nil || !fresh {
		t.Fatalf("re-delivery after a failure: %v %v", fresh, err)
	}
	if b, _, err := st.Ticket(ctx, comp); err != nil || !bytes.Equal(b, []byte("sealed")) {
		t.Fatalf("ticket %q %v", b, err)
	}
	if fresh, err := st.ApplyPush(ctx, "n1", now, PushEffect{TicketComponent: comp, TicketSealed: []byte("other")}); err != nil || fresh {
		t.Fatalf("replay: %v %v", fresh, err)
	}
	if b, _, _ := st.Ticket(ctx, comp); !bytes.Equal(b, []byte("sealed")) {
		t.Fatal("a replay changed the ticket")
	}
	if ids, err := st.TicketAppIDs(ctx); err != nil || len(ids) != 1 || ids[0] != comp {
		t.Fatalf("ticket appids %v %v", ids, err)
	}
	// Revocation: refresh token, status and access token together.
	const appid = "wx0123456789abcdef"
	st.SaveAuthorizer(ctx, Authorizer{AppID: appid, RefreshSealed: []byte("r"), Status: AuthorizerActive, AuthorizedAt: now, UpdatedAt: now})
	st.SaveToken(ctx, authorizerKey(appid), []byte("t"), now.Add(time.Hour))
	if fresh, err := st.ApplyPush(ctx, "n2", now, PushEffect{RevokeAppID: appid, TokenKey: authorizerKey(appid)}); err != nil || !fresh {
		t.Fatalf("revoke: %v %v", fresh, err)
	}
	a, _ := st.Authorizer(ctx, appid)
	if a.Status != AuthorizerRevoked || a.RefreshSealed != nil {
		t.Fatalf("revoked authorizer %+v", a)
	}
	if _, _, err := st.Token(ctx, authorizerKey(appid)); !errors.Is(err, ErrNotFound) {
		t.Fatal("the revoked account's token is still stored")
	}
}

func suiteRetention(t *testing.T, st Store) {
	ctx, now := context.Background(), suiteNow
	suiteSession(t, st, "s_old000", now.Add(-40*24*time.Hour))
	suiteSession(t, st, "s_new000", now.Add(10*time.Minute))
	st.LinkPreAuthCode(ctx, codeHash("pre-old"), "s_old000")
	st.LinkPreAuthCode(ctx, codeHash("pre-new"), "s_new000")
	st.ClaimCode(ctx, codeHash("code-old"), "s_old000", now.Add(-40*24*time.Hour))
	st.ApplyPush(ctx, "old-nonce", now.Add(-time.Hour), PushEffect{})
	st.ApplyPush(ctx, "new-nonce", now, PushEffect{})
	st.SaveToken(ctx, preAuthKey("s_old000"), []byte("sealed"), now.Add(-40*24*time.Hour))
	st.SaveToken(ctx, preAuthKey("s_new000"), []byte("sealed"), now.Add(10*time.Minute))
	st.SaveToken(ctx, authorizerKey("wx0123456789abcdef"), []byte("sealed"), now.Add(-40*24*time.Hour))
	ns, nn, err := st.Prune(ctx, now.Add(-30*24*time.Hour), now.Add(-15*time.Minute))
	if err != nil || ns != 1 || nn != 1 {
		t.Fatalf("pruned %d sessions %d nonces: %v", ns, nn, err)
	}
	if _, err := st.Session(ctx, "s_old000"); !errors.Is(err, ErrNotFound) {
		t.Fatal("the old session survived")
	}
	if _, err := st.SessionByPreAuthCode(ctx, codeHash("pre-old")); !errors.Is(err, ErrNotFound) {
		t.Fatal("the old session's pre-auth code survived")
	}
	if x, err := st.SessionByPreAuthCode(ctx, codeHash("pre-new")); err != nil || x.ID != "s_new000" {
		t.Fatalf("the live session's pre-auth code: %v", err)
	}
	if _, _, err := st.Token(ctx, preAuthKey("s_old000")); !errors.Is(err, ErrNotFound) {
		t.Fatal("the old session's kept pre_auth_code survived")
	}
	for _, key := range []string{preAuthKey("s_new000"), authorizerKey("wx0123456789abcdef")} {
		if _, _, err := st.Token(ctx, key); err != nil {
			t.Fatalf("pruning took %s: %v", key, err)
		}
	}
	// A code claim outlives its session: the code stays used.
	if fresh, owner, _ := st.ClaimCode(ctx, codeHash("code-old"), "s_new000", now); fresh || owner != "s_old000" {
		t.Fatal("pruning freed a used code")
	}
	if fresh, _ := st.ApplyPush(ctx, "new-nonce", now, PushEffect{}); fresh {
		t.Fatal("pruning forgot a nonce inside the window")
	}
}

func openTestStore(t *testing.T) Store {
	st, err := OpenStore(filepath.Join(t.TempDir(), "connector.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLiteStore(t *testing.T) { storeSuite(t, openTestStore) }

func TestStoreFilesAreOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := OpenStore(filepath.Join(dir, "connector.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.SaveToken(context.Background(), "k", []byte("v"), time.Now())
	defer st.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v", fi.Mode().Perm())
	}
	for _, f := range []string{"connector.db", "connector.db-wal", "connector.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v", f, fi.Mode().Perm())
		}
	}
	// A database left 0644 by an older version is tightened on open.
	old := filepath.Join(t.TempDir(), "old.db")
	os.WriteFile(old, nil, 0o644)
	st2, err := OpenStore(old)
	if err != nil {
		t.Fatal(err)
	}
	st2.Close()
	if fi, _ := os.Stat(old); fi.Mode().Perm() != 0o600 {
		t.Fatalf("existing file mode %v", fi.Mode().Perm())
	}
}

func TestUpgradeFromSchemaOneHashesCodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	const code, pre, ticket = "queryauthcode@@@plain-code-123", "preauthcode@@@plain-pre-456", "ticket@@@plain-ticket-789"
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		migrations[0].sql,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
		`INSERT INTO sessions (id, code, project, expected_appid, status, version, created_at, expires_at, updated_at)
		 VALUES ('s_1', 'ABCDEF', 'p', 'wx0123456789abcdef', 'authorized', 2, 1, 2, 1)`,
		`INSERT INTO pre_auth_codes VALUES ('` + pre + `', 's_1')`,
		`INSERT INTO auth_codes VALUES ('` + code + `', 1, 'wx0123456789abcdef')`,
		`INSERT INTO tickets VALUES ('wx00000000000000c1', '` + ticket + `', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if v, _ := st.SchemaVersion(ctx); v != len(migrations) {
		t.Fatalf("schema %d", v)
	}
	if owner, appid, err := st.CodeClaim(ctx, codeHash(code)); err != nil || owner != "" || appid != "wx0123456789abcdef" {
		t.Fatalf("the used code was not carried over: %q %q %v", owner, appid, err)
	}
	if fresh, _, _ := st.ClaimCode(ctx, codeHash(code), "s_2", time.Now()); fresh {
		t.Fatal("a code used before the upgrade can be claimed again")
	}
	if x, err := st.SessionByPreAuthCode(ctx, codeHash(pre)); err != nil || x.ID != "s_1" {
		t.Fatalf("pre-auth link: %v", err)
	}
	st.Close()
	raw, _ := os.ReadFile(path)
	wal, _ := os.ReadFile(path + "-wal")
	for _, secret := range []string{code, pre, ticket} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(wal, []byte(secret)) {
			t.Fatalf("%q is still readable in the database file", secret)
		}
	}
}
