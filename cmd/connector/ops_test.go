package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"oawizard/connector"
	"oawizard/connector/api"
	"oawizard/demostack/loopback"
)

// decrypt reads its secrets as serve does, never from flags; a secrets
// file works as well as the environment.
func TestDecryptTakesNoSecretFlags(t *testing.T) {
	t.Setenv("CONNECTOR_TOKEN", "")
	t.Setenv("CONNECTOR_AES_KEY", "")
	t.Setenv("CONNECTOR_SECRETS_FILE", "")
	for _, flag := range []string{"-token", "-aes-key"} {
		if _, err := runCmd(t, "", "decrypt", flag, "x"); err == nil || !strings.Contains(err.Error(), "not defined") {
			t.Errorf("decrypt %s: %v", flag, err)
		}
	}
	if _, err := runCmd(t, "<xml/>", "decrypt"); err == nil || !strings.Contains(err.Error(), "CONNECTOR_TOKEN") {
		t.Errorf("without secrets: %v", err)
	}
	file := t.TempDir() + "/secrets"
	os.WriteFile(file, []byte("CONNECTOR_TOKEN=spamtest\nCONNECTOR_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n"), 0o600)
	_, err := runCmd(t, "not xml", "decrypt", "-secrets-file", file)
	if err == nil || !strings.Contains(err.Error(), "envelope") {
		t.Errorf("secrets from a file should reach the envelope check: %v", err)
	}
}

// `token list -h` and `token revoke -h` list only their own flags.
func TestTokenHelpListsOnlyItsFlags(t *testing.T) {
	for sub, want := range map[string]bool{"create": true, "list": false, "revoke": false} {
		var out, errb bytes.Buffer
		if err := run([]string{"token", sub, "-h"}, strings.NewReader(""), &out, &errb); err != nil {
			t.Fatal(err)
		}
		help := errb.String()
		if !strings.Contains(help, "-db") || strings.Contains(help, "-project") != want {
			t.Errorf("token %s -h: %q", sub, help)
		}
	}
}

func TestSIGTERMIsLogged(t *testing.T) {
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	sigc := make(chan os.Signal, 1)
	sigc <- syscall.SIGTERM
	logSignal(ctx, cancel, sigc, slog.New(slog.NewJSONHandler(&logs, nil)))
	if ctx.Err() == nil || !strings.Contains(logs.String(), `"signal":"terminated"`) {
		t.Fatalf("context %v, log %q", ctx.Err(), logs.String())
	}
}

// serve --simulate refuses the flags of a real platform instead of
// ignoring them, and checks the ones it honours.
func TestSimulateRefusesFlagsItCannotHonour(t *testing.T) {
	db := t.TempDir() + "/c.db"
	for _, args := range [][]string{
		{"-api-base", "https://api.example.com"},
		{"-component-appid", "wx00000000000000c1"},
		{"-permission-sets", "2,3,24"},
		{"-secrets-file", "/nonexistent"},
	} {
		_, err := runCmd(t, "", append([]string{"serve", "-simulate", "ok", "-db", db}, args...)...)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: %v", args, err)
		}
	}
	for _, args := range [][]string{{"-trusted-proxies", "not-an-ip"}, {"-retention", "0s"}, {"-release-state", "beta"}} {
		if _, err := runCmd(t, "", append([]string{"serve", "-simulate", "ok", "-db", db}, args...)...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if exists(db) {
		t.Fatal("a refused start created the database")
	}
}

// A restarted simulation keeps its WeChat: the account authorized before
// is still authorized after, with the same project token, the flags given
// take effect, and `connector status` calls the database a demo.
func TestSimulateRestartContinues(t *testing.T) {
	db := t.TempDir() + "/sim.db"
	t.Setenv(connector.EnvStoreKey, "")
	t.Setenv(envDemoToken, "")
	opts := loopback.Options{Scenario: "ok", StorePath: db, Logger: slog.New(slog.DiscardHandler), ReleaseState: api.ReleaseTesting,
		PublicRateLimit: -1}
	d, err := startSimulation(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	oa := d.Scenario.OAAppID
	var s api.Session
	callJSON(t, "POST", d.LocalURL+"/v1/authorizations", d.ProjectToken, `{"appid":"`+oa+`"}`, &s)
	page, err := d.Phone().Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	for s.Status != api.StatusAuthorized {
		callJSON(t, "GET", d.LocalURL+"/v1/authorizations/"+s.ID+"?wait=5s&since="+jsonInt(s.Version), d.ProjectToken, "", &s)
		if s.Final() && s.Status != api.StatusAuthorized {
			t.Fatalf("session %s", s.Status)
		}
	}
	var h api.Health
	callJSON(t, "GET", d.LocalURL+"/v1/health", d.ProjectToken, "", &h)
	if h.ReleaseState != api.ReleaseTesting || !h.Demo {
		t.Fatalf("health %+v", h)
	}
	token := d.ProjectToken
	d.Close()

	d, err = startSimulation(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.Restored || len(d.Refused) != 0 || d.ProjectToken != token {
		t.Fatalf("restart: restored %v, refused %v, same token %v", d.Restored, d.Refused, d.ProjectToken == token)
	}
	var a api.Account
	callJSON(t, "POST", d.LocalURL+"/v1/accounts/"+oa+"/refresh", token, "", &a)
	if !a.Authorized || a.NeedsReauthorization {
		t.Fatalf("after the restart: %+v", a)
	}
	out, err := runCmd(t, "", "status", "-db", db, "-release-state", "released")
	var st connector.Status
	if err != nil || json.Unmarshal([]byte(out), &st) != nil || !st.Demo || st.ReleaseState != api.ReleaseReleased {
		t.Fatalf("status: %v %s", err, out)
	}
}

func callJSON(t *testing.T, method, url, token, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 || json.NewDecoder(resp.Body).Decode(out) != nil {
		t.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
