package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/connector"
	"oawizard/pgtest"
)

func TestTokenCommandsOnPostgres(t *testing.T) {
	db := pgtest.Schema(t)
	if out, err := runCmd(t, "", "migrate", "-db", db); err != nil || !strings.Contains(out, "schema version 3") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	tok, err := runCmd(t, "", "token", "create", "-db", db, "-project", "acme")
	if err != nil || !strings.HasPrefix(tok, "oaw_") {
		t.Fatalf("create: %q %v", tok, err)
	}
	if list, err := runCmd(t, "", "token", "list", "-db", db); err != nil || !strings.Contains(list, "acme") {
		t.Fatalf("list: %q %v", list, err)
	}
	if out, err := runCmd(t, "", "status", "-db", db); err != nil || !strings.Contains(out, `"store": "ok"`) {
		t.Fatalf("status: %q %v", out, err)
	}
}

func TestMigrateCopiesSQLiteIntoEmptyPostgresOnce(t *testing.T) {
	ctx, now := context.Background(), time.Now().UTC().Truncate(time.Millisecond)
	path := filepath.Join(t.TempDir(), "connector.db")
	src, err := connector.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	const appid = "wx0123456789abcdef"
	sealed := []byte{0, 1, 2, 0xff, 'x'}
	src.SaveToken(ctx, "authorizer:"+appid, sealed, now.Add(time.Hour))
	src.SaveTicket(ctx, "wx00000000000000c1", sealed, now)
	src.SaveAuthorizer(ctx, connector.Authorizer{AppID: appid, RefreshSealed: sealed, FuncIDs: []int{1, 2}, Status: connector.AuthorizerActive,
		NickName: "号", AuthorizedAt: now, UpdatedAt: now, FactsJSON: []byte(`{"x":1}`)})
	src.SaveAuthorizer(ctx, connector.Authorizer{AppID: "wx1111111111111111", Status: connector.AuthorizerRevoked, AuthorizedAt: now, UpdatedAt: now})
	src.CreateSession(ctx, connector.Session{ID: "s_1", Code: "ABCDEF", Project: "acme", ExpectedAppID: appid, Status: "pending", Version: 1,
		Granted: []int{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), UpdatedAt: now})
	src.LinkPreAuthCode(ctx, "prehash", "s_1")
	src.ClaimCode(ctx, "codehash", "s_1", now)
	src.ApplyPush(ctx, "nonce-1", now, connector.PushEffect{})
	tok, err := connector.CreateProjectToken(ctx, src, "acme", now)
	if err != nil {
		t.Fatal(err)
	}
	src.LinkAccount(ctx, "acme", appid, now)
	src.Close()

	db := pgtest.Schema(t)
	if _, err := runCmd(t, "", "migrate", "-from", path, "-to", db); err == nil {
		t.Fatal("a -from without sqlite: was taken")
	}
	out, err := runCmd(t, "", "migrate", "-from", "sqlite:"+path, "-to", db)
	if err != nil || !strings.Contains(out, "sessions: 1") || !strings.Contains(out, "authorizers: 2") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	dst, err := connector.OpenPGStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if b, exp, err := dst.Token(ctx, "authorizer:"+appid); err != nil || !bytes.Equal(b, sealed) || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("token %v %v %v", b, exp, err)
	}
	if b, _, err := dst.Ticket(ctx, "wx00000000000000c1"); err != nil || !bytes.Equal(b, sealed) {
		t.Fatalf("ticket %v %v", b, err)
	}
	a, err := dst.Authorizer(ctx, appid)
	if err != nil || !bytes.Equal(a.RefreshSealed, sealed) || a.NickName != "号" || string(a.FactsJSON) != `{"x":1}` || len(a.FuncIDs) != 2 {
		t.Fatalf("authorizer %+v %v", a, err)
	}
	if r, _ := dst.Authorizer(ctx, "wx1111111111111111"); r.RefreshSealed != nil {
		t.Fatal("a missing refresh token became an empty one")
	}
	if x, err := dst.SessionByPreAuthCode(ctx, "prehash"); err != nil || x.ID != "s_1" || !x.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("session %+v %v", x, err)
	}
	if fresh, owner, _ := dst.ClaimCode(ctx, "codehash", "s_2", now); fresh || owner != "s_1" {
		t.Fatal("a used code became claimable")
	}
	if fresh, _ := dst.ApplyPush(ctx, "nonce-1", now, connector.PushEffect{}); fresh {
		t.Fatal("a seen nonce became fresh")
	}
	if p, err := dst.ProjectTokenByHash(ctx, connector.HashToken(tok)); err != nil || p.Project != "acme" {
		t.Fatalf("project token %+v %v", p, err)
	}
	if ps, _ := dst.AccountProjects(ctx, appid); len(ps) != 1 {
		t.Fatalf("links %v", ps)
	}
	_, err = runCmd(t, "", "migrate", "-from", "sqlite:"+path, "-to", db)
	if !errors.Is(err, connector.ErrTargetNotEmpty) {
		t.Fatalf("a second run was not refused: %v", err)
	}
	if line := errorLine(err); strings.Count(line, "connector:") != 1 {
		t.Fatalf("the refusal reads %q", line)
	}
}

func TestSimulateRefusesAPostgresDatabase(t *testing.T) {
	_, err := runCmd(t, "", "serve", "-simulate", "ok", "-db", "postgres://u@127.0.0.1:1/x")
	if err == nil || !strings.Contains(err.Error(), "SQLite") {
		t.Fatalf("the demo took a PostgreSQL address: %v", err)
	}
}
