package ui

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/secret"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
)

// Real mode: the connection is checked before anything is kept, and each
// kind of failure has its own plain message.
func TestConnectorSettingsAreCheckedAndTheTokenGoesToTheKeychain(t *testing.T) {
	onUIDo(func() { SetupLanguage(LangZH) })
	test.NewTempApp(t)
	d, err := loopback.Start(context.Background(), loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	db, _ := store.Open(filepath.Join(t.TempDir(), "w.db"))
	defer db.Close()
	keys := secrettest.NewMemory()
	a := &App{opts: Options{Home: flow.NewHome(db, keys, nil)}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	defer a.cancel()

	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	cases := []struct {
		url, token, want string
	}{
		{d.URL, "oaw_wrong", T("error.connector.unauthorized")},
		{"http://127.0.0.1:1", d.ProjectToken, T("error.connector.unreachable")},
		{tlsSrv.URL, d.ProjectToken, T("error.connector.tls")},
		{"not a url", d.ProjectToken, T("error.connector.bad_url")},
		{"http://connector.example.com", d.ProjectToken, T("error.connector.insecure")},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		err := a.opts.Home.SignIn(a.ctx, c.url, c.token)
		if got := errorText(err); got != c.want {
			t.Errorf("%s: %q, want %q", c.url, got, c.want)
		}
		seen[errorText(err)] = true
	}
	if len(seen) != len(cases) {
		t.Fatal("two kinds of failure share one message")
	}
	if keys.Len() != 0 {
		t.Fatal("a failed check kept a token")
	}
	if err := a.opts.Home.SignIn(a.ctx, d.URL, d.ProjectToken); err != nil {
		t.Fatal(err)
	}
	if v, _ := keys.Get(secret.TokenKey(d.URL)); v != d.ProjectToken {
		t.Fatal("the token is not in the keychain")
	}
	if found, _ := db.ContainsString(context.Background(), d.ProjectToken); found {
		t.Fatal("the token reached the database")
	}
	if err := a.opts.Home.SignOut(a.ctx); err != nil || keys.Len() != 0 {
		t.Fatal("sign-out left the token")
	}
	// Without a keychain the token is not kept anywhere else.
	a.opts.Home = flow.NewHome(db, nil, nil)
	if err := a.opts.Home.SignIn(a.ctx, d.URL, d.ProjectToken); !errors.Is(err, secret.ErrUnavailable) || errorText(err) != T("error.keychain") {
		t.Fatalf("no keychain: %v", err)
	}
}
