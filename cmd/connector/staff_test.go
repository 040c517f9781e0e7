package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"oawizard/connector"
)

func TestStaffTokenLifecycle(t *testing.T) {
	db := t.TempDir() + "/c.db"
	tok, err := runCmd(t, "", "staff", "create", "-db", db, "-name", "王小明")
	tok = strings.TrimSpace(tok)
	if err != nil || !strings.HasPrefix(tok, "oas_") {
		t.Fatalf("create: %q %v", tok, err)
	}
	list, err := runCmd(t, "", "staff", "list", "-db", db)
	if err != nil || !strings.Contains(list, "王小明") || strings.Contains(list, tok) {
		t.Fatalf("list must name the staff member and never show the token: %q %v", list, err)
	}
	// The token signs in on a connector on the same database.
	st, err := connector.OpenStore(db)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := connector.New(connector.Config{PublicURL: "http://127.0.0.1", ComponentAppID: "wx0000000000000001", MaintainEvery: -1,
		Secrets: connector.Secrets{AppSecret: "s", Token: "t", EncodingAESKey: strings.Repeat("a", 43), StoreKey: strings.Repeat("k", 32)}}, st)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	signIn := func() int {
		req, _ := http.NewRequest("POST", "http://127.0.0.1/staff/signin", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://127.0.0.1")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	if code := signIn(); code != http.StatusSeeOther {
		t.Fatalf("sign-in with a new staff token: %d", code)
	}
	id := strings.Fields(strings.Split(list, "\n")[1])[0]
	if _, err := runCmd(t, "", "staff", "revoke", "-db", db, id); err != nil {
		t.Fatal(err)
	}
	if code := signIn(); code != http.StatusUnauthorized {
		t.Fatalf("sign-in with a revoked staff token: %d", code)
	}
	if _, err := runCmd(t, "", "staff", "revoke", "-db", db, id); err == nil {
		t.Fatal("revoking twice should fail")
	}
	if _, err := runCmd(t, "", "staff", "create", "-db", db); err == nil {
		t.Fatal("a token without a name was created")
	}
	if _, err := runCmd(t, "", "staff", "frobnicate", "-db", db); err == nil {
		t.Fatal("an unknown subcommand ran")
	}
}
