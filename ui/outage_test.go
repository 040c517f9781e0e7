package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
)

// A connector whose database is down says so in the admin's words: the
// vendor's server has trouble, never that the token was revoked.
func TestConnectorStoreOutageIsTheVendorsTroubleNotARevokedToken(t *testing.T) {
	test.NewTempApp(t)
	d, err := loopback.Start(context.Background(), loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	db, _ := store.Open(filepath.Join(t.TempDir(), "w.db"))
	defer db.Close()
	a := &App{opts: Options{Home: flow.NewHome(db, secrettest.NewMemory(), nil)}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	defer a.cancel()
	if err := d.Store.Close(); err != nil {
		t.Fatal(err)
	}
	err = a.opts.Home.SignIn(a.ctx, d.URL, d.ProjectToken)
	for lang, want := range map[string]string{LangZH: "服务商的服务器暂时出了问题", LangEN: "the vendor's server is having trouble"} {
		onUIDo(func() { SetupLanguage(lang) })
		got := errorText(err)
		if !strings.Contains(strings.ToLower(got), want) || strings.Contains(got, "撤销") || strings.Contains(strings.ToLower(got), "revoked") {
			t.Errorf("%s: %q (from %v)", lang, got, err)
		}
	}
	onUIDo(func() { SetupLanguage(LangZH) })
}
