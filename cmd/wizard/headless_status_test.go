package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"testing"

	"oawizard/assets"
	"oawizard/flow/syncer"
	"oawizard/wechat"
)

// The headless report names a sync WeChat stopped for a limited account,
// or one the relay refused for an account with no API permission, as what
// it is, never as "failed"; the wizard has words for each name it reports.
func TestHeadlessSyncStatusNamesTheEnding(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&wechat.APIError{Code: 50002, Msg: "user limited", Path: syncer.PathBatchGet}, "account_limited"},
		{fmt.Errorf("%w: %w", syncer.ErrNotPermitted, &wechat.HTTPError{Status: 403, Body: `{"error":"no_api_permission"}`}), "no_api_permission"},
		{fmt.Errorf("%w: %w", syncer.ErrNotPermitted, &wechat.APIError{Code: 48001}), "not_permitted"},
	} {
		if got := syncStatus(c.err); got != c.want {
			t.Errorf("%v: sync status %q, want %q", c.err, got, c.want)
		}
		for _, loc := range []string{"zh-Hans", "en"} {
			files, err := assets.TranslationFiles(loc)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range files {
				b, err := fs.ReadFile(assets.Translations, f)
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]any{}
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(f, err)
				}
				if s, ok := m["sync.state."+c.want].(string); ok && s != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no words for sync.state.%s", loc, c.want)
			}
		}
	}
}
