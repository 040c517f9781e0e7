package connector

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"oawizard/connector/api"
)

func suiteSessions(t *testing.T, st Store) {
	ctx, now := context.Background(), suiteNow
	suiteSession(t, st, "s_abc123", now.Add(10*time.Minute))
	if err := st.CreateSession(ctx, Session{ID: "s_abc123", Code: "ZZZZZZ", Version: 1}); !duplicate(err) {
		t.Fatalf("a second session with the same id: %v", err)
	}
	if err := st.CreateSession(ctx, Session{ID: "s_other1", Code: "abc123", Version: 1}); !duplicate(err) {
		t.Fatalf("a second session with the same code: %v", err)
	}
	x, err := st.SessionByCode(ctx, "abc123")
	if err != nil || x.ID != "s_abc123" || x.Status != api.StatusPending || !x.ExpiresAt.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("by code: %+v %v", x, err)
	}
	x.Status, x.AppID, x.Granted, x.Missing, x.Visits, x.Version = api.StatusAuthorized, "wx0123456789abcdef", []int{1, 2}, []int{24}, 3, 2
	if err := st.UpdateSession(ctx, x, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateSession(ctx, x, 1); !errors.Is(err, ErrConflict) {
		t.Fatalf("a stale version was written: %v", err)
	}
	y, err := st.Session(ctx, "s_abc123")
	if err != nil || y.Status != api.StatusAuthorized || y.Version != 2 || y.Visits != 3 || !slices.Equal(y.Granted, []int{1, 2}) || !slices.Equal(y.Missing, []int{24}) {
		t.Fatalf("after update: %+v %v", y, err)
	}
	if n, err := st.OpenSessions(ctx, now); err != nil || n != 0 {
		t.Fatalf("open sessions %d %v", n, err)
	}
	if _, err := st.Session(ctx, "s_none00"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing session: %v", err)
	}
}

func suiteRows(t *testing.T, st Store) {
	ctx, now := context.Background(), suiteNow
	if err := st.SaveToken(ctx, "k", []byte("v1"), now); err != nil {
		t.Fatal(err)
	}
	st.SaveToken(ctx, "k", []byte("v2"), now.Add(time.Hour))
	if b, exp, err := st.Token(ctx, "k"); err != nil || !bytes.Equal(b, []byte("v2")) || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("token %q %v %v", b, exp, err)
	}
	st.DeleteToken(ctx, "k")
	if _, _, err := st.Token(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted token: %v", err)
	}
	const appid = "wx0123456789abcdef"
	if err := st.SaveAuthorizer(ctx, Authorizer{AppID: appid, RefreshSealed: []byte("r"), FuncIDs: []int{1}, Status: AuthorizerActive, AuthorizedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	st.SetAuthorizerRefresh(ctx, appid, []byte("r2"), now)
	st.SetAuthorizerFacts(ctx, appid, "Nick", []int{1, 7}, []byte(`{"a":1}`), now)
	st.SetAuthorizerStatus(ctx, appid, AuthorizerNeedsReauth, now)
	as, err := st.Authorizers(ctx)
	if err != nil || len(as) != 1 {
		t.Fatalf("authorizers %v %v", as, err)
	}
	a := as[0]
	if a.Kind != "oa" || !bytes.Equal(a.RefreshSealed, []byte("r2")) || a.NickName != "Nick" || !slices.Equal(a.FuncIDs, []int{1, 7}) ||
		string(a.FactsJSON) != `{"a":1}` || a.Status != AuthorizerNeedsReauth || !a.CheckedAt.Equal(now) {
		t.Fatalf("authorizer %+v", a)
	}
	if _, err := st.Authorizer(ctx, "wx0000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing authorizer: %v", err)
	}
	p := ProjectToken{ID: "pt_1", Project: "acme", Hash: "h1", CreatedAt: now}
	if err := st.CreateProjectToken(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateProjectToken(ctx, ProjectToken{ID: "pt_2", Project: "x", Hash: "h1", CreatedAt: now}); err == nil {
		t.Fatal("two tokens with one hash")
	}
	if err := st.RevokeProjectToken(ctx, "pt_1", now); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeProjectToken(ctx, "pt_1", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked twice: %v", err)
	}
	if got, err := st.ProjectTokenByHash(ctx, "h1"); err != nil || got.Project != "acme" || !got.RevokedAt.Equal(now) {
		t.Fatalf("by hash %+v %v", got, err)
	}
	if ts, err := st.ProjectTokens(ctx); err != nil || len(ts) != 1 {
		t.Fatalf("tokens %v %v", ts, err)
	}
	for _, pr := range []string{"b", "a", "b"} {
		if err := st.LinkAccount(ctx, pr, appid, now); err != nil {
			t.Fatal(err)
		}
	}
	if ps, err := st.AccountProjects(ctx, appid); err != nil || !slices.Equal(ps, []string{"a", "b"}) {
		t.Fatalf("projects %v %v", ps, err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
