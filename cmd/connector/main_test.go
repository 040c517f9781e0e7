package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"oawizard/connector"
	"oawizard/wechat"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

func TestTokenLifecycle(t *testing.T) {
	db := t.TempDir() + "/c.db"
	tok, err := runCmd(t, "", "token", "create", "-db", db, "-project", "acme")
	if err != nil || !strings.HasPrefix(tok, "oaw_") {
		t.Fatalf("create: %q %v", tok, err)
	}
	list, err := runCmd(t, "", "token", "list", "-db", db)
	if err != nil || !strings.Contains(list, "acme") || strings.Contains(list, strings.TrimSpace(tok)) {
		t.Fatalf("list must name the project and never show the token: %q %v", list, err)
	}
	id := strings.Fields(strings.Split(list, "\n")[1])[0]
	if _, err := runCmd(t, "", "token", "revoke", "-db", db, id); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "", "token", "revoke", "-db", db, id); err == nil {
		t.Fatal("revoking twice should fail")
	}
	if _, err := runCmd(t, "", "token", "create", "-db", db); err == nil {
		t.Fatal("a token without a project was created")
	}
}

func TestDecryptPrintsPlaintextOrTheReason(t *testing.T) {
	// Reference §8.3 vector C, wrapped in a push envelope.
	const enc = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	body := "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	t.Setenv("CONNECTOR_TOKEN", "spamtest")
	t.Setenv("CONNECTOR_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	t.Setenv("CONNECTOR_SECRETS_FILE", "")
	args := []string{"decrypt", "-appid", "wx2c2769f8efd9abc2", "-timestamp", "1409735669", "-nonce", "1320562132"}
	out, err := runCmd(t, body, append(args, "-msg-signature", "5d197aaffba7e9b25a30732f161a50dee96bd5fa")...)
	if err != nil || !strings.Contains(out, "<Content><![CDATA[abcdteT]]></Content>") {
		t.Fatalf("decrypt: %q %v", out, err)
	}
	_, err = runCmd(t, body, append(args, "-msg-signature", strings.Repeat("0", 40))...)
	if err == nil || !strings.Contains(err.Error(), "msg_signature") {
		t.Fatalf("bad signature should be explained: %v", err)
	}
	_, err = runCmd(t, "not xml", append(args, "-msg-signature", "x")...)
	if err == nil || !strings.Contains(err.Error(), "envelope") {
		t.Fatalf("bad body should be explained: %v", err)
	}
	if wechat.Signature("spamtest", "1409735669", "1320562132", enc) != "5d197aaffba7e9b25a30732f161a50dee96bd5fa" {
		t.Fatal("vector C signature")
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	if out, err := runCmd(t, "", "-version"); err != nil || !strings.HasPrefix(out, "connector ") {
		t.Fatalf("%q %v", out, err)
	}
	if _, err := runCmd(t, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// Asking any command for help prints it and touches nothing: no database
// appears in the current folder and the exit is clean.
func TestHelpHasNoSideEffects(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("CONNECTOR_DB", "")
	for _, args := range [][]string{{"-h"}, {"help"}, {"token", "-h"}, {"token", "--help"}, {"token", "create", "-h"},
		{"token", "list", "-h"}, {"token", "revoke", "-h"}, {"serve", "-h"}, {"status", "-h"}, {"migrate", "-h"}, {"decrypt", "-h"}} {
		var out, errb bytes.Buffer
		if err := run(args, strings.NewReader(""), &out, &errb); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if text := strings.ToLower(out.String() + errb.String()); !strings.Contains(text, "usage") {
			t.Errorf("%v printed no help: %q %q", args, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if err := run([]string{"token", "frobnicate"}, strings.NewReader(""), &out, &errb); err == nil || !strings.Contains(errb.String(), "token create") {
		t.Errorf("an unknown token subcommand: %v %q", err, errb.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("help created %v", entries)
	}
}

func TestStatusWithoutComponentAppIDFindsTheStoredTicket(t *testing.T) {
	db := t.TempDir() + "/c.db"
	st, err := connector.OpenStore(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyPush(context.Background(), "n", time.Now(), connector.PushEffect{TicketComponent: "wx00000000000000c1", TicketSealed: []byte("sealed")}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	t.Setenv("CONNECTOR_COMPONENT_APPID", "")
	out, err := runCmd(t, "", "status", "-db", db)
	var s connector.Status
	if err != nil || json.Unmarshal([]byte(out), &s) != nil {
		t.Fatalf("status: %v %s", err, out)
	}
	if s.Ticket.State != "ok" || s.ComponentAppID != "wx00000000000000c1" {
		t.Fatalf("status without -component-appid: %+v", s)
	}
}

func TestServeRefusesBadProxiesAndRetention(t *testing.T) {
	t.Setenv("CONNECTOR_APPSECRET", "x")
	t.Setenv("CONNECTOR_TOKEN", "x")
	t.Setenv("CONNECTOR_AES_KEY", strings.Repeat("a", 43))
	t.Setenv("CONNECTOR_STORE_KEY", strings.Repeat("s", 32))
	_, err := runCmd(t, "", "serve", "-db", t.TempDir()+"/c.db", "-public-url", "https://c.example.com",
		"-component-appid", "wx00000000000000c1", "-trusted-proxies", "not-an-ip")
	if err == nil || !strings.Contains(err.Error(), "not-an-ip") {
		t.Fatalf("bad proxy: %v", err)
	}
	_, err = runCmd(t, "", "serve", "-db", t.TempDir()+"/c.db", "-public-url", "https://c.example.com",
		"-component-appid", "wx00000000000000c1", "-retention", "0s")
	if err == nil || !strings.Contains(err.Error(), "retention") {
		t.Fatalf("zero retention: %v", err)
	}
}
